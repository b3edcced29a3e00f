import { UserError } from '../errors/index.ts';
import { parseDuration } from '../inputs/index.ts';

/** How much of the suite to run: everything, enough for an estimated recall, a time box, or a share of the time. */
export type Budget =
  | { kind: 'all' }
  | { kind: 'recall'; target: number }
  | { kind: 'time'; seconds: number }
  | { kind: 'fraction'; fraction: number };

/** Parses `all | recall:0.99 | time:5m | fraction:0.3`; a bad value is a UserError naming the input. */
export function parseBudget(text: string, input = 'budget'): Budget {
  const value = text.trim().toLowerCase();
  const fix = `Use 'all', 'recall:0.99' (estimated recall), 'time:5m' (a time box) or 'fraction:0.3' (share of test time).`;
  if (value === '' || value === 'all') return { kind: 'all' };
  const [kind, rest] = [value.slice(0, value.indexOf(':')), value.slice(value.indexOf(':') + 1)];
  if (kind === 'recall' || kind === 'fraction') {
    const number = Number(rest);
    if (rest === '' || !(number > 0 && number <= 1)) {
      throw new UserError(
        `Input '${input}' has value '${text}': the ${kind} must be a number above 0 and at most 1. ${fix}`,
      );
    }
    return kind === 'recall' ? { kind, target: number } : { kind, fraction: number };
  }
  if (kind === 'time') {
    const ms = parseDuration(rest);
    if (ms === undefined || !(ms > 0)) {
      throw new UserError(
        `Input '${input}' has value '${text}': '${rest}' is not a duration such as '90s', '5m' or '1h'. ${fix}`,
      );
    }
    return { kind, seconds: ms / 1000 };
  }
  throw new UserError(`Input '${input}' has value '${text}', which is not a budget. ${fix}`);
}

/** The budget as text, for summaries and the model file. */
export function formatBudget(budget: Budget): string {
  switch (budget.kind) {
    case 'all':
      return 'all';
    case 'recall':
      return `recall:${budget.target}`;
    case 'time':
      return `time:${budget.seconds}s`;
    case 'fraction':
      return `fraction:${budget.fraction}`;
  }
}

/** A candidate test file with its score. */
export interface ScoredTest {
  file: string;
  probability: number;
  /** Expected seconds (median of the file's last runs, or an estimate for new files). */
  duration: number;
  /** Why it must run (changed test file, failed on the base, always-run), or undefined. */
  mustRun?: string;
  /** True when test-filter's import graph reaches it from the change. */
  graphReached: boolean;
}

/** A selection under a budget. */
export interface BudgetSelection {
  /** Selected files in run order (fail-fast order). */
  selected: string[];
  /** Graph-reached files the budget left out (only time and fraction budgets may do that). */
  droppedReached: string[];
  /** Share of the expected failures the selection catches, by the model's probabilities. */
  estimatedRecall: number;
  /** Expected seconds of the selection and of all candidates. */
  selectedSeconds: number;
  totalSeconds: number;
}

/** Durations below this count as this much, so a test reported at 0 s does not get an infinite rate. */
const MIN_SECONDS = 0.01;

/** Expected failures found per second of the test's expected time. */
export function failuresPerSecond(test: Pick<ScoredTest, 'probability' | 'duration'>): number {
  return test.probability / Math.max(MIN_SECONDS, test.duration);
}

/**
 * Fail-fast order, cost-aware: must-run tests first (a changed test file, one that failed on the base: they run
 * whatever the budget and are the likeliest to fail), then most expected failures per second (the greedy answer to
 * "most failures found within a time box"), then the likelier, then the cheaper, then by name for determinism.
 */
export function failFastOrder(tests: readonly ScoredTest[]): ScoredTest[] {
  return [...tests].sort(
    (a, b) =>
      Number(b.mustRun !== undefined) - Number(a.mustRun !== undefined) ||
      failuresPerSecond(b) - failuresPerSecond(a) ||
      b.probability - a.probability ||
      a.duration - b.duration ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0),
  );
}

/**
 * Applies a budget. Must-run tests are always in. `all` and `recall:` budgets also keep every test the import graph
 * reaches (they only add by probability); `time:` and `fraction:` are hard boxes the user chose, so they may leave
 * graph-reached tests out, and those are listed.
 */
export function selectForBudget(tests: readonly ScoredTest[], budget: Budget): BudgetSelection {
  const ordered = failFastOrder(tests);
  const totalSeconds = sum(ordered.map((t) => t.duration));
  const totalP = sum(ordered.map((t) => t.probability));
  const chosen = new Set<string>();
  let seconds = 0;
  let caughtP = 0;
  const take = (test: ScoredTest) => {
    if (chosen.has(test.file)) return;
    chosen.add(test.file);
    seconds += test.duration;
    caughtP += test.probability;
  };
  for (const test of ordered) if (test.mustRun) take(test);
  switch (budget.kind) {
    case 'all':
      for (const test of ordered) take(test);
      break;
    case 'recall':
      for (const test of ordered) if (test.graphReached) take(test);
      for (const test of ordered) {
        if (totalP <= 0 || caughtP / totalP >= budget.target - 1e-12) break;
        take(test);
      }
      break;
    case 'time':
    case 'fraction': {
      const box = budget.kind === 'time' ? budget.seconds : budget.fraction * totalSeconds;
      // First fit in fail-fast order: a test that does not fit is skipped, cheaper ones after it may still fit.
      for (const test of ordered) if (!chosen.has(test.file) && seconds + test.duration <= box + 1e-9) take(test);
      break;
    }
  }
  const selected = ordered.filter((t) => chosen.has(t.file)).map((t) => t.file);
  return {
    selected,
    droppedReached: ordered.filter((t) => t.graphReached && !chosen.has(t.file)).map((t) => t.file),
    estimatedRecall: totalP > 0 ? Math.min(1, caughtP / totalP) : 1,
    selectedSeconds: seconds,
    totalSeconds,
  };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
