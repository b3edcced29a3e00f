import { randomBytes } from 'node:crypto';
import {
  appendRecord,
  compactRecordLog,
  readRecordLog,
  type RecordLogSpec,
  type SkippedLine,
  type Store,
} from '../store/index.ts';
import { schemaProblemChecker } from '../config/index.ts';

/** How a restore went: the exact key, a restore-key prefix (only the delta is installed), or nothing. */
export type RestoreOutcome = 'exact' | 'partial' | 'miss';

/** The JSON Lines file versions before the record log appended to (read, and folded in by the next compaction). */
export const HIT_HISTORY_KEY = 'cache-key/hits.jsonl';
/** The record log of restores (one object per restore, compacted into segments): see store/record-log.ts. */
export const HIT_HISTORY_AREA = 'cache-key/hits';
export const HIT_RECORD_SCHEMA = 1;
/** Records kept; the rate uses the last `window` of one family, so this bounds the log, not the answer. */
const KEEP_RECORDS = 5000;

/** One restore, as stored. */
export interface HitRecord {
  schema: number;
  /** Unique per recorded restore; absent in lines older versions wrote. */
  id?: string;
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

/** GitHub's cache keys are at most 512 characters; room is left for other caches' keys. */
const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;
const hitSchema = {
  type: 'object',
  required: ['schema', 'time', 'family', 'key', 'outcome'],
  properties: {
    schema: { const: 1 },
    id: text(200),
    time: text(64),
    family: { type: 'string', maxLength: 1024 },
    key: text(1024),
    outcome: { enum: ['exact', 'partial', 'miss'] },
    matchedKey: { type: 'string', maxLength: 1024 },
    runId: { type: 'string', maxLength: 64 },
    ref: { type: 'string', maxLength: 1024 },
  },
} as const;
/** Why a parsed line is not a restore record, or undefined when it is one. */
export const hitRecordProblem = schemaProblemChecker(hitSchema, 'a restore record');

const HIT_LOG: RecordLogSpec<HitRecord> = {
  area: HIT_HISTORY_AREA,
  legacyKey: HIT_HISTORY_KEY,
  maxSchema: HIT_RECORD_SCHEMA,
  validate: hitRecordProblem,
  idOf: (record) => record.id ?? `${record.time}\u0000${record.key}\u0000${record.outcome}\u0000${record.runId ?? ''}`,
  timeOf: (record) => record.time,
};

/**
 * Remembers one restore as an object of its own (safe when jobs record at once, on every store), then compacts the
 * log to the newest 5000 restores. Returns the records the compaction kept (this restore among them) and the lines
 * it skipped (and dropped, unless a newer version wrote them).
 */
export async function recordRestore(
  store: Store,
  record: Omit<HitRecord, 'schema'>,
): Promise<{ records: HitRecord[]; skippedLines: SkippedLine[] }> {
  const full: HitRecord = {
    schema: HIT_RECORD_SCHEMA,
    ...record,
    id: record.id ?? `${record.time}-${randomBytes(6).toString('hex')}`,
  };
  await appendRecord(store, HIT_LOG, full);
  const { records, skipped } = await compactRecordLog(store, HIT_LOG, (all) => all.slice(-KEEP_RECORDS));
  return { records, skippedLines: skipped };
}

/** Reads the restore history, oldest first; unusable lines (not JSON, wrong types, newer schema) are skipped and counted. */
export async function readRestoreHistory(
  store: Store,
): Promise<{ records: HitRecord[]; skipped: number; skippedLines: SkippedLine[] }> {
  const { records, skipped } = await readRecordLog(store, HIT_LOG);
  return { records, skipped: skipped.length, skippedLines: skipped };
}
