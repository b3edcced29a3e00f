/** One benchmark's measurements, whatever tool produced them. */
export interface BenchmarkResult {
  /** Identity used to match baseline and PR (pytest-benchmark's `fullname`, the generic list's `name`). */
  name: string;
  /** Short label for tables (pytest-benchmark's `name`). */
  label: string;
  unit: string;
  /** Throughput-style metrics (ops/s) are better when bigger; times are better when smaller. */
  biggerIsBetter: boolean;
  /** The headline value: median of the samples when there are samples, else the tool's median or value. */
  value: number;
  /** Raw per-round samples, when the tool kept them. */
  samples?: number[];
  /** Samples of each run when several runs were pooled (same-job A/B), in run order. */
  runs?: number[][];
  /** Summary statistics, when the tool reported them instead of samples. */
  summary?: { mean: number; stddev: number; count: number };
  /** The fastest round, when the tool reports it without samples (pytest-benchmark's stats.min). */
  min?: number;
  /** Absolute half-width of the value's spread when a tool gives only `value ± range`. */
  range?: number;
}

export type BenchmarkFormat = 'pytest-benchmark' | 'generic';

/** A parsed results file. */
export interface BenchmarkSet {
  format: BenchmarkFormat;
  /** The file it came from, for messages. */
  source: string;
  benchmarks: BenchmarkResult[];
}

/** What the history says about the machine's noise; printed in the comment. */
export interface HistoryNoise {
  /** Baseline runs the verdicts stand on (the most any benchmark had). */
  runs: number;
  minRuns: number;
  /** Median over benchmarks of the run-to-run spread (relative standard deviation after the common shift). */
  noise?: number;
  /** The second largest move of one benchmark alone (after its run's common shift) in the stored runs, ratio - 1. */
  loneSlowdown?: number;
  /** The PR run's shift shared by the benchmarks (drift), when corrected. */
  drift?: number;
  plausibleNoise: number;
}

/** How the flags of a cross-run comparison were (or could not be) confirmed by re-runs; printed in the comment. */
export interface Confirmation {
  /** Re-runs made of the flagged benchmarks in this job (0: none made). */
  reruns: number;
  /** Benchmarks flagged (by the screening stage when re-run; by the one-stage rule otherwise). */
  flagged: number;
  /** Of those, flagged the same way by every re-run. */
  confirmed: number;
  screenAlpha: number;
  confirmAlpha: number;
  /** Why no re-run was made: no benchmark command, confirm-runs 0, or the re-run failed (the log says why). */
  unavailable?: 'no-command' | 'disabled' | 'failed';
}
