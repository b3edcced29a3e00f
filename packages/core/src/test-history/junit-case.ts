/** What a JUnit report says about one test case, as both JUnit readers (junit.ts, junit-scan.ts) give it. */

/** How one test case ended. `error` is pytest's setup/teardown failure or a crash; `failed` an assertion. */
export type TestOutcome = 'passed' | 'failed' | 'error' | 'skipped';

/** One `<testcase>` as the reporter wrote it, before its file is known. */
export interface JunitCase {
  /** The `classname` attribute (pytest: dotted module path and class; vitest: the file; jest: the describe title). */
  classname: string;
  name: string;
  /** The `file` attribute of the case or its suite (pytest xunit1, jest-junit addFileAttribute), if any. */
  fileAttribute?: string;
  /** The enclosing `<testsuite name>`, which vitest (and jest-junit with `{filepath}`) sets to the file path. */
  suiteName?: string;
  outcome: TestOutcome;
  /** Seconds, 0 when absent. */
  duration: number;
  /** Failed attempts the reporter folded into this case (`rerunFailure`, `flakyFailure`, ... elements). */
  rerunFailures: number;
}

/** A case's `time` attribute in seconds: 0 when absent, unreadable or negative. */
export function junitDuration(time: string | undefined): number {
  if (time === undefined) return 0;
  // Some writers use a thousands separator ("1,234.5"); the value is never negative.
  const value = Number(time.replace(/,/g, ''));
  return Number.isFinite(value) && value > 0 ? value : 0;
}
