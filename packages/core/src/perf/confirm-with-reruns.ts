import type { RunStatistic } from './baseline-history.ts';
import type { BenchmarkSet, Confirmation } from './benchmark-types.ts';
import { overallVerdict, percent, type BenchmarkComparison, type Comparison } from './compare-benchmarks.ts';
import { compareWithHistory, type HistoryCompareOptions } from './compare-with-history.ts';

/**
 * Cross-run verdicts confirmed by re-runs in the PR's job. One run judged against stored runs cannot tell a lone
 * transient (load slowing one benchmark alone by +117% once, recorded on the development machine) from a 2x change:
 * both are one large move of one benchmark in one run. A re-run of that benchmark moments later can: a transient is
 * gone, a change is still there.
 *
 * Two stages. (1) Screening: the PR run against the history with the rule of compare-with-history.ts at the looser
 * SCREEN_ALPHA and without the heavy-tail guard (whose only job is to keep one-off lone moves from being flagged,
 * which the re-runs now do). (2) Confirmation: the flagged benchmarks are re-run `confirm-runs` times in the same job;
 * each re-run is judged against the same history by the same rule on its own value (the re-run runs the flagged
 * benchmarks alone, so it has no shift of its own to take out; the PR run's shift, measured at another moment, does
 * not apply to it: a PR run slowed as a whole by +60% would read a persisting 2x as +28%), at CONFIRM_ALPHA with
 * Holm over the flagged benchmarks. A
 * flag stands only when every re-run flags it the same way; otherwise it is inconclusive ("did not persist on
 * re-run") with the re-runs' numbers. Benchmarks the screen did not flag keep the one-stage verdict (α and the
 * tail guard as without confirmation), so confirmation can only remove flags the one-stage rule would raise, or add
 * ones that persisted. Both levels were chosen on the calibration recordings (bench/perf-aa-calibration.ts).
 */
export const SCREEN_ALPHA = 0.05;
/** Level of each re-run's test, Holm over the flagged benchmarks. */
export const CONFIRM_ALPHA = 0.05;
export const DEFAULT_CONFIRM_RUNS = 2;

const isFlag = (row: BenchmarkComparison) => row.verdict === 'regression' || row.verdict === 'improvement';

/** The rule's options, and the two stages' levels (overridden by the calibration bench only). */
export interface ConfirmOptions extends HistoryCompareOptions {
  screenAlpha?: number;
  confirmAlpha?: number;
  /** Take the PR run's shift out of the re-runs too (the first form; the calibration bench compares). */
  rerunShift?: boolean;
}

const levels = (options: ConfirmOptions) => ({
  screenAlpha: Math.max(options.alpha ?? 0.01, options.screenAlpha ?? SCREEN_ALPHA),
  confirmAlpha: options.confirmAlpha ?? CONFIRM_ALPHA,
});

/** The options of the screening stage. */
function screenOptions(options: ConfirmOptions): HistoryCompareOptions {
  return { ...options, alpha: levels(options).screenAlpha, tailGuard: false };
}

/** The benchmarks the screening stage flags: the ones to re-run. */
export function benchmarksToConfirm(
  history: readonly Record<string, RunStatistic>[],
  current: BenchmarkSet,
  options: ConfirmOptions = {},
): string[] {
  return compareWithHistory(history, current, screenOptions(options))
    .benchmarks.filter(isFlag)
    .map((row) => row.name);
}

/** The PR run with the re-run's values of `names` in place of its own (a name the re-run lacks is left out). */
function withRerunValues(current: BenchmarkSet, rerun: BenchmarkSet, names: ReadonlySet<string>): BenchmarkSet {
  const again = new Map(rerun.benchmarks.map((benchmark) => [benchmark.name, benchmark]));
  return {
    ...current,
    source: rerun.source,
    benchmarks: current.benchmarks.flatMap((benchmark) => {
      if (!names.has(benchmark.name)) return [benchmark];
      const value = again.get(benchmark.name);
      return value ? [{ ...value, label: benchmark.label }] : [];
    }),
  };
}

/**
 * A re-run's change as the verdict judged it and, when the run's shift made them differ, its own value against the
 * baseline runs' median (a re-run slowed less than the PR run's other benchmarks is +0% after their shift).
 */
function rerunWords(rerun: BenchmarkComparison | undefined): string {
  if (rerun?.change === undefined) return 'not in its results';
  const own =
    rerun.current !== undefined && rerun.baseline !== undefined ? rerun.current / rerun.baseline - 1 : undefined;
  return own !== undefined && Math.abs(own - rerun.change) >= 0.005
    ? `${percent(rerun.change)} (own value ${percent(own)})`
    : percent(rerun.change);
}

/** The two-stage verdicts: screen the PR run, keep a flag only when every re-run (BenchmarkSets) shows it too. */
export function confirmWithReruns(
  history: readonly Record<string, RunStatistic>[],
  current: BenchmarkSet,
  reruns: readonly BenchmarkSet[],
  options: ConfirmOptions = {},
): Comparison {
  const { screenAlpha, confirmAlpha } = levels(options);
  const oneStage = compareWithHistory(history, current, options);
  const screen = compareWithHistory(history, current, screenOptions(options));
  const flagged = new Map(screen.benchmarks.filter(isFlag).map((row) => [row.name, row]));
  const names = new Set(flagged.keys());
  const judged = reruns.map((rerun) => {
    const present = new Set(rerun.benchmarks.map((b) => b.name));
    const family = [...names].filter((name) => present.has(name));
    // A re-run of the flagged benchmarks alone has no shift of its own to take out (the PR run's was measured at
    // another moment): it is judged on its own value against the stored runs' whole run-to-run spread.
    const comparison = compareWithHistory(history, withRerunValues(current, rerun, names), {
      ...options,
      alpha: confirmAlpha,
      tailGuard: false,
      family,
      driftCorrection: options.rerunShift === true && options.driftCorrection !== false,
    });
    return new Map(comparison.benchmarks.filter((row) => names.has(row.name)).map((row) => [row.name, row]));
  });
  let confirmed = 0;
  const benchmarks = oneStage.benchmarks.map((row): BenchmarkComparison => {
    const first = flagged.get(row.name);
    if (!first) return row;
    const again = judged.map((rows) => rows.get(row.name));
    const changes = again.map((rerun) => rerun?.change ?? Number.NaN);
    const words = again.map((rerun, i) => `${i + 1}: ${rerunWords(rerun)}`).join(', ');
    const persisted = again.length > 0 && again.every((rerun) => rerun?.verdict === first.verdict);
    if (persisted) {
      confirmed++;
      return {
        ...first,
        confirmChanges: changes,
        reason: `${first.reason}; persisted in ${again.length} re-run${again.length === 1 ? '' : 's'} in this job (${words})`,
      };
    }
    return {
      ...first,
      verdict: 'inconclusive',
      confirmChanges: changes,
      reason: `${percent(first.change ?? 0)} in this run, but it did not persist on re-run (re-run ${words}; each re-run must be outside the baseline runs' noise the same way, α=${confirmAlpha})`,
    };
  });
  return {
    ...oneStage,
    verdict: overallVerdict(benchmarks),
    benchmarks,
    confirmation: {
      reruns: reruns.length,
      flagged: flagged.size,
      confirmed,
      screenAlpha,
      confirmAlpha,
    },
  };
}

/** The one-stage verdicts, noting that no re-run confirmed them (and why). */
export function unconfirmed(
  history: readonly Record<string, RunStatistic>[],
  current: BenchmarkSet,
  options: ConfirmOptions,
  why: NonNullable<Confirmation['unavailable']>,
): Comparison {
  const { screenAlpha: _screen, confirmAlpha: _confirm, ...rule } = options;
  const comparison = compareWithHistory(history, current, rule);
  const flagged = comparison.benchmarks.filter(isFlag).length;
  return {
    ...comparison,
    confirmation: {
      reruns: 0,
      flagged,
      confirmed: 0,
      ...levels(options),
      unavailable: why,
    },
  };
}
