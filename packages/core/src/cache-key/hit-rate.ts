import { appendJsonLines, readJsonLines, type Store } from '../store/index.ts';

/** How a restore went: the exact key, a restore-key prefix (only the delta is installed), or nothing. */
export type RestoreOutcome = 'exact' | 'partial' | 'miss';

/** Where the records live in the store. */
export const HIT_HISTORY_KEY = 'cache-key/hits.jsonl';
export const HIT_RECORD_SCHEMA = 1;
/** Records kept; the rate uses the last `window` of one family, so this bounds the file, not the answer. */
const KEEP_RECORDS = 5000;

/** One restore, as stored. */
export interface HitRecord {
  schema: number;
  /** ISO time. */
  time: string;
  /** The key without its hash: one cache family (same tools, OS, arch, runtime, version). */
  family: string;
  key: string;
  outcome: RestoreOutcome;
  matchedKey?: string;
  /** Run facts for the report (GITHUB_RUN_ID, ref), when known. */
  runId?: string;
  ref?: string;
}

/**
 * Classifies a restore step's outputs. actions/cache sets `cache-hit` to 'true' on an exact match, 'false' when a
 * restore key matched, and leaves it unset ('') on a miss; `cache-matched-key` (actions/cache/restore, s3-cache)
 * tells partial from exact directly when given.
 */
export function classifyRestore(key: string, cacheHit: string, matchedKey: string): RestoreOutcome {
  const matched = matchedKey.trim();
  if (matched !== '') return matched === key ? 'exact' : 'partial';
  const hit = cacheHit.trim().toLowerCase();
  if (hit === 'true') return 'exact';
  if (hit === 'false') return 'partial';
  return 'miss';
}

/** The family of a key: everything before its hash, i.e. its own first restore key. */
export function keyFamily(key: string): string {
  const cut = key.lastIndexOf('-');
  return cut < 0 ? key : key.slice(0, cut + 1);
}

export interface HitRateSummary {
  family: string;
  /** Runs counted (at most the window). */
  runs: number;
  exact: number;
  partial: number;
  miss: number;
  /** (exact + partial) / runs; 0 when there are no runs. */
  hitRate: number;
  exactRate: number;
  /** The target hit rate (0..1). */
  target: number;
  /** hitRate >= target; false with no runs. */
  met: boolean;
}

/** The hit rate of one family over its last `window` records. */
export function summarizeHitRate(records: HitRecord[], family: string, window: number, target: number): HitRateSummary {
  const recent = records.filter((record) => record.family === family).slice(-Math.max(1, window));
  const count = (outcome: RestoreOutcome): number => recent.filter((record) => record.outcome === outcome).length;
  const exact = count('exact');
  const partial = count('partial');
  const runs = recent.length;
  const hitRate = runs === 0 ? 0 : (exact + partial) / runs;
  return {
    family,
    runs,
    exact,
    partial,
    miss: count('miss'),
    hitRate,
    exactRate: runs === 0 ? 0 : exact / runs,
    target,
    met: runs > 0 && hitRate >= target,
  };
}

/** Appends one restore record to the store's history. */
export async function recordRestore(store: Store, record: Omit<HitRecord, 'schema'>): Promise<void> {
  await appendJsonLines(store, HIT_HISTORY_KEY, [{ schema: HIT_RECORD_SCHEMA, ...record }], KEEP_RECORDS);
}

/** Reads the restore history; unreadable lines are skipped (reported in `skipped`). */
export async function readRestoreHistory(store: Store): Promise<{ records: HitRecord[]; skipped: number }> {
  const { records, skipped } = await readJsonLines<HitRecord>(store, HIT_HISTORY_KEY, HIT_RECORD_SCHEMA);
  return { records, skipped: skipped.length };
}
