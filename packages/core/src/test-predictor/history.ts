import { simpleGit } from 'simple-git';
import type { ChangeStatus, ChangedFile } from '../git/index.ts';
import { appendJsonLines, readJsonLines, type Store } from '../store/index.ts';
import type { TestOutcome } from './junit.ts';

/** Schema of the history lines this version writes; readers accept this and older. */
export const HISTORY_SCHEMA = 1;

/**
 * Store keys of the test-predictor. The plan named the history `.metrics/test_history.json`; in the store's
 * `<area>/<file>` scheme that file is `test-predictor/test_history.json` (JSON Lines despite the plan's name), so
 * `store: dir:.metrics` puts it at `.metrics/test-predictor/test_history.json` and the default store at
 * `.ci-optimizer/test-predictor/test_history.json`.
 */
export const STORE_KEYS = {
  history: 'test-predictor/test_history.json',
  model: 'test-predictor/model.json',
  previousModel: 'test-predictor/model.previous.json',
  safety: 'test-predictor/safety.json',
} as const;

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

/** Reads the history, oldest first; malformed or newer lines are reported through `warn` and skipped. */
export async function readHistory(store: Store, warn: (message: string) => void): Promise<RunRecord[]> {
  const { records, skipped } = await readJsonLines<RunRecord>(store, STORE_KEYS.history, HISTORY_SCHEMA);
  for (const bad of skipped.slice(0, 5)) {
    warn(`${store.description}/${STORE_KEYS.history} line ${bad.line} is skipped: ${bad.reason}`);
  }
  if (skipped.length > 5) warn(`... and ${skipped.length - 5} more skipped history lines.`);
  return records.filter((record) => typeof record.commit === 'string' && Array.isArray(record.cases));
}

/** Appends one run to the history, keeping the newest `keepRuns` runs. */
export async function appendRun(store: Store, record: RunRecord, keepRuns: number): Promise<void> {
  await appendJsonLines(store, STORE_KEYS.history, [record], keepRuns);
}

/** The diff base..head with added/removed line counts per file (`git diff --numstat`, renames followed). */
export async function diffWithLineCounts(repoDir: string, base: string, head: string, files: ChangedFile[]): Promise<ChangeRecord[]> {
  const output = await simpleGit({ baseDir: repoDir }).raw([
    '-c',
    'core.quotepath=false',
    'diff',
    '--numstat',
    '-z',
    '-M',
    '--no-color',
    '--no-ext-diff',
    base,
    head,
    '--',
  ]);
  const counts = parseNumstat(output);
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

/**
 * Mean duration in seconds per test file over the newest `lastRuns` runs that ran it (retries included, as they
 * cost time too). test-filter uses it to measure its reduction by time.
 */
export function meanFileDurations(history: readonly RunRecord[], lastRuns = 20): Map<string, number> {
  const totals = new Map<string, { seconds: number; runs: number }>();
  for (const record of history.slice(-lastRuns)) {
    const perRun = new Map<string, number>();
    for (const testCase of record.cases) {
      if (testCase.file !== '') perRun.set(testCase.file, (perRun.get(testCase.file) ?? 0) + testCase.duration);
    }
    for (const [file, seconds] of perRun) {
      const total = totals.get(file) ?? { seconds: 0, runs: 0 };
      totals.set(file, { seconds: total.seconds + seconds, runs: total.runs + 1 });
    }
  }
  return new Map([...totals].map(([file, total]) => [file, total.seconds / total.runs]));
}
