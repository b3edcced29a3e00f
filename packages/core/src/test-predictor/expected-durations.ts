import type { Store, StoreEntry } from '../store/index.ts';
import { readHistory } from '../test-history/index.ts';
import { HistoryStats } from './features.ts';
import { readSummaryDocument, summaryFactsOf } from './history-summary.ts';

/** Each test file's expected duration in seconds, and where it was read from. */
export interface ExpectedDurations {
  durations: Map<string, number>;
  /** `summary`: the summary record stores beside the history (a few kilobytes); `history`: every run was read. */
  source: 'summary' | 'history';
  /** Runs in the history. */
  runs: number;
}

/**
 * The duration test-predictor expects of each test file of the history in `store` (HistoryStats.duration: the median
 * of its last runs, retries left out), for other engines that measure by time (test-filter's reduction and time
 * saved). Read from the history's stored summary when it describes the history now, so a job that composes
 * test-filter with test-predictor does not parse every run; otherwise from the runs (unusable lines reported through
 * `warn`). `listed`: the caller's listing of the store's test-predictor folder, when it has one. Store faults are
 * thrown: the caller decides what they cost.
 */
export async function expectedFileDurations(
  store: Store,
  warn: (message: string) => void,
  listed?: readonly StoreEntry[],
): Promise<ExpectedDurations> {
  const facts = summaryFactsOf(await readSummaryDocument(store, listed));
  if (facts) return { durations: durationsOf(facts.stats), source: 'summary', runs: facts.runs };
  const history = await readHistory(store, warn);
  // Durations do not depend on failures or flaky labels: the statistics are folded without them.
  const stats = new HistoryStats();
  for (const run of history) stats.add(run, new Set());
  return { durations: durationsOf(stats), source: 'history', runs: history.length };
}

function durationsOf(stats: HistoryStats): Map<string, number> {
  const durations = new Map<string, number>();
  for (const file of stats.knownFiles()) {
    const seconds = stats.duration(file);
    if (seconds !== undefined) durations.set(file, seconds);
  }
  return durations;
}
