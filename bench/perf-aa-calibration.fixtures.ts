// The recorded calibration runs (test/perf/fixtures/aa-runs*.json) as the cross-run rules read them: shared by
// bench/perf-aa-calibration.ts (one-stage rule) and bench/perf-confirm-calibration.ts (confirmed by re-runs).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RunStatistic } from '../packages/core/src/perf/baseline-history.ts';
import type { BenchmarkSet } from '../packages/core/src/perf/benchmark-types.ts';

export interface RecordedRun {
  id: string;
  at: string;
  /** The 1-minute load average when the run started (recordings of session 6 on). */
  load?: number;
  benchmarks: Record<string, number>;
}
/** A PR job of a confirmation recording: the judged run and the re-runs made right after it (record.ts, PERF_AA_CONFIRM). */
export interface RecordedJob {
  kind: 'aa' | 'pr';
  judged: RecordedRun;
  confirm: RecordedRun[];
}
export interface Fixture {
  runs: RecordedRun[];
  pr: RecordedRun[];
  jobs?: RecordedJob[];
}

/**
 * The recordings the one-stage rule was chosen on, besides aa-runs.json (see bench/perf-aa-calibration.ts); the
 * confirmation levels were chosen on the same ones (bench/perf-confirm-calibration.ts).
 */
export const TUNING_RECORDINGS = [
  'aa-runs-heldout.json',
  'aa-runs-heldout-1s.json',
  'aa-runs-s6.json',
  'aa-runs-s6-heldout.json',
  'aa-runs-s6-heldout2.json',
  'aa-runs-s7-heldout.json',
];

export const fixturePath = (name: string) => fileURLToPath(new URL(`../test/perf/fixtures/${name}`, import.meta.url));

/** A fixture with its A/A runs (the default branch's history) in time order. */
export function loadFixture(file: string): Fixture {
  const data = JSON.parse(readFileSync(file, 'utf8')) as Fixture;
  return {
    runs: data.runs.filter((run) => run.id.endsWith('-a')).sort((x, y) => x.at.localeCompare(y.at)),
    pr: data.pr,
    jobs: data.jobs,
  };
}

export const runStats = (run: RecordedRun): Record<string, RunStatistic> =>
  Object.fromEntries(
    Object.entries(run.benchmarks).map(([name, value]) => [name, { value, unit: 's', biggerIsBetter: false }]),
  );

/** A run as a PR's results; `scale` multiplies some benchmarks' values (a simulated change). */
export const runSet = (run: RecordedRun, scale: Record<string, number> = {}): BenchmarkSet => ({
  format: 'pytest-benchmark',
  source: run.id,
  benchmarks: Object.entries(run.benchmarks).map(([name, value]) => ({
    name,
    label: name,
    unit: 's',
    biggerIsBetter: false,
    value: value * (scale[name] ?? 1),
  })),
});
