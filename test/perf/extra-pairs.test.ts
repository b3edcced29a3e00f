import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  compareRunPairs,
  oneDeviantPairHidesAChange,
  runSameJobAb,
  type BenchmarkSet,
  type SameJobAbRuns,
} from '@ci-optimizer/core/perf';
import { seededRandom, syntheticRun } from './seeded-random.ts';

/**
 * Same-job A/B when one pair goes the other way from the others (one process slow for its whole run): perf-comment
 * runs up to `ab-extra-runs` more pairs (oneDeviantPairHidesAChange, runSameJobAb's morePairs), and from four pairs
 * on the verdict sets that one pair aside (compare-run-pairs.ts).
 */
const NAMES = ['a', 'b', 'c', 'd', 'e'];

const run = syntheticRun;
const LOCKSTEP = { setAsideDeviantPair: true };
const flags = (base: BenchmarkSet[], head: BenchmarkSet[], options = LOCKSTEP) =>
  compareRunPairs(base, head, options)
    .benchmarks.filter((b) => b.verdict === 'regression' || b.verdict === 'improvement')
    .map((b) => `${b.name} ${b.verdict}`);

describe('one deviant pair: extra pairs, then set aside', () => {
  // The shape of every miss of the live bench (bench/perf-ab.ts): horner +14%, +15%, but -26% in the pair whose base
  // process ran slow for its whole run.
  const pr = { a: 2, b: 1.15 };
  const base = [1, 2, 3, 4, 5].map((seed, i) => run(seed, {}, i === 0 ? { b: 1.55 } : {}));
  const head = [11, 12, 13, 14, 15].map((seed) => run(seed, pr));

  it('3 pairs: the 1.15x is hidden by the deviant pair, and that is the case for one more pair', () => {
    const comparison = compareRunPairs(base.slice(0, 3), head.slice(0, 3), LOCKSTEP);
    const b = comparison.benchmarks.find((row) => row.name === 'b')!;
    expect(b.verdict).not.toBe('regression');
    expect(b.pairChanges![0]).toBeLessThan(-0.2);
    expect(b.pairSetAside).toBeUndefined();
    expect(comparison.benchmarks.find((row) => row.name === 'a')!.verdict).toBe('regression');
    expect(oneDeviantPairHidesAChange(comparison)).toBe(true);
  });

  it('4 and 5 pairs in lockstep: the deviant pair is set aside and the 1.15x flagged, nothing else', () => {
    for (const pairs of [4, 5]) {
      // Whole runs (the rule off): the deviant pair still hides the 1.15x.
      expect(flags(base.slice(0, pairs), head.slice(0, pairs), {} as typeof LOCKSTEP)).toEqual(['a regression']);
      const comparison = compareRunPairs(base.slice(0, pairs), head.slice(0, pairs), LOCKSTEP);
      expect(flags(base.slice(0, pairs), head.slice(0, pairs))).toEqual(['a regression', 'b regression']);
      const b = comparison.benchmarks.find((row) => row.name === 'b')!;
      expect(b.pairSetAside).toBe(0);
      expect(b.change).toBeGreaterThan(0.1);
      expect(b.reason).toContain('pair 1 set aside');
      expect(comparison.benchmarks.filter((row) => row.pairSetAside !== undefined).map((row) => row.name)).toEqual([
        'b',
      ]);
      expect(oneDeviantPairHidesAChange(comparison)).toBe(false);
    }
  });

  it('no deviant pair, no extra pair: quiet A/A and a clear PR', () => {
    const clean = [1, 2, 3].map((seed) => run(seed));
    const aa = compareRunPairs(
      clean,
      [11, 12, 13].map((seed) => run(seed)),
      LOCKSTEP,
    );
    expect(oneDeviantPairHidesAChange(aa)).toBe(false);
    const clear = compareRunPairs(
      clean,
      [11, 12, 13].map((seed) => run(seed, pr)),
      LOCKSTEP,
    );
    expect(clear.benchmarks.filter((row) => row.verdict === 'regression').map((row) => row.name)).toEqual(['a', 'b']);
    expect(oneDeviantPairHidesAChange(clear)).toBe(false);
  });

  it('A/A with one deviant pair: the others agree on no change, so no extra pair', () => {
    const comparison = compareRunPairs(
      [1, 2, 3].map((seed, i) => run(seed, {}, i === 1 ? { c: 1.4 } : {})),
      [11, 12, 13].map((seed) => run(seed)),
      LOCKSTEP,
    );
    expect(comparison.benchmarks.find((row) => row.name === 'c')!.pairChanges![1]).toBeLessThan(-0.2);
    expect(oneDeviantPairHidesAChange(comparison)).toBe(false);
  });

  // As run-pairs.test.ts's 3-pair test: each run of each benchmark slowed by 0-50% with probability 0.15.
  it('A/A, 1,000 synthetic trials of 4 and of 5 pairs with disturbed runs: false alarms in at most α of trials', () => {
    for (const pairs of [4, 5]) {
      const random = seededRandom(7 + pairs);
      let flagged = 0;
      for (let trial = 0; trial < 1000; trial++) {
        const seed = 10 + trial * 2 * pairs;
        const disturb = () => Object.fromEntries(NAMES.map((name) => [name, random() < 0.15 ? 1 + random() * 0.5 : 1]));
        const sides = [0, 1].map((side) =>
          Array.from({ length: pairs }, (_, i) => run(seed + side * pairs + i, {}, disturb())),
        );
        if (flags(sides[0], sides[1]).length > 0) flagged++;
      }
      expect(flagged, `${pairs} pairs`).toBeLessThanOrEqual(10);
    }
  });
});

describe('runSameJobAb: extra pairs', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('asks after the runs and after each extra pair, runs at most maxExtraPairs more pairs, in ABBA order', async () => {
    const root = mkdtempSync(join(tmpdir(), 'perf-extra-pairs-'));
    dirs.push(root);
    const asked: number[] = [];
    const ab = (maxExtraPairs: number, answer: boolean) =>
      runSameJobAb({
        command: `printf '{"side":"%s"}' "$PERF_SIDE" > {output}`,
        baseDir: root,
        headDir: root,
        runsPerSide: 3,
        outDir: join(root, `results-${maxExtraPairs}-${answer}`),
        maxExtraPairs,
        morePairs: async (runs: SameJobAbRuns) => {
          asked.push(runs.base.length);
          expect(runs.head).toHaveLength(runs.base.length);
          return answer;
        },
      });
    const capped = await ab(2, true);
    expect(asked).toEqual([3, 4]);
    expect(capped.extraPairs).toBe(2);
    expect(capped.order).toEqual(['base', 'head', 'head', 'base', 'base', 'head', 'head', 'base', 'base', 'head']);
    expect(capped.head.map((file) => JSON.parse(readFileSync(file, 'utf8')).side)).toEqual(Array(5).fill('head'));

    asked.length = 0;
    const enough = await ab(2, false);
    expect(asked).toEqual([3]);
    expect(enough.extraPairs).toBe(0);
    expect(enough.base).toHaveLength(3);

    asked.length = 0;
    const off = await ab(0, true);
    expect(asked).toEqual([]);
    expect(off.base).toHaveLength(3);
  });
});
