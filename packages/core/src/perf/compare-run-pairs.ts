import { runStatistics, type RunStatistic } from './baseline-history.ts';
import type { BenchmarkSet } from './benchmark-types.ts';
import {
  overallVerdict,
  percent,
  unjudgedRow,
  type BenchmarkComparison,
  type Comparison,
} from './compare-benchmarks.ts';
import { holmAdjust, median, quantileOfSorted, studentTCdf, studentTQuantile } from './statistics.ts';

/**
 * Same-job A/B verdicts with the run pair as the unit of evidence. The base and the PR ran alternately
 * (base, PR, PR, base, base, PR, …), so run i of each side forms a pair measured seconds apart on the same machine.
 *
 * Model, on the log scale, for benchmark b in pair i:  log(PR[b][i] / base[b][i]) = delta[b] (+ c[i]) + e[b][i].
 * The change `delta[b]` is the mean over pairs; its standard error comes from the spread of the pairs, moderated
 * towards the spread all benchmarks of this job share (an empirical-Bayes prior worth PAIR_PRIOR_DF pairs, as limma
 * does for gene-wise variances) and never taken below PAIR_NOISE_FLOOR: with three pairs a benchmark's own spread
 * rests on two degrees of freedom, and a quiet-looking benchmark must not be judged more precisely than back-to-back
 * runs ever are. A t test on the change, Holm-corrected over the benchmarks, decides; the change must reach
 * min-change, and the best run of each side must differ the same way by min-change too (load only slows a run, so
 * a side's fastest run is its least disturbed: two disturbed runs can make the pair test significant, they cannot
 * move the best run unless every run of the side was disturbed). `c[i]`, each pair's shift shared across
 * benchmarks, is taken out only with drift-correction on: back-to-back runs already share the moment's load.
 *
 * The run statistic is a fast round: the 10th percentile of the run's rounds (PAIR_RUN_QUANTILE; the 90th for
 * throughputs), or the fastest round (runStatistics) when the results carry no rounds. Not the very fastest: with
 * the two sides in lockstep a run has a few rounds 15-20% faster than all its others, and which side gets them is
 * chance (an A/A pair read +29.5% on the fastest rounds, +1.6% on the 10th percentile). Rounds inside one run are not
 * independent evidence (they share the moment's load), which is why they are not what is tested.
 * Constants chosen on A/A and PR runs recorded on the project's shared 2-core machine (bench/perf-ab-calibration.ts).
 */
export interface RunPairOptions {
  alpha?: number;
  minChange?: number;
  ignore?: readonly string[];
  /** Subtract each pair's common shift (needs three or more benchmarks). Default false: back-to-back runs share the moment's load already, and on the calibration data the shift's own noise cost more than it removed. */
  driftCorrection?: boolean;
  /** Overrides of the calibrated constants, for the calibration bench. */
  noiseFloor?: number;
  priorDf?: number;
  estimator?: 'pairs' | 'trimmed';
  /**
   * Set aside one pair far from all the others (deviantPair), from PAIRS_TO_SET_ONE_ASIDE pairs on. Only for pairs
   * run in lockstep (ab-interleave: rounds), where the pairs of a benchmark agree within a few percent: with whole runs
   * one after the other, three of four pairs can be slowed alike (recorded A/A: +54%, +59%, +64%, and -2%).
   */
  setAsideDeviantPair?: boolean;
}
export const DEFAULT_ESTIMATOR: 'pairs' | 'trimmed' = 'pairs';

/** The percentile of a run's rounds that stands for the run (see above). */
export const PAIR_RUN_QUANTILE = 0.1;

/** Run statistics for pairs: PAIR_RUN_QUANTILE of the rounds when the results have them, else runStatistics'. */
function pairRunStatistics(set: BenchmarkSet): Record<string, RunStatistic> {
  const out = runStatistics(set);
  for (const benchmark of set.benchmarks) {
    const stat = out[benchmark.name];
    const rounds = benchmark.samples;
    if (!stat || !rounds || rounds.length === 0 || !rounds.every((v) => v > 0)) continue;
    const sorted = [...rounds].sort((a, b) => a - b);
    const q = benchmark.biggerIsBetter ? 1 - PAIR_RUN_QUANTILE : PAIR_RUN_QUANTILE;
    out[benchmark.name] = { ...stat, value: quantileOfSorted(sorted, q) };
  }
  return out;
}

/** Weight, in pairs, of the spread all benchmarks share in each benchmark's spread. */
export const PAIR_PRIOR_DF = 8;
/** The least pair-to-pair spread (log scale) assumed for timings of back-to-back runs on a shared runner. */
export const PAIR_NOISE_FLOOR = 0.03;
/**
 * How far (log scale, about 10%) one pair must lie from the median of the others to be set aside as deviant. Lockstep
 * pairs of unchanged code agree within ±5% in 25 of 30 pairs recorded on the shared machine; the pairs that go the
 * other way (one process slow for its whole run) lie 16-40% from the others.
 */
export const PAIR_DEVIANCE = 0.1;
/** Pairs needed before one may be set aside: with three, two disturbed pairs could outvote the one good pair. */
export const PAIRS_TO_SET_ONE_ASIDE = 4;

/**
 * The pair that lies farthest from the median of the others, when it lies more than PAIR_DEVIANCE from it while the
 * others agree within PAIR_DEVIANCE (their range); with fewer than `least` pairs, none. Values are log ratios.
 */
export function deviantPair(values: readonly number[], least = PAIRS_TO_SET_ONE_ASIDE): number | undefined {
  if (values.length < Math.max(3, least)) return undefined;
  const distances = values.map((value, i) => Math.abs(value - median(values.filter((_, j) => j !== i))));
  const farthest = distances.indexOf(Math.max(...distances));
  const others = values.filter((_, i) => i !== farthest);
  const agree = Math.max(...others) - Math.min(...others) <= PAIR_DEVIANCE;
  return distances[farthest] > PAIR_DEVIANCE && agree ? farthest : undefined;
}

/**
 * True when one deviant pair may be hiding a change that more pairs would show: a benchmark not flagged whose
 * pairs, all but the one deviant pair (deviantPair, already from three pairs), change the same way by min-change
 * or more. perf-comment then runs one more pair (up to ab-extra-runs), and from PAIRS_TO_SET_ONE_ASIDE pairs on the
 * verdict sets that pair aside.
 */
export function oneDeviantPairHidesAChange(comparison: Comparison): boolean {
  return comparison.benchmarks.some((row) => {
    if (row.method !== 'run-pairs' || row.verdict === 'regression' || row.verdict === 'improvement') return false;
    if (row.pairSetAside !== undefined || !row.pairChanges) return false;
    const logs = row.pairChanges.map(Math.log1p);
    const deviant = deviantPair(logs, 3);
    if (deviant === undefined) return false;
    const others = logs.filter((_, i) => i !== deviant);
    return (
      others.every((v) => v >= Math.log1p(comparison.minChange)) ||
      others.every((v) => v <= -Math.log1p(comparison.minChange))
    );
  });
}

/** True when same-job results can be judged pair by pair: two or more runs a side with timings. */
export function canCompareRunPairs(base: readonly BenchmarkSet[], head: readonly BenchmarkSet[]): boolean {
  return Math.min(base.length, head.length) >= 2;
}

export function compareRunPairs(
  baseRuns: readonly BenchmarkSet[],
  headRuns: readonly BenchmarkSet[],
  options: RunPairOptions = {},
): Comparison {
  const alpha = options.alpha ?? 0.01;
  const minChange = options.minChange ?? 0.05;
  const ignore = options.ignore ?? [];
  const floor = options.noiseFloor ?? PAIR_NOISE_FLOOR;
  const priorDfOption = options.priorDf ?? PAIR_PRIOR_DF;
  const pairCount = Math.min(baseRuns.length, headRuns.length);
  const base = baseRuns.slice(0, pairCount).map(pairRunStatistics);
  const head = headRuns.slice(0, pairCount).map(pairRunStatistics);
  const names = [...new Set([...head.flatMap((run) => Object.keys(run)), ...base.flatMap((run) => Object.keys(run))])];
  const sameKind = (a: RunStatistic | undefined, b: RunStatistic | undefined) =>
    a !== undefined && b !== undefined && a.unit === b.unit && (a.statistic ?? 'value') === (b.statistic ?? 'value');
  const reference = (name: string) => head.find((run) => run[name])?.[name] ?? base.find((run) => run[name])![name];
  const comparable = names.filter((name) =>
    base.every((run, i) => sameKind(run[name], head[i][name]) && sameKind(run[name], reference(name))),
  );

  // log ratio PR/base per benchmark and pair (for throughputs a negative change is the worse one).
  const ratios = new Map(
    comparable.map((name) => [name, base.map((run, i) => Math.log(head[i][name].value / run[name].value))]),
  );
  const drift = (options.driftCorrection ?? false) && comparable.length >= 3;
  const pairShift = Array.from({ length: pairCount }, (_, i) =>
    drift ? median(comparable.map((name) => ratios.get(name)![i])) : 0,
  );

  interface Fit {
    delta: number;
    raw: number;
    residuals: number[];
    /** The pair left out of the fit (deviantPair). */
    setAside?: number;
    /** Variance of one unit of evidence and its degrees of freedom; the change's standard error is spread * factor. */
    ownVariance: number;
    ownDf: number;
    factor: number;
  }
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  const squares = (values: number[], centre: number) => values.reduce((sum, v) => sum + (v - centre) ** 2, 0);
  const fits = new Map<string, Fit>();
  const trimmed = (options.estimator ?? DEFAULT_ESTIMATOR) === 'trimmed';
  // Trimmed: a side's runs are only ever slowed by the machine, never sped up, so its slowest run is the one most
  // likely disturbed; each side keeps its k-1 fastest runs (all of them when k = 2).
  const keep = pairCount >= 3 ? pairCount - 1 : pairCount;
  const kept = (runs: Record<string, RunStatistic>[], name: string) =>
    runs
      .map((run) => Math.log(run[name].value) * (reference(name).biggerIsBetter ? -1 : 1))
      .sort((a, b) => a - b)
      .slice(0, keep);
  const sideDifference = new Map(
    comparable.map((name) => {
      const sign = reference(name).biggerIsBetter ? -1 : 1;
      return [name, sign * (mean(kept(head, name)) - mean(kept(base, name)))];
    }),
  );
  const trimShift = drift ? median(comparable.map((name) => sideDifference.get(name)!)) : 0;
  for (const name of comparable) {
    const raw = ratios.get(name)!;
    const residuals = raw.map((value, i) => value - pairShift[i]);
    if (trimmed) {
      const h = kept(head, name);
      const b = kept(base, name);
      const ownDf = h.length + b.length - 2;
      const ownVariance = ownDf >= 1 ? (squares(h, mean(h)) + squares(b, mean(b))) / ownDf : Number.NaN;
      const difference = sideDifference.get(name)!;
      fits.set(name, {
        delta: difference - trimShift,
        raw: difference,
        residuals,
        ownVariance,
        ownDf,
        factor: Math.sqrt(1 / h.length + 1 / b.length),
      });
    } else {
      // One pair far from all the others (one process slow for its whole run) is set aside, from four pairs on.
      const setAside = options.setAsideDeviantPair ? deviantPair(residuals) : undefined;
      const keptPairs = residuals.filter((_, i) => i !== setAside);
      const delta = mean(keptPairs);
      const n = keptPairs.length;
      const ownVariance = n >= 2 ? squares(keptPairs, delta) / (n - 1) : Number.NaN;
      fits.set(name, {
        delta,
        raw: mean(raw.filter((_, i) => i !== setAside)),
        residuals,
        setAside,
        ownVariance,
        ownDf: n - 1,
        factor: 1 / Math.sqrt(n),
      });
    }
  }
  const variances = [...fits.values()].map((fit) => fit.ownVariance).filter(Number.isFinite);
  const prior = variances.length >= 3 ? median(variances) : undefined;
  const priorDf = prior !== undefined && prior > 0 ? priorDfOption : 0;

  const tests = new Map<string, { p: number; scale: number; df: number }>();
  for (const [name, fit] of fits) {
    const df = (Number.isFinite(fit.ownVariance) ? fit.ownDf : 0) + priorDf;
    if (df < 1) {
      tests.set(name, { p: 1, scale: Number.POSITIVE_INFINITY, df });
      continue;
    }
    const timing = reference(name).unit !== 'instructions';
    const moderated =
      ((Number.isFinite(fit.ownVariance) ? fit.ownDf * fit.ownVariance : 0) + priorDf * (prior ?? 0)) / df;
    const spread = Math.max(Math.sqrt(moderated), timing ? floor : 0);
    const scale = spread * fit.factor;
    const p = scale > 0 ? Math.min(1, 2 * (1 - studentTCdf(Math.abs(fit.delta) / scale, df))) : fit.delta === 0 ? 1 : 0;
    tests.set(name, { p, scale, df });
  }
  const tested = [...tests.keys()];
  const adjusted = holmAdjust(tested.map((name) => tests.get(name)!.p));
  const adjustedByName = new Map(tested.map((name, i) => [name, adjusted[i]]));

  const benchmarks = names.map((name): BenchmarkComparison => {
    const ref = reference(name);
    const baseValues = base.flatMap((run) => (run[name] ? [run[name].value] : []));
    const headValues = head.flatMap((run) => (run[name] ? [run[name].value] : []));
    const row: BenchmarkComparison = {
      ...unjudgedRow(name, { unit: ref.unit, biggerIsBetter: ref.biggerIsBetter }, ignore),
      baseline: baseValues.length > 0 ? median(baseValues) : undefined,
      current: headValues.length > 0 ? median(headValues) : undefined,
      baselineCount: baseValues.length,
      currentCount: headValues.length,
    };
    const fit = fits.get(name);
    if (!fit) {
      if (headValues.length === 0) return { ...row, reason: 'removed: present in the base runs only' };
      if (baseValues.length === 0) return { ...row, reason: 'new benchmark: not in the base runs' };
      return {
        ...row,
        reason: `not in every run of both sides with the same unit and statistic (${baseValues.length} base, ${headValues.length} PR runs)`,
      };
    }
    const { p, scale, df } = tests.get(name)!;
    const tQuantile = df >= 1 ? studentTQuantile(1 - alpha / 2, df) : Number.POSITIVE_INFINITY;
    const adjustedP = adjustedByName.get(name) ?? 1;
    const change = Math.expm1(fit.delta);
    const rawChange = Math.expm1(fit.raw);
    const pairChanges = fit.residuals.map(Math.expm1);
    const worse = ref.biggerIsBetter ? change < 0 : change > 0;
    const full: BenchmarkComparison = {
      ...row,
      change,
      changeLow: Math.expm1(fit.delta - tQuantile * scale),
      changeHigh: Math.expm1(fit.delta + tQuantile * scale),
      pValue: p,
      adjustedP,
      method: 'run-pairs',
      noise: Math.expm1(scale / fit.factor),
      pairChanges,
      pairSetAside: fit.setAside,
    };
    const pairsText =
      `pairs ${pairChanges.map((c) => percent(c)).join(', ')}` +
      (fit.setAside === undefined ? '' : `; pair ${fit.setAside + 1} set aside, far from the others`);
    const relativeTo = drift ? " after each pair's common shift" : '';
    const pText = `p=${adjustedP < 0.0001 ? '<0.0001' : adjustedP.toFixed(4)}, Holm over ${tested.length}`;
    if (Math.abs(change) < minChange) {
      return {
        ...full,
        verdict: 'unchanged',
        reason: `${percent(change)}${relativeTo} (${pairsText}) is below min-change ${percent(minChange, false)}`,
      };
    }
    if (adjustedP >= alpha) {
      return {
        ...full,
        verdict: 'inconclusive',
        reason: `${percent(change)}${relativeTo} (${pairsText}) but within the noise of the run pairs (${pText} ≥ α=${alpha})`,
      };
    }
    // The best run of each side must agree: load only ever slows a run, so the fastest run of a side is its least
    // disturbed one. Two disturbed runs of one side can make the pair test significant; they cannot move the
    // best run unless every run of that side was disturbed. A real change moves every run, the best ones too.
    const best = (runs: Record<string, RunStatistic>[]) =>
      (ref.biggerIsBetter ? Math.max : Math.min)(...runs.map((run) => run[name].value));
    const bestChange = best(head) / best(base) - 1;
    if (Math.sign(bestChange) !== Math.sign(change) || Math.abs(bestChange) < minChange) {
      return {
        ...full,
        verdict: 'inconclusive',
        reason: `${percent(change)}${relativeTo} (${pairsText}, ${pText}), but the best run of each side differs by only ${percent(bestChange)}: a disturbed run, most likely`,
      };
    }
    if (Math.sign(fit.raw) !== Math.sign(fit.delta) || Math.abs(rawChange) < minChange) {
      return {
        ...full,
        verdict: Math.abs(rawChange) < minChange ? 'unchanged' : 'inconclusive',
        reason: `${percent(change)}${relativeTo}, but its own value changed by ${percent(rawChange)}: the difference is the other benchmarks' shift, not this one's`,
      };
    }
    return {
      ...full,
      verdict: worse ? 'regression' : 'improvement',
      reason: `${percent(change)}${relativeTo} (${pairsText}), ${pText} < α=${alpha}`,
    };
  });

  const spreads = [...tests.entries()]
    .map(([name, test]) => test.scale / fits.get(name)!.factor)
    .filter(Number.isFinite);
  return {
    verdict: overallVerdict(benchmarks),
    benchmarks,
    alpha,
    minChange,
    confidence: 1 - alpha,
    pairs: {
      count: pairCount,
      noise: spreads.length > 0 ? Math.expm1(median(spreads)) : undefined,
      shifts: drift ? pairShift.map(Math.expm1) : undefined,
    },
  };
}
