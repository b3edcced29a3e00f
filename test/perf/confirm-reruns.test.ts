import { describe, expect, it } from 'vitest';
import {
  benchmarksToConfirm,
  compareWithHistory,
  confirmWithReruns,
  forkPayload,
  parseForkPayload,
  renderPerfComment,
  unconfirmed,
  type BenchmarkSet,
} from '@ci-optimizer/core/perf';
import { alignBenchmarkNames } from '../../packages/core/src/perf/benchmark-names.ts';
import {
  fixturePath,
  loadFixture,
  runSet as asSet,
  runStats as stats,
  type RecordedRun,
} from '../../bench/perf-aa-calibration.fixtures.ts';

/**
 * Cross-run verdicts confirmed by re-runs (confirm-with-reruns.ts), on real runs recorded on the shared development
 * machine (test/perf/fixtures/aa-runs*.json). These recordings have no same-job re-runs: the next recorded runs of
 * the same code (about 90 s later) stand in for them, as in bench/perf-confirm-calibration.ts.
 */
const load = (file: string) => {
  const { runs, pr } = loadFixture(fixturePath(file));
  return { runs, pr: [...pr].sort((a, b) => a.at.localeCompare(b.at)) };
};
const historyBefore = (runs: RecordedRun[], index: number, size: number) =>
  runs
    .slice(index - size, index)
    .reverse()
    .map(stats);
const flags = (set: { benchmarks: { verdict: string; name: string }[] }) =>
  set.benchmarks.filter((b) => b.verdict === 'regression' || b.verdict === 'improvement').map((b) => b.name);

const s7 = load('aa-runs-s7-heldout.json');
const names = Object.keys(s7.runs[0].benchmarks);
const runningMax = names.find((name) => name.endsWith('test_running_max'))!;
// aa-runs-s7-heldout.json, run 17-a: unchanged code, running_max alone +136% (the others at their usual speed).
const lone = s7.runs.findIndex((run) => run.id === '17-a');

describe('cross-run verdicts confirmed by re-runs', () => {
  it('the recorded A/A run with one benchmark alone +136%: flagged by one run, inconclusive once re-runs show it gone', () => {
    for (const size of [5, 10]) {
      const history = historyBefore(s7.runs, lone, size);
      const one = compareWithHistory(history, asSet(s7.runs[lone]));
      expect(flags(one)).toEqual([runningMax]);
      const reruns = [s7.runs[lone + 1], s7.runs[lone + 2]].map((run) => asSet(run));
      const two = confirmWithReruns(history, asSet(s7.runs[lone]), reruns);
      expect(flags(two)).toEqual([]);
      const row = two.benchmarks.find((b) => b.name === runningMax)!;
      expect(row.verdict).toBe('inconclusive');
      expect(row.reason).toMatch(
        /^\+1[34]\d% in this run, but it did not persist on re-run \(re-run 1: [+−]\d+(\.\d)?%( \(own value [+−]\d+(\.\d)?%\))?, 2: [+−]\d+(\.\d)?%/,
      );
      expect(row.confirmChanges).toHaveLength(2);
      expect(two.confirmation).toMatchObject({ reruns: 2, flagged: 1, confirmed: 0 });
      expect(renderPerfComment({ comparison: two, baseline: { kind: 'stored runs' } })).toMatch(
        /Confirmed by re-runs: the 1 flagged benchmark was re-run 2 times in this job; 0 persisted in every re-run, 1 did not persist on re-run/,
      );
    }
  });

  it('a 2x that persists in the re-runs stays a regression, with the re-runs’ changes in its reason', () => {
    for (const name of names) {
      const index = 30;
      const history = historyBefore(s7.runs, index, 5);
      const reruns = [s7.runs[index + 1], s7.runs[index + 2]].map((run) => asSet(run, { [name]: 2 }));
      const two = confirmWithReruns(history, asSet(s7.runs[index], { [name]: 2 }), reruns);
      const row = two.benchmarks.find((b) => b.name === name)!;
      expect(row.verdict, row.reason).toBe('regression');
      expect(row.reason).toMatch(
        /; persisted in 2 re-runs in this job \(1: \+\d+(\.\d)?%( \(own value [+−]\d+(\.\d)?%\))?, 2: \+\d+(\.\d)?%( \(own value [+−]\d+(\.\d)?%\))?\)$/,
      );
      expect(flags(two)).toEqual([name]);
    }
  });

  it('a re-run is judged on its own value: a PR run slowed as a whole does not shrink the 2x its re-runs show', () => {
    // aa-runs-s8-confirm.json has such PR jobs: the PR run +60-80% as a whole, checksum 2x on top; the re-runs, made in a
    // quieter moment, +105% on their own values. Taking the PR run's shift out of them read +25% (not persisted).
    for (const name of names) {
      const index = 30;
      const history = historyBefore(s7.runs, index, 5);
      const slowed = Object.fromEntries(names.map((other) => [other, other === name ? 3.6 : 1.8]));
      const reruns = [s7.runs[index + 1], s7.runs[index + 2]].map((run) => asSet(run, { [name]: 2 }));
      const row = confirmWithReruns(history, asSet(s7.runs[index], slowed), reruns).benchmarks.find(
        (b) => b.name === name,
      )!;
      expect(row.verdict, row.reason).toBe('regression');
      const shifted = confirmWithReruns(history, asSet(s7.runs[index], slowed), reruns, { rerunShift: true });
      expect(shifted.benchmarks.find((b) => b.name === name)!.verdict).toBe('inconclusive');
    }
  });

  it('a re-run that goes the other way, or lacks the benchmark, does not confirm it', () => {
    const index = 30;
    const history = historyBefore(s7.runs, index, 5);
    const judged = asSet(s7.runs[index], { [runningMax]: 2 });
    const faster = asSet(s7.runs[index + 1], { [runningMax]: 0.5 });
    const slower = asSet(s7.runs[index + 2], { [runningMax]: 2 });
    const other = confirmWithReruns(history, judged, [slower, faster]).benchmarks.find((b) => b.name === runningMax)!;
    expect(other.verdict).toBe('inconclusive');
    expect(other.reason).toMatch(
      /did not persist on re-run \(re-run 1: \+\d+(\.\d)?%( \(own value [+−]\d+(\.\d)?%\))?, 2: −\d+(\.\d)?%/,
    );
    const without = { ...slower, benchmarks: slower.benchmarks.filter((b) => b.name !== runningMax) };
    const missing = confirmWithReruns(history, judged, [slower, without]).benchmarks.find(
      (b) => b.name === runningMax,
    )!;
    expect(missing.verdict).toBe('inconclusive');
    expect(missing.reason).toContain('2: not in its results');
  });

  it('screening flags every benchmark the one-stage rule flags, and benchmarks it does not flag keep the one-stage verdict', () => {
    for (const file of ['aa-runs.json', 'aa-runs-s6.json', 'aa-runs-s7-heldout.json']) {
      const { runs, pr } = load(file);
      for (const run of pr) {
        const history = runs
          .filter((r) => r.at < run.at)
          .slice(-5)
          .reverse()
          .map(stats);
        if (history.length < 5) continue;
        const one = compareWithHistory(history, asSet(run));
        const screened = benchmarksToConfirm(history, asSet(run));
        for (const name of flags(one)) expect(screened).toContain(name);
        const two = confirmWithReruns(history, asSet(run), [asSet(run)]);
        for (const row of two.benchmarks.filter((b) => !screened.includes(b.name)))
          expect(row).toEqual(one.benchmarks.find((b) => b.name === row.name));
      }
    }
  });

  it('on the recorded runs (next runs as re-runs): no A/A flag at history 5, 10, 20; more real 2x PR runs flagged at history 5 than by one run', () => {
    let oneStage2x = 0;
    let twoStage2x = 0;
    let falseFlags = 0;
    let aaPairs = 0;
    for (const file of ['aa-runs.json', 'aa-runs-s6.json', 'aa-runs-s6-heldout.json', 'aa-runs-s7-heldout.json']) {
      const { runs, pr } = load(file);
      for (const size of [5, 10, 20]) {
        for (let i = size; i + 2 < runs.length; i++) {
          const two = confirmWithReruns(historyBefore(runs, i, size), asSet(runs[i]), [
            asSet(runs[i + 1]),
            asSet(runs[i + 2]),
          ]);
          aaPairs++;
          falseFlags += flags(two).length;
        }
      }
      for (let j = 0; j + 2 < pr.length; j++) {
        const history = runs
          .filter((r) => r.at < pr[j].at)
          .slice(-5)
          .reverse()
          .map(stats);
        if (history.length < 5) continue;
        const is2x = (set: { benchmarks: { verdict: string; name: string }[] }) =>
          set.benchmarks.some((b) => b.name.endsWith('test_checksum') && b.verdict === 'regression');
        if (is2x(compareWithHistory(history, asSet(pr[j])))) oneStage2x++;
        if (is2x(confirmWithReruns(history, asSet(pr[j]), [asSet(pr[j + 1]), asSet(pr[j + 2])]))) twoStage2x++;
      }
    }
    expect(aaPairs).toBeGreaterThan(300);
    expect(falseFlags).toBe(0);
    expect(twoStage2x).toBeGreaterThan(oneStage2x);
  });

  it('without a re-run the verdicts are the one-stage ones and the comment says a re-run would confirm them', () => {
    const history = historyBefore(s7.runs, lone, 5);
    const comparison = unconfirmed(history, asSet(s7.runs[lone]), {}, 'no-command');
    expect(flags(comparison)).toEqual([runningMax]);
    const body = renderPerfComment({ comparison, baseline: { kind: 'stored runs' } });
    expect(body).toMatch(
      /Not confirmed: 1 flagged benchmark rests on this PR run alone \(this job gave no benchmark command/,
    );
    expect(body).toContain('A re-run would confirm');
    const quiet = unconfirmed(historyBefore(s7.runs, 30, 5), asSet(s7.runs[30]), {}, 'no-command');
    expect(flags(quiet)).toEqual([]);
    expect(renderPerfComment({ comparison: quiet, baseline: { kind: 'stored runs' } })).not.toContain('re-run');
  });

  it('a fork run hands the confirmation over as numbers: the trusted run renders it, reasons rebuilt from numbers', () => {
    const history = historyBefore(s7.runs, lone, 5);
    const reruns = [s7.runs[lone + 1], s7.runs[lone + 2]].map((run) => asSet(run));
    const comparison = confirmWithReruns(history, asSet(s7.runs[lone]), reruns);
    const payload = parseForkPayload(forkPayload({ comparison, baseline: { kind: 'merge base' } }, 'perf'), 'x.json');
    expect(payload.report.comparison.confirmation).toEqual(comparison.confirmation);
    expect(payload.report.comparison.history?.loneSlowdown).toBe(comparison.history?.loneSlowdown);
    const row = payload.report.comparison.benchmarks.find((b) => b.name === runningMax)!;
    expect(row.reason).toMatch(
      /^change \+1[34]\d%, adjusted p=[^,]+, re-runs [+−]\d+(\.\d)?%, [+−]\d+(\.\d)?% \(from the pull request's run\)$/,
    );
    expect(renderPerfComment({ ...payload.report })).toContain('1 did not persist on re-run');
  });

  it('re-run names are aligned with the PR run’s when pytest chose another rootdir', () => {
    const set: BenchmarkSet = {
      format: 'pytest-benchmark',
      source: 'rerun',
      benchmarks: [
        {
          name: 'pkg/test_bench.py::test_checksum',
          label: 'test_checksum',
          unit: 's',
          biggerIsBetter: false,
          value: 1,
        },
        {
          name: 'other/test_bench.py::test_checksum',
          label: 'test_checksum',
          unit: 's',
          biggerIsBetter: false,
          value: 1,
        },
        { name: 'test_x.py::test_y', label: 'test_y', unit: 's', biggerIsBetter: false, value: 1 },
      ],
    };
    const aligned = alignBenchmarkNames(set, ['test_bench.py::test_checksum', 'sub/test_x.py::test_y']);
    // Two re-run names end like the wanted one: ambiguous, both kept.
    expect(aligned.benchmarks.map((b) => b.name)).toEqual([
      'pkg/test_bench.py::test_checksum',
      'other/test_bench.py::test_checksum',
      'sub/test_x.py::test_y',
    ]);
    expect(
      alignBenchmarkNames({ ...set, benchmarks: set.benchmarks.slice(0, 1) }, ['test_bench.py::test_checksum'])
        .benchmarks[0].name,
    ).toBe('test_bench.py::test_checksum');
  });
});
