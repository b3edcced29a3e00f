import { describe, expect, it } from 'vitest';
import {
  caseId,
  type JunitCase,
  junitRunOf,
  type JunitReports,
  resolveCaseFile,
} from '@ci-optimizer/core/test-predictor';

// junitRunOf resolves the test file of each distinct set of case attributes once (record.ts, resolutionKey): every
// case must still get the file resolveCaseFile gives it on its own.
describe('junitRunOf: files resolved once per set of attributes', () => {
  it('gives every case the file and id it gets alone, on 3,000 generated cases', () => {
    let seed = 7;
    const pick = <T>(items: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      // The high bits: an LCG's low bits repeat with short periods.
      return items[Math.floor((seed / 2 ** 31) * items.length)];
    };
    const files = [undefined, '', 'tests/test_a.py', 'svc/tests/test_b.py', '/repo/tests/test_c.py', 'other.py'];
    const classnames = ['', 'tests.test_a', 'tests.test_a.TestK', 'svc.tests.test_b', 'tests/test_c.py', 'a b'];
    const suites = [undefined, '', 'pytest', 'tests/test_a.py', 'tests/test_d.test.ts'];
    const names = ['test_x', 'tests.test_a', 'tests.test_e', 'svc.tests.test_b', ''];
    const outcomes = ['passed', 'failed', 'skipped', 'error'] as const;
    const cases: JunitCase[] = Array.from({ length: 3000 }, () => ({
      classname: pick(classnames),
      name: pick(names),
      outcome: pick(outcomes),
      duration: 0.1,
      rerunFailures: 0,
      ...withOptional('fileAttribute', pick(files)),
      ...withOptional('suiteName', pick(suites)),
    }));
    for (const projectDir of ['', 'svc']) {
      const where = {
        knownFiles: new Set(['tests/test_a.py', 'svc/tests/test_b.py', 'tests/test_e.py', 'svc/tests/test_a.py']),
        projectDir,
        repoRoot: '/repo',
      };
      const reports: JunitReports = { parsed: [{ file: 'r.xml', cases }], skipped: [], digest: 'd' };
      const run = junitRunOf(reports, where);
      const alone = cases.map((testCase) => {
        const file = resolveCaseFile(testCase, where);
        return { file: file ?? '', id: caseId(file, testCase) };
      });
      expect(run.cases.map(({ file, id }) => ({ file, id }))).toEqual(alone);
      expect(run.unattributed).toBe(alone.filter((c) => c.file === '').length);
      // The generated cases reach every kind of answer: a known file, an explicit path, a guess and none.
      expect(new Set(alone.map((c) => c.file)).size).toBeGreaterThan(5);
      expect(run.unattributed).toBeGreaterThan(0);
    }
  });
});

function withOptional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
