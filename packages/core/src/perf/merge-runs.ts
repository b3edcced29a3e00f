import type { BenchmarkResult, BenchmarkSet } from './benchmark-types.ts';
import { median } from './statistics.ts';

/**
 * Pools several runs of the same suite (same-job A/B: each side ran more than once) into one set: samples are
 * concatenated, summary statistics are pooled. A benchmark missing from some runs keeps what the others have.
 */
export function mergeBenchmarkRuns(sets: readonly BenchmarkSet[]): BenchmarkSet {
  if (sets.length === 1) return sets[0];
  const merged = new Map<string, BenchmarkResult[]>();
  for (const set of sets) {
    for (const result of set.benchmarks) merged.set(result.name, [...(merged.get(result.name) ?? []), result]);
  }
  const benchmarks = [...merged.values()].map((runs): BenchmarkResult => {
    const first = runs[0];
    if (runs.length === 1) return first;
    const withSamples = runs.every((run) => run.samples && run.samples.length > 0);
    if (withSamples) {
      const samples = runs.flatMap((run) => run.samples!);
      return { ...first, samples, runs: runs.map((run) => run.samples!), value: median(samples), summary: undefined };
    }
    const summaries = runs.map((run) => run.summary ?? { mean: run.value, stddev: 0, count: 1 });
    const count = summaries.reduce((sum, s) => sum + s.count, 0);
    const mean = summaries.reduce((sum, s) => sum + s.mean * s.count, 0) / count;
    // Pooled variance including the spread between run means (law of total variance).
    const squares = summaries.reduce(
      (sum, s) => sum + (s.count - 1) * s.stddev ** 2 + s.count * (s.mean - mean) ** 2,
      0,
    );
    const stddev = count > 1 ? Math.sqrt(squares / (count - 1)) : 0;
    return {
      ...first,
      samples: undefined,
      summary: { mean, stddev, count },
      value: median(runs.map((run) => run.value)),
    };
  });
  return { format: sets[0].format, source: sets.map((set) => set.source).join(', '), benchmarks };
}
