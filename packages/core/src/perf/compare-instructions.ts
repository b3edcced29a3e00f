import type { BenchmarkResult, BenchmarkSet } from './benchmark-types.ts';
import {
  overallVerdict,
  percent,
  unjudgedRow,
  type BenchmarkComparison,
  type Comparison,
} from './compare-benchmarks.ts';
import { median } from './statistics.ts';

export interface InstructionCompareOptions {
  /** Smallest relative change reported; instruction counts allow 1-2%. Default 0.01. */
  minChange?: number;
  ignore?: readonly string[];
}

/**
 * Verdicts on instruction counts (measure: instructions). Counts do not depend on the machine's load, so there is
 * no sampling noise to test against: what varies between repetitions of one body is the interpreter's own work
 * (allocator arenas, caches), seen as the spread of the repetitions. A change is flagged when it is at least
 * min-change and more than twice that spread on either side; otherwise it is unchanged (below min-change) or
 * inconclusive (the body's own count varies more than it changed).
 */
export function compareInstructionCounts(
  baseline: BenchmarkSet,
  current: BenchmarkSet,
  options: InstructionCompareOptions = {},
): Comparison {
  const minChange = options.minChange ?? 0.01;
  const ignore = options.ignore ?? [];
  const base = new Map(baseline.benchmarks.map((b) => [b.name, b]));
  const head = new Map(current.benchmarks.map((b) => [b.name, b]));
  const names = [...new Set([...head.keys(), ...base.keys()])];
  const benchmarks = names.map((name): BenchmarkComparison => {
    const before = base.get(name);
    const after = head.get(name);
    const reference = (after ?? before)!;
    const row: BenchmarkComparison = {
      ...unjudgedRow(name, { ...reference, biggerIsBetter: false }, ignore),
      baseline: before?.value,
      current: after?.value,
      baselineCount: before?.samples?.length ?? (before ? 1 : undefined),
      currentCount: after?.samples?.length ?? (after ? 1 : undefined),
    };
    if (!before) return { ...row, reason: 'new benchmark: no baseline to compare with' };
    if (!after) return { ...row, reason: 'removed: present in the baseline only' };
    if (!(before.value > 0)) return { ...row, reason: 'the base counted no instructions for its body' };
    const change = after.value / before.value - 1;
    const spread = Math.max(relativeSpread(before), relativeSpread(after));
    const judged = { ...row, change, noise: spread, method: 'single-value' as const };
    const text = `${percent(change)} instructions; repetitions vary by ±${percent(spread, false)}`;
    if (Math.abs(change) < minChange)
      return { ...judged, verdict: 'unchanged', reason: `${text}, below min-change ${percent(minChange, false)}` };
    if (Math.abs(change) <= 2 * spread)
      return { ...judged, verdict: 'inconclusive', reason: `${text}: the body's own count varies too much to tell` };
    return {
      ...judged,
      verdict: change > 0 ? 'regression' : 'improvement',
      reason: `${text}, at least min-change ${percent(minChange, false)}`,
    };
  });
  return {
    verdict: overallVerdict(benchmarks),
    benchmarks,
    alpha: 0,
    minChange,
    confidence: 1,
    measure: 'instructions',
  };
}

/**
 * The median absolute deviation of the repetitions over their median: robust to the odd repetition that pays for
 * a one-off (an allocator arena, a lazy import), which the median value ignores too.
 */
function relativeSpread(result: BenchmarkResult): number {
  const samples = result.samples;
  if (!samples || samples.length < 2) return 0;
  const mid = median(samples);
  return mid > 0 ? median(samples.map((v) => Math.abs(v - mid))) / mid : 0;
}
