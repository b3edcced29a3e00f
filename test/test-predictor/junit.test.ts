import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { caseId, parseJunitXml, readJunitRun, resolveCaseFile } from '@ci-optimizer/core/test-predictor';
import type { TempGitRepo } from '../support/git-repo.ts';
import { pythonProject, runPytest } from './python-project.ts';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

describe('JUnit from a real pytest run', () => {
  let repo: TempGitRepo | undefined;
  afterEach(() => repo?.remove());

  it('reads outcomes, durations and files of pytest --junitxml (xunit2 and xunit1)', async () => {
    repo = pythonProject();
    repo.write({
      'tests/test_stock.py':
        'import pytest\nfrom shop.stock import available\n\n\ndef test_available():\n    assert available(0)\n\n\n@pytest.mark.skip(reason="later")\ndef test_skipped():\n    pass\n\n\n@pytest.fixture\ndef broken():\n    raise RuntimeError("setup")\n\n\ndef test_setup_error(broken):\n    pass\n',
    });
    for (const family of ['xunit2', 'xunit1']) {
      const report = runPytest(repo, family, ['-o', `junit_family=${family}`]);
      const known = new Set(['tests/test_pricing.py', 'tests/test_stock.py', 'tests/api/test_health.py']);
      const run = await readJunitRun([report], { knownFiles: known, projectDir: '', repoRoot: repo.dir });
      const byId = Object.fromEntries(run.cases.map((c) => [c.id, c]));
      expect(Object.keys(byId).sort()).toEqual([
        'tests/api/test_health.py::test_health',
        'tests/test_pricing.py::TestEmpty::test_empty',
        'tests/test_pricing.py::test_total',
        'tests/test_stock.py::test_available',
        'tests/test_stock.py::test_setup_error',
        'tests/test_stock.py::test_skipped',
      ]);
      expect(byId['tests/test_stock.py::test_available'].outcome).toBe('failed');
      expect(byId['tests/test_stock.py::test_setup_error'].outcome).toBe('error');
      expect(byId['tests/test_stock.py::test_skipped'].outcome).toBe('skipped');
      expect(byId['tests/test_pricing.py::test_total'].outcome).toBe('passed');
      expect(byId['tests/api/test_health.py::test_health'].duration).toBeGreaterThanOrEqual(0.04);
      expect(run.unattributed).toBe(0);
      expect(run.cases.every((c) => !c.retry)).toBe(true);
    }
  });

  it('marks a second report of the same test as its retry (a rerun of the failures)', async () => {
    repo = pythonProject();
    repo.write({ 'tests/test_stock.py': 'import os\n\n\ndef test_flips():\n    assert os.path.exists("second-attempt")\n' });
    const first = runPytest(repo, 'first');
    repo.write({ 'second-attempt': '' });
    const second = runPytest(repo, 'second', ['tests/test_stock.py']);
    const run = await readJunitRun([first, second], { knownFiles: new Set(['tests/test_stock.py']), projectDir: '', repoRoot: repo.dir });
    const attempts = run.cases.filter((c) => c.id === 'tests/test_stock.py::test_flips');
    expect(attempts.map((c) => [c.outcome, c.retry])).toEqual([
      ['failed', false],
      ['passed', true],
    ]);
  });
});

describe('JUnit from other runners', () => {
  it('reads a report written by vitest --reporter=junit', () => {
    const cases = parseJunitXml(readFileSync(fixture('vitest-junit.xml'), 'utf8'), 'vitest-junit.xml');
    const where = { knownFiles: new Set<string>(), projectDir: '', repoRoot: '/repo' };
    const rows = cases.map((c) => [resolveCaseFile(c, where), c.name, c.outcome]);
    expect(rows).toEqual([
      ['src/math.test.ts', 'math > adds', 'passed'],
      ['src/math.test.ts', 'math > fails', 'failed'],
      ['src/math.test.ts', 'math > skipped one', 'skipped'],
      ['src/math.test.ts', 'math > flaky passes on retry', 'passed'],
      ['src/other.test.ts', 'top level <works> & "quotes"', 'passed'],
    ]);
    expect(caseId('src/math.test.ts', cases[1])).toBe('src/math.test.ts::math > fails');
  });

  it('reads a jest-junit report: absolute file attributes, {filepath} suite names, suite errors', () => {
    const cases = parseJunitXml(readFileSync(fixture('jest-junit.xml'), 'utf8'), 'jest-junit.xml');
    const where = { knownFiles: new Set(['src/cart/__tests__/cart.test.js', 'src/api/routes.test.ts']), projectDir: '', repoRoot: '/home/runner/_work/shop/shop' };
    expect(cases.map((c) => [resolveCaseFile(c, where), c.outcome, c.duration])).toEqual([
      ['src/cart/__tests__/cart.test.js', 'passed', 0.012],
      ['src/cart/__tests__/cart.test.js', 'failed', 0.4],
      ['src/cart/__tests__/cart.test.js', 'skipped', 0],
      ['src/api/routes.test.ts', 'passed', 0.9],
      ['src/api/routes.test.ts', 'error', 0],
    ]);
  });

  it('folds rerunFailure elements (surefire, pytest-rerunfailures style) into retries', async () => {
    const xml = `<testsuite name="x"><testcase classname="tests.test_a" name="test_x" time="2"><rerunFailure message="boom"/><rerunFailure message="boom"/></testcase></testsuite>`;
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'junit-'));
    writeFileSync(join(dir, 'r.xml'), xml);
    const run = await readJunitRun([join(dir, 'r.xml')], { knownFiles: new Set(), projectDir: 'svc', repoRoot: dir });
    rmSync(dir, { recursive: true, force: true });
    expect(run.cases.map((c) => [c.file, c.outcome, c.retry])).toEqual([
      ['svc/tests/test_a.py', 'failed', false],
      ['svc/tests/test_a.py', 'failed', true],
      ['svc/tests/test_a.py', 'passed', true],
    ]);
  });

  it('rejects a file that is not JUnit XML with a message naming it', () => {
    expect(() => parseJunitXml('<html><body>oops</body></html>', 'reports/out.xml')).toThrow(/reports\/out\.xml has no <testsuites>/);
    expect(() => parseJunitXml('<testsuite><testcase></testsuite>', 'bad.xml')).toThrow(/bad\.xml is not well-formed XML/);
  });
});
