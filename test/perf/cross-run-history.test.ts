import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  compareWithHistory,
  renderPerfComment,
  runStatistics,
  type BenchmarkSet,
  type RunStatistic,
} from '@ci-optimizer/core/perf';
import { normalSource, seededRandom } from './seeded-random.ts';

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

  // More recordings of the same package (bench/perf-aa-calibration.record.ts writes them): A/A runs minutes apart
  // and real PR runs (checksum 2x, horner 1.15x) in between. `flagged2x` is how many of their PR runs the rule flags
  // against 5 stored runs (bench/perf-aa-calibration.ts prints every figure; which files were held out when is said
  // there). aa-runs-s6-heldout.json has an A/A run with running_max and digit_sum slowed alone by +52% in a quiet
  // run: the session-6 rule flagged it against 10 and 20 runs; the pooled tail guard does not (its stored runs show
  // benchmarks slowed alone by as much, more than once). aa-runs-s6-heldout2.json's 2x needs the pooled at-level
  // noise: its stored runs have benchmarks moving alone both ways, which widened every benchmark's interval (19 of
  // 26 flagged). aa-runs-s7-heldout.json has an A/A run with running_max alone +117% (+136% against its 5 stored
  // runs, +143% against 10), the others at their usual speed: flagged by every rule tried, the known limit of one
  // run against stored runs (`falseFlags`: the only ones allowed, each with its history size).
  const recordings: { file: string; flagged2x: number; falseFlags?: string[] }[] = [
    { file: 'aa-runs-heldout.json', flagged2x: 5 },
    { file: 'aa-runs-heldout-1s.json', flagged2x: 4 },
    { file: 'aa-runs-s6.json', flagged2x: 28 },
    { file: 'aa-runs-s6-heldout.json', flagged2x: 22 },
    { file: 'aa-runs-s6-heldout2.json', flagged2x: 22 },
    {
      file: 'aa-runs-s7-heldout.json',
      flagged2x: 22,
      falseFlags: ['history 5, 17-a test_running_max', 'history 10, 17-a test_running_max'],
    },
    // Held out from the rule as it stands (judged once, after it was committed).
    { file: 'aa-runs-s7-heldout2.json', flagged2x: 23 },
    { file: 'aa-runs-s7-heldout3.json', flagged2x: 13 },
  ];
  const sizes = [5, 10, 20];
  for (const { file, flagged2x, falseFlags = [] } of recordings) {
    it(`recorded A/A runs (${file}) against the last 5, 10 and 20: ${falseFlags.length} false flags (at least 8 pairs against 5); at least ${flagged2x} real 2x PR runs flagged`, () => {
      const recorded = JSON.parse(
        readFileSync(fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url)), 'utf8'),
      ) as { runs: RecordedRun[]; pr: RecordedRun[] };
      const sorted = recorded.runs.sort((a, b) => a.at.localeCompare(b.at));
      const flagged: string[] = [];
      let pairs = 0;
      for (const size of sizes) {
        for (let i = size; i < sorted.length; i++) {
          if (size === 5) pairs++;
          for (const b of compareWithHistory(
            sorted
              .slice(i - size, i)
              .reverse()
              .map(history),
            asSet(sorted[i]),
          ).benchmarks) {
            if (b.verdict === 'regression' || b.verdict === 'improvement')
              flagged.push(`history ${size}, ${sorted[i].id} ${b.label}: ${b.verdict} (${b.reason})`);
          }
        }
      }
      expect(pairs).toBeGreaterThanOrEqual(8);
      expect(flagged.map((flag) => flag.slice(0, flag.indexOf(':')))).toEqual(falseFlags);
      let checksum = 0;
      for (const pr of recorded.pr) {
        const before = sorted.filter((run) => run.at < pr.at).slice(-5);
        if (before.length < 5) continue;
        for (const b of compareWithHistory(before.reverse().map(history), asSet(pr)).benchmarks) {
          if (b.verdict === 'regression' && b.name.endsWith('test_checksum')) checksum++;
          // horner really is 15% slower: a regression there is right, an improvement never.
          else if (b.name.endsWith('test_horner'))
            expect(b.verdict, `${pr.id} ${b.name}: ${b.reason}`).not.toBe('improvement');
          else expect(b.verdict, `${pr.id} ${b.name}: ${b.reason}`).not.toMatch(/regression|improvement/);
        }
      }
      expect(checksum).toBeGreaterThanOrEqual(Math.max(1, flagged2x));
    });
  }

  it('a 2x regression against ≥ 5 runs is flagged wherever the benchmark and the PR run are not too noisy to tell', () => {
    let cases = 0;
    const missed: string[] = [];
    for (const size of [5, 10]) {
      for (let i = size; i < runs.length; i++) {
        const plain = judge(i, size);
        // A recorded run with a common shift over 10% (here: some benchmarks slowed by 50%, others not; a run
        // slowed evenly is the next test), or a benchmark that moves by more than 10% between runs, can hide a 2x
        // at α=0.01 with this few runs: those are reported inconclusive (checked below), not missed.
        if (Math.abs(plain.history?.drift ?? 0) > 0.1) continue;
        for (const name of names) {
          const noise = plain.benchmarks.find((b) => b.name === name)!.noise!;
          const slowedRun = judge(i, size, { [name]: 2 });
          const slowed = slowedRun.benchmarks.find((b) => b.name === name)!;
          // A run whose benchmarks the load slowed unevenly (two by 50%, the others not) cannot show a 2x in one of
          // the unslowed ones beyond the others: reported inconclusive, not missed.
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

  it('real PR runs (checksum 2x, horner 1.15x) against 5 runs: checksum flagged in 5 of 9, nothing else ever is', () => {
    // The misses: a run where two of the other benchmarks were slowed by ~50% and two were not (+50% after the
    // others' shift), and three whose five stored runs of checksum itself spread by ±17-23% (its own lone slowdowns;
    // the session-6 rule, which leaned twice as hard on the other benchmarks' spread, flagged two of those). The
    // session-5 rule flagged 4 of these 9.
    let checksum = 0;
    let judged = 0;
    for (const pr of fixture.pr) {
      const before = runs.filter((run) => run.at < pr.at).slice(-5);
      if (before.length < 5) continue;
      judged++;
      const comparison = compareWithHistory(before.reverse().map(history), asSet(pr));
      for (const b of comparison.benchmarks) {
        if (b.name.endsWith('test_checksum') && b.verdict === 'regression') checksum++;
        else if (!b.name.endsWith('test_horner'))
          expect(b.verdict, `${pr.id} ${b.name}: ${b.reason}`).not.toMatch(/regression|improvement/);
        else expect(b.verdict).not.toBe('improvement');
      }
    }
    expect(judged).toBe(9);
    expect(checksum).toBeGreaterThanOrEqual(5);
  });

  // A stored history built from one recorded run: every value moved by a seeded ±2% (quiet runs), plus the lone moves
  // a test asks for (run index -> benchmark -> factor).
  const quietHistory = (size: number, moves: Record<number, Record<string, number>>, seed: number) => {
    const normal = normalSource(seededRandom(seed));
    return Array.from({ length: size }, (_, k) =>
      Object.fromEntries(
        Object.entries(history(runs[20])).map(([name, stat]) => [
          name,
          { ...stat, value: stat.value * Math.exp(0.02 * normal()) * (moves[k]?.[name] ?? 1) },
        ]),
      ),
    );
  };

  it('the ignore list matches a benchmark by its label (the name after ::) as the other comparisons do', () => {
    const stored = quietHistory(5, {}, 7);
    const pr = asSet(runs[20], { 'pkg/test_bench.py::test_checksum': 3 });
    const flagged = compareWithHistory(stored, pr).benchmarks.find((b) => b.name.endsWith('test_checksum'))!;
    expect(flagged).toMatchObject({ verdict: 'regression', ignored: false, label: 'test_checksum' });
    for (const pattern of ['test_check*', 'pkg/test_bench.py::test_checksum']) {
      const comparison = compareWithHistory(stored, pr, { ignore: [pattern] });
      expect(comparison.benchmarks.find((b) => b.name.endsWith('test_checksum'))).toMatchObject({
        verdict: 'regression',
        ignored: true,
      });
      expect(comparison.verdict, pattern).not.toBe('regression');
    }
  });

  it('pooled noise: the other benchmarks moving alone in the stored runs do not hide a 2x in a quiet one', () => {
    // Five stored runs in which each of the other four benchmarks once ran 35% faster than usual on its own (the
    // usual speed being a loaded one: aa-runs-s6-heldout2.json has such runs). The judged benchmark never moved. Its
    // interval is moderated towards the pooled at-level noise (±2% here, floored at 12%), not towards the typical
    // benchmark's five-point spread, which those lone moves made ±20% (the session-6 rule: inconclusive).
    for (const [seed, name] of names.entries()) {
      const others = names.filter((other) => other !== name);
      const stored = quietHistory(5, Object.fromEntries(others.map((other, k) => [k, { [other]: 0.65 }])), seed + 1);
      const row = compareWithHistory(stored, asSet(runs[20], { [name]: 2 })).benchmarks.find((b) => b.name === name)!;
      expect(row.verdict, row.reason).toBe('regression');
    }
  });

  it('heavy-tail guard: a lone slowdown no larger than the stored runs showed now and then is not flagged, a 2.5x still is', () => {
    // Ten quiet stored runs, three of which had one benchmark slowed alone by 60% (load during that benchmark). A PR
    // run with another benchmark slowed alone by 70% is within what the history shows unchanged code does: the
    // normal model with its 12% floor would flag it (p < 0.01), the pooled tail guard does not.
    for (const [seed, name] of names.entries()) {
      const others = names.filter((other) => other !== name);
      const stored = quietHistory(
        10,
        { 2: { [others[0]]: 1.6 }, 5: { [others[1]]: 1.6 }, 8: { [others[2]]: 1.6 } },
        seed + 11,
      );
      const lone = compareWithHistory(stored, asSet(runs[20], { [name]: 1.7 }));
      const row = lone.benchmarks.find((b) => b.name === name)!;
      expect(row.verdict, row.reason).toBe('inconclusive');
      expect(row.reason).toMatch(
        /not beyond how far benchmarks moved alone in the 10 baseline runs \(\+\d+\.\d% or more, twice; a change must pass/,
      );
      expect(lone.history?.loneSlowdown).toBeGreaterThan(0.5);
      // The comment prints the noise level and how far benchmarks moved alone.
      expect(renderPerfComment({ comparison: lone, baseline: { kind: 'stored runs' } })).toMatch(
        /against 10 baseline runs of the default branch, run-to-run noise ±\d+\.\d% \(median over benchmarks[^)]*\), benchmarks moved alone by \+\d+\.\d% or more twice in them/,
      );
      const far = compareWithHistory(stored, asSet(runs[20], { [name]: 2.5 }));
      expect(far.benchmarks.find((b) => b.name === name)!.verdict).toBe('regression');
    }
  });

  it('heavy-tail guard: a one-off lone slowdown (+140%) in the stored runs does not hide a 2x for the runs after it', () => {
    // aa-runs-s7-heldout.json has such an A/A run (running_max alone +117-143%, the others at their usual speed).
    // A guard standing on the single largest lone move would call every 2x within it for as long as that run stays
    // in the history (30 runs by default); "now and then" takes two.
    for (const [seed, name] of names.entries()) {
      const other = names.find((n) => n !== name)!;
      const stored = quietHistory(10, { 4: { [other]: 2.4 } }, seed + 21);
      const row = compareWithHistory(stored, asSet(runs[20], { [name]: 2 })).benchmarks.find((b) => b.name === name)!;
      expect(row.verdict, row.reason).toBe('regression');
    }
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

  it('a PR run the machine slowed as a whole (+50%) still shows a 2x against 5 runs', () => {
    // The shift a benchmark is judged against is the other benchmarks' median: a 2x in a run slowed by 50% reads
    // +100% after it. (The previous rule widened every interval with the run's shift and called these inconclusive.)
    let cases = 0;
    const missed: string[] = [];
    for (let i = 5; i < runs.length; i++) {
      const plain = judge(i, 5);
      // A recorded run the machine did not disturb (its benchmarks agree), then slowed by 50% as a whole: a run
      // whose benchmarks were slowed unevenly (some by 50%, some not) can hide a 2x, and is not this case.
      if (Math.abs(plain.history?.drift ?? 0) > 0.1) continue;
      for (const name of names) {
        if (plain.benchmarks.find((b) => b.name === name)!.noise! > 0.1) continue;
        cases++;
        const scale = Object.fromEntries(names.map((n) => [n, n === name ? 3 : 1.5]));
        const judged = judge(i, 5, scale).benchmarks;
        const slowed = judged.find((b) => b.name === name)!;
        if (slowed.verdict !== 'regression') missed.push(`${runs[i].id} ${name}: ${slowed.reason}`);
        const others = judged.filter((b) => b.name !== name && /regression|improvement/.test(b.verdict));
        expect(others.map((b) => `${runs[i].id} ${b.name}: ${b.reason}`)).toEqual([]);
      }
    }
    expect(cases).toBeGreaterThanOrEqual(20);
    expect(missed).toEqual([]);
  });

  it('load only slows: a benchmark that escaped a slowdown of the others is not an improvement', () => {
    // Four benchmarks 80% slower (load), one at its usual speed: relative to the others it reads -44%.
    for (const i of [10, 20, 30, 40]) {
      for (const name of names) {
        const scale = Object.fromEntries(names.map((n) => [n, n === name ? 1 : 1.8]));
        const row = judge(i, 5, scale).benchmarks.find((b) => b.name === name)!;
        expect(row.verdict, row.reason).not.toBe('improvement');
        expect(row.reason).toContain('escaped');
      }
    }
    // A benchmark really faster on its own value is still an improvement in such a run.
    const faster = judge(20, 5, Object.fromEntries(names.map((n, k) => [n, k === 0 ? 0.5 : 1.8])));
    expect(faster.benchmarks.find((b) => b.name === names[0])!.verdict).toBe('improvement');
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
