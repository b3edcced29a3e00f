export type { BenchmarkFormat, BenchmarkResult, BenchmarkSet } from './benchmark-types.ts';
export { detectBenchmarkFormat, parseBenchmarkText, readBenchmarkFile } from './parse-benchmarks.ts';
export { parseProfileText, readProfileFile } from './parse-profiles.ts';
export type { CpuProfile, ProfileFrame } from './parse-profiles.ts';
export {
  EXACT_MAX_SIDE,
  hodgesLehmann,
  holmAdjust,
  mannWhitney,
  median,
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
  welchTest,
} from './statistics.ts';
export type { SummaryStats, TwoSampleTest } from './statistics.ts';
export { compareBenchmarks, formatP, percent, relativeNoise } from './compare-benchmarks.ts';
export type { BenchmarkComparison, CompareOptions, Comparison, DriftEstimate, Verdict } from './compare-benchmarks.ts';
export { mergeBenchmarkRuns } from './merge-runs.ts';
export { describeFunction, functionTimes, summarizeProfile } from './profile-summary.ts';
export type { FunctionShift, FunctionTime, ProfileReport } from './profile-summary.ts';
export { commentMarker, formatValue, GITHUB_COMMENT_LIMIT, renderPerfComment } from './render-comment.ts';
export type { BaselineDescription, RenderOptions } from './render-comment.ts';
export {
  BASELINE_SCHEMA,
  baselineCandidates,
  baselineKey,
  LATEST_BASELINE_KEY,
  parseBaselineRecord,
  saveBaseline,
  selectBaseline,
} from './baseline-store.ts';
export type { BaselineRecord, SelectedBaseline } from './baseline-store.ts';
export { AB_INTERLEAVES, abRunOrder, addBaseWorktree, runSameJobAb, type AbInterleave } from './same-job-ab.ts';
export type { AbSide, SameJobAbOptions, SameJobAbRuns } from './same-job-ab.ts';
export { buildPerfReport, perfOutputs, shouldComment } from './perf-report.ts';
export type { ConfirmRuns, PerfReport, PerfReportOptions } from './perf-report.ts';
export { FORK_PAYLOAD_FILE, forkPayload, parseForkPayload } from './fork-payload.ts';
export type { ForkPayload } from './fork-payload.ts';
export {
  appendBaselineRun,
  BASELINE_RUNS_PREFIX,
  DEFAULT_HISTORY_SIZE,
  readBaselineRuns,
  runStatistics,
} from './baseline-history.ts';
export type { BaselineRun, RunStatistic } from './baseline-history.ts';
export { compareWithHistory, DEFAULT_MIN_HISTORY_RUNS, PLAUSIBLE_RUN_NOISE } from './compare-with-history.ts';
export type { HistoryCompareOptions } from './compare-with-history.ts';
export type { HistoryNoise } from './benchmark-types.ts';
export { compareInstructionCounts } from './compare-instructions.ts';
export { normalizeBenchmarkNames, requireCommonBenchmarks } from './benchmark-names.ts';
export { prepareInstructionCounting, requireValgrind } from './measure-instructions.ts';
export type { Measure } from './measure-instructions.ts';
export {
  compareRunPairs,
  oneDeviantPairHidesAChange,
  PAIR_DEVIANCE,
  PAIR_NOISE_FLOOR,
  PAIR_PRIOR_DF,
} from './compare-run-pairs.ts';
export type { RunPairOptions } from './compare-run-pairs.ts';
export {
  benchmarksToConfirm,
  CONFIRM_ALPHA,
  confirmWithReruns,
  DEFAULT_CONFIRM_RUNS,
  SCREEN_ALPHA,
  unconfirmed,
} from './confirm-with-reruns.ts';
export type { ConfirmOptions } from './confirm-with-reruns.ts';
export type { Confirmation } from './benchmark-types.ts';
export { rerunBenchmarks, SELECT_PLUGIN_MODULE } from './rerun-benchmarks.ts';
export type { RerunOptions } from './rerun-benchmarks.ts';
