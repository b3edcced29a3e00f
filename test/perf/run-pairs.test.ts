import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareRunPairs, renderPerfComment, type BenchmarkSet } from '@ci-optimizer/core/perf';
import { seededRandom, syntheticRun } from './seeded-random.ts';

/**
 * Same-job A/B judged pair by pair (compare-run-pairs.ts), on runs recorded on the shared development machine
 * (test/perf/fixtures/ab-runs.json, see bench/perf-ab-calibration.ts) and on synthetic runs with known changes.
 */
interface Run {
  at: string;
  min: Record<string, number>;
}
interface Trial {
  id: string;
  kind: 'aa' | 'pr';
  base: Run[];
  head: Run[];
}
const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('./fixtures/ab-runs.json', import.meta.url)), 'utf8'),
) as { tuning: Trial[]; heldOut: Trial[] };
const asSet = (run: Run): BenchmarkSet => ({
  format: 'pytest-benchmark',
  source: run.at,
  benchmarks: Object.entries(run.min).map(([name, value]) => ({
    name,
    label: name,
    unit: 's',
    biggerIsBetter: false,
    value,
    samples: [value],
  })),
});
const flagsOf = (trial: Trial) =>
  compareRunPairs(trial.base.map(asSet), trial.head.map(asSet))
    .benchmarks.filter((b) => b.verdict === 'regression' || b.verdict === 'improvement')
    .map((b) => `${b.name} ${b.verdict}`);

describe('same-job A/B verdicts pair by pair', () => {
  it('recorded A/A trials (tuning and held out): nothing flagged', () => {
    const aa = [...fixture.tuning, ...fixture.heldOut].filter((trial) => trial.kind === 'aa');
    expect(aa.length).toBeGreaterThanOrEqual(20);
    expect(aa.map((trial) => [trial.id, flagsOf(trial)]).filter(([, flags]) => flags.length > 0)).toEqual([]);
  });

  it('recorded PR trials (checksum 2x, horner 1.15x): only checksum or horner is ever flagged, and only as a regression', () => {
    const pr = [...fixture.tuning, ...fixture.heldOut].filter((trial) => trial.kind === 'pr');
    const flags = pr.flatMap(flagsOf);
    expect(
      flags.filter(
        (flag) => !/test_(checksum|horner) regression$/.test(flag) && !/^(checksum|horner) regression$/.test(flag),
      ),
    ).toEqual([]);
    // The 2x is flagged in the trials quiet enough to tell (not all of them: see the calibration bench).
    expect(flags.filter((flag) => flag.startsWith('checksum')).length).toBeGreaterThanOrEqual(Math.ceil(pr.length / 3));
  });

  it('quiet machine, 3 pairs: a 2x and a 1.15x are flagged, nothing else; pair changes and the noise are reported', () => {
    const base = [1, 4, 5].map((seed) => syntheticRun(seed));
    const head = [2, 3, 6].map((seed) => syntheticRun(seed, { a: 2, b: 1.15 }));
    const comparison = compareRunPairs(base, head);
    const verdicts = Object.fromEntries(comparison.benchmarks.map((b) => [b.name, b.verdict]));
    expect(verdicts).toEqual({ a: 'regression', b: 'regression', c: 'unchanged', d: 'unchanged', e: 'unchanged' });
    const a = comparison.benchmarks.find((b) => b.name === 'a')!;
    expect(a.method).toBe('run-pairs');
    expect(a.pairChanges).toHaveLength(3);
    expect(a.change).toBeGreaterThan(0.85);
    expect(a.change).toBeLessThan(1.15);
    expect(a.changeLow!).toBeLessThan(a.change!);
    expect(comparison.pairs).toMatchObject({ count: 3 });
    expect(renderPerfComment({ comparison, baseline: { kind: 'same-job A/B' } })).toContain(
      'Judged pair by pair: 3 pairs of base and PR runs',
    );
  });

  it('one disturbed run (a burst of load slows one benchmark by 40%) is no regression', () => {
    const base = [1, 4, 5].map((seed) => syntheticRun(seed));
    const head = [2, 3, 6].map((seed, i) => syntheticRun(seed, {}, i === 1 ? { c: 1.4 } : {}));
    const comparison = compareRunPairs(base, head);
    expect(comparison.benchmarks.filter((b) => b.verdict === 'regression' || b.verdict === 'improvement')).toEqual([]);
    expect(comparison.benchmarks.find((b) => b.name === 'c')!.verdict).toBe('inconclusive');
  });

  // Live A/A in lockstep (bench/perf-ab.ts): checksum's fastest rounds read +12.8%, +3.3%, +29.5% (a regression) while
  // its 10th percentiles read +1.3%, +0.2%, +1.6%: a base run had two rounds 18% faster than all its others.
  it('a few lucky rounds (20% faster than the rest) in two base runs are no regression: a run is its 10th percentile', () => {
    const lucky = (set: BenchmarkSet): BenchmarkSet => ({
      ...set,
      benchmarks: set.benchmarks.map((b) =>
        b.name === 'c' ? { ...b, samples: [...b.samples!.slice(2), b.samples![0] * 0.8, b.samples![1] * 0.8] } : b,
      ),
    });
    const base = [1, 4, 5].map((seed, i) => (i === 1 ? syntheticRun(seed) : lucky(syntheticRun(seed))));
    const head = [2, 3, 6].map((seed) => syntheticRun(seed));
    const comparison = compareRunPairs(base, head);
    expect(comparison.benchmarks.filter((b) => b.verdict === 'regression' || b.verdict === 'improvement')).toEqual([]);
    const c = comparison.benchmarks.find((b) => b.name === 'c')!;
    expect(Math.max(...c.pairChanges!.map(Math.abs))).toBeLessThan(0.05);
  });

  // On the recorded A/A pairs two back-to-back runs of a benchmark differ by more than 10% in about a quarter of
  // the pairs: each run is disturbed with a probability of about 0.13. Here 0.15, by up to +50%.
  it('A/A, 1,000 synthetic trials, each run of each benchmark disturbed (slowed by 0-50%) with probability 0.15: false alarms in at most α of trials', () => {
    const random = seededRandom(99);
    let flagged = 0;
    for (let trial = 0; trial < 1000; trial++) {
      const seed = 10 + trial * 6;
      const disturb = () =>
        Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((name) => [name, random() < 0.15 ? 1 + random() * 0.5 : 1]));
      const base = [0, 1, 2].map((i) => syntheticRun(seed + i, {}, disturb()));
      const head = [3, 4, 5].map((i) => syntheticRun(seed + i, {}, disturb()));
      if (compareRunPairs(base, head).benchmarks.some((b) => b.verdict === 'regression' || b.verdict === 'improvement'))
        flagged++;
    }
    expect(flagged).toBeLessThanOrEqual(10);
  });

  it('throughputs: a drop is the regression', () => {
    const flip = (set: BenchmarkSet): BenchmarkSet => ({
      ...set,
      benchmarks: set.benchmarks.map((b) => ({
        ...b,
        unit: 'ops/s',
        biggerIsBetter: true,
        samples: b.samples!.map((v) => 1 / v),
      })),
    });
    const base = [1, 4, 5].map((seed) => flip(syntheticRun(seed)));
    const head = [2, 3, 6].map((seed) => flip(syntheticRun(seed, { a: 2 })));
    const a = compareRunPairs(base, head).benchmarks.find((b) => b.name === 'a')!;
    expect(a.verdict).toBe('regression');
    expect(a.change).toBeLessThan(-0.4);
  });
});
