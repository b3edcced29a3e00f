/**
 * Counter names that `report` reads across actions. An action sets the ones that apply to it with
 * `ctx.metrics.count(COUNTERS.x, n)`; report sums them over the job's records.
 */
export const COUNTERS = {
  /** 1 when a cache restore hit its exact key (cache-key's tracking, s3-cache). */
  cacheExactHit: 'cache-exact-hit',
  /** 1 when a restore-key prefix matched instead. */
  cachePartialHit: 'cache-partial-hit',
  /** 1 when nothing was restored. */
  cacheMiss: 'cache-miss',
  /** Test files selected to run, and the total there are (test-filter, test-predictor). */
  testsSelected: 'tests-selected',
  testsTotal: 'tests-total',
  /** Estimated test time not run because of selection, in milliseconds (historic durations). */
  testTimeSavedMs: 'test-time-saved-ms',
  /** 1 when selection fell back to running everything. */
  runAll: 'run-all',
  /** test-predictor after a run: failures it flagged as likely, failures that happened, and the overlap. */
  predictedFailures: 'predicted-failures',
  actualFailures: 'actual-failures',
  predictedFailuresCaught: 'predicted-failures-caught',
  /** perf-comment verdict counts. */
  perfRegressions: 'perf-regressions',
  perfImprovements: 'perf-improvements',
} as const;
