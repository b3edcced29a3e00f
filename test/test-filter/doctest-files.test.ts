import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { analyzePythonSource, doctestSource, loadPythonParser } from '@ci-optimizer/core/languages/python';
import {
  loadPytestDiscovery,
  PytestTestMatcher,
  pythonFnmatch,
} from '../../packages/core/src/languages/python/pytest-config.ts';
import { RunnerJob, runActionStep } from '../support/action-runner.ts';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';
import { selectForChange } from './support.ts';

// pytest's doctest plugin makes tests of files that are not `test_*.py`: every collected module under
// `--doctest-modules`, and text files matching `--doctest-glob` (default `test*.txt`, even without the flag).
const PYTHON = process.env.CONFORMANCE_PYTHON ?? '/usr/bin/python3';

/** The files Debian's pytest collects in `dir` (run there with no arguments, as a CI step would). */
function pytestCollects(dir: string): string[] {
  const out = execFileSync(PYTHON, ['-m', 'pytest', '-p', 'no:cacheprovider', '--collect-only', '-q'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  const files = new Set<string>();
  for (const line of out.split('\n')) {
    const match = /^([^\s:]+)::/.exec(line);
    if (match) files.add(match[1]);
  }
  return [...files].sort();
}

function writeTree(dir: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

const DOC = (expr: string, value: string) => `"""\n>>> ${expr}\n${value}\n"""\n`;

/** A project where every file has one doctest (or one test), so pytest lists each file it collects. */
const project = {
  'pkg/__init__.py': DOC('1 + 1', '2'),
  'pkg/mod.py': DOC('2 + 1', '3'),
  'pkg/__main__.py': DOC('2 + 1', '3'),
  'pkg/sub/__init__.py': DOC('1', '1'),
  'pkg/sub/deep.py': DOC('1', '1'),
  'pkg/test_x.py': 'def test_a():\n    pass\n',
  'conftest.py': DOC('3', '3'),
  'setup.py': `${DOC('3', '3')}import setuptools\n`,
  'test_top.txt': '>>> 1\n1\n',
  'pkg/test_b.txt': '>>> 1\n1\n',
  'docs/guide.rst': '>>> 1\n1\n',
  'docs/notes.txt': '>>> 1\n1\n',
  'docs/conf.py': DOC('4', '4'),
  'build/skipped.py': DOC('4', '4'),
  'scripts/tool.py': DOC('5', '5'),
};

async function matcherFor(files: Record<string, string>) {
  const discovery = await loadPytestDiscovery(async (name) => files[name]);
  const matcher = new PytestTestMatcher(discovery, '');
  return Object.keys(files)
    .filter((path) => matcher.isTestFile(path))
    .sort();
}

describe('doctest files are test files, as pytest collects them', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => cleanup.splice(0).forEach((fn) => fn()));
  beforeAll(async () => {
    await loadPythonParser();
  });

  const configs: Array<[string, Record<string, string>]> = [
    ['no configuration (test*.txt only)', {}],
    ['pytest.ini with --doctest-modules', { 'pytest.ini': '[pytest]\naddopts = --doctest-modules\n' }],
    [
      'tox.ini with --doctest-glob "*.rst" and testpaths',
      {
        'tox.ini':
          '[pytest]\naddopts=\n    --doctest-modules\n    --doctest-glob "*.rst"\n    --ignore scripts/tool.py\ntestpaths=docs pkg\n',
      },
    ],
    [
      'pyproject.toml addopts list',
      {
        'pyproject.toml':
          '[tool.pytest.ini_options]\naddopts = [\n  "--doctest-modules",  # doctests\n  "--doctest-glob=*.txt",\n]\n',
      },
    ],
    ['setup.cfg with -p no:doctest', { 'setup.cfg': '[tool:pytest]\naddopts = -p no:doctest\n' }],
  ];
  for (const [label, config] of configs) {
    it(`agrees with pytest --collect-only: ${label}`, { timeout: 300_000 }, async () => {
      const dir = tempDir('ci-opt-doctest-');
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      const files = { ...project, ...config };
      writeTree(dir, files);
      expect(await matcherFor(files)).toEqual(pytestCollects(dir));
    });
  }

  it('reads the doctest settings of addopts', async () => {
    const read = (text: string) => loadPytestDiscovery(async (name) => (name === 'tox.ini' ? text : undefined));
    expect(
      await read('[pytest]\naddopts = --doctest-modules --doctest-glob "*.rst" --doctest-glob=*.md\n'),
    ).toMatchObject({
      doctestModules: true,
      doctestGlobs: ['*.rst', '*.md'],
    });
    expect(await read('[pytest]\naddopts = -x\n')).toMatchObject({
      doctestModules: false,
      doctestGlobs: ['test*.txt'],
    });
    expect(await read('[pytest]\naddopts = -p no:doctest --doctest-glob=*.rst\n')).toMatchObject({
      doctestModules: false,
      doctestGlobs: [],
    });
  });

  it("pythonFnmatch is Python's fnmatch", () => {
    const cases: Array<[string, string]> = [
      ['docs/a.rst', '*.rst'],
      ['a.rst', 'docs/*.rst'],
      ['/x/docs/a.rst', '*/docs/*.rst'],
      ['test_a.txt', 'test?a.txt'],
      ['b.txt', '[ab].txt'],
      ['c.txt', '[!ab].txt'],
      [']x', '[]]x'],
      ['a.txt', '[a'],
      ['[a', '[a'],
      ['a+b(c).txt', 'a+b(c).txt'],
      ['^x', '[\\^]x'],
    ];
    const script = `import fnmatch, json, sys\nprint(json.dumps([fnmatch.fnmatchcase(n, p) for n, p in json.load(sys.stdin)]))`;
    const expected = JSON.parse(
      execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' }),
    );
    expect(cases.map(([name, pattern]) => pythonFnmatch(name, pattern))).toEqual(expected);
  });

  it('reads the examples of a text the way doctest does', () => {
    const text = [
      'Intro',
      '  >>> from pkg import a',
      '  >>> for x in a.items():',
      '  ...     print(x)',
      '  1',
      '>>>',
      'not code >>> here',
    ].join('\n');
    expect(doctestSource(text).split('\n')).toEqual([
      '',
      'from pkg import a',
      'for x in a.items():',
      '    print(x)',
      '',
      '',
      '',
    ]);
    const facts = analyzePythonSource(
      [
        'def f():',
        '    """',
        '    >>> import pkg.extra',
        '    >>> from pkg import other',
        '    """',
        'x = ">>> import not_a_docstring"',
        '',
      ].join('\n'),
    );
    expect(facts.imports).toEqual([]);
    expect(facts.doctestImports).toEqual([
      { module: 'pkg.extra', level: 0, line: 3, kind: 'import' },
      { module: 'pkg', level: 0, names: ['other'], line: 4, kind: 'from' },
    ]);
  });

  const corpusLike = {
    'tox.ini': '[pytest]\naddopts=\n    --doctest-modules\n    --doctest-glob "*.rst"\ntestpaths=docs src/pkg tests\n',
    'src/pkg/__init__.py': 'from .sorted import Sorted\nfrom .other import Other\n',
    'src/pkg/sorted.py': 'class Sorted:\n    """\n    >>> Sorted().n\n    1\n    """\n    n = 1\n',
    'src/pkg/other.py': 'class Other:\n    """\n    >>> from pkg.extra import E\n    """\n',
    'src/pkg/extra.py': 'E = 1\n',
    'src/pkg/lonely.py': 'L = 1\n',
    'tests/__init__.py': '',
    'tests/issue_1.py': 'from pkg.sorted import Sorted\nSorted()\n',
    'tests/test_other.py': 'from pkg.other import Other\n',
    'docs/intro.rst': 'Intro\n\n    >>> from pkg.sorted import Sorted\n    >>> Sorted().n\n    1\n',
    'docs/other.rst': 'Other\n\n    >>> import pkg.lonely\n',
    'docs/prose.rst': 'No examples here.\n',
  };

  it('a change to a module selects the doctest modules and text files that reach it', {
    timeout: 600_000,
  }, async () => {
    const result = await selectForChange(corpusLike, {
      'src/pkg/sorted.py': 'class Sorted:\n    """\n    >>> Sorted().n\n    2\n    """\n    n = 2\n',
    });
    expect(result.reasons).toEqual([]);
    expect(result.totalCount).toBe(11);
    // `import pkg.lonely` runs pkg/__init__.py, which imports pkg.sorted.
    expect(result.tests.sort()).toEqual([
      'docs/intro.rst',
      'docs/other.rst',
      'src/pkg/__init__.py',
      'src/pkg/extra.py',
      'src/pkg/lonely.py',
      'src/pkg/other.py',
      'src/pkg/sorted.py',
      'tests/issue_1.py',
      'tests/test_other.py',
    ]);
    expect(result.explanations['docs/intro.rst']).toBe(
      'docs/intro.rst its examples import pkg.sorted (line 3) → src/pkg/sorted.py (modified)',
    );
    expect(result.explanations['tests/issue_1.py']).toContain('tests/issue_1.py imports pkg.sorted (line 1)');
    // A docstring's example import is an edge of the doctest module.
    const extra = await selectForChange(corpusLike, { 'src/pkg/extra.py': 'E = 2\n' });
    expect(extra.explanations['src/pkg/other.py']).toBe(
      'src/pkg/other.py its doctests import pkg.extra (line 3) → src/pkg/extra.py (modified)',
    );
    expect(extra.tests).not.toContain('docs/prose.rst');
  });

  it('a changed doctest text file selects itself; a deleted one is no reason to run everything', {
    timeout: 600_000,
  }, async () => {
    const changed = await selectForChange(corpusLike, { 'docs/prose.rst': 'Still no examples.\n' });
    expect(changed.reasons).toEqual([]);
    expect(changed.tests).toEqual(['docs/prose.rst']);
    const deleted = await selectForChange(corpusLike, { 'docs/other.rst': null });
    expect(deleted.runAll).toBe(false);
    expect(deleted.tests).toEqual([]);
  });

  it('without --doctest-modules a docstring import is no edge and modules are no tests', {
    timeout: 600_000,
  }, async () => {
    const plain = { ...corpusLike, 'tox.ini': '[pytest]\ntestpaths=docs src/pkg tests\n' };
    const result = await selectForChange(plain, { 'src/pkg/extra.py': 'E = 2\n' });
    expect(result.totalCount).toBe(1);
    expect(result.tests).toEqual([]);
  });

  it('dist/test-filter/index.js selects the doctest module pytest collects through addopts', {
    timeout: 600_000,
  }, async () => {
    const repo = new TempGitRepo();
    const job = new RunnerJob();
    cleanup.push(
      () => repo.remove(),
      () => job.remove(),
    );
    repo.write(corpusLike);
    const base = repo.commit('base');
    repo.write({ 'src/pkg/lonely.py': 'L = 2\n' });
    const head = repo.commit('head');
    const { main } = await runActionStep({
      action: 'test-filter',
      job,
      workspace: repo.dir,
      inputs: { store: 'none' },
      event: { name: 'push', payload: { before: base, after: head } },
    });
    expect(main.exitCode).toBe(0);
    expect(main.outputs['run-all']).toBe('false');
    expect(main.outputs.tests).toBe('docs/other.rst src/pkg/lonely.py');
    expect(main.outputs['total-count']).toBe('11');
  });
});
