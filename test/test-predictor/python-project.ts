import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { TempGitRepo } from '../support/git-repo.ts';

/** A small pytest project in a real git repository: two modules, three test files, one helper. */
export function pythonProject(): TempGitRepo {
  const repo = new TempGitRepo();
  repo.write({
    'pytest.ini': '[pytest]\ntestpaths = tests\npythonpath = src\n',
    'src/shop/__init__.py': '',
    'src/shop/pricing.py': 'def total(items):\n    return sum(items)\n',
    'src/shop/stock.py': 'def available(n):\n    return n > 0\n',
    'tests/__init__.py': '',
    'tests/helpers.py': 'def items():\n    return [1, 2, 3]\n',
    'tests/test_pricing.py':
      'from shop.pricing import total\nfrom tests.helpers import items\n\n\ndef test_total():\n    assert total(items()) == 6\n\n\nclass TestEmpty:\n    def test_empty(self):\n        assert total([]) == 0\n',
    'tests/test_stock.py': 'from shop.stock import available\n\n\ndef test_available():\n    assert available(1)\n',
    'tests/api/test_health.py': 'import time\n\n\ndef test_health():\n    time.sleep(0.05)\n    assert True\n',
  });
  repo.commit('initial');
  return repo;
}

/** Runs pytest for real in the repository and writes a JUnit report; returns its path. Failures are expected. */
export function runPytest(repo: TempGitRepo, name: string, extra: string[] = []): string {
  const report = join(repo.dir, 'reports', `${name}.xml`);
  try {
    execFileSync(
      '/usr/bin/python3',
      ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', `--junitxml=${report}`, ...extra],
      {
        cwd: repo.dir,
        stdio: 'pipe',
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      },
    );
  } catch (error) {
    // pytest exits 1 when a test fails; the report is still written.
    if ((error as { status?: number }).status !== 1) throw error;
  }
  return report;
}
