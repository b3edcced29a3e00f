import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffChangedFiles } from '@ci-optimizer/core/git';
import { learnImpactMap, type ImpactMap } from '@ci-optimizer/core/impact-map';
import { pythonPack, readCoverageContexts } from '@ci-optimizer/core/languages/python';
import { resolveTestFilterOptions } from '@ci-optimizer/core/test-filter';
import { TempGitRepo } from '../support/git-repo.ts';

export const PYTHON = '/usr/bin/python3';

/** A small package whose `__init__.py` re-exports everything, so the static closure of any module is every test. */
export const LEDGER_PROJECT: Record<string, string> = {
  'pytest.ini': '[pytest]\ntestpaths = tests\npythonpath = .\n',
  '.gitignore': '.coverage\n__pycache__/\n',
  'pkg/__init__.py': 'from .rates import *  # noqa\nfrom .ledger import *  # noqa\n',
  'pkg/rates.py': [
    'RATE = 2',
    '',
    '',
    'def convert(amount):',
    '    return amount * RATE',
    '',
    '',
    'def unused(amount):',
    '    return amount',
    '',
  ].join('\n'),
  'pkg/ledger.py': [
    'from .rates import convert',
    '',
    '',
    'class Ledger:',
    '    currency = "EUR"',
    '',
    '    def __init__(self):',
    '        self.entries = []',
    '',
    '    def post(self, amount):',
    '        self.entries.append(convert(amount))',
    '        return len(self.entries)',
    '',
    '    def total(self):',
    '        return sum(self.entries)',
    '',
  ].join('\n'),
  'tests/test_rates.py': 'from pkg import convert\n\n\ndef test_convert():\n    assert convert(3) == 6\n',
  'tests/test_ledger.py': 'from pkg import Ledger\n\n\ndef test_post():\n    assert Ledger().post(1) == 1\n',
  'tests/test_total.py':
    'from pkg import Ledger\n\n\ndef test_total():\n    ledger = Ledger()\n    ledger.post(2)\n    assert ledger.total() == 4\n',
};

/** Two functions, each run by one test file, both test files importing the package: the map tells them apart. */
export const CALC_PROJECT: Record<string, string> = {
  '.gitignore': '.coverage\n.ci-optimizer/\n__pycache__/\nreport.xml\n',
  'pytest.ini': '[pytest]\ntestpaths = tests\n',
  'pkg/__init__.py': 'from .calc import add, mul\n',
  'pkg/calc.py': 'def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n',
  'tests/test_add.py': 'from pkg import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n',
  'tests/test_mul.py': 'from pkg import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n',
};

/** A committed project with real per-test coverage recorded by pytest-cov (SQLite) and its JSON report. */
export interface LearnedRepo {
  repo: TempGitRepo;
  commit: string;
  sqliteFile: string;
  jsonFile: string;
  remove(): void;
}

/** Commits `files`, runs pytest (with `pytestArgs`) with `--cov-context=test` and writes `coverage json --show-contexts` too. */
export function recordCoverage(files: Record<string, string>, cov = 'pkg', pytestArgs: string[] = []): LearnedRepo {
  const repo = new TempGitRepo();
  repo.write(files);
  const commit = repo.commit('clean');
  const dataDir = mkdtempSync(join(tmpdir(), 'ci-opt-cov-'));
  const sqliteFile = join(dataDir, '.coverage');
  const jsonFile = join(dataDir, 'coverage.json');
  const env: NodeJS.ProcessEnv = { ...process.env, COVERAGE_FILE: sqliteFile, PYTHONDONTWRITEBYTECODE: '1' };
  delete env.PYTEST_ADDOPTS;
  const run = spawnSync(
    PYTHON,
    [
      '-m',
      'pytest',
      '-q',
      '-p',
      'no:cacheprovider',
      ...pytestArgs,
      `--cov=${cov}`,
      '--cov-context=test',
      '--cov-report=',
    ],
    {
      cwd: repo.dir,
      env,
      encoding: 'utf8',
    },
  );
  if (!existsSync(sqliteFile)) throw new Error(`pytest-cov wrote no data: ${run.stdout}\n${run.stderr}`);
  execFileSync(PYTHON, ['-m', 'coverage', 'json', '--show-contexts', '-o', jsonFile], {
    cwd: repo.dir,
    env,
    stdio: 'pipe',
  });
  return {
    repo,
    commit,
    sqliteFile,
    jsonFile,
    remove: () => {
      repo.remove();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A selection request for the change from the map's commit to `head`, with the Python pack and default options. */
export async function changeRequest(repo: TempGitRepo, mapCommit: string, head: string) {
  return {
    pack: pythonPack,
    repoDir: repo.dir,
    head,
    changes: await diffChangedFiles(repo.dir, mapCommit, head),
    options: resolveTestFilterOptions({}),
  };
}

/** The impact map learned from a recorded project's `.coverage` file, on its commit. */
export async function learnFromSqlite(learned: LearnedRepo): Promise<ImpactMap> {
  return learnImpactMap({
    pack: pythonPack,
    repoDir: learned.repo.dir,
    coverage: await readCoverageContexts(learned.sqliteFile),
  });
}
