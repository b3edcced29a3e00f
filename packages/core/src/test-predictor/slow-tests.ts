import type { CaseRecord, RunRecord } from '../test-history/index.ts';
import { median } from './budget.ts';

/** A slow test case (a `@pytest.mark.slow` candidate). */
export interface SlowTest {
  id: string;
  file: string;
  seconds: number;
}

/** How many of the newest runs a case's median duration is taken over. */
export const SLOW_RUNS = 10;

/** A case as the medians see it. */
export type TimedCase = Pick<CaseRecord, 'id' | 'file' | 'duration'>;

/** The cases of a run the medians take (retries and skips left out), in report order. */
export function timedCases(run: RunRecord): CaseRecord[] {
  return run.cases.filter((testCase) => !testCase.retry && testCase.outcome !== 'skipped');
}

/** Test cases whose median duration over their last runs exceeds the threshold, slowest first. */
export function slowTests(history: readonly RunRecord[], thresholdSeconds: number): SlowTest[] {
  const runs = history.slice(-SLOW_RUNS);
  // A median is never above the largest value: only ids with a run above the threshold can be slow.
  const over = new Set<string>();
  for (const run of runs) {
    for (const testCase of run.cases) {
      if (testCase.duration > thresholdSeconds && !testCase.retry && testCase.outcome !== 'skipped')
        over.add(testCase.id);
    }
  }
  if (over.size === 0) return [];
  return slowestFirst(
    medianDurations(
      runs.map((run) => timedCases(run)),
      (id) => over.has(id),
    ),
    thresholdSeconds,
  );
}

/**
 * Each case's median duration over the newest runs (retries and skips left out) and its file, for the cases whose
 * median exceeds `floorSeconds`: slowTests for any threshold from the floor up, without the runs (history-summary.ts).
 */
export function slowCandidates(history: readonly RunRecord[], floorSeconds: number): SlowTest[] {
  return windowCandidates(
    history.slice(-SLOW_RUNS).map((run) => timedCases(run)),
    floorSeconds,
  );
}

/** slowCandidates from the timed cases of the newest SLOW_RUNS runs (oldest first), kept without the runs. */
export function windowCandidates(window: readonly (readonly TimedCase[])[], floorSeconds: number): SlowTest[] {
  // A median is never above the largest value: only ids with a run above the floor can be candidates.
  const over = new Set<string>();
  for (const cases of window) for (const testCase of cases) if (testCase.duration > floorSeconds) over.add(testCase.id);
  if (over.size === 0) return [];
  return medianDurations(window, (id) => over.has(id)).filter((test) => test.seconds > floorSeconds);
}

/** slowTests from slowCandidates whose floor is at most the threshold. */
export function slowestFirst(candidates: readonly SlowTest[], thresholdSeconds: number): SlowTest[] {
  const slow: SlowTest[] = [];
  for (const { id, file, seconds } of candidates) {
    if (seconds > thresholdSeconds) slow.push({ id, file, seconds: Math.round(seconds * 1000) / 1000 });
  }
  return slow.sort((a, b) => b.seconds - a.seconds || (a.id < b.id ? -1 : 1));
}

/** The median duration (unrounded) and the file of each case `wanted` accepts, in order of first appearance. */
function medianDurations(runs: readonly (readonly TimedCase[])[], wanted: (id: string) => boolean): SlowTest[] {
  const recent = new Map<string, { file: string; seconds: number[] }>();
  for (const cases of runs) {
    for (const testCase of cases) {
      if (!wanted(testCase.id)) continue;
      const entry = recent.get(testCase.id) ?? { file: testCase.file, seconds: [] };
      entry.seconds.push(testCase.duration);
      recent.set(testCase.id, entry);
    }
  }
  return [...recent].map(([id, entry]) => ({ id, file: entry.file, seconds: median(entry.seconds) }));
}
