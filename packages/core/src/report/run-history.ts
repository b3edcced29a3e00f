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

/** One pipeline run as the report remembers it, for rolling rates and trends. */
export interface RunRecord {
  schema: 1;
  /** Unique per recorded report run; absent in lines older versions wrote. */
  id?: string;
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

/** The JSON Lines file versions before the record log appended to (read, and folded in by compaction). */
export const RUN_HISTORY_KEY = 'report/runs.jsonl';
/** The record log of runs (one object per run, compacted into segments): see store/record-log.ts. */
export const RUN_HISTORY_AREA = 'report/runs';
const KEEP_RUNS = 500;

const count = { type: 'number', minimum: 0, maximum: 1e15 } as const;
const runSchema = {
  type: 'object',
  required: [
    'schema',
    'time',
    'kind',
    'ref',
    'sha',
    'pipelineMs',
    'testsSelected',
    'testsTotal',
    'testTimeSavedMs',
    'cache',
  ],
  properties: {
    schema: { const: 1 },
    id: { type: 'string', minLength: 1, maxLength: 200 },
    time: { type: 'string', minLength: 1, maxLength: 64 },
    kind: { enum: ['pr', 'main', 'other'] },
    ref: { type: 'string', maxLength: 1024 },
    sha: { type: 'string', maxLength: 128 },
    pipelineMs: count,
    testsSelected: count,
    testsTotal: count,
    testTimeSavedMs: count,
    cache: { enum: ['exact', 'partial', 'miss', 'none'] },
  },
} as const;
const runProblem = schemaProblemChecker(runSchema, 'a run record');

const RUN_LOG: RecordLogSpec<RunRecord> = {
  area: RUN_HISTORY_AREA,
  legacyKey: RUN_HISTORY_KEY,
  maxSchema: 1,
  validate: runProblem,
  idOf: (run) => run.id ?? `${run.time}\u0000${run.sha}\u0000${run.ref}`,
  timeOf: (run) => run.time,
};

/** The remembered runs, oldest first; bad lines (not JSON, wrong types, newer schema) are skipped and counted. */
export async function readRunHistory(
  store: Store,
): Promise<{ runs: RunRecord[]; skipped: number; skippedLines: SkippedLine[] }> {
  const { records, skipped } = await readRecordLog(store, RUN_LOG);
  return { runs: records, skipped: skipped.length, skippedLines: skipped };
}

/** Remembers this run as an object of its own (safe when jobs report at once), keeping the newest 500. */
export async function appendRun(store: Store, run: RunRecord): Promise<void> {
  const record = run.id ? run : { ...run, id: `${run.time}-${randomBytes(6).toString('hex')}` };
  await appendRecord(store, RUN_LOG, record);
  await compactRecordLog(store, RUN_LOG, (runs) => runs.slice(-KEEP_RUNS));
}

/** Exact + partial hits over the last `window` runs that used a cache, in percent; undefined with none. */
export function rollingHitRate(runs: RunRecord[], window = 30): number | undefined {
  const cached = runs.filter((run) => run.cache !== 'none').slice(-window);
  if (cached.length === 0) return undefined;
  return (100 * cached.filter((run) => run.cache === 'exact' || run.cache === 'partial').length) / cached.length;
}
