/** Deterministic random numbers for statistical tests (the core's mulberry32), so a failing trial can be replayed. */
export { seededRandom } from '@ci-optimizer/core/model';

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
