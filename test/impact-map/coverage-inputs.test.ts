import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImpactMapIndex, learnImpactMap, type ImpactMap } from '@ci-optimizer/core/impact-map';
import { parseTestContext, readCoverageContexts, pythonPack } from '@ci-optimizer/core/languages/python';
import { UserError } from '@ci-optimizer/core/errors';
import { RunnerJob, runActionStep } from '../support/action-runner.ts';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';
import { PYTHON } from './support.ts';

/**
 * What real suites write: empty `__init__.py` files (coverage.py records line 0), a decorator applied at import, its
 * wrapper run by one test, a property getter and setter (one name, two functions), a yield fixture (`|setup`).
 */
// biome-ignore lint/suspicious/noExportsInTest: the attribution test reuses this project
export const COVERAGE_PROJECT: Record<string, string> = {
  '.gitignore': '.coverage*\n.ci-optimizer/\n__pycache__/\n*.json\n',
  'pkg/__init__.py': '',
  'pkg/calc.py': [
    'import functools',
    '',
    '',
    'def logged(fn):',
    '    @functools.wraps(fn)',
    '    def wrapper(*args):',
    '        return fn(*args)',
    '    return wrapper',
    '',
    '',
    '@logged',
    'def add(a, b):',
    '    return a + b',
    '',
    '',
    'def mul(a, b):',
    '    return a * b',
    '',
    '',
    'class Box:',
    '    def __init__(self, value):',
    '        self._value = value',
    '',
    '    @property',
    '    def value(self):',
    '        return self._value',
    '',
    '    @value.setter',
    '    def value(self, new):',
    '        self._value = new',
    '',
  ].join('\n'),
  'tests/__init__.py': '',
  'tests/conftest.py': 'import pytest\nfrom pkg.calc import Box\n\n\n@pytest.fixture\ndef box():\n    yield Box(1)\n',
  'tests/test_add.py': 'from pkg.calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n',
  'tests/test_box.py': 'def test_box(box):\n    box.value = 4\n    assert box.value == 4\n',
  'tests/test_mul.py': 'from pkg.calc import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n',
};

/** What each test file executed of `pkg`, as the map must learn it from any of the inputs below. */
const EXPECTED = {
  'tests/test_add.py': ['pkg.calc.add', 'pkg.calc.logged.<locals>.wrapper'],
  'tests/test_box.py': ['pkg.calc.Box.__init__', 'pkg.calc.Box.value', 'pkg.calc.Box.value.setter'],
  'tests/test_mul.py': ['pkg.calc.mul'],
};

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

function pkgUnitsByTest(map: ImpactMap): Record<string, string[]> {
  const index = new ImpactMapIndex(map);
  const out: Record<string, string[]> = {};
  map.tests.forEach((test, i) => {
    const units = index
      .unitsOfTest(i)
      .map((id) => index.unitLabel(id))
      .filter((label) => label.startsWith('pkg.'))
      .sort();
    if (units.length) out[test.path] = units;
  });
  return out;
}

const importTimeLabels = (map: ImpactMap) => {
  const index = new ImpactMapIndex(map);
  return map.importTime.map((id) => index.unitLabel(id)).filter((label) => label.startsWith('pkg.'));
};

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const full: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env };
  delete full.PYTEST_ADDOPTS;
  return execFileSync(PYTHON, args, { cwd, env: full, encoding: 'utf8', stdio: 'pipe' });
}

describe('learning from the coverage data real suites write (Debian pytest-cov 4 / coverage.py 6.5)', () => {
  let repo: TempGitRepo;
  let commit: string;
  const dirs: string[] = [];
  const scratch = (prefix: string) => {
    const dir = tempDir(prefix);
    dirs.push(dir);
    return dir;
  };
  beforeAll(() => {
    repo = new TempGitRepo();
    repo.write(COVERAGE_PROJECT);
    commit = repo.commit('clean');
  });
  afterAll(() => {
    repo?.remove();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('pytest-cov --cov-context=test: the JSON report (line 0, empty context, |setup) and the .coverage file learn the same map', async () => {
    const data = scratch('ci-opt-cov-');
    const env = { COVERAGE_FILE: join(data, '.coverage') };
    run(
      [
        '-m',
        'pytest',
        '-q',
        '-p',
        'no:cacheprovider',
        '--cov=pkg',
        '--cov=tests',
        '--cov-context=test',
        '--cov-report=',
      ],
      repo.dir,
      env,
    );
    run(['-m', 'coverage', 'json', '--show-contexts', '-o', join(data, 'coverage.json')], repo.dir, env);
    const report = JSON.parse(readFileSync(join(data, 'coverage.json'), 'utf8'));
    // The inputs the first version refused: line 0 of empty modules, in the empty context.
    expect(report.files['tests/__init__.py'].contexts).toEqual({ '0': [''] });
    expect(report.files['pkg/calc.py'].contexts['22']).toEqual(['tests/test_box.py::test_box|setup']);

    const fromJson = await learnImpactMap({
      pack: pythonPack,
      repoDir: repo.dir,
      coverage: await readCoverageContexts(join(data, 'coverage.json')),
    });
    const fromSqlite = await learnImpactMap({
      pack: pythonPack,
      repoDir: repo.dir,
      coverage: await readCoverageContexts(join(data, '.coverage')),
    });
    for (const map of [fromJson, fromSqlite]) {
      expect(map.commit).toBe(commit);
      expect(pkgUnitsByTest(map)).toEqual(EXPECTED);
      // The decorator runs when `add` is defined: at import, outside any test.
      expect(importTimeLabels(map)).toEqual(['pkg.calc.logged']);
      expect(map.learned).toMatchObject({ files: 7, importContext: true, remappedFiles: 0, skipped: {} });
      expect(map.learned!.testContexts).toBeGreaterThanOrEqual(4);
    }
    expect(fromJson.modules).toEqual(fromSqlite.modules);
    expect(fromJson.learned!.lineHits).toBe(fromSqlite.learned!.lineHits);
  }, 120_000);

  it('coverage 7 JSON (format 3, functions and classes sections) learns the same map', async () => {
    const coverage = await readCoverageContexts(join(FIXTURES, 'coverage-7-format-3.json'));
    expect(coverage.tool).toBe('coverage.py 7.6.1');
    const map = await learnImpactMap({ pack: pythonPack, repoDir: repo.dir, coverage });
    expect(pkgUnitsByTest(map)).toEqual(EXPECTED);
    expect(importTimeLabels(map)).toEqual(['pkg.calc.logged']);
  });

  it('dynamic_context = test_function (coverage run, dotted contexts) attributes to the same test files', async () => {
    const data = scratch('ci-opt-cov-');
    const rc = join(data, 'coveragerc');
    writeFileSync(rc, '[run]\nsource = pkg\ndynamic_context = test_function\n');
    const env = { COVERAGE_FILE: join(data, '.coverage'), COVERAGE_RCFILE: rc };
    run(['-m', 'coverage', 'run', '-m', 'pytest', '-q', '-p', 'no:cacheprovider'], repo.dir, env);
    const coverage = await readCoverageContexts(join(data, '.coverage'));
    const contexts = new Set([...coverage.files.values()].flatMap((byContext) => [...byContext.keys()]));
    expect(contexts).toContain('tests.test_add.test_add');
    const map = await learnImpactMap({ pack: pythonPack, repoDir: repo.dir, coverage });
    // test_function names the test function only: fixture setup runs before it, in no context (import time).
    expect(pkgUnitsByTest(map)).toEqual({
      ...EXPECTED,
      'tests/test_box.py': ['pkg.calc.Box.value', 'pkg.calc.Box.value.setter'],
    });
    expect(importTimeLabels(map).sort()).toEqual(['pkg.calc.Box.__init__', 'pkg.calc.logged']);
  }, 120_000);

  it('parallel shards run in two checkouts, combined with [paths] and relative_files, or with absolute paths of elsewhere', async () => {
    const other = scratch('ci-opt-other-checkout-');
    cpSync(repo.dir, other, { recursive: true, filter: (path) => !path.includes('.git') });
    const shards = join(scratch('ci-opt-shards-'), 'data');
    for (const relativeFiles of [true, false]) {
      rmSync(shards, { recursive: true, force: true });
      const rc = join(other, 'coveragerc');
      // [paths]: the other checkout's files are the same files as ours (`pkg/` first: the name they get).
      const paths = relativeFiles ? `[paths]\nsource =\n    pkg/\n    ${other}/pkg/\n` : '';
      writeFileSync(
        rc,
        `[run]\nsource = pkg\nparallel = True\nrelative_files = ${relativeFiles ? 'True' : 'False'}\n${paths}`,
      );
      const pytest = [
        '-m',
        'pytest',
        '-q',
        '-p',
        'no:cacheprovider',
        '--cov',
        `--cov-config=${rc}`,
        '--cov-context=test',
        '--cov-report=',
      ];
      run([...pytest, 'tests/test_add.py', 'tests/test_box.py'], repo.dir, {
        COVERAGE_FILE: join(shards, 'a', '.coverage'),
      });
      run([...pytest, 'tests/test_mul.py'], other, { COVERAGE_FILE: join(shards, 'b', '.coverage') });
      run(
        ['-m', 'coverage', 'combine', `--rcfile=${rc}`, join(shards, 'a', '.coverage'), join(shards, 'b', '.coverage')],
        repo.dir,
        { COVERAGE_FILE: join(shards, '.coverage') },
      );
      expect(existsSync(join(shards, '.coverage'))).toBe(true);
      const coverage = await readCoverageContexts(join(shards, '.coverage'));
      const recorded = [...coverage.files.keys()];
      if (relativeFiles) expect(recorded.every((path) => path.startsWith('pkg/'))).toBe(true);
      else expect(recorded.some((path) => path.startsWith(other))).toBe(true);
      const map = await learnImpactMap({ pack: pythonPack, repoDir: repo.dir, coverage });
      expect(pkgUnitsByTest(map)).toEqual(EXPECTED);
      // Without [paths], the other checkout's files are matched by their path tail and merged with ours.
      expect(map.learned!.remappedFiles).toBe(relativeFiles ? 0 : 2);
    }
  }, 180_000);

  it('skips and counts what it cannot attribute; data without test contexts is a clear error', async () => {
    const data = scratch('ci-opt-cov-');
    const report = JSON.parse(readFileSync(join(FIXTURES, 'coverage-7-format-3.json'), 'utf8'));
    report.files['elsewhere/vendor.py'] = { contexts: { '1': ['tests/test_add.py::test_add|run'] } };
    report.files['pkg/calc.py'].contexts['999'] = ['tests/test_add.py::test_add|run'];
    report.files['pkg/calc.py'].contexts['13'].push(
      'gone/test_old.py::test_x|run',
      'py311|tests/test_add.py::test_add|run',
    );
    report.files['pkg/calc.py'].contexts.bogus = ['x'];
    const odd = join(data, 'odd.json');
    writeFileSync(odd, JSON.stringify(report));
    const warnings: string[] = [];
    const map = await learnImpactMap({
      pack: pythonPack,
      repoDir: repo.dir,
      coverage: await readCoverageContexts(odd),
      warn: (m) => warnings.push(m),
    });
    expect(pkgUnitsByTest(map)).toEqual(EXPECTED);
    expect(map.learned!.skipped).toEqual({
      'line entries that are not a line number with a list of contexts': 1,
      'measured files not in the commit (paths that match no file of the checkout)': 1,
      'line hits past the end of their file (coverage of another version of it?)': 1,
      'line hits of contexts that name no test file of the commit': 1,
      'test contexts that name no test file of the commit': 1,
    });
    expect(warnings.join('\n')).toMatch(/gone\/test_old.py/);

    const bare = join(data, '.coverage-bare');
    run(
      ['-m', 'coverage', 'run', `--data-file=${bare}`, '--source=pkg', '-m', 'pytest', '-q', '-p', 'no:cacheprovider'],
      repo.dir,
    );
    const coverage = await readCoverageContexts(bare);
    await expect(learnImpactMap({ pack: pythonPack, repoDir: repo.dir, coverage })).rejects.toThrow(UserError);
    await expect(learnImpactMap({ pack: pythonPack, repoDir: repo.dir, coverage })).rejects.toThrow(
      /names no test.*--cov-context=test/,
    );
  }, 120_000);

  it('parses static-context labels in front of test contexts', () => {
    expect(parseTestContext('py311|tests/test_a.py::test_x[a|b]|run')).toEqual({
      test: 'tests/test_a.py',
      dotted: false,
      phase: 'run',
    });
    expect(parseTestContext('ci|tests.test_a.test_x')).toEqual({
      test: 'tests.test_a.test_x',
      dotted: true,
      phase: 'run',
    });
    expect(parseTestContext('tests/test_a.py::test_x|teardown')).toEqual({
      test: 'tests/test_a.py',
      dotted: false,
      phase: 'teardown',
    });
  });
});

describe('test-filter mode: learn through dist/test-filter/index.js on a combined .coverage file', () => {
  let repo: TempGitRepo | undefined;
  let job: RunnerJob | undefined;
  afterAll(() => {
    repo?.remove();
    job?.remove();
  });

  it('learns from parallel shards combined by coverage combine and says what it read and skipped', async () => {
    repo = new TempGitRepo();
    repo.write({ ...COVERAGE_PROJECT, '.coveragerc': '[run]\nsource = pkg\nrelative_files = True\n' });
    const base = repo.commit('clean');
    // Two CI shards, each with its own data file, combined afterwards as a workflow's last job does.
    const pytest = ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--cov', '--cov-context=test', '--cov-report='];
    run([...pytest, 'tests/test_add.py'], repo.dir, { COVERAGE_FILE: '.coverage.shard1' });
    run([...pytest, 'tests/test_box.py', 'tests/test_mul.py'], repo.dir, { COVERAGE_FILE: '.coverage.shard2' });
    run(['-m', 'coverage', 'combine', '.coverage.shard1', '.coverage.shard2'], repo.dir);
    job = new RunnerJob();
    const learned = await runActionStep({
      action: 'test-filter',
      job,
      workspace: repo.dir,
      inputs: { mode: 'learn', coverage: '.coverage' },
    });
    expect(learned.main.exitCode, learned.main.stdout).toBe(0);
    expect(learned.main.outputs['map-commit']).toBe(base);
    expect(learned.main.outputs['map-test-files']).toBe('3');
    expect(learned.main.summary).toMatch(
      /Coverage: read 2 Python file\(s\) and \d+ test context\(s\) from coverage\.py 6\.5\.\d+/,
    );
    expect(learned.main.summary).toContain('nothing skipped');

    // The setter's body changes: only the test file that set the property runs.
    repo.write({ 'pkg/calc.py': COVERAGE_PROJECT['pkg/calc.py'].replace('self._value = new', 'self._value = -new') });
    const head = repo.commit('negate in the setter');
    const selected = await runActionStep({ action: 'test-filter', job, workspace: repo.dir, inputs: { base, head } });
    expect(selected.main.exitCode, selected.main.stdout).toBe(0);
    expect(JSON.parse(selected.main.outputs['tests-json'])).toEqual(['tests/test_box.py']);
    expect(JSON.parse(selected.main.outputs['reasons-by-test'])['tests/test_box.py']).toContain(
      'pkg.calc.Box.value.setter',
    );
  }, 180_000);
});
