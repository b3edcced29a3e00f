import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectWithImpactMap, type ImpactMap } from '@ci-optimizer/core/impact-map';
import { selectAffectedTests } from '@ci-optimizer/core/test-filter';
import type { TempGitRepo } from '../support/git-repo.ts';
import { changeRequest, learnFromSqlite, recordCoverage, type LearnedRepo } from './support.ts';

/**
 * Module-level names read by functions, a derived name, a default argument, a class attribute, a name only a test
 * reads, scripts outside the package that read a name or star-import a module (no test imports them), and a loader whose computed import
 * nothing in the source bounds.
 */
const PROJECT: Record<string, string> = {
  'pytest.ini': '[pytest]\ntestpaths = tests\npythonpath = .\n',
  '.gitignore': '.coverage\n__pycache__/\n',
  'pkg/__init__.py': '',
  'pkg/limits.py': [
    'LIMIT = 10',
    'DOUBLE = LIMIT * 2',
    'UNUSED = 5',
    '',
    '',
    'def clamp(x):',
    '    return min(x, LIMIT)',
    '',
    '',
    'def double_limit():',
    '    return DOUBLE',
    '',
    '',
    'def scaled(x, factor=3):',
    '    return x * factor',
    '',
  ].join('\n'),
  'pkg/shapes.py': 'class Box:\n    size = 4\n\n    def area(self):\n        return self.size * self.size\n',
  'pkg/loader.py':
    'import importlib\nimport json\n\n\ndef load(text):\n    return importlib.import_module(json.loads(text)["module"])\n',
  'tools/report.py': 'from pkg.limits import LIMIT\n\nprint(LIMIT)\n',
  'tools/everything.py': 'from pkg.limits import *  # noqa\n',
  'tests/test_clamp.py': 'from pkg.limits import clamp\n\n\ndef test_clamp():\n    assert clamp(50) == 10\n',
  'tests/test_double.py':
    'from pkg.limits import double_limit\n\n\ndef test_double():\n    assert double_limit() == 20\n',
  'tests/test_scaled.py': 'from pkg.limits import scaled\n\n\ndef test_scaled():\n    assert scaled(2) == 6\n',
  'tests/test_names.py': 'import pkg.limits\n\n\ndef test_unused():\n    assert pkg.limits.UNUSED == 5\n',
  'tests/test_namespace.py': 'import pkg.limits\n\n\ndef test_namespace():\n    assert len(vars(pkg.limits)) > 3\n',
  'tests/test_box.py': 'from pkg.shapes import Box\n\n\ndef test_area():\n    assert Box().area() == 16\n',
  'tests/test_load.py':
    'from pkg.loader import load\n\n\ndef test_load():\n    assert load(\'{"module": "pkg.shapes"}\').Box().area() == 16\n',
};

describe('module-level changes narrowed to the code that reads the names', () => {
  let learned: LearnedRepo;
  let repo: TempGitRepo;
  let map: ImpactMap;
  beforeAll(async () => {
    learned = recordCoverage(PROJECT);
    repo = learned.repo;
    map = await learnFromSqlite(learned);
  });
  afterAll(() => learned?.remove());

  /** Commits the edits on the map's commit, selects with the map (and statically); resets afterwards. */
  async function selectAfter(edits: Record<string, [string, string]>) {
    const files: Record<string, string> = {};
    for (const [path, [from, to]] of Object.entries(edits)) {
      if (!PROJECT[path].includes(from)) throw new Error(`${from} not in ${path}`);
      files[path] = PROJECT[path].replace(from, to);
    }
    repo.write(files);
    const head = repo.commit('change');
    try {
      const request = await changeRequest(repo, map.commit, head);
      const staticSelection = await selectAffectedTests(request);
      const selection = await selectWithImpactMap({ request, staticSelection, map, now: new Date(map.createdAt) });
      return { selection, staticSelection };
    } finally {
      repo.git('reset', '-q', '--hard', map.commit);
    }
  }

  it('a constant with a new value selects the tests that executed its readers, and readers of names derived from it', async () => {
    const { selection, staticSelection } = await selectAfter({ 'pkg/limits.py': ['LIMIT = 10', 'LIMIT = 11'] });
    expect(staticSelection.runAll).toBe(true); // the loader may import anything
    expect(selection.runAll).toBe(false);
    // tools/report.py reads LIMIT at module level and the map did not measure it: the tests that may import it stay
    // (only the loader's, which may import anything)
    // test_namespace lists a module's names (`vars(...)`): it reads every name
    expect(selection.tests.sort()).toEqual([
      'tests/test_clamp.py',
      'tests/test_double.py',
      'tests/test_load.py',
      'tests/test_namespace.py',
    ]);
    expect(selection.reasonsByTest['tests/test_namespace.py']).toMatch(/^mentions vars/);
    expect(selection.reasonsByTest['tests/test_load.py']).toMatch(/^mentions LIMIT \(through tools\/report.py\)/);
    expect(selection.reasonsByTest['tests/test_clamp.py']).toBe('executed pkg.limits.clamp');
    expect(selection.reasonsByTest['tests/test_double.py']).toBe('executed pkg.limits.double_limit');
    expect(selection.impactMap.reason).toMatch(/reading the names they give new values \(DOUBLE, LIMIT\)/);
  });

  it('a default argument value selects the tests that executed the function', async () => {
    const { selection } = await selectAfter({ 'pkg/limits.py': ['factor=3', 'factor=4'] });
    expect(selection.tests).toEqual(['tests/test_scaled.py']);
  });

  it('a class attribute selects the tests that executed the methods reading it', async () => {
    const { selection } = await selectAfter({ 'pkg/shapes.py': ['size = 4', 'size = 5'] });
    // (test_namespace lists pkg.limits only: the static closure of pkg/shapes.py does not hold it)
    expect(selection.tests.sort()).toEqual(['tests/test_box.py', 'tests/test_load.py']);
  });

  it('a name only a test reads selects that test, by its mention', async () => {
    const { selection } = await selectAfter({ 'pkg/limits.py': ['UNUSED = 5', 'UNUSED = 6'] });
    expect(selection.tests.sort()).toEqual(['tests/test_names.py', 'tests/test_namespace.py']);
    expect(selection.reasonsByTest['tests/test_names.py']).toMatch(/^mentions UNUSED/);
  });

  it('a removed name read at module level or an added statement falls back to the static closure', async () => {
    const removed = await selectAfter({ 'pkg/limits.py': ['LIMIT = 10', 'pass'] });
    expect(removed.selection.impactMap.moduleLevelFiles['pkg/limits.py']).toMatch(
      /read outside a function body, where a removed name fails at import/,
    );
    const added = await selectAfter({ 'pkg/limits.py': ['UNUSED = 5', 'UNUSED = 5\nprint(UNUSED)'] });
    expect(added.selection.impactMap.moduleLevelFiles['pkg/limits.py']).toMatch(
      /statements added or removed at module level/,
    );
    for (const { selection } of [removed, added]) {
      // every test the static closure of pkg/limits.py reaches, and the loader's test (it may import anything)
      expect(selection.tests.sort()).toEqual([
        'tests/test_clamp.py',
        'tests/test_double.py',
        'tests/test_load.py',
        'tests/test_names.py',
        'tests/test_namespace.py',
        'tests/test_scaled.py',
      ]);
      expect(selection.reasonsByTest['tests/test_load.py']).toMatch(
        /pkg\/loader.py:6: .*may load .* the impact map saw only these tests execute pkg.loader.load/,
      );
    }
  });

  it('a removed name that only a test reads selects it; a star importer adds the tests that may import it', async () => {
    const { selection } = await selectAfter({ 'pkg/limits.py': ['UNUSED = 5', 'pass'] });
    // tools/everything.py star-imports pkg.limits: only the loader's test may import it (it may import anything)
    expect(selection.tests.sort()).toEqual(['tests/test_load.py', 'tests/test_names.py', 'tests/test_namespace.py']);
    expect(selection.reasonsByTest['tests/test_load.py']).toMatch(/^mentions UNUSED \(through tools\/everything.py\)/);
  });
});
