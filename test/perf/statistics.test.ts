import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  compareBenchmarks,
  hodgesLehmann,
  holmAdjust,
  mannWhitney,
  normalQuantile,
  studentTQuantile,
  welchTest,
  type BenchmarkSet,
} from '@ci-optimizer/core/perf';
import { lognormalTimings, normalSource, seededRandom } from './seeded-random.ts';

const ALPHA = 0.01;

function oneBenchmark(samples: number[]): BenchmarkSet {
  return {
    format: 'generic',
    source: 'generated',
    benchmarks: [{ name: 'bench', label: 'bench', unit: 's', biggerIsBetter: false, value: 0, samples }],
  };
}

function manyBenchmarks(sides: number[][]): BenchmarkSet {
  return {
    format: 'generic',
    source: 'generated',
    benchmarks: sides.map((samples, i) => ({
      name: `bench_${i}`,
      label: `bench_${i}`,
      unit: 's',
      biggerIsBetter: false,
      value: 0,
      samples,
    })),
  };
}

describe('statistics against SciPy (the reference implementation, run for real)', () => {
  it('matches scipy.stats p-values for Mann-Whitney (exact and asymptotic) and Welch on random data', () => {
    const normal = normalSource(seededRandom(7));
    const cases = Array.from({ length: 12 }, (_, i) => {
      const n = 5 + i * 4;
      const base = lognormalTimings(normal, n, 1, 0.3);
      // Rounding creates ties in half of the cases, which forces the tie-corrected normal approximation.
      const current = lognormalTimings(normal, n + (i % 3), 1.1, 0.3).map((v) => (i % 2 ? Math.round(v * 10) / 10 : v));
      const baseRounded = base.map((v) => (i % 2 ? Math.round(v * 10) / 10 : v));
      return { base: baseRounded, current };
    });
    const ours = cases.map(({ base, current }) => {
      const test = mannWhitney(base, current);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1));
      const welch = welchTest(
        { mean: mean(base), stddev: sd(base), count: base.length },
        { mean: mean(current), stddev: sd(current), count: current.length },
      );
      return { mw: test.pValue, method: test.method, welch: welch.pValue };
    });
    const script = `
import json, sys
from scipy import stats
cases = json.load(sys.stdin)
out = []
for c in cases:
    b, x = c['base'], c['current']
    method = 'exact' if len(set(b + x)) == len(b + x) and max(len(b), len(x)) <= 40 else 'asymptotic'
    mw = stats.mannwhitneyu(x, b, alternative='two-sided', method=method, use_continuity=True).pvalue
    w = stats.ttest_ind(x, b, equal_var=False).pvalue
    out.append({'mw': float(mw), 'method': method, 'welch': float(w)})
print(json.dumps(out))`;
    const reference = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(cases) }).toString(),
    ) as { mw: number; method: string; welch: number }[];
    ours.forEach((result, i) => {
      expect(result.method).toBe(`mann-whitney-${reference[i].method === 'exact' ? 'exact' : 'normal'}`);
      expect(result.mw).toBeCloseTo(reference[i].mw, 6);
      expect(result.welch).toBeCloseTo(reference[i].welch, 6);
    });
  });

  it('computes quantiles and the Holm correction', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(studentTQuantile(0.995, 10)).toBeCloseTo(3.169273, 5);
    expect(holmAdjust([0.01, 0.04, 0.03, 0.005])).toEqual([0.03, 0.06, 0.06, 0.02]);
  });
});

describe('verdicts on generated samples (seeded, deterministic)', () => {
  it('A/A, 1,000 trials: two 20-round samples of one distribution with 20% CV raise a regression in at most alpha of trials', () => {
    const normal = normalSource(seededRandom(2026));
    let regressions = 0;
    let improvements = 0;
    for (let trial = 0; trial < 1000; trial++) {
      const comparison = compareBenchmarks(
        oneBenchmark(lognormalTimings(normal, 20, 1e-3, 0.2)),
        oneBenchmark(lognormalTimings(normal, 20, 1e-3, 0.2)),
        { alpha: ALPHA },
      );
      if (comparison.verdict === 'regression') regressions++;
      if (comparison.verdict === 'improvement') improvements++;
    }
    expect(regressions).toBeLessThanOrEqual(1000 * ALPHA);
    expect(regressions + improvements).toBeLessThanOrEqual(2 * 1000 * ALPHA);
  });

  it('A/A, 1,000 trials of a 10-benchmark suite: the Holm correction keeps suite-wide false alarms at alpha', () => {
    const normal = normalSource(seededRandom(99));
    let suitesWithRegression = 0;
    for (let trial = 0; trial < 1000; trial++) {
      const draw = () =>
        manyBenchmarks(Array.from({ length: 10 }, (_, i) => lognormalTimings(normal, 20, 1e-3 * (i + 1), 0.2)));
      if (compareBenchmarks(draw(), draw(), { alpha: ALPHA }).verdict === 'regression') suitesWithRegression++;
    }
    expect(suitesWithRegression).toBeLessThanOrEqual(1000 * ALPHA);
  });

  it('true +10% shift, 20 rounds, 5% CV, 1,000 trials: detected as a regression in at least 95%', () => {
    const normal = normalSource(seededRandom(4242));
    let detected = 0;
    for (let trial = 0; trial < 1000; trial++) {
      const comparison = compareBenchmarks(
        oneBenchmark(lognormalTimings(normal, 20, 1e-3, 0.05)),
        oneBenchmark(lognormalTimings(normal, 20, 1.1e-3, 0.05)),
        { alpha: ALPHA },
      );
      if (comparison.verdict === 'regression') detected++;
    }
    expect(detected).toBeGreaterThanOrEqual(950);
  });

  it('true +10% shift at 20% CV (noisier than the change), 1,000 trials: never called an improvement, mostly inconclusive or caught', () => {
    const normal = normalSource(seededRandom(5));
    const counts = { regression: 0, inconclusive: 0, unchanged: 0, improvement: 0 };
    for (let trial = 0; trial < 1000; trial++) {
      const verdict = compareBenchmarks(
        oneBenchmark(lognormalTimings(normal, 20, 1e-3, 0.2)),
        oneBenchmark(lognormalTimings(normal, 20, 1.1e-3, 0.2)),
      ).verdict;
      counts[verdict as keyof typeof counts]++;
    }
    expect(counts.improvement).toBe(0);
    expect(counts.regression + counts.inconclusive).toBeGreaterThan(700);
  });

  it('Hodges-Lehmann 95% interval, 1,000 trials: covers the true log-shift in about 95% of trials', () => {
    const normal = normalSource(seededRandom(11));
    let covered = 0;
    const trueShift = Math.log(1.2);
    for (let trial = 0; trial < 1000; trial++) {
      const base = lognormalTimings(normal, 15, 1, 0.3).map(Math.log);
      const current = lognormalTimings(normal, 18, 1.2, 0.3).map(Math.log);
      const { low, high } = hodgesLehmann(base, current, 0.95, true);
      if (low <= trueShift && trueShift <= high) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(930);
    expect(covered).toBeLessThanOrEqual(985);
  });

  it('drift: when 8 benchmarks all slow by 30% and one by 80%, only that one is a regression, judged relative to the drift', () => {
    const normal = normalSource(seededRandom(3));
    const base = manyBenchmarks(
      Array.from({ length: 9 }, (_, i) => lognormalTimings(normal, 30, 1e-3 * (i + 1), 0.03)),
    );
    const current = manyBenchmarks(
      Array.from({ length: 9 }, (_, i) => lognormalTimings(normal, 30, 1e-3 * (i + 1) * (i === 4 ? 1.8 : 1.3), 0.03)),
    );
    const corrected = compareBenchmarks(base, current);
    expect(corrected.drift).toMatchObject({ applied: true, agreeing: 9, of: 9 });
    expect(corrected.drift!.change).toBeGreaterThan(0.25);
    expect(corrected.drift!.change).toBeLessThan(0.35);
    expect(corrected.benchmarks.filter((b) => b.verdict === 'regression').map((b) => b.name)).toEqual(['bench_4']);
    expect(corrected.benchmarks.find((b) => b.name === 'bench_4')!.reason).toContain('relative to the common shift');
    const uncorrected = compareBenchmarks(base, current, { driftCorrection: false });
    expect(uncorrected.benchmarks.filter((b) => b.verdict === 'regression')).toHaveLength(9);
  });

  it('summary statistics only (no samples): Welch test decides; mixed units and missing names are not comparable', () => {
    const base: BenchmarkSet = {
      format: 'pytest-benchmark',
      source: 'a',
      benchmarks: [
        {
          name: 'fast',
          label: 'fast',
          unit: 's',
          biggerIsBetter: false,
          value: 1,
          summary: { mean: 1, stddev: 0.02, count: 30 },
        },
        {
          name: 'same',
          label: 'same',
          unit: 's',
          biggerIsBetter: false,
          value: 1,
          summary: { mean: 1, stddev: 0.3, count: 30 },
        },
        { name: 'gone', label: 'gone', unit: 's', biggerIsBetter: false, value: 1 },
        { name: 'unit', label: 'unit', unit: 's', biggerIsBetter: false, value: 1 },
      ],
    };
    const current: BenchmarkSet = {
      format: 'pytest-benchmark',
      source: 'b',
      benchmarks: [
        {
          name: 'fast',
          label: 'fast',
          unit: 's',
          biggerIsBetter: false,
          value: 1.2,
          summary: { mean: 1.2, stddev: 0.02, count: 30 },
        },
        {
          name: 'same',
          label: 'same',
          unit: 's',
          biggerIsBetter: false,
          value: 1.1,
          summary: { mean: 1.1, stddev: 0.3, count: 30 },
        },
        { name: 'new', label: 'new', unit: 's', biggerIsBetter: false, value: 1 },
        { name: 'unit', label: 'unit', unit: 'ms', biggerIsBetter: false, value: 1000 },
      ],
    };
    const result = compareBenchmarks(base, current);
    const verdict = Object.fromEntries(result.benchmarks.map((b) => [b.name, b.verdict]));
    expect(verdict).toEqual({
      fast: 'regression',
      same: 'inconclusive',
      gone: 'not-comparable',
      unit: 'not-comparable',
      new: 'not-comparable',
    });
    expect(result.benchmarks.find((b) => b.name === 'fast')!.method).toBe('welch');
    expect(result.benchmarks.find((b) => b.name === 'unit')!.reason).toMatch(/unit changed from 's' to 'ms'/);
  });

  it('bigger-is-better metrics: a drop is the regression; the ignore list keeps it out of the verdict', () => {
    const normal = normalSource(seededRandom(8));
    const make = (scale: number): BenchmarkSet => ({
      format: 'generic',
      source: 'g',
      benchmarks: [
        {
          name: 'throughput',
          label: 'throughput',
          unit: 'ops/s',
          biggerIsBetter: true,
          value: 0,
          samples: lognormalTimings(normal, 25, 1000 * scale, 0.02),
        },
      ],
    });
    const base = make(1);
    const current = make(0.8);
    expect(compareBenchmarks(base, current).verdict).toBe('regression');
    const ignored = compareBenchmarks(base, current, { ignore: ['through*'] });
    expect(ignored.benchmarks[0]).toMatchObject({ verdict: 'regression', ignored: true });
    expect(ignored.verdict).toBe('unchanged');
    expect(compareBenchmarks(current, base).verdict).toBe('improvement');
  });
});
