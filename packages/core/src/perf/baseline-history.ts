import { randomBytes } from 'node:crypto';
import type { Store } from '../store/index.ts';
import type { BenchmarkSet } from './benchmark-types.ts';

/**
 * The default branch's baseline runs, one small record per run (run-level statistics only), one store object per
 * record: concurrent writers never overwrite each other, and the newest `keep` are kept. Cross-run verdicts judge a
 * PR's run against the spread of these runs (compare-with-history.ts), because the rounds inside one run cannot
 * show how much a whole run moves.
 */
export const BASELINE_RUNS_PREFIX = 'baseline-runs/';
export const BASELINE_RUN_SCHEMA = 1;
/** Runs kept per store by default. */
export const DEFAULT_HISTORY_SIZE = 30;

export interface RunStatistic {
  /**
   * The run's value. For timings with rounds: the fastest round. On a shared machine the load of the moment slows
   * most rounds of a run, and their median moves with it (±35-65% run to run on the A/A data recorded for
   * test/perf/fixtures/aa-runs.json); the fastest round is the one the machine disturbed least and moves 3-5x
   * less. Without rounds: the tool's value.
   */
  value: number;
  /** `min` (fastest round) or `value`; runs are compared only with runs of the same kind. */
  statistic?: 'min' | 'value';
  unit: string;
  biggerIsBetter: boolean;
}

export interface BaselineRun {
  schema: number;
  commit: string;
  createdAt: string;
  benchmarks: Record<string, RunStatistic>;
}

/** The run-level statistics of a results set. */
export function runStatistics(set: BenchmarkSet): Record<string, RunStatistic> {
  const out: Record<string, RunStatistic> = {};
  for (const benchmark of set.benchmarks) {
    const rounds =
      benchmark.samples && benchmark.samples.length > 0 && benchmark.samples.every((v) => v > 0)
        ? benchmark.samples
        : undefined;
    // Throughputs (bigger is better) keep their best round too: the largest.
    const best = rounds ? (benchmark.biggerIsBetter ? Math.max(...rounds) : Math.min(...rounds)) : benchmark.min;
    const value = best ?? benchmark.value;
    if (!Number.isFinite(value) || !(value > 0)) continue;
    out[benchmark.name] = {
      value,
      unit: benchmark.unit,
      biggerIsBetter: benchmark.biggerIsBetter,
      statistic: best !== undefined ? 'min' : 'value',
    };
  }
  return out;
}

/** Adds a run to the history and drops the oldest beyond `keep` (best effort: a failed delete only keeps more). */
export async function appendBaselineRun(
  store: Store,
  run: Omit<BaselineRun, 'schema'>,
  keep = DEFAULT_HISTORY_SIZE,
): Promise<string> {
  const stamp = run.createdAt.replace(/[^0-9TZ]/g, '');
  const key = `${BASELINE_RUNS_PREFIX}${stamp}-${run.commit.replace(/[^0-9a-zA-Z]/g, '').slice(0, 12)}-${randomBytes(4).toString('hex')}.json`;
  await store.write(key, JSON.stringify({ schema: BASELINE_RUN_SCHEMA, ...run }));
  const keys = (await store.list(BASELINE_RUNS_PREFIX))
    .map((entry) => entry.key)
    .filter((k) => k.endsWith('.json'))
    .sort();
  for (const old of keys.slice(0, Math.max(0, keys.length - keep))) await store.delete(old).catch(() => undefined);
  return key;
}

export interface HistoryReadResult {
  /** Newest first. */
  runs: BaselineRun[];
  /** Records that could not be read (bad JSON, wrong shape, newer schema): skipped. */
  skipped: number;
}

/**
 * The newest `limit` baseline runs, newest first. With `commits` (the merge base and its first-parent ancestors),
 * only runs of those commits count: runs of default-branch commits the PR does not contain would compare it with
 * code it does not have.
 */
export async function readBaselineRuns(
  store: Store,
  options: { limit?: number; commits?: readonly string[] } = {},
): Promise<HistoryReadResult> {
  const limit = options.limit ?? DEFAULT_HISTORY_SIZE;
  const allowed = options.commits && options.commits.length > 0 ? new Set(options.commits) : undefined;
  const keys = (await store.list(BASELINE_RUNS_PREFIX))
    .map((entry) => entry.key)
    .filter((k) => k.endsWith('.json'))
    .sort()
    .reverse();
  const runs: BaselineRun[] = [];
  let skipped = 0;
  for (const key of keys) {
    if (runs.length >= limit) break;
    const run = parseBaselineRun((await store.read(key))?.toString('utf8'));
    if (!run) {
      skipped++;
      continue;
    }
    if (allowed && !allowed.has(run.commit)) continue;
    runs.push(run);
  }
  runs.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  return { runs, skipped };
}

function parseBaselineRun(text: string | undefined): BaselineRun | undefined {
  if (text === undefined) return undefined;
  let data: BaselineRun;
  try {
    data = JSON.parse(text) as BaselineRun;
  } catch {
    return undefined;
  }
  if (!data || typeof data !== 'object' || data.schema !== BASELINE_RUN_SCHEMA || typeof data.commit !== 'string')
    return undefined;
  if (typeof data.createdAt !== 'string' || !Number.isFinite(Date.parse(data.createdAt))) return undefined;
  if (!data.benchmarks || typeof data.benchmarks !== 'object') return undefined;
  const benchmarks: Record<string, RunStatistic> = {};
  for (const [name, stat] of Object.entries(data.benchmarks)) {
    if (
      !stat ||
      typeof stat.value !== 'number' ||
      !(stat.value > 0) ||
      !Number.isFinite(stat.value) ||
      typeof stat.unit !== 'string'
    )
      continue;
    benchmarks[name] = {
      value: stat.value,
      unit: stat.unit,
      biggerIsBetter: stat.biggerIsBetter === true,
      statistic: stat.statistic === 'min' ? 'min' : 'value',
    };
  }
  return { schema: data.schema, commit: data.commit, createdAt: data.createdAt, benchmarks };
}
