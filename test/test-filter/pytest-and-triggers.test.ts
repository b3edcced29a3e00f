import { describe, expect, it } from 'vitest';
import { TempGitRepo } from '../support/git-repo.ts';
import { selectForChange, selectBetween } from './support.ts';

const sorted = (tests: string[]) => [...tests].sort();

describe('pytest semantics', () => {
  const suite = {
    'app/__init__.py': '',
    'app/core.py': 'C = 1\n',
    'tests/conftest.py': 'import pytest\n',
    'tests/unit/conftest.py': 'import pytest\n',
    'tests/unit/test_a.py': 'def test_a(): pass\n',
    'tests/unit/test_b.py': 'def test_b(): pass\n',
    'tests/integration/test_c.py': 'def test_c(): pass\n',
    'tests/fixture_helpers.py': 'H = 1\n',
  };

  it('a changed conftest.py selects every test in its folder subtree', async () => {
    const result = await selectForChange(suite, { 'tests/unit/conftest.py': 'import pytest\nX = 1\n' });
    expect(sorted(result.tests)).toEqual(['tests/unit/test_a.py', 'tests/unit/test_b.py']);
    expect(result.explanations['tests/unit/test_a.py']).toBe(
      'tests/unit/test_a.py uses the fixtures of tests/unit/conftest.py → tests/unit/conftest.py (modified)',
    );
  });

  it('a module imported by a conftest selects the conftest scope', async () => {
    const result = await selectForChange(
      { ...suite, 'tests/unit/conftest.py': 'from fixture_helpers import H\n' },
      { 'tests/fixture_helpers.py': 'H = 2\n' },
    );
    expect(sorted(result.tests)).toEqual(['tests/unit/test_a.py', 'tests/unit/test_b.py']);
  });

  it('the root conftest.py runs every test', async () => {
    const result = await selectForChange({ ...suite, 'conftest.py': '' }, { 'conftest.py': 'X = 1\n' });
    expect(result.runAll).toBe(true);
    expect(result.reasons).toEqual(['conftest.py (modified): the root conftest.py applies to every test.']);
    expect(result.tests).toHaveLength(3);
  });

  it('a changed test selects itself and a new test is selected', async () => {
    const result = await selectForChange(suite, {
      'tests/unit/test_a.py': 'def test_a(): assert 1\n',
      'tests/integration/test_new.py': 'def test_new(): pass\n',
    });
    expect(sorted(result.tests)).toEqual(['tests/integration/test_new.py', 'tests/unit/test_a.py']);
    expect(result.explanations['tests/integration/test_new.py']).toBe('tests/integration/test_new.py (added)');
  });

  it.each([
    ['pytest.ini', '[pytest]\ntestpaths = checks\npython_files = check_*.py\n'],
    [
      'pyproject.toml',
      '[project]\nname = "x"\n\n[tool.pytest.ini_options]\ntestpaths = [\n  "checks",\n]\npython_files = ["check_*.py"]\n',
    ],
    ['setup.cfg', '[metadata]\nname = x\n\n[tool:pytest]\ntestpaths =\n    checks\npython_files = check_*.py\n'],
    ['tox.ini', '[tox]\nenvlist = py311\n\n[pytest]\ntestpaths = checks\npython_files = check_*.py\n'],
  ])('test discovery follows testpaths and python_files from %s', async (file, content) => {
    const result = await selectForChange(
      {
        [file]: content,
        'app.py': 'A = 1\n',
        'checks/check_app.py': 'import app\n',
        'checks/test_app.py': 'import app\n',
        'tests/test_app.py': 'import app\n',
      },
      { 'app.py': 'A = 2\n' },
    );
    expect(result.runAll).toBe(false);
    expect(result.totalCount).toBe(1);
    expect(result.tests).toEqual(['checks/check_app.py']);
  });

  it('pytest defaults: test_*.py and *_test.py anywhere, not in hidden or build folders', async () => {
    const result = await selectForChange(
      {
        'app.py': 'A = 1\n',
        'a/test_one.py': 'import app\n',
        'b/two_test.py': 'import app\n',
        'build/test_three.py': 'import app\n',
        '.venv/test_four.py': 'import app\n',
        'c/helper.py': 'import app\n',
      },
      { 'app.py': 'A = 2\n' },
    );
    expect(result.totalCount).toBe(2);
    expect(sorted(result.tests)).toEqual(['a/test_one.py', 'b/two_test.py']);
  });

  it('a project folder: config and test paths relative to it', async () => {
    const result = await selectForChange(
      {
        'svc/pytest.ini': '[pytest]\ntestpaths = tests\n',
        'svc/app/__init__.py': '',
        'svc/app/core.py': 'C = 1\n',
        'svc/tests/test_core.py': 'from app import core\n',
        'svc/tests/test_misc.py': 'import os\n',
        'other/test_elsewhere.py': 'import os\n',
      },
      { 'svc/app/core.py': 'C = 2\n' },
      { 'project-dir': 'svc', roots: ['svc'] },
    );
    expect(result.totalCount).toBe(2);
    expect(result.tests).toEqual(['tests/test_core.py']);
  });
});

describe('non-Python files', () => {
  const base = {
    'app/__init__.py': '',
    'app/rates.py': 'import json\nRATES = json.load(open("data/rates.json"))\n',
    'data/rates.json': '{}\n',
    'tests/fixtures/case.json': '{}\n',
    'tests/test_rates.py': 'import app.rates\n',
    'tests/test_case.py': 'from pathlib import Path\nCASE = Path(__file__).parent / "fixtures" / "case.json"\n',
    'tests/test_other.py': 'import os\n',
    'README.md': '# x\n',
    Makefile: 'all:\n',
  };

  it('a data file named by path selects the modules that name it and their importers', async () => {
    const result = await selectForChange(base, { 'data/rates.json': '{"a": 1}\n' });
    expect(result.tests).toEqual(['tests/test_rates.py']);
    expect(result.explanations['tests/test_rates.py']).toBe(
      'tests/test_rates.py imports app.rates (line 1) → app/rates.py (names data/rates.json (modified))',
    );
  });

  it('a data file named by file name (Path(__file__).parent / "fixtures" / "x.json")', async () => {
    const result = await selectForChange(base, { 'tests/fixtures/case.json': '{"b": 1}\n' });
    expect(result.tests).toEqual(['tests/test_case.py']);
  });

  it('ignored files (docs, markdown, images) select nothing', async () => {
    const result = await selectForChange(base, { 'README.md': '# y\n', 'docs/guide.rst': 'x\n', 'logo.png': 'png' });
    expect(result.runAll).toBe(false);
    expect(result.tests).toEqual([]);
    expect(result.reduction).toBe(1);
  });

  it('an unknown file runs everything by default, or nothing with unknown-files: ignore', async () => {
    const strict = await selectForChange(base, { Makefile: 'all: x\n' });
    expect(strict.runAll).toBe(true);
    expect(strict.reasons[0]).toMatch(/^Makefile \(modified\) is not Python/);
    const lenient = await selectForChange(base, { Makefile: 'all: x\n' }, { 'unknown-files': 'ignore' });
    expect(lenient.runAll).toBe(false);
    expect(lenient.tests).toEqual([]);
  });

  it('a user ignore glob silences an unknown file', async () => {
    const result = await selectForChange(base, { Makefile: 'all: x\n' }, { ignore: ['Makefile'] });
    expect(result.runAll).toBe(false);
  });
});

describe('run-all safety triggers', () => {
  const base = {
    'app/__init__.py': '',
    'app/core.py': 'C = 1\n',
    'app/gone.py': 'G = 1\n',
    'tests/test_core.py': 'from app import core\n',
    'tests/test_gone.py': 'import app.gone\n',
    'pyproject.toml': '[project]\nname = "x"\n',
  };

  it.each([
    ['pyproject.toml', "pyproject.toml (modified) matches the run-all trigger '**/pyproject.toml'."],
    ['requirements-dev.txt', "requirements-dev.txt (added) matches the run-all trigger '**/requirements*.txt'."],
    ['poetry.lock', "poetry.lock (added) matches the run-all trigger '**/poetry.lock'."],
    ['noxfile.py', "noxfile.py (added) matches the run-all trigger '**/noxfile.py'."],
    ['.github/workflows/ci.yml', "'.github/**'"],
    ['.github/ci-optimizer.yml', "the test filter's own configuration changed"],
  ])('%s', async (path, reason) => {
    const result = await selectForChange(base, { [path]: 'changed = 1\n' });
    expect(result.runAll).toBe(true);
    expect(result.reasons.join('\n')).toContain(reason);
    expect(sorted(result.tests)).toEqual(['tests/test_core.py', 'tests/test_gone.py']);
  });

  it('a Python file that does not parse', async () => {
    const result = await selectForChange(base, { 'app/core.py': 'def broken(:\n    pass\n' });
    expect(result.runAll).toBe(true);
    expect(result.reasons).toEqual(['app/core.py does not parse (line 1, column 12): its imports are unknown.']);
  });

  it('a deleted module still imported somewhere', async () => {
    const result = await selectForChange(base, { 'app/gone.py': null });
    expect(result.runAll).toBe(true);
    expect(result.reasons).toEqual([
      'app/gone.py was deleted or renamed but tests/test_gone.py still imports it (line 1).',
    ]);
  });

  it('a deleted module nobody imports any more selects nothing', async () => {
    const result = await selectForChange(base, { 'app/gone.py': null, 'tests/test_gone.py': null });
    expect(result.runAll).toBe(false);
    expect(result.tests).toEqual([]);
  });

  it('a renamed module still imported under its old name', async () => {
    const repo = new TempGitRepo();
    try {
      repo.write({ ...base, 'app/gone.py': 'G = 1\n# a longer body so git sees a rename\n' });
      const first = repo.commit('base');
      repo.git('mv', 'app/gone.py', 'app/moved.py');
      const second = repo.commit('rename');
      const result = await selectBetween(repo, first, second);
      expect(result.changedFiles).toEqual([{ status: 'renamed', oldPath: 'app/gone.py', path: 'app/moved.py' }]);
      expect(result.runAll).toBe(true);
      expect(result.reasons[0]).toContain('app/gone.py was deleted or renamed but tests/test_gone.py still imports it');
    } finally {
      repo.remove();
    }
  });

  it('more than max-changed-files changed files', async () => {
    const change = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`app/new_${i}.py`, 'X = 1\n']));
    const result = await selectForChange(base, change, { 'max-changed-files': 3 });
    expect(result.runAll).toBe(true);
    expect(result.reasons).toEqual(['4 files changed, more than max-changed-files (3).']);
  });

  it('an unknown base', async () => {
    const repo = new TempGitRepo();
    try {
      repo.write(base);
      const head = repo.commit();
      const { selectAffectedTests, resolveTestFilterOptions } = await import('@ci-optimizer/core/test-filter');
      const { pythonPack } = await import('@ci-optimizer/core/languages/python');
      const result = await selectAffectedTests({
        pack: pythonPack,
        repoDir: repo.dir,
        head,
        changes: undefined,
        baseProblem: 'the push event has no before commit',
        options: resolveTestFilterOptions({}),
      });
      expect(result.runAll).toBe(true);
      expect(result.reasons).toEqual([
        'The base commit is unknown (the push event has no before commit): every test runs.',
      ]);
      expect(result.totalCount).toBe(2);
    } finally {
      repo.remove();
    }
  });

  it('user rules: run-all-on, always-run and map', async () => {
    const runAll = await selectForChange(base, { 'app/core.py': 'C = 2\n' }, { 'run-all-on': ['app/core.py'] });
    expect(runAll.reasons).toEqual(["app/core.py (modified) matches the run-all trigger 'app/core.py'."]);
    const always = await selectForChange(base, { 'app/core.py': 'C = 2\n' }, { 'always-run': ['tests/test_gone.py'] });
    expect(sorted(always.tests)).toEqual(['tests/test_core.py', 'tests/test_gone.py']);
    expect(always.explanations['tests/test_gone.py']).toBe('always-run');
    const mapped = await selectForChange(
      { ...base, 'schemas/order.avsc': '{}' },
      { 'schemas/order.avsc': '{"v": 2}' },
      { map: ['schemas/** -> tests/test_gone.py'] },
    );
    expect(mapped.runAll).toBe(false);
    expect(mapped.tests).toEqual(['tests/test_gone.py']);
    expect(mapped.explanations['tests/test_gone.py']).toBe(
      "map rule 'schemas/** -> tests/test_gone.py' (schemas/order.avsc modified)",
    );
  });
});

describe('path filters and reduction', () => {
  it('gives one boolean per filter from the same diff', async () => {
    const result = await selectForChange(
      { 'app.py': 'A = 1\n', Dockerfile: 'FROM x\n', 'tests/test_app.py': 'import app\n' },
      { 'app.py': 'A = 2\n' },
      { filters: { docker: ['Dockerfile', 'docker/**'], python: ['**/*.py', '!tests/**'], docs: ['docs/**'] } },
    );
    expect(result.filters).toEqual({ docker: false, python: true, docs: false });
  });

  it('measures the reduction by historic duration when durations are known', async () => {
    const repo = new TempGitRepo();
    try {
      repo.write({ 'a.py': 'A = 1\n', 'b.py': 'B = 1\n', 'test_a.py': 'import a\n', 'test_b.py': 'import b\n' });
      const first = repo.commit();
      repo.write({ 'a.py': 'A = 2\n' });
      const second = repo.commit();
      const result = await selectBetween(
        repo,
        first,
        second,
        {},
        {
          durations: new Map([
            ['test_a.py', 1],
            ['test_b.py', 3],
          ]),
        },
      );
      expect(result.tests).toEqual(['test_a.py']);
      expect(result.reductionBasis).toBe('duration');
      expect(result.reduction).toBe(0.75);
    } finally {
      repo.remove();
    }
  });
});
