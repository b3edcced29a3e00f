import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectWithImpactMap, type ImpactMap } from '@ci-optimizer/core/impact-map';
import { changeRequest, learnFromSqlite, PYTHON, recordCoverage, type LearnedRepo } from './support.ts';

// A changed function counts only for the tests that ran one of its changed statements, on real per-test coverage
// (pytest-cov, coverage 6.5), and each selection is checked against the suite's real outcome on the changed code.
const SHIPPING = [
  'def price(weight, express=False):',
  '    base = 5',
  '    if express:',
  '        base = base * 2',
  '    if weight > 10:',
  '        return base + weight',
  '    return base',
  '',
  '',
  'def label(code):',
  '    if code is None:',
  '        return "?"',
  '    return code.upper()',
  '',
].join('\n');

/** A function the package runs at import time, with a branch only a test takes. */
const REGISTRY = [
  'def normalise(name, strict=False):',
  '    if strict:',
  '        return name.upper()',
  '    return name.lower()',
  '',
  '',
  'DEFAULT = normalise("Default")',
  '',
].join('\n');

const PROJECT: Record<string, string> = {
  '.gitignore': '.coverage\n__pycache__/\n',
  'pytest.ini': '[pytest]\ntestpaths = tests\npythonpath = .\n',
  'pkg/__init__.py': 'from .shipping import label, price\n',
  'pkg/shipping.py': SHIPPING,
  'tests/test_standard.py': 'from pkg import price\n\n\ndef test_standard():\n    assert price(3) == 5\n',
  'tests/test_express.py': 'from pkg import price\n\n\ndef test_express():\n    assert price(3, express=True) == 10\n',
  'tests/test_heavy.py': 'from pkg import price\n\n\ndef test_heavy():\n    assert price(20) == 25\n',
  'tests/test_label.py': 'from pkg import label\n\n\ndef test_label():\n    assert label("a") == "A"\n',
  'pkg/registry.py': REGISTRY,
  'tests/test_strict.py':
    'from pkg.registry import normalise\n\n\ndef test_strict():\n    assert normalise("a", strict=True) == "A"\n',
  'tests/test_default.py':
    'from pkg.registry import DEFAULT\n\n\ndef test_default():\n    assert DEFAULT == "default"\n',
};
const PRICE_TESTS = ['tests/test_express.py', 'tests/test_heavy.py', 'tests/test_standard.py'];

describe('a changed function narrowed to the tests that ran its changed statements', () => {
  let learned: LearnedRepo;
  let map: ImpactMap;
  beforeAll(async () => {
    learned = recordCoverage(PROJECT);
    map = await learnFromSqlite(learned);
  }, 300_000);
  afterAll(() => learned?.remove());

  /**
   * Commits the edit of pkg/shipping.py on the map's commit, selects with `impactMap` (default: the learned one) and
   * runs the suite there: the test files that fail must all be selected.
   */
  async function selectAfter(from: string, to: string, impactMap = map, path = 'pkg/shipping.py') {
    const source = PROJECT[path];
    if (!source.includes(from)) throw new Error(`${from} not in ${path}`);
    const { repo } = learned;
    repo.write({ [path]: source.replace(from, to) });
    const head = repo.commit('change');
    try {
      const selection = await selectWithImpactMap({
        request: await changeRequest(repo, map.commit, head),
        map: impactMap,
        now: new Date(map.createdAt),
      });
      const run = spawnSync(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-rf'], {
        cwd: repo.dir,
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
        encoding: 'utf8',
      });
      const failing = [...new Set([...run.stdout.matchAll(/^FAILED (\S+?)::/gm)].map((match) => match[1]))];
      return { selection, failing };
    } finally {
      repo.git('reset', '-q', '--hard', map.commit);
    }
  }

  it('learns which tests ran each line of a function body', () => {
    const module = map.modules.find((candidate) => candidate.path === 'pkg/shipping.py');
    expect(module?.lines?.length).toBeGreaterThan(1);
  });

  it('a changed statement inside one branch selects only the test that took the branch, with the line', async () => {
    const { selection, failing } = await selectAfter('base = base * 2', 'base = base * 3');
    expect(failing).toEqual(['tests/test_express.py']);
    expect(selection.tests).toEqual(['tests/test_express.py']);
    expect(selection.reasonsByTest['tests/test_express.py']).toBe(
      'executed pkg.shipping.price, pkg/shipping.py line 4 (changed)',
    );
    expect(selection.impactMap.reason).toContain('(for 1 of 1: the changed statements)');

    const heavy = await selectAfter('return base + weight', 'return base - weight');
    expect(heavy.failing).toEqual(['tests/test_heavy.py']);
    expect(heavy.selection.tests).toEqual(['tests/test_heavy.py']);
  });

  it('a changed condition every call evaluates selects every test that ran the function', async () => {
    const { selection, failing } = await selectAfter('if express:', 'if not express:');
    expect(failing.sort()).toEqual(PRICE_TESTS);
    expect(selection.tests.sort()).toEqual(PRICE_TESTS);
  });

  it('counts the whole function when statements are added or the names it binds change', async () => {
    const added = await selectAfter('    base = base * 2\n', '    base = base * 2\n    base += 1\n');
    expect(added.selection.tests.sort()).toEqual(PRICE_TESTS);
    expect(added.selection.reasonsByTest['tests/test_standard.py']).toBe('executed pkg.shipping.price');

    // `base` is still bound elsewhere, but `extra` is new: a binding may change what other statements read.
    const rebound = await selectAfter('base = base * 2', 'extra = base * 2');
    expect(rebound.failing).toEqual(['tests/test_express.py']);
    expect(rebound.selection.tests.sort()).toEqual(PRICE_TESTS);
  });

  it('a changed statement no test ran keeps every test that ran the function (coverage may not have seen it)', async () => {
    const { selection } = await selectAfter('return "?"', 'return "!"');
    expect(selection.tests).toEqual(['tests/test_label.py']);
    expect(selection.reasonsByTest['tests/test_label.py']).toBe('executed pkg.shipping.label');
  });

  it('a map learned without lines counts the whole function', async () => {
    const older: ImpactMap = {
      ...map,
      modules: map.modules.map(({ lines: _lines, ...module }) => module),
    };
    const { selection, failing } = await selectAfter('base = base * 2', 'base = base * 3', older);
    expect(failing).toEqual(['tests/test_express.py']);
    expect(selection.tests.sort()).toEqual(PRICE_TESTS);

    // A damaged table is no evidence either.
    const damaged: ImpactMap = {
      ...map,
      modules: map.modules.map((module) => ({ ...module, lines: [{ tests: 'x!', lines: 'x!' }] })),
    };
    const fromDamaged = await selectAfter('base = base * 2', 'base = base * 3', damaged);
    expect(fromDamaged.selection.tests.sort()).toEqual(PRICE_TESTS);
  });

  it('a function run at import time counts only for the tests that ran its changed statements, unless import ran them', async () => {
    const strict = await selectAfter('return name.upper()', 'return name.upper() + "!"', map, 'pkg/registry.py');
    expect(strict.failing).toEqual(['tests/test_strict.py']);
    expect(strict.selection.tests).toEqual(['tests/test_strict.py']);

    // The line import ran: what it made (DEFAULT) is in every importer, the static closure stands.
    const lower = await selectAfter('return name.lower()', 'return name.casefold() + "!"', map, 'pkg/registry.py');
    expect(lower.failing).toEqual(['tests/test_default.py']);
    expect(lower.selection.tests).toContain('tests/test_default.py');
    expect(lower.selection.impactMap.moduleLevelFiles['pkg/registry.py']).toBe(
      'pkg.registry.normalise runs at import or collection time',
    );
  });
});
