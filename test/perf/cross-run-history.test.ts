import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareWithHistory, runStatistics, type BenchmarkSet, type RunStatistic } from '@ci-optimizer/core/perf';

/**
 * Cross-run verdicts on real data: test/perf/fixtures/aa-runs.json holds the run-level results (each benchmark's
 * fastest round) of the unchanged benchmark package run every ~70 s on the shared development machine while
 * other work kept it busy, and of real PR runs (checksum 2x, horner 1.15x) in between. Each A/A run plays the PR,
 * the runs recorded before it the default branch's history.
 */
interface RecordedRun {
  id: string;
  at: string;
  benchmarks: Record<string, number>;
}
const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('./fixtures/aa-runs.json', import.meta.url)), 'utf8'),
) as { runs: RecordedRun[]; pr: RecordedRun[] };
// One run per iteration (the first of each back-to-back pair): runs minutes apart, as a stored history is.
const runs = fixture.runs.filter((run) => run.id.endsWith('-a')).sort((a, b) => a.at.localeCompare(b.at));
const names = Object.keys(runs[0].benchmarks);

const history = (run: RecordedRun): Record<string, RunStatistic> =>
  Object.fromEntries(
    Object.entries(run.benchmarks).map(([name, value]) => [
      name,
      { value, unit: 's', biggerIsBetter: false, statistic: 'min' as const },
    ]),
  );
const asSet = (run: RecordedRun, scale: Record<string, number> = {}): BenchmarkSet => ({
  format: 'pytest-benchmark',
  source: run.id,
  benchmarks: Object.entries(run.benchmarks).map(([name, value]) => {
    const v = value * (scale[name] ?? 1);
    return { name, label: name, unit: 's', biggerIsBetter: false, value: v, min: v };
  }),
});
const judge = (index: number, size: number, scale: Record<string, number> = {}) =>
  compareWithHistory(
    runs
      .slice(index - size, index)
      .reverse()
      .map(history),
    asSet(runs[index], scale),
  );

describe('cross-run verdicts against a history of runs (real A/A data from this machine)', () => {
  it('the fixture has enough runs to judge', () => {
    expect(runs.length).toBeGreaterThanOrEqual(20);
    expect(names).toHaveLength(5);
    // The run statistic is the fastest round: what runStatistics keeps from rounds.
    expect(
      runStatistics({
        format: 'pytest-benchmark',
        source: 'x',
        benchmarks: [{ name: 'a', label: 'a', unit: 's', biggerIsBetter: false, value: 3, samples: [3, 2, 5] }],
      }).a,
    ).toEqual({
      value: 2,
      unit: 's',
      biggerIsBetter: false,
      statistic: 'min',
    });
  });

  for (const size of [5, 10, 20]) {
    it(`A/A against the last ${size} runs: no regression and no improvement in any pair`, () => {
      let pairs = 0;
      const flagged: string[] = [];
      for (let i = size; i < runs.length; i++) {
        pairs++;
        for (const b of judge(i, size).benchmarks) {
          if (b.verdict === 'regression' || b.verdict === 'improvement')
            flagged.push(`${runs[i].id} ${b.name}: ${b.verdict} (${b.reason})`);
        }
      }
      expect(pairs).toBeGreaterThanOrEqual(8);
      expect(flagged).toEqual([]);
    });
  }

  // Recorded after the constants of compare-with-history.ts were chosen on aa-runs.json (bench/perf-aa-calibration.ts).
  for (const file of ['aa-runs-heldout.json', 'aa-runs-heldout-1s.json']) {
    it(`held-out A/A runs (${file}) against the last 5: no false flag in at least 8 pairs; their real 2x PR runs flagged`, () => {
      const heldOut = JSON.parse(
        readFileSync(fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url)), 'utf8'),
      ) as { runs: RecordedRun[]; pr: RecordedRun[] };
      const sorted = heldOut.runs.sort((a, b) => a.at.localeCompare(b.at));
      const flagged: string[] = [];
      let pairs = 0;
      for (let i = 5; i < sorted.length; i++) {
        pairs++;
        for (const b of compareWithHistory(
          sorted
            .slice(i - 5, i)
            .reverse()
            .map(history),
          asSet(sorted[i]),
        ).benchmarks) {
          if (b.verdict === 'regression' || b.verdict === 'improvement')
            flagged.push(`${sorted[i].id} ${b.name}: ${b.verdict} (${b.reason})`);
        }
      }
      expect(pairs).toBeGreaterThanOrEqual(8);
      expect(flagged).toEqual([]);
      let checksum = 0;
      for (const pr of heldOut.pr) {
        const before = sorted.filter((run) => run.at < pr.at).slice(-5);
        if (before.length < 5) continue;
        for (const b of compareWithHistory(before.reverse().map(history), asSet(pr)).benchmarks) {
          if (b.verdict === 'regression' && b.name.endsWith('test_checksum')) checksum++;
          else expect(b.verdict, `${pr.id} ${b.name}: ${b.reason}`).not.toMatch(/regression|improvement/);
        }
      }
      expect(checksum).toBeGreaterThanOrEqual(1);
    });
  }

  it('a 2x regression against ≥ 5 runs is flagged wherever the benchmark and the PR run are not too noisy to tell', () => {
    let cases = 0;
    const missed: string[] = [];
    for (const size of [5, 10]) {
      for (let i = size; i < runs.length; i++) {
        const plain = judge(i, size);
        // A PR run the machine slowed as a whole, or a benchmark that moves by more than 10% between runs, can
        // hide a 2x at α=0.01 with this few runs: those are reported inconclusive (checked below), not missed.
        if (Math.abs(plain.history?.drift ?? 0) > 0.1) continue;
        for (const name of names) {
          const noise = plain.benchmarks.find((b) => b.name === name)!.noise!;
          const slowedRun = judge(i, size, { [name]: 2 });
          const slowed = slowedRun.benchmarks.find((b) => b.name === name)!;
          // The 2x itself can move the run's common shift (median over five benchmarks) when two others were
          // disturbed: such a PR run is as noisy as one the machine slowed as a whole.
          if (noise > 0.1 || Math.abs(slowedRun.history?.drift ?? 0) > 0.1) {
            expect(slowed.verdict, slowed.reason).toMatch(/regression|inconclusive/);
            continue;
          }
          cases++;
          if (slowed.verdict !== 'regression') missed.push(`${runs[i].id} ${name}: ${slowed.reason}`);
        }
      }
    }
    expect(cases).toBeGreaterThanOrEqual(20);
    expect(missed).toEqual([]);
  });

  it('real PR runs (checksum 2x, horner 1.15x): checksum is flagged at least once, nothing else ever is', () => {
    let checksum = 0;
    for (const pr of fixture.pr) {
      const before = runs.filter((run) => run.at < pr.at).slice(-10);
      if (before.length < 5) continue;
      const comparison = compareWithHistory(before.reverse().map(history), asSet(pr));
      for (const b of comparison.benchmarks) {
        if (b.name.endsWith('test_checksum') && b.verdict === 'regression') checksum++;
        else if (!b.name.endsWith('test_horner'))
          expect(b.verdict, `${pr.id} ${b.name}: ${b.reason}`).not.toMatch(/regression|improvement/);
        else expect(b.verdict).not.toBe('improvement');
      }
    }
    expect(checksum).toBeGreaterThanOrEqual(1);
  });

  it('with fewer than 5 runs the verdict is inconclusive unless the change is beyond any plausible noise (3x)', () => {
    const i = 12;
    const two = runs
      .slice(i - 2, i)
      .reverse()
      .map(history);
    const doubled = compareWithHistory(two, asSet(runs[i], { [names[0]]: 2 }));
    expect(doubled.benchmarks.find((b) => b.name === names[0])!.verdict).toBe('inconclusive');
    expect(doubled.history).toMatchObject({ runs: 2, minRuns: 5 });
    const tenfold = compareWithHistory(two, asSet(runs[i], { [names[0]]: 10 }));
    expect(tenfold.benchmarks.find((b) => b.name === names[0])!.verdict).toBe('regression');
  });

  it('drift correction never turns an unchanged or faster benchmark into a regression', () => {
    // Four benchmarks 40% faster in the PR run, one unchanged: relative to the shift it looks +67% slower.
    const base = history(runs[20]);
    const hist = [0, 1, 2, 3, 4, 5].map((k) =>
      Object.fromEntries(Object.entries(base).map(([n, s]) => [n, { ...s, value: s.value * (1 + 0.01 * k) }])),
    );
    const scale = Object.fromEntries(names.map((n, k) => [n, k === 0 ? 1.02 : 0.6]));
    const comparison = compareWithHistory(hist, asSet(runs[20], scale));
    const row = comparison.benchmarks.find((b) => b.name === names[0])!;
    expect(row.verdict).not.toBe('regression');
    expect(comparison.benchmarks.filter((b) => b.verdict === 'regression')).toEqual([]);
  });
});
