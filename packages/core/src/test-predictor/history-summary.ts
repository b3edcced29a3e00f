import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Store, StoreEntry } from '../store/index.ts';
import {
  HISTORY_LOG,
  PREDICTOR_FOLDER,
  segmentsRead,
  type AppendOutcome,
  type RunRecord,
} from '../test-history/index.ts';
import { HistoryStats } from './features.ts';
import { labelFlaky, realFailedFiles, runKey, type FlakyLabels } from './flaky.ts';
import { factsOfHistory, RECENT_RUNS, recentFilesOf, recentTotalsOf, type HistoryFacts } from './history-facts.ts';
import { advanceTail, checkTail, tailOf, tailSlowCandidates, type TailDocument } from './history-tail.ts';
import { historyStats } from './predict.ts';
import { slowCandidates, slowestFirst, type SlowTest } from './slow-tests.ts';
import { isCount, isRecord, isSeconds, isStrings } from './json-checks.ts';

/**
 * The history's summary: the facts a prediction reads from the history (history-facts.ts), stored by `record` beside
 * the history it summarises, so `predict` reads a few kilobytes instead of parsing every run (the history holds up
 * to history-limit runs of every test case: tens of megabytes). It is a cache entry, and untrusted input:
 *
 * - It names the history it was made from: the segment objects of the record log with their sizes (a segment is
 *   written once under a new name and never changed; store/record-log.ts). It is used only when the log holds
 *   exactly those segments, no pending record and no legacy file; otherwise the history is read.
 * - It names the code that made it (a digest of the bundle file this module is in): statistics another version
 *   made are never mixed with this version's.
 * - Every field is checked on read; anything off and the summary is ignored (and the history read), never an error.
 * - Slow tests are kept down to SLOW_FLOOR seconds: a lower slow-threshold reads the history.
 */
export const HISTORY_SUMMARY_KEY = 'test-predictor/history-summary.json';

/** Cases whose median duration is at most this many seconds are left out of the summary's slow candidates. */
export const SLOW_FLOOR = 0.1;

const FORMAT = 1;

/** A segment of the record log, as the store lists it. */
export type SegmentIdentity = Pick<StoreEntry, 'key' | 'size'>;

/** What the summary document holds (JSON). */
interface SummaryDocument {
  format: number;
  code: string;
  segments: [string, number][];
  runs: number;
  usableRuns: number;
  stats: unknown;
  caseFiles: string[];
  /** For each of caseFiles, the newest run (index) that names it. */
  caseLastRun: number[];
  failedOn: [string, string[]][];
  recentTotals: number[];
  recentFiles: string[];
  slowFloor: number;
  slow: [string, string, number][];
  /** The history's flaky failures (caseKey()s): record tells from them whether a run changed earlier labels. */
  flakyFailures: string[];
  /** What record reads instead of the history when it appends a run of a new commit (history-tail.ts). */
  tail: TailDocument;
}

/** The facts of a stored summary, and the flaky failures of the history it summarises. */
export type StoredSummary = HistoryFacts & { flakyFailures: ReadonlySet<string> };

let fingerprint: string | null | undefined;

/**
 * The content hash the bundler puts in a chunk's name (`chunks/<name>-<HASH>.js`, scripts/bundle.mjs): a digest of
 * the chunk and of every chunk it imports.
 */
const CHUNK_NAME_HASH = /\/chunks\/[^/]+-([A-Z0-9]{8})\.js$/;

/**
 * A digest of the code this module was loaded with: any change to the code that makes the statistics changes it. In
 * the bundle it is the content hash in the name of the chunk that holds this module (so no file is read and hashed,
 * and a start need not load `node:crypto`); elsewhere a digest of the file itself. null when the file cannot be
 * read, and then no summary is written or used.
 */
export function codeFingerprint(): string | null {
  if (fingerprint === undefined) {
    const chunk = CHUNK_NAME_HASH.exec(import.meta.url);
    if (chunk) return (fingerprint = `chunk-${chunk[1]}`);
    try {
      const source = readFileSync(fileURLToPath(import.meta.url));
      fingerprint = createHash('sha256').update(source).digest('hex').slice(0, 32);
    } catch {
      fingerprint = null;
    }
  }
  return fingerprint;
}

/** The summary document of a history (`facts` made from its runs), naming the segments it was read from. */
export function encodeHistorySummary(
  history: readonly RunRecord[],
  flaky: FlakyLabels,
  facts: HistoryFacts,
  segments: readonly SegmentIdentity[],
): string | undefined {
  const code = codeFingerprint();
  if (code === null) return undefined;
  const lastRun = new Map<string, number>();
  const failedOn = new Map<string, string[]>();
  // Oldest first: the newest run of a commit is the one that stays.
  history.forEach((run, r) => {
    for (const testCase of run.cases) lastRun.set(testCase.file, r);
    failedOn.set(run.commit, [...realFailedFiles(flaky, run)]);
  });
  const document: SummaryDocument = {
    format: FORMAT,
    code,
    segments: segments.map((segment) => [segment.key, segment.size]),
    runs: history.length,
    usableRuns: facts.usableRuns,
    stats: facts.stats.toSnapshot(),
    caseFiles: [...lastRun.keys()],
    caseLastRun: [...lastRun.values()],
    failedOn: [...failedOn].filter(([, files]) => files.length > 0),
    recentTotals: recentTotalsOf(history),
    recentFiles: recentFilesOf(history),
    slowFloor: SLOW_FLOOR,
    slow: slowCandidates(history, SLOW_FLOOR).map((test) => [test.id, test.file, test.seconds]),
    flakyFailures: [...flaky.flakyFailures],
    tail: tailOf(history),
  };
  return JSON.stringify(document);
}

/**
 * The summary document of a stored summary's history with `run` appended as the segment `segment` (what
 * encodeHistorySummary gives for that history), when record need not read the history (history-tail.ts readNeeded):
 * `flaky` are the labels of the run alone (those of the runs before do not change), `stats` the statistics of the
 * runs before with the run added.
 */
export function advanceHistorySummary(
  summary: RecordSummary,
  run: RunRecord,
  flaky: FlakyLabels,
  stats: HistoryStats,
  segment: SegmentIdentity,
): string {
  const before = summary.document;
  const index = before.runs;
  const caseFiles = [...before.caseFiles];
  const lastRun = [...before.caseLastRun];
  const at = new Map(caseFiles.map((file, i) => [file, i]));
  for (const testCase of run.cases) {
    const i = at.get(testCase.file);
    if (i !== undefined) lastRun[i] = index;
    else {
      at.set(testCase.file, caseFiles.length);
      caseFiles.push(testCase.file);
      lastRun.push(index);
    }
  }
  const failed = [...realFailedFiles(flaky, run)];
  const tail = advanceTail(before.tail, run);
  const runs = index + 1;
  const document: SummaryDocument = {
    ...before,
    segments: [...summary.segments, segment]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((item) => [item.key, item.size]),
    runs,
    usableRuns: before.usableRuns + (run.changes !== null && run.cases.length > 0 ? 1 : 0),
    stats: stats.toSnapshot(),
    caseFiles,
    caseLastRun: lastRun,
    failedOn: failed.length > 0 ? [...before.failedOn, [run.commit, failed]] : before.failedOn,
    recentTotals: tail.runs
      .slice(-RECENT_RUNS)
      .map((entry) => entry[3])
      .filter((seconds) => seconds > 0),
    recentFiles: caseFiles.filter((file, i) => file !== '' && lastRun[i] >= runs - RECENT_RUNS).sort(),
    slow: tailSlowCandidates(tail, SLOW_FLOOR).map((test) => [test.id, test.file, test.seconds]),
    flakyFailures: [...before.flakyFailures, ...flaky.flakyFailures],
    tail,
  };
  return JSON.stringify(document);
}

/**
 * The facts of a summary document, when it is well formed, made by this code and names exactly `segments` (the
 * record log as listed now); undefined otherwise.
 */
export function decodeHistorySummary(text: string, segments: readonly SegmentIdentity[]): StoredSummary | undefined {
  const value = parseDocument(text);
  return value && decodeDocument(value, segments);
}

/** A stored summary as record reads it: its facts, and its document with the segments it names (advanceHistorySummary). */
export interface RecordSummary {
  facts: StoredSummary;
  document: SummaryDocument;
  segments: readonly SegmentIdentity[];
}

/**
 * decodeHistorySummary for record: also the document, when what record reads of it (caseLastRun, the tail) is well
 * formed too; undefined otherwise.
 */
export function decodeRecordSummary(text: string, segments: readonly SegmentIdentity[]): RecordSummary | undefined {
  const value = parseDocument(text);
  const facts = value && decodeDocument(value, segments);
  if (!value || !facts) return undefined;
  const d = value as Partial<Record<keyof SummaryDocument, unknown>>;
  const files = (d.caseFiles as string[]).length;
  const lastRun = d.caseLastRun;
  if (!Array.isArray(lastRun) || lastRun.length !== files || !lastRun.every((r) => isCount(r) && r < facts.runs))
    return undefined;
  if (!checkTail(d.tail, facts.runs)) return undefined;
  return { facts, document: value as unknown as SummaryDocument, segments };
}

function parseDocument(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isRecord(value) ? value : undefined;
}

function decodeDocument(
  value: Record<string, unknown>,
  segments: readonly SegmentIdentity[],
): StoredSummary | undefined {
  const d = value as Partial<Record<keyof SummaryDocument, unknown>>;
  const code = codeFingerprint();
  if (d.format !== FORMAT || code === null || d.code !== code) return undefined;
  if (!sameSegments(d.segments, segments)) return undefined;
  if (!isCount(d.runs) || !isCount(d.usableRuns) || d.usableRuns > d.runs) return undefined;
  if (!isStrings(d.caseFiles) || !isStrings(d.recentFiles) || !isStrings(d.flakyFailures)) return undefined;
  if (!Array.isArray(d.recentTotals) || !d.recentTotals.every((t) => isSeconds(t) && t > 0)) return undefined;
  if (d.slowFloor !== SLOW_FLOOR || !Array.isArray(d.slow)) return undefined;
  const failedOn = new Map<string, string[]>();
  if (!Array.isArray(d.failedOn)) return undefined;
  for (const item of d.failedOn) {
    if (!Array.isArray(item) || item.length !== 2 || typeof item[0] !== 'string' || !isStrings(item[1]))
      return undefined;
    failedOn.set(item[0], item[1]);
  }
  const slow: SlowTest[] = [];
  for (const item of d.slow) {
    if (!Array.isArray(item) || item.length !== 3) return undefined;
    const [id, file, seconds] = item as unknown[];
    if (typeof id !== 'string' || typeof file !== 'string' || !isSeconds(seconds)) return undefined;
    slow.push({ id, file, seconds });
  }
  const stats = HistoryStats.fromSnapshot(d.stats);
  if (!stats || stats.runCount !== d.runs) return undefined;
  const caseFiles = new Set(d.caseFiles);
  const recentTotals = d.recentTotals as number[];
  const recentFiles = d.recentFiles;
  return {
    flakyFailures: new Set(d.flakyFailures),
    runs: d.runs,
    usableRuns: d.usableRuns,
    stats,
    filesSeen: (files) => new Set(files.filter((file) => caseFiles.has(file))),
    failedOn: (commit) => new Set(failedOn.get(commit)),
    recentTotals: () => [...recentTotals],
    recentFiles: () => [...recentFiles],
    slowTests: (threshold) => (threshold >= SLOW_FLOOR ? slowestFirst(slow, threshold) : undefined),
  };
}

/** The stored summary document as read, with the record log's segments as listed now. */
export interface SummaryDocumentRead {
  /** The document's text; undefined when there is none or the store cannot be read. */
  text?: string;
  /** The segments listed beside it (undefined when the listing is not a record log this code reads). */
  segments?: readonly SegmentIdentity[];
}

/**
 * Lists the record log and reads the summary document at once (`listed`: the caller's listing of PREDICTOR_FOLDER, made
 * just before, instead of a second one); a store fault gives neither.
 */
export async function readSummaryDocument(store: Store, listed?: readonly StoreEntry[]): Promise<SummaryDocumentRead> {
  try {
    const [listing, raw] = await Promise.all([listed ?? store.list(PREDICTOR_FOLDER), store.read(HISTORY_SUMMARY_KEY)]);
    return raw === undefined ? {} : { text: raw.toString('utf8'), segments: logSegments(listing) };
  } catch {
    return {};
  }
}

/**
 * The facts of a summary document as read (readSummaryDocument) when it describes the history in the store now (see
 * above); undefined when there is none, it is stale or malformed.
 */
export function summaryFactsOf({ text, segments }: SummaryDocumentRead): HistoryFacts | undefined {
  return text !== undefined && segments ? decodeHistorySummary(text, segments) : undefined;
}

/**
 * The stored summary's facts when it describes the history in the store now; undefined when there is none, it is
 * stale or malformed, or the store cannot be read (the caller reads the history then).
 */
export async function readHistorySummary(store: Store): Promise<HistoryFacts | undefined> {
  return summaryFactsOf(await readSummaryDocument(store));
}

/**
 * What record reads before anything else of the history: the stored summary as text, and decoded for record
 * (decodeRecordSummary) when it describes the log as listed now. A store fault gives neither (record reads the
 * history then, and meets the fault there).
 */
export async function readRecordSummary(store: Store): Promise<{ text?: string; summary?: RecordSummary }> {
  const { text, segments } = await readSummaryDocument(store);
  if (text === undefined) return {};
  const summary = segments ? decodeRecordSummary(text, segments) : undefined;
  return summary ? { text, summary } : { text };
}

/**
 * The stored summary of the history a readHistory of `store` returned (`text`: the summary document as read, or
 * undefined), with the runs attached, when it names exactly the segments that read parsed; else undefined.
 */
export function storedSummaryOf(
  store: Store,
  history: readonly RunRecord[],
  text: string | undefined,
): StoredSummary | undefined {
  const segments = segmentsRead(history, store);
  if (text === undefined || !segments) return undefined;
  const stored = decodeHistorySummary(text, segments);
  return stored && stored.runs === history.length ? { ...stored, history } : undefined;
}

/**
 * Stores the summary of the history a record appended `run` to in place (appendRunSegment, as `segment`), after the
 * runs of `summary`: `flaky` the labels of the run alone, `stats` the statistics of the runs before (updated here
 * with the run). A store fault is ignored: the next prediction or record reads the history.
 */
export async function storeAdvancedSummary(
  store: Store,
  summary: RecordSummary,
  run: RunRecord,
  flaky: FlakyLabels,
  stats: HistoryStats,
  segment: SegmentIdentity,
): Promise<void> {
  try {
    stats.add(run, realFailedFiles(flaky, run), flaky);
    await store.write(HISTORY_SUMMARY_KEY, advanceHistorySummary(summary, run, flaky, stats, segment));
  } catch {
    // Only a cache: the next read of the history works it out.
  }
}

/**
 * The facts of a stored summary record read (readRecordSummary), with the runs attached, when `history` (read from
 * `store` after it) is the history the summary describes; else undefined.
 */
export function summaryWithRuns(
  store: Store,
  history: readonly RunRecord[],
  summary: RecordSummary,
): StoredSummary | undefined {
  const segments = segmentsRead(history, store);
  if (!segments || summary.facts.runs !== history.length || !sameSegments(summary.document.segments, segments))
    return undefined;
  return { ...summary.facts, history };
}

/**
 * Stores the summary of the history `record` just appended a run to and compacted (appendRun's outcome), unless the
 * log kept lines of a newer version (a read would warn about them, and the summary would not). `withRun` is the
 * history read before plus the run (last), `flaky` its labels; `before` the labels and statistics of the history
 * read before, which this updates. When the compaction kept exactly those runs, the labels are `flaky`; when, besides,
 * no earlier run's flaky failures changed with the run (a rerun of a commit can make them flaky), the statistics are
 * brought up to date with the run alone. Otherwise they are worked out again from the runs kept. A store fault is
 * ignored: the next prediction reads the history.
 */
export async function storeHistorySummary(
  store: Store,
  appended: Extract<AppendOutcome, { outcome: 'added' }>,
  withRun: readonly RunRecord[],
  flaky: FlakyLabels,
  before: { flakyFailures: ReadonlySet<string>; stats: HistoryStats },
): Promise<void> {
  if (appended.compacted.newerLines > 0) return;
  const kept = appended.history;
  const last = withRun.length - 1;
  const record = withRun[last];
  const newest = kept[kept.length - 1];
  const sameRuns =
    kept.length === withRun.length &&
    kept.every((run, i) => run === withRun[i] || i === last) &&
    newest.id === record.id &&
    newest.time === record.time &&
    newest.commit === record.commit &&
    !newest.compacted;
  const labels = sameRuns ? flaky : labelFlaky(kept);
  let stats: HistoryStats;
  if (sameRuns && sameEarlierLabels(before.flakyFailures, flaky, withRun)) {
    stats = before.stats;
    stats.add(newest, realFailedFiles(flaky, newest), flaky);
  } else {
    stats = historyStats(kept, labels);
  }
  try {
    const text = encodeHistorySummary(kept, labels, factsOfHistory(kept, labels, stats), appended.compacted.segments);
    if (text !== undefined) await store.write(HISTORY_SUMMARY_KEY, text);
  } catch {
    // Only a cache: the next prediction reads the history.
  }
}

/**
 * Whether the runs before the last one of `withRun` have the same flaky failures under `after` (labels of withRun) as
 * under `before` (labels of those runs alone): the statistics of those runs then stay as they were.
 */
function sameEarlierLabels(before: ReadonlySet<string>, after: FlakyLabels, withRun: readonly RunRecord[]): boolean {
  const newest = runKey(withRun[withRun.length - 1]);
  if (withRun.some((run, i) => i < withRun.length - 1 && runKey(run) === newest)) return false;
  let ofNewest = 0;
  for (const key of after.flakyFailures) if (key.startsWith(`${newest}\u0000`)) ofNewest++;
  if (after.flakyFailures.size - ofNewest !== before.size) return false;
  for (const key of before) if (!after.flakyFailures.has(key)) return false;
  return true;
}

/**
 * The record log's segments in a listing of the store's test-predictor folder, or undefined when the log has more
 * than segments (pending records, the legacy file): then only a read of the whole log gives the history.
 */
export function logSegments(listing: readonly StoreEntry[]): SegmentIdentity[] | undefined {
  const area = `${HISTORY_LOG.area}/`;
  const segments: SegmentIdentity[] = [];
  for (const entry of listing) {
    if (entry.key === HISTORY_LOG.legacyKey) return undefined;
    if (!entry.key.startsWith(area)) continue;
    if (entry.key.startsWith(`${area}segments/`) && entry.key.endsWith('.jsonl'))
      segments.push({ key: entry.key, size: entry.size });
    else if (entry.key.startsWith(`${area}pending/`) && entry.key.endsWith('.json')) return undefined;
  }
  return segments;
}

function sameSegments(value: unknown, segments: readonly SegmentIdentity[]): boolean {
  if (!Array.isArray(value) || value.length !== segments.length) return false;
  return value.every(
    (item, i) =>
      Array.isArray(item) && item.length === 2 && item[0] === segments[i].key && item[1] === segments[i].size,
  );
}
