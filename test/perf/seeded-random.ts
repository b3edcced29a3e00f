import type { BenchmarkSet } from '@ci-optimizer/core/perf';

/** Deterministic random numbers for statistical tests (the core's mulberry32), so a failing trial can be replayed. */
import { seededRandom } from '@ci-optimizer/core/model';

export { seededRandom };

/** Standard normal draws (Box-Muller) from a uniform source. */
export function normalSource(uniform: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * `count` timings from a log-normal distribution with the given median and coefficient of variation: timings are
 * skewed to the right like real benchmark rounds.
 */
export function lognormalTimings(normal: () => number, count: number, medianValue: number, cv: number): number[] {
  const sigma = Math.sqrt(Math.log(1 + cv * cv));
  return Array.from({ length: count }, () => medianValue * Math.exp(sigma * normal()));
}

/**
 * One run of benchmarks a-e with 50 rounds each: lognormal rounds (2% spread) around `factor[name]` ms, slowed by
 * `load[name]` for the whole run; `seed` makes it reproducible.
 */
export function syntheticRun(
  seed: number,
  factor: Record<string, number> = {},
  load: Record<string, number> = {},
): BenchmarkSet {
  const normal = normalSource(seededRandom(seed));
  return {
    format: 'pytest-benchmark',
    source: `run ${seed}`,
    benchmarks: ['a', 'b', 'c', 'd', 'e'].map((name) => ({
      name,
      label: name,
      unit: 's',
      biggerIsBetter: false,
      value: 0,
      samples: lognormalTimings(normal, 50, (factor[name] ?? 1) * (load[name] ?? 1), 0.02).map((v) => v / 1000),
    })),
  };
}
