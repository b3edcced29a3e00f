import { caseKey, type RunRecord } from '../test-history/index.ts';

/** Flaky labels over a history. */
export interface FlakyLabels {
  /** caseKey()s of failures that are flaky: kept out of the positive labels. */
  flakyFailures: Set<string>;
  /** Test file -> flaky failures seen in it. */
  flakyCountByFile: Map<string, number>;
  /** Node ids with at least one flaky failure. */
  flakyIds: Set<string>;
}

const isFailure = (outcome: string) => outcome === 'failed' || outcome === 'error';

/**
 * Labels flaky failures: a case that failed and passed in the same run (a retry) or on the same commit in another
 * run, or that failed although the change cannot reach its file (per the import graph recorded with the run) while
 * it passed on the base.
 */
export function labelFlaky(runs: readonly RunRecord[]): FlakyLabels {
  const flakyFailures = new Set<string>();
  const flakyIds = new Set<string>();
  const mark = (run: RunRecord, id: string) => {
    for (const testCase of run.cases) {
      if (testCase.id === id && isFailure(testCase.outcome) && !testCase.retry) flakyFailures.add(caseKey(run, testCase));
    }
    flakyIds.add(id);
  };

  // Outcomes per commit and id, over every run on that commit.
  const byCommit = new Map<string, Map<string, { failed: boolean; passed: boolean }>>();
  for (const run of runs) {
    const outcomes = byCommit.get(run.commit) ?? new Map<string, { failed: boolean; passed: boolean }>();
    byCommit.set(run.commit, outcomes);
    for (const testCase of run.cases) {
      const seen = outcomes.get(testCase.id) ?? { failed: false, passed: false };
      if (isFailure(testCase.outcome)) seen.failed = true;
      if (testCase.outcome === 'passed') seen.passed = true;
      outcomes.set(testCase.id, seen);
    }
  }
  const lastRunOnCommit = new Map<string, RunRecord>();
  for (const run of runs) {
    const outcomes = byCommit.get(run.commit)!;
    for (const testCase of run.cases) {
      if (!isFailure(testCase.outcome) || testCase.retry) continue;
      const seen = outcomes.get(testCase.id)!;
      if (seen.passed) {
        mark(run, testCase.id);
        continue;
      }
      if (run.reach && !run.reachAll && testCase.file !== '' && !(testCase.file in run.reach)) {
        const onBase = run.base ? lastRunOnCommit.get(run.base) : undefined;
        const failedOnBase = onBase?.cases.some((c) => c.id === testCase.id && isFailure(c.outcome)) ?? false;
        if (!failedOnBase) mark(run, testCase.id);
      }
    }
    lastRunOnCommit.set(run.commit, run);
  }

  const flakyCountByFile = new Map<string, number>();
  for (const run of runs) {
    for (const testCase of run.cases) {
      if (flakyFailures.has(caseKey(run, testCase))) flakyCountByFile.set(testCase.file, (flakyCountByFile.get(testCase.file) ?? 0) + 1);
    }
  }
  return { flakyFailures, flakyCountByFile, flakyIds };
}
