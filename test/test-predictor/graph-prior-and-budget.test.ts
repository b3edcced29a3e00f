import { describe, expect, it } from 'vitest';
import {
  buildHistoryDataset,
  changeOfRun,
  combineWithGraphPrior,
  evaluateScores,
  failedFiles,
  FEATURE_NAMES,
  HistoryStats,
  selectedByTestFilter,
  type RunRecord,
} from '@ci-optimizer/core/test-predictor';
import { syntheticHistory } from './synthetic-history.ts';

describe('graph prior', () => {
  it('learns from the history how often a test at each import distance fails', () => {
    const runs = syntheticHistory({ runs: 60, seed: 5 });
    const stats = new HistoryStats();
    for (const run of runs) stats.add(run, failedFiles(run, new Set()));
    const change = { changes: runs[0].changes!, reach: { 'tests/a.py': 1 } };
    const near = stats.graphPrior(change, 'tests/a.py')!;
    const outside = stats.graphPrior(change, 'tests/b.py')!;
    // The generated history breaks reached tests with p 0.35 and others with p 0.003.
    expect(near).toBeGreaterThan(0.2);
    expect(outside).toBeLessThan(0.02);
    expect(stats.graphPrior({ ...change, reach: null }, 'tests/a.py')).toBeUndefined();
    expect(stats.graphPrior({ ...change, reachAll: true }, 'tests/a.py')).toBeUndefined();
  });

  it('the lift: how many times likelier than average a test at that distance failed, none before a failure', () => {
    const runs = syntheticHistory({ runs: 60, seed: 5 });
    const stats = new HistoryStats();
    const change = { changes: runs[0].changes!, reach: { 'tests/a.py': 1 } };
    expect(stats.graphLift(change, 'tests/a.py')).toBeUndefined();
    for (const run of runs) stats.add(run, failedFiles(run, new Set()));
    const near = stats.graphLift(change, 'tests/a.py')!;
    const outside = stats.graphLift(change, 'tests/b.py')!;
    // The same base rate divides both priors: the lifts keep their ratio, reached tests well above average.
    expect(near / outside).toBeCloseTo(
      stats.graphPrior(change, 'tests/a.py')! / stats.graphPrior(change, 'tests/b.py')!,
      10,
    );
    expect(near).toBeGreaterThan(2);
    expect(outside).toBeLessThan(0.2);
    expect(stats.graphLift({ ...change, reach: null }, 'tests/a.py')).toBeUndefined();
  });

  it('is averaged with the model, and leaves the model alone without a graph', () => {
    expect(combineWithGraphPrior(0.2, 0.6)).toBeCloseTo(0.4);
    expect(combineWithGraphPrior(0.2, undefined)).toBe(0.2);
    expect(combineWithGraphPrior(0.2, Number.NaN)).toBe(0.2);
  });
});

describe('budgets on held-out runs', () => {
  it('use the durations known before the run, so a test the fault made slow is still selected', () => {
    const runs = syntheticHistory({ runs: 20, seed: 6 });
    const last = runs[runs.length - 1];
    const victim = Object.keys(last.reach!).sort()[0];
    // The fault sends the code into a long loop: the failing file takes far more than the whole suite used to.
    last.cases = last.cases.map((c) =>
      c.file === victim ? { ...c, outcome: 'failed' as const, duration: 1000 } : { ...c, outcome: 'passed' as const },
    );
    const dataset = buildHistoryDataset(runs);
    const rows = Array.from(dataset.runOfRow.keys()).filter((i) => dataset.runOfRow[i] === runs.length - 1);
    const row = rows.find((i) => dataset.files[i] === victim)!;
    expect(dataset.durations[row]).toBe(1000);
    expect(dataset.expectedDurations[row]).toBeLessThan(10);
    const heldOut = {
      data: {
        ...dataset.data,
        rows: rows.length,
        values: dataset.data.values.slice(rows[0] * dataset.data.cols),
        labels: dataset.data.labels.slice(rows[0]),
      },
      runOfRow: dataset.runOfRow.slice(rows[0]),
      files: dataset.files.slice(rows[0]),
      durations: dataset.durations.slice(rows[0]),
    };
    const scores = rows.map((i) => (i === row ? 1 : 0));
    // Measured durations (the old definition) can never fit it in a third of the time; expected ones do.
    expect(evaluateScores(scores, heldOut, 0.33).testRecall).toBe(0);
    expect(
      evaluateScores(scores, { ...heldOut, expectedDurations: dataset.expectedDurations.slice(rows[0]) }, 0.33)
        .testRecall,
    ).toBe(1);
  });
});

describe('expected durations', () => {
  it('are the median of the last runs: one run a fault sent into a hang does not make the file look slow', () => {
    const runs = syntheticHistory({ runs: 8, seed: 9 });
    const file = runs[0].cases[0].file;
    runs[5].cases = runs[5].cases.map((c) =>
      c.file === file ? { ...c, outcome: 'failed' as const, duration: 120 } : c,
    );
    const stats = new HistoryStats();
    for (const run of runs) stats.add(run, failedFiles(run, new Set()));
    const usual = runs
      .slice(3)
      .filter((_, i) => i !== 2)
      .map((run) => run.cases.find((c) => c.file === file)!.duration);
    expect(stats.duration(file)).toBeGreaterThanOrEqual(Math.min(...usual));
    expect(stats.duration(file)).toBeLessThanOrEqual(Math.max(...usual));
  });
});

describe("test-filter's impact map in the features", () => {
  /** Runs that change mod.py: both tests import it, but only test_uses.py runs the changed function and fails. */
  function mappedRuns(count: number): RunRecord[] {
    return Array.from({ length: count }, (_, r) => ({
      schema: 1,
      time: new Date(Date.UTC(2026, 0, 1, r)).toISOString(),
      commit: `c${r + 1}`,
      base: `c${r}`,
      event: 'pull_request',
      full: true,
      changes: [{ path: 'src/mod.py', status: 'modified' as const, added: 1, removed: 1 }],
      reach: { 'tests/test_uses.py': 1, 'tests/test_imports_only.py': 1 },
      mapRemoved: ['tests/test_imports_only.py'],
      cases: ['tests/test_uses.py', 'tests/test_imports_only.py'].map((file) => ({
        file,
        id: `${file}::t`,
        outcome: file === 'tests/test_uses.py' && r % 2 === 0 ? ('failed' as const) : ('passed' as const),
        duration: 1,
        retry: false,
      })),
    }));
  }

  it('marks what test-filter runs with the map (1), what it leaves out (0), and is missing without a map', () => {
    const runs = mappedRuns(1);
    const stats = new HistoryStats();
    const kept = FEATURE_NAMES.indexOf('impact_map_kept');
    const change = changeOfRun(runs[0]);
    expect(stats.features(change, 'tests/test_uses.py')[kept]).toBe(1);
    expect(stats.features(change, 'tests/test_imports_only.py')[kept]).toBe(0);
    expect(stats.features(change, 'tests/elsewhere.py')[kept]).toBe(0);
    expect(stats.features({ ...change, mapRemoved: undefined }, 'tests/test_uses.py')[kept]).toBeNaN();
    expect(stats.features({ ...change, reachAll: true }, 'tests/test_uses.py')[kept]).toBeNaN();
    expect(selectedByTestFilter(change, 'tests/test_uses.py')).toBe(true);
    expect(selectedByTestFilter(change, 'tests/test_imports_only.py')).toBe(false);
    expect(selectedByTestFilter({ ...change, mapRemoved: undefined }, 'tests/test_imports_only.py')).toBe(true);
  });

  it('gives reached tests the map removed their own prior, apart from the kept ones at the same distance', () => {
    const runs = mappedRuns(20);
    const stats = new HistoryStats();
    for (const run of runs) stats.add(run, failedFiles(run, new Set()));
    const change = changeOfRun(runs[0]);
    const keptPrior = stats.graphPrior(change, 'tests/test_uses.py')!;
    const removedPrior = stats.graphPrior(change, 'tests/test_imports_only.py')!;
    expect(keptPrior).toBeGreaterThan(0.4);
    expect(removedPrior).toBeLessThan(0.05);
    // When this change has no map, the test falls back to its distance bucket, the one the kept rows built.
    expect(stats.graphPrior({ ...change, mapRemoved: undefined }, 'tests/test_imports_only.py')).toBeCloseTo(
      keptPrior,
      6,
    );
  });
});
