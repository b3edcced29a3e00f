import { listChangedFilesWithNumstat, type ChangeStatus } from '../git/index.ts';
import {
  appendRecord,
  appendSegment,
  compactRecordLog,
  describeSkipped,
  readRecordLog,
  type CompactedLog,
  type RecordLogSnapshot,
  type RecordLogSpec,
  type Store,
} from '../store/index.ts';
import type { TestOutcome } from './junit.ts';
import { runRecordProblem } from './run-record-shape.ts';

/** Schema of the history lines this version writes; readers accept this and older. */
export const HISTORY_SCHEMA = 1;

/**
 * Store keys of the test-predictor. The plan named the history `.metrics/test_history.json`; in the store's
 * `<area>/<file>` scheme that file is `test-predictor/test_history.json` (JSON Lines despite the plan's name), so
 * `store: dir:.metrics` puts it at `.metrics/test-predictor/test_history.json` and the default store at
 * `.ci-optimizer/test-predictor/test_history.json`.
 */
export const STORE_KEYS = {
  /** The JSON Lines file versions before the record log appended to; read and folded into the log. */
  history: 'test-predictor/test_history.json',
  /** The record log (one object per recorded run, compacted into segments): see store/record-log.ts. */
  historyLog: 'test-predictor/history',
  model: 'test-predictor/model.json',
  previousModel: 'test-predictor/model.previous.json',
  safety: 'test-predictor/safety.json',
} as const;

/** The store folder every key above is in: a store without it has no test history. */
export const PREDICTOR_FOLDER = 'test-predictor/';

/** One changed file of a run's diff, with its line counts (binary files count 0). */
export interface ChangeRecord {
  path: string;
  status: ChangeStatus;
  oldPath?: string;
  added: number;
  removed: number;
}

/** One executed test case. */
export interface CaseRecord {
  /** Repository-relative test file ('' when the report did not say). */
  file: string;
  /** Node id: `file::Class::name`. */
  id: string;
  outcome: TestOutcome;
  /** Seconds. */
  duration: number;
  /** True for the second and later attempts of the same case in one run. */
  retry: boolean;
}

/** What the selections would have dropped on a full run (the measured-safety audit). */
export interface SafetyAudit {
  /** Test files that failed for real (not flaky) in this run. */
  failedFiles: string[];
  /** Failed files the test-filter graph would not have selected (null: graph unavailable). */
  missedByTestFilter: string[] | null;
  /** Failed files the predictor's selection would not have run (null: no model yet). */
  missedByPredictor: string[] | null;
  /** The budget the predictor's selection was computed for. */
  budget: string;
}

/** One run of the test suite: the line appended by `mode: record`. */
export interface RunRecord {
  schema: number;
  /**
   * The run's identity: a digest of its JUnit files, so recording the same report twice is one run. Absent in
   * lines older versions wrote (their identity is time and commit).
   */
  id?: string;
  /** True when old runs were folded into per-file aggregates to bound the history's size (see compactRun). */
  compacted?: boolean;
  /** The number of cases the run had before compaction. */
  caseCount?: number;
  /** ISO time of recording. */
  time: string;
  commit: string;
  /** The commit the change is judged against; null when unknown. */
  base: string | null;
  event: string;
  /** True when every test ran (default branch, schedule, run-all): such runs feed the safety audit. */
  full: boolean;
  /** The diff base..commit; null when the base is unknown. */
  changes: ChangeRecord[] | null;
  /** Test file -> import-graph distance from the nearest changed file (0 = the test itself changed); null: no graph. */
  reach: Record<string, number> | null;
  /** True when the graph selected every test (a run-all trigger fired). */
  reachAll?: boolean;
  /** Reached test files test-filter's impact map removed (they never ran the changed functions); absent: no map. */
  mapRemoved?: string[];
  cases: CaseRecord[];
  audit?: SafetyAudit;
  /** The files the predictor ranked riskiest for this diff before the run (the report compares with failures). */
  predictedRisky?: string[];
}

/**
 * The history's byte bounds. The newest runs keep every case while their cases fit in RAW_HISTORY_BYTES (the newest
 * run always does); older runs are folded into per-file aggregates (compactRun) and, oldest first, dropped when the
 * whole history passes HISTORY_BYTES. Sizes are JSON bytes as stored.
 */
export const RAW_HISTORY_BYTES = 32 * 1024 * 1024;
export const HISTORY_BYTES = 64 * 1024 * 1024;

/** The identity of a run: its id, or for lines older versions wrote, its time and commit. */
export function runId(record: RunRecord): string {
  return record.id ?? `${record.time}\u0000${record.commit}`;
}

export const HISTORY_LOG: RecordLogSpec<RunRecord> = {
  area: STORE_KEYS.historyLog,
  legacyKey: STORE_KEYS.history,
  maxSchema: HISTORY_SCHEMA,
  validate: runRecordProblem,
  idOf: runId,
  timeOf: (record) => record.time,
};

/**
 * Reads the history, oldest first. Unusable lines (not JSON, wrong types, a newer schema) are skipped and reported
 * through ONE call of `warn`, never thrown.
 */
export async function readHistory(store: Store, warn: (message: string) => void): Promise<RunRecord[]> {
  const { records, skipped, snapshot, segmentsOnly } = await readRecordLog(store, HISTORY_LOG);
  const message = describeSkipped(store, STORE_KEYS.historyLog, skipped);
  if (message) warn(message);
  snapshots.set(records, { store, snapshot, ...(segmentsOnly && skipped.length === 0 ? { segmentsOnly } : {}) });
  return records;
}

/**
 * The segments a readHistory of `store` returning `history` read, when it read segments alone and skipped no line
 * (what a stored summary of the history names: test-predictor/history-summary.ts); else undefined.
 */
export function segmentsRead(history: readonly RunRecord[], store: Store): { key: string; size: number }[] | undefined {
  const read = snapshots.get(history);
  return read?.store === store ? read.segmentsOnly : undefined;
}

/** The segments each history read parsed, by the array it returned: appendRun's compaction does not parse them again. */
const snapshots = new WeakMap<
  readonly RunRecord[],
  { store: Store; snapshot: RecordLogSnapshot<RunRecord>; segmentsOnly?: { key: string; size: number }[] }
>();

/** What appendRun did: `exists` (nothing written), or `added` with what the compaction after it kept and wrote. */
export type AppendOutcome =
  | { outcome: 'exists' }
  | { outcome: 'added'; history: RunRecord[]; compacted: Omit<CompactedLog, 'objects'> };

/**
 * Appends one run to the history as its own object (safe when jobs record at once), then compacts the history:
 * at most `keepRuns` runs, within the byte bounds above. Returns 'exists' (and writes nothing) when a run with the
 * same id is in `known`, the history the caller read; else the history as compacted (oldest first) and the segments
 * it was written to.
 */
export async function appendRun(
  store: Store,
  record: RunRecord,
  keepRuns: number,
  known?: readonly RunRecord[],
): Promise<AppendOutcome> {
  const outcome = await appendRecord(store, HISTORY_LOG, record, known);
  if (outcome === 'exists') return { outcome };
  const read = known ? snapshots.get(known) : undefined;
  const reuse = read?.store === store ? read.snapshot : undefined;
  const { records, segments, newerLines } = await compactRecordLog(
    store,
    HISTORY_LOG,
    (runs) => boundHistory(runs, keepRuns),
    reuse,
  );
  return { outcome, history: records, compacted: { segments, newerLines } };
}

/**
 * Appends one run to the history as a segment of its own, without compacting (see appendSegment): for a record that
 * knows, from the stored summary of the history, that the run is new and that a compaction would keep every run as
 * it is (withinBounds). Returns the segment written.
 */
export function appendRunSegment(store: Store, record: RunRecord): Promise<{ key: string; size: number }> {
  return appendSegment(store, HISTORY_LOG, record);
}

/**
 * Whether boundHistory keeps runs of these sizes (runBytes, oldest first) as they are, for `keepRuns`: then a
 * compaction would only copy them, and an append can wait for the next one.
 */
export function withinBounds(
  runs: readonly { bytes: number; compacted: boolean }[],
  keepRuns: number,
  bounds: { raw: number; total: number } = { raw: RAW_HISTORY_BYTES, total: HISTORY_BYTES },
): boolean {
  if (runs.length > keepRuns) return false;
  let raw = 0;
  let total = 0;
  for (const run of runs) {
    total += run.bytes;
    if (!run.compacted) raw += run.bytes;
  }
  return raw <= bounds.raw && total <= bounds.total;
}

/** Keeps the newest `keepRuns` runs; within the byte bounds (RAW_HISTORY_BYTES, HISTORY_BYTES), see above. */
export function boundHistory(
  runs: readonly RunRecord[],
  keepRuns: number,
  bounds: { raw: number; total: number } = { raw: RAW_HISTORY_BYTES, total: HISTORY_BYTES },
): RunRecord[] {
  const newest = runs.slice(-keepRuns);
  const kept: RunRecord[] = [];
  let raw = 0;
  let total = 0;
  for (let i = newest.length - 1; i >= 0; i--) {
    let run = newest[i];
    let size = runBytes(run);
    if (i < newest.length - 1 && !run.compacted && raw + size > bounds.raw) {
      run = compactRun(run);
      size = runBytes(run);
    }
    if (!run.compacted) raw += size;
    if (i < newest.length - 1 && total + size > bounds.total) break;
    total += size;
    kept.push(run);
  }
  return kept.reverse();
}

/**
 * A run with its passed and skipped cases folded into one aggregate per file, outcome and retry flag (id: the file,
 * duration: the sum); failures and errors stay as they were, so failure labels, flaky labels and per-file durations
 * hold. Re-runs stay apart from first runs, as every reader leaves re-runs out (durations, features, totals).
 */
export function compactRun(run: RunRecord): RunRecord {
  if (run.compacted) return run;
  const aggregates = new Map<string, CaseRecord>();
  const cases: CaseRecord[] = [];
  for (const testCase of run.cases) {
    if (testCase.outcome === 'failed' || testCase.outcome === 'error') {
      cases.push(testCase);
      continue;
    }
    const key = `${testCase.file}\u0000${testCase.outcome}\u0000${testCase.retry}`;
    const aggregate = aggregates.get(key);
    if (aggregate) aggregate.duration += testCase.duration;
    else
      aggregates.set(key, {
        file: testCase.file,
        id: testCase.file,
        outcome: testCase.outcome,
        duration: testCase.duration,
        retry: testCase.retry,
      });
  }
  for (const aggregate of aggregates.values()) aggregate.duration = Math.round(aggregate.duration * 1e6) / 1e6;
  return { ...run, compacted: true, caseCount: run.cases.length, cases: [...cases, ...aggregates.values()] };
}

/** Approximately the JSON bytes of a run, without building the string (what the byte bounds count). */
export function runBytes(run: RunRecord): number {
  let bytes = 400;
  for (const testCase of run.cases) bytes += testCase.file.length + testCase.id.length + 60;
  for (const change of run.changes ?? []) bytes += change.path.length + (change.oldPath?.length ?? 0) + 70;
  for (const file of Object.keys(run.reach ?? {})) bytes += file.length + 6;
  return bytes;
}

/** The diff base..head with added/removed line counts per file (`git diff --numstat`, renames followed), one git call. */
export async function diffWithLineCounts(repoDir: string, base: string, head: string): Promise<ChangeRecord[]> {
  const { files, numstat } = await listChangedFilesWithNumstat(repoDir, base, head);
  const counts = parseNumstat(numstat);
  return files.map((file) => {
    const count = counts.get(file.path) ?? { added: 0, removed: 0 };
    return { path: file.path, status: file.status, ...(file.oldPath ? { oldPath: file.oldPath } : {}), ...count };
  });
}

/** Parses `git diff --numstat -z`: `added\tremoved\tpath\0` or, for renames, `added\tremoved\t\0old\0new\0`. */
export function parseNumstat(output: string): Map<string, { added: number; removed: number }> {
  const fields = output.split('\0');
  const counts = new Map<string, { added: number; removed: number }>();
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (field === '') continue;
    const [added, removed, path] = field.split('\t');
    const value = { added: Number(added) || 0, removed: Number(removed) || 0 };
    if (path === '' || path === undefined) {
      i += 2;
      counts.set(fields[i], value);
    } else {
      counts.set(path, value);
    }
  }
  return counts;
}

/** Test files that failed for real in a run: failed/error outcomes, excluding the given flaky case ids. */
export function failedFiles(record: RunRecord, flakyCases: ReadonlySet<string> = new Set()): Set<string> {
  const failed = new Set<string>();
  for (const testCase of record.cases) {
    if (testCase.retry || testCase.file === '') continue;
    if ((testCase.outcome === 'failed' || testCase.outcome === 'error') && !flakyCases.has(caseKey(record, testCase))) {
      failed.add(testCase.file);
    }
  }
  return failed;
}

/** The key of one case in one run, for flaky labels. */
export function caseKey(record: RunRecord, testCase: CaseRecord): string {
  return `${record.time}\u0000${record.commit}\u0000${testCase.id}`;
}

/** Changed paths of a run (old and new names of renames). */
export function changedPaths(record: Pick<RunRecord, 'changes'>): string[] {
  return (record.changes ?? []).flatMap((change) => (change.oldPath ? [change.oldPath, change.path] : [change.path]));
}
