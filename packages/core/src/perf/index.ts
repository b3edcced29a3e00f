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
  directoryStore,
  LATEST_BASELINE_KEY,
  parseBaselineRecord,
  saveBaseline,
  selectBaseline,
} from './baseline-store.ts';
export type { BaselineRecord, PerfStore, SelectedBaseline } from './baseline-store.ts';
export { abRunOrder, addBaseWorktree, runSameJobAb } from './same-job-ab.ts';
export type { AbSide, SameJobAbOptions, SameJobAbRuns } from './same-job-ab.ts';
export { buildPerfReport, perfOutputs, shouldComment } from './perf-report.ts';
export type { PerfReport, PerfReportOptions } from './perf-report.ts';
export { FORK_PAYLOAD_FILE, forkPayload, parseForkPayload } from './fork-payload.ts';
export type { ForkPayload } from './fork-payload.ts';
export { perfCommentCommand, perfStoreOf } from './command.ts';
