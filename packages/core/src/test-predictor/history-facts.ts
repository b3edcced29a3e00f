import type { RunRecord } from '../test-history/index.ts';
import type { HistoryStats } from './features.ts';
import { realFailedFiles, type FlakyLabels } from './flaky.ts';
import { slowTests, type SlowTest } from './slow-tests.ts';

/**
 * What a prediction reads from the history: the per-file statistics and a few answers about the runs. Made from the
 * runs themselves (factsOfHistory), or read from the summary `record` stores beside the history (history-summary.ts),
 * so that a prediction need not parse every run. Both give the same answers for the same history.
 */
export interface HistoryFacts {
  /** Runs in the history. */
  runs: number;
  /** Runs with a known diff and test cases (min-history counts these). */
  usableRuns: number;
  stats: HistoryStats;
  /** The files of `files` that a case of the history names. */
  filesSeen(files: readonly string[]): Set<string>;
  /** The files that failed for real in the newest run of `commit` (none when no run has it). */
  failedOn(commit: string): Set<string>;
  /** The test time (seconds, retries left out) of each of the newest RECENT_RUNS runs that took any. */
  recentTotals(): number[];
  /** The test files the newest RECENT_RUNS runs name, sorted. */
  recentFiles(): string[];
  /** Test cases slower than `thresholdSeconds` (slow-tests.ts); undefined when these facts cannot say. */
  slowTests(thresholdSeconds: number): SlowTest[] | undefined;
  /** The runs, when the facts were made from them (case granularity and choosing a simple ranking replay them). */
  history?: readonly RunRecord[];
  /** The history's flaky failures (caseKey()s), when known without labelling the runs (a stored summary). */
  flakyFailures?: ReadonlySet<string>;
}

/** How many of the newest runs recentTotals and recentFiles look at. */
export const RECENT_RUNS = 20;

/** The facts of a history, worked out from its runs (each answer when asked). */
export function factsOfHistory(history: readonly RunRecord[], flaky: FlakyLabels, stats: HistoryStats): HistoryFacts {
  return {
    runs: history.length,
    usableRuns: usableRunsOf(history),
    stats,
    filesSeen: (files) => filesInHistory(history, files),
    failedOn: (commit) => {
      const onCommit = history.findLast((run) => run.commit === commit);
      return onCommit ? realFailedFiles(flaky, onCommit) : new Set();
    },
    recentTotals: () => recentTotalsOf(history),
    recentFiles: () => recentFilesOf(history),
    slowTests: (threshold) => slowTests(history, threshold),
    history,
  };
}

/** Runs with a known diff and test cases. */
export function usableRunsOf(history: readonly RunRecord[]): number {
  return history.filter((run) => run.changes !== null && run.cases.length > 0).length;
}

/** The files of `files` that a case of the history names: newest runs first, stopping once every one is found. */
function filesInHistory(history: readonly RunRecord[], files: readonly string[]): Set<string> {
  const wanted = new Set(files);
  const found = new Set<string>();
  for (let r = history.length - 1; r >= 0 && found.size < wanted.size; r--) {
    for (const testCase of history[r].cases) if (wanted.has(testCase.file)) found.add(testCase.file);
  }
  return found;
}

export function recentTotalsOf(history: readonly RunRecord[]): number[] {
  const totals: number[] = [];
  for (const run of history.slice(-RECENT_RUNS)) {
    const total = testTimeOf(run);
    if (total > 0) totals.push(total);
  }
  return totals;
}

/** The test time of a run in seconds, retries left out. */
export function testTimeOf(run: RunRecord): number {
  let total = 0;
  for (const testCase of run.cases) total += testCase.retry ? 0 : testCase.duration;
  return total;
}

export function recentFilesOf(history: readonly RunRecord[]): string[] {
  const files = new Set<string>();
  for (const run of history.slice(-RECENT_RUNS)) for (const testCase of run.cases) files.add(testCase.file);
  files.delete('');
  return [...files].sort();
}
