import { caseKey, failedFiles, type CaseRecord, type RunRecord } from '../test-history/index.ts';

/** Flaky labels over a history. */
export interface FlakyLabels {
  /** caseKey()s of failures that are flaky: kept out of the positive labels. */
  flakyFailures: Set<string>;
  /** Test file -> flaky failures seen in it. */
  flakyCountByFile: Map<string, number>;
  /** Node ids with at least one flaky failure. */
  flakyIds: Set<string>;
  /**
   * runKey()s of the runs with a flaky failure: a case of any other run is not in flakyFailures, so the callers that
   * look every case up skip those runs whole (the keys of a history are built and hashed once per run, not per case).
   */
  flakyRuns: Set<string>;
  /** Each labelled run's first-attempt failures, in report order (realFailedFiles reads them instead of every case). */
  failuresOf: ReadonlyMap<RunRecord, readonly CaseRecord[]>;
}

const isFailure = (outcome: string) => outcome === 'failed' || outcome === 'error';

/** The part of caseKey() that all cases of a run share (time and commit, which our writers never give a NUL). */
export function runKey(run: Pick<RunRecord, 'time' | 'commit'>): string {
  return `${run.time}\u0000${run.commit}`;
}

/** The node ids of flaky failures given by their caseKey()s (time and commit hold no NUL: the id is the rest). */
export function flakyIdsOf(flakyFailures: Iterable<string>): Set<string> {
  const ids = new Set<string>();
  for (const key of flakyFailures) ids.add(key.slice(key.indexOf('\u0000', key.indexOf('\u0000') + 1) + 1));
  return ids;
}

/** Whether this case of this run is a flaky failure: flakyFailures.has(caseKey(run, testCase)), without the key for most runs. */
export function isFlakyCase(
  labels: FlakyLabels,
  run: RunRecord,
  testCase: CaseRecord,
  runHasFlaky = labels.flakyRuns.has(runKey(run)),
): boolean {
  return runHasFlaky && labels.flakyFailures.has(caseKey(run, testCase));
}

/**
 * Labels flaky failures: a case that failed and passed in the same run (a retry) or on the same commit in another
 * run, or that failed although the change cannot reach its file (per the import graph recorded with the run) while
 * it passed on the base.
 */
export function labelFlaky(runs: readonly RunRecord[]): FlakyLabels {
  const flakyFailures = new Set<string>();
  const flakyIds = new Set<string>();
  const flakyRuns = new Set<string>();
  // The ids found flaky per run; their failures' keys are collected below in one pass over each such run.
  const markedIds = new Map<RunRecord, Set<string>>();
  const mark = (run: RunRecord, id: string) => {
    let ids = markedIds.get(run);
    if (!ids) markedIds.set(run, (ids = new Set()));
    ids.add(id);
    flakyRuns.add(runKey(run));
    flakyIds.add(id);
  };

  // Per commit, the ids that failed (first attempts) in any run on it, and of those the ones that also passed in any
  // run on it. Most cases never fail: only the failures' ids are kept, the passes are only looked up.
  const failedOnCommit = new Map<string, Set<string>>();
  // Each run's first-attempt failures, in report order: the only cases the labelling below looks at.
  const failuresOf = runs.map((run) => {
    const failures: CaseRecord[] = [];
    for (const testCase of run.cases) {
      if (!isFailure(testCase.outcome) || testCase.retry) continue;
      failures.push(testCase);
      let ids = failedOnCommit.get(run.commit);
      if (!ids) failedOnCommit.set(run.commit, (ids = new Set()));
      ids.add(testCase.id);
    }
    return failures;
  });
  const passedOnCommit = new Map<string, Set<string>>();
  for (const run of runs) {
    const failed = failedOnCommit.get(run.commit);
    if (!failed) continue;
    for (const testCase of run.cases) {
      if (testCase.outcome !== 'passed' || !failed.has(testCase.id)) continue;
      let ids = passedOnCommit.get(run.commit);
      if (!ids) passedOnCommit.set(run.commit, (ids = new Set()));
      ids.add(testCase.id);
    }
  }
  const lastRunOnCommit = new Map<string, RunRecord>();
  runs.forEach((run, r) => {
    const passed = passedOnCommit.get(run.commit);
    for (const testCase of failuresOf[r]) {
      if (passed?.has(testCase.id)) {
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
  });

  for (const [run, ids] of markedIds) {
    for (const testCase of run.cases) {
      if (ids.has(testCase.id) && isFailure(testCase.outcome) && !testCase.retry)
        flakyFailures.add(caseKey(run, testCase));
    }
  }

  const flakyCountByFile = new Map<string, number>();
  const failuresByRun = new Map<RunRecord, readonly CaseRecord[]>();
  runs.forEach((run, r) => failuresByRun.set(run, failuresOf[r]));
  const labels: FlakyLabels = { flakyFailures, flakyCountByFile, flakyIds, flakyRuns, failuresOf: failuresByRun };
  for (const run of runs) {
    if (!flakyRuns.has(runKey(run))) continue;
    for (const testCase of run.cases) {
      if (flakyFailures.has(caseKey(run, testCase)))
        flakyCountByFile.set(testCase.file, (flakyCountByFile.get(testCase.file) ?? 0) + 1);
    }
  }
  return labels;
}

/**
 * The test files that failed for real in a run (failedFiles(run, labels.flakyFailures)), from the run's first-attempt
 * failures when these labels were made over it, so most cases are not looked at again.
 */
export function realFailedFiles(labels: FlakyLabels, run: RunRecord): Set<string> {
  const failures = labels.failuresOf.get(run);
  if (!failures) return failedFiles(run, labels.flakyFailures);
  const runHasFlaky = labels.flakyRuns.has(runKey(run));
  const failed = new Set<string>();
  for (const testCase of failures) {
    if (testCase.file !== '' && !isFlakyCase(labels, run, testCase, runHasFlaky)) failed.add(testCase.file);
  }
  return failed;
}
