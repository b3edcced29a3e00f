import type { RunStatistic } from './baseline-history.ts';
import type { BenchmarkSet, HistoryNoise } from './benchmark-types.ts';
import {
  percent,
  overallVerdict,
  unjudgedRow,
  type BenchmarkComparison,
  type Comparison,
} from './compare-benchmarks.ts';
import { runStatistics } from './baseline-history.ts';
import { holmAdjust, median, studentTCdf, studentTQuantile } from './statistics.ts';

/**
 * Cross-run verdicts: a PR's run judged against the default branch's last runs, the run being the unit of
 * evidence. On a shared runner a whole run moves by more than its rounds vary (load, neighbours, CPU frequency),
 * so a test over rounds calls that movement a change; here each benchmark's run-to-run spread is measured on
 * the history and the PR's run must fall outside a prediction interval of it.
 *
 * Model, on the log scale: log x[r][b] = mu[b] + d[r] + e[r][b]. `d[r]` is the shift a whole run shares across
 * benchmarks (machine speed of that moment), estimated robustly (median over benchmarks) when at least three
 * benchmarks are compared; `e` is the benchmark's own run-to-run noise with spread s[b]. In the PR run, the shift a
 * benchmark is judged against is the median of the *other* benchmarks' changes: a benchmark the PR changed never
 * moves its own reference, however the run went. A PR run's residual is compared with the t prediction interval
 * s[b] * sqrt(1 + 1/n) on n - 1 (+ prior) degrees of freedom; the p-values are Holm-corrected over the benchmarks.
 *
 * The noise is a mixture, not a bell: most of the time a benchmark sits at its level within a few percent, and now
 * and then load slows one benchmark alone by 20-75% (its fastest round included). So the history's residuals of
 * all benchmarks and runs are pooled twice. (1) Their robust spread (scaled median absolute residual) is the noise
 * of a benchmark at its level, many more points than one benchmark's five; each benchmark's own spread is moderated
 * towards it. (2) Their extremes are the heavy tail: a change must lie beyond the lone moves benchmarks made in the
 * stored runs more than once (the second largest: a one-off, such as an A/A run with one benchmark alone +140%, must
 * not blind the guard for the next 30 runs), by one tail scale (the mean excess of the next five over the one after)
 * — a history that shows "+50% alone now and then" does not flag +52%.
 *
 * Drift correction can only explain a change away. A benchmark whose own value did not move the same way by
 * min-change is never flagged (issue: unchanged code labelled a regression). And load only slows a run: in a PR
 * run the machine slowed, a benchmark that is merely less slowed than the others escaped the load, it did not get
 * faster; an improvement must then show in its own value (the shift is not taken out of improvements when it is
 * a slowdown). On the recorded A/A runs, those improvements were the false flags of a shift-corrected rule.
 */

export interface HistoryCompareOptions {
  alpha?: number;
  minChange?: number;
  ignore?: readonly string[];
  driftCorrection?: boolean;
  /** Runs needed to estimate a benchmark's noise; with fewer, only a change beyond any plausible noise counts. */
  minRuns?: number;
  /** The ratio a single shared-runner run can plausibly move by: with too few runs, flagged only beyond it. */
  plausibleNoise?: number;
  /**
   * The heavy-tail guard against lone moves (default on). Off for the screening stage of a confirmed verdict and for
   * its re-runs: there a re-run of the benchmark screens out the one-off moves the guard stands in for.
   */
  tailGuard?: boolean;
  /** The benchmarks tested (the Holm family); default all. Re-runs of flagged benchmarks test those alone. */
  family?: readonly string[];
  /** Overrides of the calibrated constants (PRIOR_DF, NOISE_FLOOR), for the calibration bench. */
  priorDf?: number;
  noiseFloor?: number;
}

export const DEFAULT_MIN_HISTORY_RUNS = 5;
/** Weight, in runs, of the pooled at-level spread in each benchmark's spread. */
const PRIOR_DF = 4;
/** How many of the pooled residuals' largest estimate the heavy tail's scale (their mean excess over the next). */
const TAIL_POINTS = 5;
/** The largest lone moves the tail guard leaves out as one-offs: it stands on a move seen at least twice. */
const TAIL_ONE_OFFS = 1;
/** Residuals of a benchmark at its level: median absolute residual × 1.4826 is a normal's standard deviation. */
const MAD_TO_SD = 1.4826;
/** The least run-to-run spread (log scale) assumed for timings on a shared runner. */
const NOISE_FLOOR = 0.12;
/** Shared runners move a benchmark by 20-125% between runs: only a 3x change is beyond that without history. */
export const PLAUSIBLE_RUN_NOISE = 3;

export function compareWithHistory(
  history: readonly Record<string, RunStatistic>[],
  current: BenchmarkSet,
  options: HistoryCompareOptions = {},
): Comparison {
  const alpha = options.alpha ?? 0.01;
  const minChange = options.minChange ?? 0.05;
  const minRuns = Math.max(2, options.minRuns ?? DEFAULT_MIN_HISTORY_RUNS);
  const plausible = options.plausibleNoise ?? PLAUSIBLE_RUN_NOISE;
  const ignore = options.ignore ?? [];
  const pr = runStatistics(current);
  const names = [...new Set([...Object.keys(pr), ...history.flatMap((run) => Object.keys(run))])];
  const matches = (stat: RunStatistic | undefined, name: string) =>
    stat !== undefined &&
    stat.unit === pr[name].unit &&
    (stat.statistic ?? 'value') === (pr[name].statistic ?? 'value');
  const comparable = Object.keys(pr).filter((name) => history.some((run) => matches(run[name], name)));

  // Robust two-way fit of the history: benchmark levels mu and per-run shifts d (two rounds of medians).
  const logs = history.map(
    (run) =>
      new Map(comparable.filter((name) => matches(run[name], name)).map((name) => [name, Math.log(run[name].value)])),
  );
  const drift = options.driftCorrection ?? true;
  let runShift = history.map(() => 0);
  let mu = new Map<string, number>();
  for (let round = 0; round < 2; round++) {
    mu = new Map(
      comparable.map((name) => [
        name,
        median(logs.flatMap((run, r) => (run.has(name) ? [run.get(name)! - runShift[r]] : []))),
      ]),
    );
    if (!drift) break;
    runShift = logs.map((run) => (run.size >= 3 ? median([...run].map(([name, value]) => value - mu.get(name)!)) : 0));
  }
  const prChange = new Map(comparable.map((name) => [name, Math.log(pr[name].value) - mu.get(name)!]));
  const prShift = drift && comparable.length >= 3 ? median([...prChange.values()]) : 0;
  /** The PR run's shift as the other benchmarks show it (median of their changes). */
  const shiftWithout = (name: string) => {
    const others = comparable.filter((other) => other !== name).map((other) => prChange.get(other)!);
    return drift && others.length >= 2 ? median(others) : 0;
  };

  interface Fit {
    n: number;
    spread: number;
    residual: number;
    raw: number;
    /** The shift taken out (0 when it is a slowdown of the others that this benchmark escaped). */
    shift: number;
    /** The PR run was slowed as a whole and this benchmark only escaped it: judged on its own value. */
    escapedSlowdown: boolean;
    p: number;
    low: number;
    high: number;
    /** A heavy-tail guard that keeps the change from being flagged: within a stored run, or a lone move's reach. */
    heldBack?: 'stored-run' | 'lone-move';
    /** The move (log) the change must pass to be beyond the lone moves of the stored runs. */
    tailBound: number;
  }
  const fits = new Map<string, Fit>();
  const residualsOf = (name: string) =>
    logs.flatMap((run, r) => (run.has(name) ? [run.get(name)! - mu.get(name)! - runShift[r]] : []));
  const variance = (residuals: number[]) => residuals.reduce((sum, e) => sum + e * e, 0) / (residuals.length - 1);
  // A benchmark's spread from a handful of runs is itself uncertain: it is moderated towards the spread at their
  // level of all benchmarks pooled (an empirical-Bayes prior worth PRIOR_DF runs, as limma does for gene-wise
  // variances). The pooled spread is robust (median absolute residual), so the lone slowdowns of some benchmarks
  // do not widen every benchmark's interval; they are the tail guard's business below, and a benchmark that is
  // slowed often keeps the width of its own residuals.
  const pooled = comparable
    .map(residualsOf)
    .filter((residuals) => residuals.length >= 2)
    .flat();
  const atLevel = MAD_TO_SD * median(pooled.map(Math.abs));
  const prior = comparable.length >= 3 && pooled.length > 0 ? atLevel ** 2 : undefined;
  const tail = heavyTail(pooled);
  for (const name of comparable) {
    const timing = pr[name].unit !== 'instructions';
    const residuals = residualsOf(name);
    const n = residuals.length;
    const priorDf = prior !== undefined && prior > 0 ? (options.priorDf ?? PRIOR_DF) : 0;
    const df = n - 1 + priorDf;
    const spread = n >= 2 ? Math.sqrt(((n - 1) * variance(residuals) + priorDf * (prior ?? 0)) / df) : Number.NaN;
    const raw = prChange.get(name)!;
    const othersShift = shiftWithout(name);
    // Log direction of "slower": positive for times, negative for throughputs.
    const slower = pr[name].biggerIsBetter ? -1 : 1;
    const escapedSlowdown = othersShift * slower > 0 && (raw - othersShift) * slower < 0;
    const shift = escapedSlowdown ? 0 : othersShift;
    const residual = escapedSlowdown ? slower * Math.min(0, slower * raw) : raw - othersShift;
    let p = 1;
    let low = -Infinity;
    let high = Infinity;
    if (n >= 2 && spread > 0) {
      // A few quiet runs do not show how much a disturbed run moves: the spread of timings is never taken below
      // NOISE_FLOOR.
      const own = Math.max(spread, timing ? (options.noiseFloor ?? NOISE_FLOOR) : 0);
      const scale = Math.sqrt(own ** 2 + spread ** 2 / n);
      p = Math.min(1, 2 * (1 - studentTCdf(Math.abs(residual) / scale, df)));
      const t = studentTQuantile(1 - alpha / 2, df);
      low = -t * scale;
      high = t * scale;
    } else if (n >= 2) {
      p = residual === 0 ? 1 : 0;
    }
    // Heavy tails (a burst of load during one benchmark of one run) break the normal model now and then: a change
    // must also lie beyond every baseline run by min-change, both after the shift and in the benchmark's own value.
    // A PR run no worse than the worst stored run is never flagged, and neither is a value that unchanged code
    // already reached in a stored run (load slowing one benchmark alone by 50-60% happens on a busy machine).
    // Nor is a move no larger than the largest lone move of any benchmark in the stored runs plus one tail scale.
    const ownChanges = logs.flatMap((run) => (run.has(name) ? [run.get(name)! - mu.get(name)!] : []));
    const margin = Math.log1p(minChange);
    const beyondStored =
      residual > 0
        ? residual > Math.max(...residuals) + margin && raw > Math.max(...ownChanges) + margin
        : residual < Math.min(...residuals) - margin && raw < Math.min(...ownChanges) - margin;
    const tailBound =
      residual > 0 ? tail.high + Math.max(margin, tail.highScale) : tail.low - Math.max(margin, tail.lowScale);
    const beyondTail = options.tailGuard === false || (residual > 0 ? residual > tailBound : residual < tailBound);
    const heldBack = !beyondStored ? ('stored-run' as const) : !beyondTail ? ('lone-move' as const) : undefined;
    if (heldBack) p = 1;
    fits.set(name, { n, spread, residual, raw, shift, escapedSlowdown, p, low, high, heldBack, tailBound });
  }
  const family = options.family ? new Set(options.family) : undefined;
  const tested = [...fits.entries()].filter(([name, fit]) => fit.n >= minRuns && (family?.has(name) ?? true));
  const adjusted = holmAdjust(tested.map(([, fit]) => fit.p));
  const adjustedByName = new Map(tested.map(([name], i) => [name, adjusted[i]]));

  const benchmarks = names.map((name): BenchmarkComparison => {
    const reference = pr[name] ?? history.find((run) => run[name])![name];
    const historyValues = history.flatMap((run) => (run[name] ? [run[name].value] : []));
    const base: BenchmarkComparison = {
      ...unjudgedRow(name, { unit: reference.unit, biggerIsBetter: reference.biggerIsBetter }, ignore),
      baseline: historyValues.length > 0 ? median(historyValues) : undefined,
      current: pr[name]?.value,
      baselineCount: historyValues.length,
      currentCount: pr[name] ? 1 : undefined,
    };
    if (!pr[name]) return { ...base, reason: 'removed: in the baseline runs only' };
    const fit = fits.get(name);
    if (!fit) {
      return historyValues.length === 0
        ? { ...base, reason: 'new benchmark: no baseline run to compare with' }
        : { ...base, reason: `unit changed: the baseline runs measured it in another unit than '${pr[name].unit}'` };
    }
    const change = Math.expm1(fit.residual);
    const rawChange = Math.expm1(fit.raw);
    const driftText = fit.escapedSlowdown
      ? ` on its own value (the other benchmarks moved by ${percent(Math.expm1(shiftWithout(name)))}: a slowdown this one escaped)`
      : fit.shift !== 0
        ? ` after the other benchmarks' common shift of ${percent(Math.expm1(fit.shift))}`
        : '';
    const noise = Number.isFinite(fit.spread) ? Math.expm1(fit.spread) : undefined;
    const row: BenchmarkComparison = {
      ...base,
      change,
      pValue: fit.n >= minRuns ? fit.p : undefined,
      adjustedP: adjustedByName.get(name),
      method: 'run-history',
      noise,
    };
    const worse = reference.biggerIsBetter ? change < 0 : change > 0;
    const sameWay = Math.sign(rawChange) === Math.sign(change) && Math.abs(rawChange) >= minChange;
    const noiseText =
      noise !== undefined
        ? `run-to-run noise ±${percent(noise, false)} over ${fit.n} baseline run${fit.n === 1 ? '' : 's'}`
        : `${fit.n} baseline run`;
    if (Math.abs(change) < minChange || (!sameWay && Math.abs(rawChange) < minChange)) {
      return {
        ...row,
        verdict: 'unchanged',
        reason: `${percent(change)}${driftText} (own value ${percent(rawChange)}), below min-change ${percent(minChange, false)}; ${noiseText}`,
      };
    }
    if (fit.n < minRuns) {
      const beyond =
        Math.abs(fit.residual) >= Math.log(plausible) && Math.abs(fit.raw) >= Math.log(plausible) && sameWay;
      if (beyond) {
        return {
          ...row,
          verdict: worse ? 'regression' : 'improvement',
          reason: `${percent(change)}${driftText}: beyond any plausible run-to-run noise (${plausible}x), though only ${noiseText}`,
        };
      }
      return {
        ...row,
        verdict: 'inconclusive',
        reason: `${percent(change)}${driftText}, but only ${fit.n} of the ${minRuns} baseline runs needed to know this benchmark's run-to-run noise`,
      };
    }
    const adjustedP = adjustedByName.get(name) ?? 1;
    if (fit.heldBack) {
      const guard =
        fit.heldBack === 'stored-run'
          ? `no further than ${fit.residual > 0 ? 'the slowest' : 'the fastest'} of the ${fit.n} baseline runs of this benchmark (by min-change)`
          : `not beyond how far benchmarks moved alone in the ${fit.n} baseline runs (${percent(Math.expm1(fit.residual > 0 ? tail.high : tail.low))} or more, twice; a change must pass ${percent(Math.expm1(fit.tailBound))})`;
      return {
        ...row,
        verdict: 'inconclusive',
        reason: `${percent(change)}${driftText}, ${guard}; ${noiseText}`,
      };
    }
    if (adjustedP >= alpha) {
      return {
        ...row,
        verdict: 'inconclusive',
        reason: `${percent(change)}${driftText}, within ${noiseText} (p=${adjustedP < 0.001 ? '<0.001' : adjustedP.toFixed(3)}, Holm over ${tested.length} ≥ α=${alpha})`,
      };
    }
    if (!sameWay) {
      return {
        ...row,
        verdict: 'inconclusive',
        reason: `${percent(change)}${driftText}, but its own value changed by ${percent(rawChange)}: the difference is the other benchmarks' shift, not this one's`,
      };
    }
    return {
      ...row,
      verdict: worse ? 'regression' : 'improvement',
      reason: `${percent(change)}${driftText}, outside ${noiseText} (p=${adjustedP < 0.0001 ? '<0.0001' : adjustedP.toFixed(4)}, Holm over ${tested.length} < α=${alpha})`,
    };
  });

  const spreads = [...fits.values()].filter((fit) => Number.isFinite(fit.spread)).map((fit) => fit.spread);
  const historyNoise: HistoryNoise = {
    runs: Math.max(0, ...[...fits.values()].map((fit) => fit.n)),
    minRuns,
    noise: spreads.length > 0 ? Math.expm1(median(spreads)) : undefined,
    loneSlowdown: pooled.length > 0 && Number.isFinite(tail.high) ? Math.expm1(tail.high) : undefined,
    drift: prShift !== 0 ? Math.expm1(prShift) : undefined,
    plausibleNoise: plausible,
  };
  return {
    verdict: overallVerdict(benchmarks),
    benchmarks,
    alpha,
    minChange,
    confidence: 1 - alpha,
    history: historyNoise,
  };
}

/**
 * The heavy tail of the pooled residuals, on each side, without its TAIL_ONE_OFFS largest: the largest move left
 * (log scale) and the tail's scale, the mean excess of the TAIL_POINTS largest left over the next one (the
 * exponential tail's maximum-likelihood scale, as in the peaks-over-threshold method). With too few residuals to
 * tell, the scale is 0 and only the largest left counts.
 */
function heavyTail(residuals: readonly number[]): {
  high: number;
  highScale: number;
  low: number;
  lowScale: number;
} {
  const scale = (sorted: number[]) => {
    if (sorted.length <= TAIL_POINTS) return 0;
    const top = sorted.slice(0, TAIL_POINTS);
    return top.reduce((sum, e) => sum + e, 0) / TAIL_POINTS - sorted[TAIL_POINTS];
  };
  const withoutOneOffs = (sorted: number[]) => (sorted.length > TAIL_ONE_OFFS ? sorted.slice(TAIL_ONE_OFFS) : sorted);
  const descending = [...residuals].sort((a, b) => b - a);
  const down = withoutOneOffs(descending);
  const up = withoutOneOffs(descending.map((e) => -e).reverse());
  return {
    high: down.length > 0 ? down[0] : Number.POSITIVE_INFINITY,
    highScale: scale(down),
    low: up.length > 0 ? -up[0] : Number.NEGATIVE_INFINITY,
    lowScale: scale(up),
  };
}
