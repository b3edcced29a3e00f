import {
  auditProblem,
  runBytes,
  runId,
  withinBounds,
  type RunRecord,
  type SafetyAudit,
} from '../test-history/index.ts';
import { testTimeOf } from './history-facts.ts';
import { isCount, isRecord, isSeconds } from './json-checks.ts';
import { SLOW_RUNS, timedCases, windowCandidates, type SlowTest, type TimedCase } from './slow-tests.ts';

/**
 * What `record` needs of the history besides a prediction's facts, kept in the history's stored summary
 * (history-summary.ts) so that recording a run of a new commit need not read the history (tens of megabytes): each
 * run's identity, test time and size, the timed cases of the newest SLOW_RUNS runs (their median durations make the
 * slow tests) and the safety audits of the full runs. A record of anything else reads the history (readNeeded).
 */
export interface TailDocument {
  /** Per run, oldest first: runId, time, commit, test time (testTimeOf), size (runBytes), 1 when compacted. */
  runs: TailRun[];
  /** The timed cases (slow-tests.ts) the window names: id and file. */
  cases: [string, string][];
  /**
   * The newest SLOW_RUNS runs (oldest first): their timed cases, as indexes into `cases` (packed: packIndexes), and
   * their durations.
   */
  window: [number[], number[]][];
  /** The audits of the full runs, oldest first, with the run's time (safety.ts computes miss rates from them). */
  audits: [string, SafetyAudit][];
}

type TailRun = [id: string, time: string, commit: string, seconds: number, bytes: number, compacted: 0 | 1];

/** A log of more segments than this is compacted by the next record (each append adds one; see appendRunSegment). */
export const MAX_SEGMENTS = 24;

/** The tail of a history (oldest run first). */
export function tailOf(history: readonly RunRecord[]): TailDocument {
  return {
    runs: history.map(runEntry),
    ...windowDocument(history.slice(-SLOW_RUNS).map((run) => timedCases(run))),
    audits: history.flatMap((run) => auditEntry(run)),
  };
}

/** The tail of the history with `run` appended (what tailOf gives for it). */
export function advanceTail(tail: TailDocument, run: RunRecord): TailDocument {
  return {
    runs: [...tail.runs, runEntry(run)],
    ...advanceWindow(tail, timedCases(run)),
    audits: [...tail.audits, ...auditEntry(run)],
  };
}

/**
 * The window with a run's timed cases appended (and the oldest run left out when it is full), its cases numbered in
 * order of first appearance as windowDocument numbers them: the runs kept are renumbered, not built again.
 */
function advanceWindow(tail: TailDocument, timed: readonly TimedCase[]): Pick<TailDocument, 'cases' | 'window'> {
  const known = new Map(tail.cases.map(([id, file], i) => [`${id}\u0000${file}`, i]));
  const cases = [...tail.cases];
  const added = numberCases(timed, known, cases);
  const runs = [...unpackedWindow(tail), added].slice(-SLOW_RUNS);
  const renumbered = new Map<number, number>();
  const kept: [string, string][] = [];
  const window = runs.map(([indexes, seconds]): [number[], number[]] => [
    packIndexes(
      indexes.map((index) => {
        let at = renumbered.get(index);
        if (at === undefined) {
          at = kept.length;
          renumbered.set(index, at);
          kept.push(cases[index]);
        }
        return at;
      }),
    ),
    seconds,
  ]);
  return { cases: kept, window };
}

/** The slow-test candidates of the tail's window (slowCandidates of its runs), above `floorSeconds`. */
export function tailSlowCandidates(tail: TailDocument, floorSeconds: number): SlowTest[] {
  // Only the cases with a duration above the floor in some run of the window are looked up.
  const unpacked = unpackedWindow(tail);
  const over = new Set<number>();
  for (const [indexes, seconds] of unpacked)
    for (let k = 0; k < indexes.length; k++) if (seconds[k] > floorSeconds) over.add(indexes[k]);
  const window = unpacked.map(([indexes, seconds]) => {
    const timed: TimedCase[] = [];
    for (let k = 0; k < indexes.length; k++) {
      if (!over.has(indexes[k])) continue;
      const [id, file] = tail.cases[indexes[k]];
      timed.push({ id, file, duration: seconds[k] });
    }
    return timed;
  });
  return windowCandidates(window, floorSeconds);
}

/** Whether the history has a run of this commit. */
export function tailHasCommit(tail: TailDocument, commit: string): boolean {
  return tail.runs.some((entry) => entry[2] === commit);
}

/** Whether the history has a run of this id (runId). */
export function tailHasRun(tail: TailDocument, id: string): boolean {
  return tail.runs.some((entry) => entry[0] === id);
}

/** The audited full runs, as computeMissRate reads them (safety.ts). */
export function auditedRuns(tail: TailDocument): Pick<RunRecord, 'time' | 'full' | 'audit'>[] {
  return tail.audits.map(([time, audit]) => ({ time, full: true, audit }));
}

/**
 * Why `record` must read the history to append `run` after the runs this tail describes (in a log of `segments`
 * segments, keeping `keepRuns` runs), or undefined when the tail and the run tell all it needs:
 * - a run of the same commit is in the history: the run can make earlier failures flaky (labelFlaky);
 * - the run is not the newest by time: the history's order puts it elsewhere;
 * - a failure the change cannot reach is judged by the newest run of the base commit, which is in the history;
 * - a compaction is due: boundHistory would drop or fold runs (history-limit, byte bounds), or the log has
 *   MAX_SEGMENTS segments.
 */
export function readNeeded(tail: TailDocument, run: RunRecord, keepRuns: number, segments: number): string | undefined {
  if (tailHasCommit(tail, run.commit)) return 'the history has a run of this commit';
  const commits = new Set(tail.runs.map((entry) => entry[2]));
  const last = tail.runs.at(-1);
  if (last && !(last[1] < run.time)) return 'the newest run of the history is not older than this run';
  if (run.base !== null && commits.has(run.base) && hasUnreachedFailure(run))
    return 'a failure the change does not reach is judged by the base commit, which the history has';
  const sizes = [...tail.runs, runEntry(run)].map((entry) => ({ bytes: entry[4], compacted: entry[5] === 1 }));
  if (!withinBounds(sizes, keepRuns) || segments >= MAX_SEGMENTS) return 'the history is due for compaction';
  return undefined;
}

/** The tail of a stored summary of `runs` runs, when it is well formed; undefined when anything is off. */
export function checkTail(value: unknown, runs: number): TailDocument | undefined {
  if (!isRecord(value)) return undefined;
  const { runs: entries, cases, window, audits } = value;
  if (!Array.isArray(entries) || entries.length !== runs || !entries.every(isTailRun)) return undefined;
  if (!Array.isArray(cases) || !cases.every(isCaseEntry)) return undefined;
  if (!Array.isArray(window) || window.length !== Math.min(runs, SLOW_RUNS)) return undefined;
  if (!window.every((item) => isWindowRun(item, cases.length))) return undefined;
  if (!Array.isArray(audits) || !audits.every(isAuditEntry)) return undefined;
  return value as unknown as TailDocument;
}

function runEntry(run: RunRecord): TailRun {
  return [runId(run), run.time, run.commit, testTimeOf(run), runBytes(run), run.compacted ? 1 : 0];
}

function auditEntry(run: RunRecord): [string, SafetyAudit][] {
  return run.full && run.audit ? [[run.time, run.audit]] : [];
}

function windowDocument(window: readonly (readonly TimedCase[])[]): Pick<TailDocument, 'cases' | 'window'> {
  const index = new Map<string, number>();
  const cases: [string, string][] = [];
  const runs = window.map((timed): [number[], number[]] => {
    const [indexes, seconds] = numberCases(timed, index, cases);
    return [packIndexes(indexes), seconds];
  });
  return { cases, window: runs };
}

/**
 * A run's timed cases as indexes into `cases` (by id and file, `index`: a case not there yet is added at the end)
 * and their durations.
 */
function numberCases(
  timed: readonly TimedCase[],
  index: Map<string, number>,
  cases: [string, string][],
): [number[], number[]] {
  const indexes: number[] = [];
  const seconds: number[] = [];
  for (const testCase of timed) {
    const key = `${testCase.id}\u0000${testCase.file}`;
    let at = index.get(key);
    if (at === undefined) {
      at = cases.length;
      index.set(key, at);
      cases.push([testCase.id, testCase.file]);
    }
    indexes.push(at);
    seconds.push(testCase.duration);
  }
  return [indexes, seconds];
}

/** The window's runs with their indexes unpacked (a checked tail's are well formed). */
function unpackedWindow(tail: TailDocument): [number[], number[]][] {
  return tail.window.map(([packed, seconds]) => [unpackIndexes(packed) ?? [], seconds]);
}

/**
 * Indexes as pairs (first, count) of ascending runs: a run's cases are mostly numbered one after the other (in report
 * order, as the run before), so a window of 1,000-case runs keeps a few numbers per run instead of a thousand.
 */
function packIndexes(indexes: readonly number[]): number[] {
  const packed: number[] = [];
  for (let k = 0; k < indexes.length; ) {
    let end = k + 1;
    while (end < indexes.length && indexes[end] === indexes[end - 1] + 1) end++;
    packed.push(indexes[k], end - k);
    k = end;
  }
  return packed;
}

/**
 * The indexes of packIndexes's pairs; undefined when they are not pairs of a count and a positive count, or give more
 * than `limit` indexes.
 */
function unpackIndexes(packed: readonly unknown[], limit = Number.POSITIVE_INFINITY): number[] | undefined {
  if (packed.length % 2 !== 0) return undefined;
  const indexes: number[] = [];
  for (let k = 0; k < packed.length; k += 2) {
    const [first, count] = [packed[k], packed[k + 1]];
    if (!isCount(first) || !isCount(count) || count === 0 || indexes.length + count > limit) return undefined;
    for (let i = 0; i < count; i++) indexes.push(first + i);
  }
  return indexes;
}

/** Whether a first-attempt failure of the run is in a file the change does not reach (labelFlaky's base rule). */
function hasUnreachedFailure(run: RunRecord): boolean {
  if (!run.reach || run.reachAll) return false;
  return run.cases.some(
    (testCase) =>
      (testCase.outcome === 'failed' || testCase.outcome === 'error') &&
      !testCase.retry &&
      testCase.file !== '' &&
      !(testCase.file in run.reach!),
  );
}

function isTailRun(value: unknown): boolean {
  if (!Array.isArray(value) || value.length !== 6) return false;
  const [id, time, commit, seconds, bytes, compacted] = value as unknown[];
  return (
    typeof id === 'string' &&
    typeof time === 'string' &&
    typeof commit === 'string' &&
    isSeconds(seconds) &&
    isCount(bytes) &&
    (compacted === 0 || compacted === 1)
  );
}

function isCaseEntry(value: unknown): boolean {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string';
}

function isWindowRun(value: unknown, cases: number): boolean {
  if (!Array.isArray(value) || value.length !== 2) return false;
  const [packed, seconds] = value as unknown[];
  if (!Array.isArray(packed) || !Array.isArray(seconds)) return false;
  const indexes = unpackIndexes(packed, seconds.length);
  return (
    indexes !== undefined &&
    indexes.length === seconds.length &&
    indexes.every((index) => index < cases) &&
    seconds.every(isSeconds)
  );
}

function isAuditEntry(value: unknown): boolean {
  return (
    Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && auditProblem(value[1]) === undefined
  );
}
