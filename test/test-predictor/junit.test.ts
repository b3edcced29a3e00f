import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
    repo.write({
      'tests/test_stock.py': 'import os\n\n\ndef test_flips():\n    assert os.path.exists("second-attempt")\n',
    });
    const first = runPytest(repo, 'first');
    repo.write({ 'second-attempt': '' });
    const second = runPytest(repo, 'second', ['tests/test_stock.py']);
    const run = await readJunitRun([first, second], {
      knownFiles: new Set(['tests/test_stock.py']),
      projectDir: '',
      repoRoot: repo.dir,
    });
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
    const where = {
      knownFiles: new Set(['src/cart/__tests__/cart.test.js', 'src/api/routes.test.ts']),
      projectDir: '',
      repoRoot: '/home/runner/_work/shop/shop',
    };
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
    expect(() => parseJunitXml('<html><body>oops</body></html>', 'reports/out.xml')).toThrow(
      /reports\/out\.xml has no <testsuites>/,
    );
    expect(() => parseJunitXml('<testsuite><testcase></testsuite>', 'bad.xml')).toThrow(
      /bad\.xml is not well-formed XML/,
    );
  });

  it("skips a file over the parser's entity or nesting limits, or malformed, naming it, and records the others", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-opt-junit-limits-'));
    try {
      const good = join(dir, 'good.xml');
      writeFileSync(
        good,
        '<testsuites><testsuite name="s"><testcase classname="tests.test_a" name="test_one" time="0.5"/></testsuite></testsuites>',
      );
      // An entity bomb: each entity ten of the previous one.
      const entities = [
        '<!ENTITY e0 "boom">',
        ...Array.from({ length: 9 }, (_, i) => `<!ENTITY e${i + 1} "${`&e${i};`.repeat(10)}">`),
      ];
      const bomb = join(dir, 'bomb.xml');
      writeFileSync(
        bomb,
        `<?xml version="1.0"?>\n<!DOCTYPE testsuites [${entities.join('')}]>\n<testsuites><testsuite name="s"><testcase classname="tests.test_b" name="x"><failure>&e9;</failure></testcase></testsuite></testsuites>`,
      );
      const manyEntities = join(dir, 'many-entities.xml');
      writeFileSync(
        manyEntities,
        `<!DOCTYPE testsuites [${Array.from({ length: 500 }, (_, i) => `<!ENTITY n${i} "v">`).join('')}]><testsuites/>`,
      );
      const deep = join(dir, 'deep.xml');
      writeFileSync(
        deep,
        `<testsuites>${'<testsuite name="s">'.repeat(5_000)}<testcase classname="tests.test_c" name="x"/>${'</testsuite>'.repeat(5_000)}</testsuites>`,
      );
      const truncated = join(dir, 'truncated.xml');
      writeFileSync(truncated, '<testsuites><testsuite name="s"><testcase classname="tests.test_d" na');
      const run = await readJunitRun([bomb, good, manyEntities, deep, truncated], {
        knownFiles: new Set(['tests/test_a.py']),
        projectDir: '',
        repoRoot: dir,
      });
      // The parser does not expand entities inside entity values, so the bomb is read as short text, not 10^9 copies.
      expect(run.files).toEqual([bomb, good]);
      expect(run.cases.map((c) => c.id)).toEqual(['tests/test_b.py::x', 'tests/test_a.py::test_one']);
      expect(run.skipped.map((s) => s.file)).toEqual([manyEntities, deep, truncated]);
      for (const skipped of run.skipped) expect(skipped.reason).toContain(skipped.file);
      expect(run.skipped.find((s) => s.file === deep)!.reason).toMatch(/nested/i);
      expect(run.skipped.find((s) => s.file === manyEntities)!.reason).toMatch(/entit/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a large real-looking report with many escaped characters (the limits are for entity definitions)', () => {
    const message = '&lt;div&gt; &amp; &quot;x&quot; '.repeat(20_000);
    const cases = parseJunitXml(
      `<testsuites><testsuite name="s"><testcase classname="tests.test_a" name="t"><failure message="m">${message}</failure></testcase></testsuite></testsuites>`,
      'big.xml',
    );
    expect(cases).toHaveLength(1);
    expect(cases[0].outcome).toBe('failed');
  });

  it('gives the same reports the same run identity', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-opt-junit-id-'));
    try {
      const a = join(dir, 'a.xml');
      const b = join(dir, 'b.xml');
      writeFileSync(a, '<testsuite name="s"><testcase classname="tests.test_a" name="one"/></testsuite>');
      writeFileSync(b, '<testsuite name="s"><testcase classname="tests.test_a" name="two"/></testsuite>');
      const where = { knownFiles: new Set<string>(), projectDir: '', repoRoot: dir };
      const first = await readJunitRun([a, b], where);
      expect((await readJunitRun([a, b], where)).digest).toBe(first.digest);
      expect((await readJunitRun([a], where)).digest).not.toBe(first.digest);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
