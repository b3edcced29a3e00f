import { minimatch } from 'minimatch';
import type { Confirmation, HistoryNoise } from './benchmark-types.ts';
import type { BenchmarkResult, BenchmarkSet } from './benchmark-types.ts';
import {
  holmAdjust,
  mannWhitney,
  meanAndStddev,
  median,
  quantileOfSorted,
  welchTest,
  type TwoSampleTest,
} from './statistics.ts';

export type Verdict = 'regression' | 'improvement' | 'unchanged' | 'inconclusive' | 'not-comparable';

/** How one benchmark compares with its baseline. Changes are relative: +0.12 means the value grew by 12%. */
export interface BenchmarkComparison {
  name: string;
  label: string;
  unit: string;
  biggerIsBetter: boolean;
  verdict: Verdict;
  /** One sentence saying why this verdict (shown in the comment and the JSON). */
  reason: string;
  /** True when the benchmark is on the `ignore` allow-list: shown, but never fails the gate. */
  ignored: boolean;
  baseline?: number;
  current?: number;
  change?: number;
  changeLow?: number;
  changeHigh?: number;
  pValue?: number;
  /** p-value after the Holm correction for the number of benchmarks tested. */
  adjustedP?: number;
  method?: TwoSampleTest['method'] | 'ranges' | 'single-value' | 'run-history' | 'run-pairs';
  /** Relative spread (semi-interquartile range / median) of the noisier side. */
  noise?: number;
  baselineCount?: number;
  currentCount?: number;
  /** Same-job A/B: the change within each pair of adjacent base/PR runs, relative to the pair's common shift. */
  pairChanges?: number[];
  /** Same-job A/B: index of the pair left out of the verdict, far from all the others (compare-run-pairs.ts). */
  pairSetAside?: number;
  /** Cross-run verdicts confirmed by re-runs: the change each re-run showed (confirm-with-reruns.ts). */
  confirmChanges?: number[];
}

/** The common-mode shift seen across benchmarks (machine drift) and whether verdicts were judged relative to it. */
export interface DriftEstimate {
  applied: boolean;
  /** Relative shift shared by most benchmarks (median of their changes). */
  change: number;
  /** How many benchmarks moved in the drift's direction, out of how many. */
  agreeing: number;
  of: number;
}

export interface Comparison {
  verdict: Verdict;
  benchmarks: BenchmarkComparison[];
  drift?: DriftEstimate;
  alpha: number;
  minChange: number;
  /** Level of the confidence intervals (1 - alpha). */
  confidence: number;
  /** Cross-run verdicts judged against the default branch's run history: how many runs and how noisy. */
  history?: HistoryNoise;
  /** What the values count when not time (measure: instructions). */
  measure?: 'time' | 'instructions';
  /** Same-job A/B judged pair by pair: how many run pairs, their typical spread, each pair's common shift. */
  pairs?: { count: number; noise?: number; shifts?: number[] };
  /** Cross-run verdicts: how the flags were confirmed by re-runs in the PR's job, or why they were not. */
  confirmation?: Confirmation;
}

export interface CompareOptions {
  /** Family-wise significance level (Holm-corrected over the benchmarks tested). Default 0.01. */
  alpha?: number;
  /** Smallest relative change worth reporting. Default 0.05. */
  minChange?: number;
  /** Judge benchmarks relative to a common-mode shift when most of them moved together. Default true. */
  driftCorrection?: boolean;
  /** Glob patterns of benchmark names (or labels) allowed to regress. */
  ignore?: readonly string[];
}

interface Pair {
  name: string;
  baseline?: BenchmarkResult;
  current?: BenchmarkResult;
}

interface TestOutcome {
  test?: TwoSampleTest;
  method: NonNullable<BenchmarkComparison['method']>;
  change: number;
  changeLow: number;
  changeHigh: number;
  /** Verdict reached without a p-value (range and single-value comparisons). */
  fixedSignificance?: boolean;
}

/**
 * The row every comparison starts from: the benchmark's names and unit, not yet judged. A benchmark is on the `ignore`
 * allow-list when a pattern matches its full name or its label (the name after the last `::`), whichever comparison
 * judges it.
 */
export function unjudgedRow(
  name: string,
  reference: { label?: string; unit: string; biggerIsBetter: boolean },
  ignore: readonly string[],
): BenchmarkComparison {
  const label = reference.label ?? benchmarkLabel(name);
  return {
    name,
    label,
    unit: reference.unit,
    biggerIsBetter: reference.biggerIsBetter,
    verdict: 'not-comparable',
    reason: '',
    ignored: ignore.some((pattern) => minimatch(name, pattern) || minimatch(label, pattern)),
  };
}

/** A benchmark's short name: what follows the last `::` of its full name. */
function benchmarkLabel(name: string): string {
  return name.includes('::') ? name.slice(name.lastIndexOf('::') + 2) : name;
}

/** Compares PR results with baseline results: a statistical verdict per benchmark and one for the whole set. */
export function compareBenchmarks(
  baseline: BenchmarkSet,
  current: BenchmarkSet,
  options: CompareOptions = {},
): Comparison {
  const alpha = options.alpha ?? 0.01;
  const minChange = options.minChange ?? 0.05;
  const confidence = 1 - alpha;
  const ignore = options.ignore ?? [];
  const pairs = pairBenchmarks(baseline, current);

  const comparable = pairs.filter((pair) => pair.baseline && pair.current && pair.baseline.unit === pair.current.unit);
  let factor = 1;
  let outcomes = new Map(comparable.map((pair) => [pair.name, testPair(pair.baseline!, pair.current!, confidence, 1)]));
  let drift: DriftEstimate | undefined;
  if (options.driftCorrection ?? true) {
    drift = estimateDrift([...outcomes.values()], minChange);
    if (drift?.applied) {
      factor = 1 + drift.change;
      outcomes = new Map(
        comparable.map((pair) => [pair.name, testPair(pair.baseline!, pair.current!, confidence, factor)]),
      );
    }
  }

  const tested = [...outcomes.entries()].filter(([, outcome]) => outcome.test);
  const adjusted = holmAdjust(tested.map(([, outcome]) => outcome.test!.pValue));
  const adjustedByName = new Map(tested.map(([name], i) => [name, adjusted[i]]));

  const pairDrift = commonPairShift(comparable);
  const benchmarks = pairs.map((pair): BenchmarkComparison => {
    const reference = pair.current ?? pair.baseline!;
    const base: BenchmarkComparison = {
      ...unjudgedRow(pair.name, reference, ignore),
      baseline: pair.baseline?.value,
      current: pair.current?.value,
      baselineCount: countOf(pair.baseline),
      currentCount: countOf(pair.current),
    };
    if (!pair.baseline) return { ...base, reason: 'new benchmark: no baseline to compare with' };
    if (!pair.current) return { ...base, reason: 'removed: present in the baseline only' };
    if (pair.baseline.unit !== pair.current.unit) {
      return { ...base, reason: `unit changed from '${pair.baseline.unit}' to '${pair.current.unit}'` };
    }
    const outcome = outcomes.get(pair.name)!;
    const noise = Math.max(relativeNoise(pair.baseline), relativeNoise(pair.current));
    const adjustedP = adjustedByName.get(pair.name);
    const pairChanges = pairDrift ? runPairChanges(pair.baseline, pair.current, factor, pairDrift) : undefined;
    return judge(
      {
        pairChanges,
        ...base,
        change: outcome.change,
        changeLow: outcome.changeLow,
        changeHigh: outcome.changeHigh,
        pValue: outcome.test?.pValue,
        adjustedP,
        method: outcome.method,
        noise,
      },
      outcome,
      { alpha, minChange, tested: tested.length, drift: drift?.applied ? drift : undefined, factor },
    );
  });

  return { verdict: overallVerdict(benchmarks), benchmarks, drift, alpha, minChange, confidence };
}

function pairBenchmarks(baseline: BenchmarkSet, current: BenchmarkSet): Pair[] {
  const byName = new Map<string, Pair>();
  for (const result of current.benchmarks) byName.set(result.name, { name: result.name, current: result });
  for (const result of baseline.benchmarks) {
    const pair = byName.get(result.name) ?? { name: result.name };
    pair.baseline = result;
    byName.set(result.name, pair);
  }
  return [...byName.values()];
}

function countOf(result: BenchmarkResult | undefined): number | undefined {
  if (!result) return undefined;
  return result.samples?.length ?? result.summary?.count ?? 1;
}

/**
 * Tests one pair; `factor` divides the current side (drift correction). Samples are compared on the log scale,
 * so the Hodges-Lehmann shift is a ratio (timings are multiplicative) while the rank test is unaffected.
 */
function testPair(
  baseline: BenchmarkResult,
  current: BenchmarkResult,
  confidence: number,
  factor: number,
): TestOutcome {
  const currentSamples = current.samples?.map((v) => v / factor);
  if (baseline.samples && currentSamples && baseline.samples.length >= 2 && currentSamples.length >= 2) {
    const positive = baseline.samples.every((v) => v > 0) && currentSamples.every((v) => v > 0);
    if (positive) {
      const test = mannWhitney(baseline.samples.map(Math.log), currentSamples.map(Math.log), confidence);
      return {
        test,
        method: test.method,
        change: Math.expm1(test.shift),
        changeLow: Math.expm1(test.low),
        changeHigh: Math.expm1(test.high),
      };
    }
    const test = mannWhitney(baseline.samples, currentSamples, confidence);
    const scale = Math.abs(median(baseline.samples)) || 1;
    return {
      test,
      method: test.method,
      change: test.shift / scale,
      changeLow: test.low / scale,
      changeHigh: test.high / scale,
    };
  }
  const baseStats = summaryOf(baseline, 1);
  const currentStats = summaryOf(current, factor);
  if (baseStats && currentStats && baseStats.count >= 2 && currentStats.count >= 2) {
    const test = welchTest(baseStats, currentStats, confidence);
    const scale = Math.abs(baseStats.mean) || 1;
    return {
      test,
      method: 'welch',
      change: test.shift / scale,
      changeLow: test.low / scale,
      changeHigh: test.high / scale,
    };
  }
  const change = current.value / factor / baseline.value - 1;
  if (baseline.range !== undefined && current.range !== undefined) {
    const low = (current.value - current.range) / factor / (baseline.value + baseline.range) - 1;
    const high = (current.value + current.range) / factor / (baseline.value - baseline.range) - 1;
    const disjoint =
      current.value / factor - current.range / factor > baseline.value + baseline.range ||
      current.value / factor + current.range / factor < baseline.value - baseline.range;
    return {
      method: 'ranges',
      change,
      changeLow: low,
      changeHigh: baseline.value - baseline.range > 0 ? high : Infinity,
      fixedSignificance: disjoint,
    };
  }
  return { method: 'single-value', change, changeLow: -Infinity, changeHigh: Infinity, fixedSignificance: false };
}

function runPairChanges(
  baseline: BenchmarkResult,
  current: BenchmarkResult,
  factor: number,
  pairDrift: number[],
): number[] | undefined {
  const a = baseline.runs;
  const b = current.runs;
  if (!a || !b || a.length !== b.length || a.length !== pairDrift.length) return undefined;
  return a.map((run, i) => median(b[i]) / factor / median(run) / (1 + pairDrift[i]) - 1);
}

/**
 * Same-job A/B: the change each run pair shares across benchmarks. Load on a shared runner comes and goes over
 * seconds to minutes, so it slows all benchmarks of one run together; with three or more benchmarks the median
 * change of a pair is that load, not the code. Zero when too few benchmarks to tell. Undefined without run pairs.
 */
function commonPairShift(pairs: Pair[]): number[] | undefined {
  const withRuns = pairs.filter(
    (pair) =>
      pair.baseline?.runs &&
      pair.current?.runs &&
      pair.baseline.runs.length === pair.current.runs.length &&
      pair.baseline.runs.length >= 2,
  );
  if (withRuns.length === 0) return undefined;
  const count = withRuns[0].baseline!.runs!.length;
  const usable = withRuns.filter((pair) => pair.baseline!.runs!.length === count);
  if (usable.length < 3) return new Array<number>(count).fill(0);
  return Array.from({ length: count }, (_, i) =>
    Math.expm1(
      median(usable.map((pair) => Math.log(median(pair.current!.runs![i]) / median(pair.baseline!.runs![i])))),
    ),
  );
}

function summaryOf(
  result: BenchmarkResult,
  factor: number,
): { mean: number; stddev: number; count: number } | undefined {
  if (result.samples && result.samples.length >= 2) {
    const { mean, stddev } = meanAndStddev(result.samples);
    return { mean: mean / factor, stddev: stddev / factor, count: result.samples.length };
  }
  if (result.summary) {
    return { mean: result.summary.mean / factor, stddev: result.summary.stddev / factor, count: result.summary.count };
  }
  return undefined;
}

/** Semi-interquartile range over the median (≈ 0.67 CV for normal data); from stddev/mean when only stats exist. */
export function relativeNoise(result: BenchmarkResult): number {
  if (result.samples && result.samples.length >= 4) {
    const sorted = [...result.samples].sort((a, b) => a - b);
    const mid = quantileOfSorted(sorted, 0.5);
    return mid === 0 ? 0 : (quantileOfSorted(sorted, 0.75) - quantileOfSorted(sorted, 0.25)) / 2 / Math.abs(mid);
  }
  if (result.summary && result.summary.mean !== 0)
    return (0.6745 * result.summary.stddev) / Math.abs(result.summary.mean);
  if (result.range !== undefined && result.value !== 0) return result.range / Math.abs(result.value);
  return 0;
}

/**
 * The common-mode shift: when at least three benchmarks were compared and two thirds or more moved the same way,
 * by a median of at least min-change, the machine (not the code) most likely moved them.
 */
function estimateDrift(outcomes: TestOutcome[], minChange: number): DriftEstimate | undefined {
  const changes = outcomes.map((outcome) => outcome.change).filter((change) => Number.isFinite(change));
  if (changes.length < 3) return undefined;
  const logs = changes.map((change) => Math.log1p(change));
  const shift = median(logs);
  const agreeing = logs.filter((value) => Math.sign(value) === Math.sign(shift)).length;
  const applied = Math.abs(Math.expm1(shift)) >= minChange && agreeing * 3 >= changes.length * 2;
  return { applied, change: Math.expm1(shift), agreeing, of: changes.length };
}

function judge(
  comparison: BenchmarkComparison,
  outcome: TestOutcome,
  context: { alpha: number; minChange: number; tested: number; drift?: DriftEstimate; factor: number },
): BenchmarkComparison {
  const { alpha, minChange } = context;
  const change = outcome.change;
  const worse = comparison.biggerIsBetter ? change < 0 : change > 0;
  const big = Math.abs(change) >= minChange;
  const significant = outcome.test ? (comparison.adjustedP ?? 1) < alpha : outcome.fixedSignificance === true;
  const relativeTo = context.drift ? ` relative to the common shift of ${percent(context.drift.change)}` : '';
  const pText = outcome.test
    ? `p=${formatP(comparison.adjustedP ?? 1)} (Holm over ${context.tested})`
    : outcome.method === 'ranges'
      ? 'ranges ' + (significant ? 'do not overlap' : 'overlap')
      : 'single values, no spread to test against';
  if (!big) {
    return {
      ...comparison,
      verdict: 'unchanged',
      reason: `${percent(change)}${relativeTo} is below min-change ${percent(minChange, false)}; ${pText}`,
    };
  }
  if (!significant) {
    return {
      ...comparison,
      verdict: 'inconclusive',
      reason: `${percent(change)}${relativeTo} but not significant (${pText} ≥ α=${alpha}): noisier than its change`,
    };
  }
  // Rounds of one run share the machine's state of the moment, so a burst of load during one run can look
  // significant; with repeated A/B runs, a real change points the same way in every pair of adjacent runs, and
  // the typical pair shows it.
  const pairs = comparison.pairChanges;
  if (
    pairs &&
    (pairs.some((pairChange) => Math.sign(pairChange) !== Math.sign(change)) || Math.abs(median(pairs)) < minChange)
  ) {
    return {
      ...comparison,
      verdict: 'inconclusive',
      reason: `${percent(change)}${relativeTo} overall, but not in every A/B run pair (after each pair's common shift: ${pairs.map((c) => percent(c)).join(', ')}): noisier than its change`,
    };
  }
  // Drift correction may only explain a change away, never create one: a benchmark whose own measured value
  // did not move the same way by min-change (unchanged, or faster while the others got faster still) is no
  // regression, and one that did not get faster is no improvement.
  const rawChange = (1 + change) * context.factor - 1;
  if (context.drift && (Math.sign(rawChange) !== Math.sign(change) || Math.abs(rawChange) < minChange)) {
    return {
      ...comparison,
      verdict: Math.abs(rawChange) < minChange ? 'unchanged' : 'inconclusive',
      reason: `${percent(change)}${relativeTo}, but its own value changed by ${percent(rawChange)}: the difference is the other benchmarks' shift, not this one's`,
    };
  }
  const noise = comparison.noise ?? 0;
  if (Math.abs(change) < noise) {
    return {
      ...comparison,
      verdict: 'inconclusive',
      reason: `${percent(change)}${relativeTo} is smaller than the benchmark's own spread (±${percent(noise, false)}): noisier than its change`,
    };
  }
  return {
    ...comparison,
    verdict: worse ? 'regression' : 'improvement',
    reason: `${percent(change)}${relativeTo}, ${pText} < α=${alpha}`,
  };
}

export function overallVerdict(benchmarks: BenchmarkComparison[]): Verdict {
  // Ignored benchmarks still count, except that their regressions are allowed.
  const counted = benchmarks.filter((b) => !(b.ignored && b.verdict === 'regression'));
  if (counted.length === 0 && benchmarks.length > 0) return 'unchanged';
  const has = (verdict: Verdict) => counted.some((b) => b.verdict === verdict);
  if (has('regression')) return 'regression';
  if (has('improvement')) return 'improvement';
  if (has('inconclusive')) return 'inconclusive';
  if (has('unchanged')) return 'unchanged';
  return 'not-comparable';
}

/** `+12.3%` style text of a relative change. */
export function percent(value: number, signed = true): string {
  if (!Number.isFinite(value)) return value > 0 ? '+∞' : '−∞';
  const text = `${(Math.abs(value) * 100).toFixed(Math.abs(value) >= 0.995 ? 0 : 1)}%`;
  if (!signed) return text;
  return `${value < 0 ? '−' : '+'}${text}`;
}

/** A p-value with the precision people read. */
export function formatP(p: number): string {
  if (p < 1e-4) return '<0.0001';
  return p < 0.01 ? p.toFixed(4) : p.toFixed(3);
}
