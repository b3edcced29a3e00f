import { COUNTERS, type MetricsRecord } from '../metrics/index.ts';

/** The job's figures, derived from its steps' metrics records. */
export interface Dashboard {
  steps: number;
  /** Summed duration of the ci-optimizer steps. */
  stepsMs: number;
  /** From the first step's start to `now` (the report step): the pipeline time as far as it is seen. */
  pipelineMs: number;
  cache: { exact: number; partial: number; miss: number };
  /** savedKnown: some step measured the time saved (from recorded durations); without it savedMs 0 means unknown. */
  tests: { selected: number; total: number; savedMs: number; savedKnown: boolean; runAll: boolean; seen: boolean };
  predictions: { predicted: number; actual: number; caught: number; seen: boolean };
  perf: { regressions: number; improvements: number; seen: boolean };
}

/** Adds up the well-known counters of every record (see COUNTERS). */
export function computeDashboard(records: MetricsRecord[], now: Date): Dashboard {
  const sum = (name: string) => records.reduce((total, record) => total + (record.counters?.[name] ?? 0), 0);
  const has = (name: string) => records.some((record) => record.counters?.[name] !== undefined);
  const starts = records.map((record) => Date.parse(record.started ?? '')).filter((t) => Number.isFinite(t));
  const first = starts.length > 0 ? Math.min(...starts) : undefined;
  const stepsMs = records.reduce((total, record) => total + record['duration-ms'], 0);
  // Test counts: the last selecting step decides what ran (test-predictor narrows test-filter's selection).
  const selecting = records.filter((record) => record.counters?.[COUNTERS.testsTotal] !== undefined);
  const last = selecting[selecting.length - 1];
  return {
    steps: records.length,
    stepsMs,
    pipelineMs: first === undefined ? stepsMs : Math.max(stepsMs, now.getTime() - first),
    cache: {
      exact: sum(COUNTERS.cacheExactHit),
      partial: sum(COUNTERS.cachePartialHit),
      miss: sum(COUNTERS.cacheMiss),
    },
    tests: {
      selected: last?.counters[COUNTERS.testsSelected] ?? 0,
      total: selecting.length > 0 ? Math.max(...selecting.map((r) => r.counters[COUNTERS.testsTotal])) : 0,
      savedMs: sum(COUNTERS.testTimeSavedMs),
      savedKnown: has(COUNTERS.testTimeSavedMs),
      runAll: selecting.some((record) => (record.counters[COUNTERS.runAll] ?? 0) > 0),
      seen: selecting.length > 0,
    },
    predictions: {
      predicted: sum(COUNTERS.predictedFailures),
      actual: sum(COUNTERS.actualFailures),
      caught: sum(COUNTERS.predictedFailuresCaught),
      seen: has(COUNTERS.actualFailures) || has(COUNTERS.predictedFailures),
    },
    perf: {
      regressions: sum(COUNTERS.perfRegressions),
      improvements: sum(COUNTERS.perfImprovements),
      seen: has(COUNTERS.perfRegressions),
    },
  };
}
