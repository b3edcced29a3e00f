import { appendJsonLines, readJsonLines, type Store } from '../store/index.ts';

/** One pipeline run as the report remembers it, for rolling rates and trends. */
export interface RunRecord {
  schema: 1;
  time: string;
  kind: 'pr' | 'main' | 'other';
  ref: string;
  sha: string;
  pipelineMs: number;
  testsSelected: number;
  testsTotal: number;
  testTimeSavedMs: number;
  cache: 'exact' | 'partial' | 'miss' | 'none';
}

export const RUN_HISTORY_KEY = 'report/runs.jsonl';
const KEEP_RUNS = 500;

/** The remembered runs, oldest first (bad lines are skipped). */
export async function readRunHistory(store: Store): Promise<{ runs: RunRecord[]; skipped: number }> {
  const { records, skipped } = await readJsonLines<RunRecord>(store, RUN_HISTORY_KEY, 1);
  return { runs: records, skipped: skipped.length };
}

/** Remembers this run (keeping the newest 500). */
export async function appendRun(store: Store, run: RunRecord): Promise<void> {
  await appendJsonLines(store, RUN_HISTORY_KEY, [run], KEEP_RUNS);
}

/** Exact + partial hits over the last `window` runs that used a cache, in percent; undefined with none. */
export function rollingHitRate(runs: RunRecord[], window = 30): number | undefined {
  const cached = runs.filter((run) => run.cache !== 'none').slice(-window);
  if (cached.length === 0) return undefined;
  return (100 * cached.filter((run) => run.cache === 'exact' || run.cache === 'partial').length) / cached.length;
}
