/** Held-out figures of a model: ranking quality and recall when a share of the test time is spent. */
export interface Evaluation {
  runs: number;
  rows: number;
  /** Failing test files in the held-out runs, and runs with at least one. */
  failures: number;
  faultyRuns: number;
  auc: number | null;
  prAuc: number | null;
  /** The share of test time the recall figures are taken at. */
  timeFraction: number;
  /** Failing test files caught / failing test files. */
  testRecall: number | null;
  /** Faulty runs with at least one failing file caught / faulty runs (Meta's "change recall"). */
  changeRecall: number | null;
  /** Time-weighted APFD (APFDc, each failing file one fault) of the fail-fast order, mean over faulty runs. */
  apfd?: number | null;
  /**
   * Per faulty run, in run order: 1 when the selection at the time share caught a failing file (else 0), and the
   * run's APFDc. For paired comparisons of rankings on the same runs (ranking-choice.ts); not stored with the model.
   */
  outcomes?: RunOutcomes;
}

/** What one order did on each faulty run of an evaluation (see Evaluation.outcomes). */
export interface RunOutcomes {
  caught: number[];
  apfd: number[];
}
