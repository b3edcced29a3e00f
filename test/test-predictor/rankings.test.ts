import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@ci-optimizer/core/model';
import {
  binomialUpperTail,
  chooseRanking,
  pairedSignTest,
  FEATURE_NAMES,
  graphDiscriminates,
  predictTests,
  simpleScore,
  timeWeightedApfd,
  trainFromHistory,
  type Evaluation,
  type RunRecord,
} from '@ci-optimizer/core/test-predictor';

/**
 * A history shaped like a real package: every test imports the package, so the import graph reaches every test at
 * the same distance (no signal), while each module has one or two test files that really exercise it and fail when
 * it breaks. Durations spread over two orders of magnitude.
 */
function packageLikeHistory(runs: number, seed: number): RunRecord[] {
  const random = new SeededRandom(seed);
  const modules = Array.from({ length: 12 }, (_, i) => `pkg/mod${i}.py`);
  const tests = Array.from({ length: 48 }, (_, i) => ({
    file: `tests/test_${i}.py`,
    owner: i % 12,
    duration: 0.5 + random.next() * 9.5,
  }));
  const out: RunRecord[] = [];
  for (let r = 0; r < runs; r++) {
    const changed = Math.floor(random.next() * modules.length);
    const faulty = random.next() < 0.6;
    out.push({
      schema: 1,
      time: new Date(Date.UTC(2026, 0, 1) + r * 3_600_000).toISOString(),
      commit: `c${r + 1}`,
      base: `c${r}`,
      event: 'pull_request',
      full: true,
      changes: [{ path: modules[changed], status: 'modified', added: 3, removed: 1 }],
      reach: Object.fromEntries(tests.map((t) => [t.file, 1])),
      cases: tests.map((t) => ({
        file: t.file,
        id: `${t.file}::test_it`,
        outcome: faulty && t.owner === changed && random.next() < 0.8 ? 'failed' : 'passed',
        duration: t.duration,
        retry: false,
      })),
    });
  }
  return out;
}

/** An evaluation with its per-run outcomes: `caught` and `apfd` per faulty run. */
const evaluation = (caught: number[], apfd: number[], testRecall = 0.8): Evaluation => ({
  runs: caught.length + 2,
  rows: 100,
  failures: caught.length + 2,
  faultyRuns: caught.length,
  auc: null,
  prAuc: null,
  timeFraction: 0.33,
  testRecall,
  changeRecall: caught.reduce((a, b) => a + b, 0) / caught.length,
  apfd: apfd.reduce((a, b) => a + b, 0) / apfd.length,
  outcomes: { caught, apfd },
});
const times = <T>(n: number, value: T): T[] => Array.from({ length: n }, () => value);

describe('rankings', () => {
  it('a paired sign test: five wins of five differing runs is the least a fair coin gives under one time in twenty', () => {
    expect(binomialUpperTail(5, 5)).toBeCloseTo(1 / 32, 12);
    expect(binomialUpperTail(4, 4)).toBeCloseTo(1 / 16, 12);
    expect(binomialUpperTail(0, 7)).toBe(1);
    expect(binomialUpperTail(8, 7)).toBe(0);
    // P(X >= 15), X ~ B(20, 1/2) = 21700 / 2^20.
    expect(binomialUpperTail(15, 20)).toBeCloseTo(21700 / 2 ** 20, 12);
    // Long histories stay finite (no 2^-n underflow).
    expect(binomialUpperTail(1100, 2000)).toBeGreaterThan(0);
    expect(binomialUpperTail(1100, 2000)).toBeLessThan(1e-4);
    const test = pairedSignTest([1, 0.5, 0.7, 0.9], [0.5, 0.5, 0.8, 0.1]);
    expect(test).toEqual({ wins: 2, losses: 1, p: 0.5 });
    expect(() => pairedSignTest([1], [1, 2])).toThrow(/the runs must be the same/);
  });

  it('co-failure-graph runs unless another ranking is significantly better run by run; the model likewise', () => {
    const base = evaluation(times(10, 1), times(10, 0.8));
    const simple = {
      'co-failure-graph': base,
      'co-failure': evaluation(times(10, 1), times(10, 0.79)),
      'failure-frequency': evaluation([...times(8, 1), 0, 0], times(10, 0.6)),
      'import-graph': evaluation([...times(9, 1), 0], times(10, 0.7)),
    };
    // Higher APFDc in every run but only four of them: not significant (p = 1/16), the default stays and says why.
    const fourBetter = evaluation(times(10, 1), [...times(4, 0.95), ...times(6, 0.8)]);
    const kept = chooseRanking({ ...simple, 'import-graph': fourBetter });
    expect(kept.chosen).toBe('co-failure-graph');
    expect(kept.reason).toMatch(
      /^co-failure-graph on 10 held-out run\(s\) with failures at 33\.0% of test time .*no other ranking is significantly better \(the closest, import-graph/,
    );
    // Five of five: significant, and as many runs caught: the challenger runs.
    const fiveBetter = evaluation(times(10, 1), [...times(5, 0.95), ...times(5, 0.8)]);
    const switched = chooseRanking({ ...simple, 'import-graph': fiveBetter });
    expect(switched.chosen).toBe('import-graph');
    expect(switched.reason).toMatch(
      /import-graph is significantly better than co-failure-graph .*higher in 5 run\(s\) and lower in 0 \(p = 0\.031\)/,
    );
    // Significantly better APFDc but one faulty run fewer caught at the budget: not a better ranking.
    const fasterButMisses = evaluation([...times(9, 1), 0], [...times(9, 0.95), 0.8]);
    expect(chooseRanking({ ...simple, 'import-graph': fasterButMisses }).chosen).toBe('co-failure-graph');
    // Catches five more faulty runs with as high an APFDc: McNemar's test says switch.
    const catchesMore = {
      ...simple,
      'co-failure-graph': evaluation([...times(5, 0), ...times(5, 1)], times(10, 0.7)),
      'co-failure': evaluation(times(10, 1), times(10, 0.7)),
    };
    expect(chooseRanking(catchesMore).chosen).toBe('co-failure');
    // With a replay, the simple ranking is chosen there and the model judged against it on the held-out runs.
    const model = evaluation(times(10, 1), times(10, 0.9));
    const won = chooseRanking(
      { ...simple, model },
      { ...simple, 'co-failure-graph': evaluation(times(30, 1), times(30, 0.8)) },
    );
    expect(won.chosen).toBe('model');
    expect(won.reason).toMatch(
      /^co-failure-graph on 30 replayed run\(s\).*the model is significantly better than it on the newest 12 held-out run\(s\)/,
    );
    const tie = chooseRanking({ ...simple, model: evaluation(times(10, 1), [...times(4, 0.9), ...times(6, 0.8)]) });
    expect(tie.chosen).toBe('co-failure-graph');
    expect(tie.reason).toMatch(/the model is not significantly better on the newest 12 held-out run\(s\)/);
    // The per-run outcomes are for the choice only: the stored figures leave them out.
    expect(won.heldOut.model?.outcomes).toBeUndefined();
    expect(won.replay?.['co-failure-graph']?.outcomes).toBeUndefined();
    expect(won.heldOut.model?.apfd).toBeCloseTo(0.9, 10);
    // Without a failure to compare on, the import graph orders (the model when there is one).
    const none = evaluation([], []);
    expect(chooseRanking({ 'co-failure-graph': none, 'import-graph': none }).chosen).toBe('import-graph');
  });

  it('scores: co-failure follows what failed with the changed files, frequency the recent failures, the graph its distance', () => {
    const row = new Float64Array(FEATURE_NAMES.length).fill(Number.NaN);
    const set = (name: (typeof FEATURE_NAMES)[number], value: number) => (row[FEATURE_NAMES.indexOf(name)] = value);
    set('cofail_rate_max', 0);
    set('fail_rate_decayed', 0.1);
    const base = simpleScore('co-failure', row);
    set('cofail_rate_max', 0.6);
    expect(simpleScore('co-failure', row)).toBeGreaterThan(base + 0.5);
    expect(simpleScore('failure-frequency', row)).toBeCloseTo(0.11, 3); // a prior of 0.01 plus the rate
    set('graph_reached', 1);
    set('graph_distance', 1);
    const near = simpleScore('import-graph', row);
    set('graph_distance', 3);
    expect(simpleScore('import-graph', row)).toBeLessThan(near);
    set('impact_map_kept', 0);
    expect(simpleScore('import-graph', row)).toBeLessThan(0.05);
  });

  it('co-failure-graph: the graph lift multiplies the odds of the history evidence, and no lift changes nothing', () => {
    const row = new Float64Array(FEATURE_NAMES.length).fill(Number.NaN);
    const set = (name: (typeof FEATURE_NAMES)[number], value: number) => (row[FEATURE_NAMES.indexOf(name)] = value);
    set('cofail_rate_max', 0.5);
    set('cofail_dir_rate', 0.2);
    const evidence = 0.01 + 0.5 + 0.3 * 0.2;
    expect(simpleScore('co-failure-graph', row)).toBeCloseTo(evidence, 10);
    expect(simpleScore('co-failure-graph', row, 0, 0.3, Number.NaN)).toBeCloseTo(evidence, 10);
    const odds = (p: number) => p / (1 - p);
    expect(odds(simpleScore('co-failure-graph', row, 0, 0.3, 3))).toBeCloseTo(3 * odds(evidence), 10);
    expect(odds(simpleScore('co-failure-graph', row, 0, 0.001, 0.01))).toBeCloseTo(0.01 * odds(evidence), 10);
    // With no evidence and no lift (no failure yet), the nearer test comes first: the graph breaks the tie.
    const cold = (distance: number) => {
      const r = new Float64Array(FEATURE_NAMES.length).fill(Number.NaN);
      r[FEATURE_NAMES.indexOf('graph_reached')] = distance > 0 ? 1 : 0;
      if (distance > 0) r[FEATURE_NAMES.indexOf('graph_distance')] = distance;
      return simpleScore('co-failure-graph', r);
    };
    expect(cold(1)).toBeGreaterThan(cold(2));
    expect(cold(2)).toBeGreaterThan(cold(0));
    expect(cold(1)).toBeLessThan(0.02);
    // Never certain, however strong the evidence and the lift.
    set('cofail_rate_max', 2);
    expect(simpleScore('co-failure-graph', row, 0, 0.9, 50)).toBeLessThan(1);
    // On a flat package: a test of the changed module with no history (graph bucket that failed three times as
    // often as average) outranks a test that only failed for other modules of the folder (a bucket that never failed).
    const own = new Float64Array(FEATURE_NAMES.length).fill(Number.NaN);
    const other = new Float64Array(FEATURE_NAMES.length).fill(Number.NaN);
    other[FEATURE_NAMES.indexOf('cofail_dir_rate')] = 0.2;
    expect(simpleScore('co-failure-graph', own, 0, 0.06, 3)).toBeGreaterThan(
      5 * simpleScore('co-failure-graph', other, 0, 0.0001, 0.005),
    );
    expect(simpleScore('co-failure', own, 0, 0.06)).toBeLessThan(1.5 * simpleScore('co-failure', other, 0, 0.0001));
  });

  it('co-failure on a flat package: the graph prior puts the tests of a module nobody changed before first', () => {
    // Like boltons: one folder of modules, one test file per module that the import graph reaches from it alone; the
    // folder's co-failure then favours every test that failed for any module, the graph says which one matters.
    const tests = Array.from({ length: 12 }, (_, i) => `tests/test_mod${i}.py`);
    const runs: RunRecord[] = Array.from({ length: 20 }, (_, r) => {
      const m = r % 10;
      return {
        schema: 1,
        time: new Date(Date.UTC(2026, 0, 1) + r * 3_600_000).toISOString(),
        commit: `c${r + 1}`,
        base: 'c0',
        event: 'pull_request',
        full: true,
        changes: [{ path: `pkg/mod${m}.py`, status: 'modified', added: 1, removed: 1 }],
        reach: { [tests[m]]: 1 },
        cases: tests.map((file, t) => ({
          file,
          id: `${file}::test_it`,
          outcome: t === m ? 'failed' : 'passed',
          duration: t === 11 ? 1 : 0.5,
          retry: false,
        })),
      };
    });
    const change = {
      changes: [{ path: 'pkg/mod11.py', status: 'modified' as const, added: 1, removed: 1 }],
      reach: { [tests[11]]: 1 },
    };
    const p = predictTests({
      history: runs,
      change,
      candidates: tests,
      mustRun: new Map(),
      budget: { kind: 'fraction', fraction: 0.2 },
      minHistory: 5,
      shards: 1,
      slowThreshold: 60,
    });
    expect(p.ranking.chosen).toBe('co-failure-graph');
    expect(p.ordered[0].file).toBe(tests[11]);
    expect(p.selection.selected).toContain(tests[11]);
    // The same row without the prior: a test that failed for a neighbour module outranks it per second.
    const row = new Float64Array(FEATURE_NAMES.length).fill(Number.NaN);
    row[FEATURE_NAMES.indexOf('graph_reached')] = 1;
    row[FEATURE_NAMES.indexOf('graph_distance')] = 1;
    expect(simpleScore('co-failure', row, 0, 0.9)).toBeGreaterThan(simpleScore('co-failure', row) + 0.8);
    expect(simpleScore('co-failure', row, 0, Number.NaN)).toBe(simpleScore('co-failure', row));
  });

  it('time-weighted APFD: 1 minus half the first test when it fails, lower when the failure comes after a long test', () => {
    const t = (file: string, duration: number) => ({ file, probability: 0, duration, graphReached: false });
    const seconds = new Map([
      ['a', 1],
      ['b', 9],
    ]);
    expect(timeWeightedApfd([t('a', 1), t('b', 9)], seconds, new Set(['a']))).toBeCloseTo(0.95, 10);
    expect(timeWeightedApfd([t('b', 9), t('a', 1)], seconds, new Set(['a']))).toBeCloseTo(0.05, 10);
  });

  it('on a package where the graph reaches every test alike, training chooses a history ranking and the prior is not used', () => {
    const history = packageLikeHistory(91, 3);
    const runs = history.slice(0, 90);
    const outcome = trainFromHistory(runs, { holdout: 0.3, timeBudgetMs: 30_000, timeFraction: 0.33 });
    const ranking = outcome.model!.document!.ranking!;
    expect(['co-failure-graph', 'model']).toContain(ranking.chosen);
    const graph = ranking.heldOut['import-graph']!;
    const cofail = ranking.heldOut['co-failure']!;
    expect(cofail.changeRecall!).toBeGreaterThan(graph.changeRecall!);
    expect(cofail.changeRecall!).toBeGreaterThanOrEqual(0.9);

    const next = history[90];
    const change = { changes: next.changes!, reach: next.reach };
    const candidates = next.cases.map((c) => c.file);
    expect(graphDiscriminates(change, candidates)).toBe(false);
    const p = predictTests({
      history: runs,
      model: outcome.model,
      change,
      candidates,
      mustRun: new Map(),
      budget: { kind: 'fraction', fraction: 0.33 },
      minHistory: 5,
      shards: 1,
      slowThreshold: 60,
    });
    expect(p.ranking.chosen).toBe(ranking.chosen);
    // The tests of the changed module come first: they failed with it before.
    const owner = Number(/mod(\d)/.exec(next.changes![0].path)![1]);
    const owned = candidates.filter((f) => Number(/test_(\d+)/.exec(f)![1]) % 12 === owner);
    expect(owned.every((f) => p.selection.selected.includes(f))).toBe(true);
  });

  it('without a model, the best simple ranking on the replayed history orders the tests, and says why', () => {
    const history = packageLikeHistory(51, 5);
    const next = history[50];
    const change = { changes: next.changes!, reach: next.reach };
    const candidates = next.cases.map((c) => c.file);
    const p = predictTests({
      history: history.slice(0, 50),
      change,
      candidates,
      mustRun: new Map(),
      budget: { kind: 'fraction', fraction: 0.33 },
      minHistory: 5,
      shards: 1,
      slowThreshold: 60,
    });
    expect(p.coldStart).toBe(true);
    // Every simple ranking is replayed over the same runs; co-failure-graph runs unless one is significantly better.
    const replay = p.ranking.replay!;
    for (const name of ['co-failure-graph', 'co-failure', 'failure-frequency', 'import-graph'] as const)
      expect(replay[name]!.faultyRuns).toBe(replay['co-failure-graph']!.faultyRuns);
    expect(p.ranking.reason).toMatch(
      p.ranking.chosen === 'co-failure-graph'
        ? /^co-failure-graph on \d+ replayed run\(s\) with failures .*no other ranking is significantly better/
        : new RegExp(`^${p.ranking.chosen} is significantly better than co-failure-graph on \\d+ replayed run\\(s\\)`),
    );
    // Co-failure finds more of the failing files than raw frequency, which favours files that failed for other changes.
    expect(p.ranking.replay!['co-failure']!.testRecall!).toBeGreaterThan(
      p.ranking.replay!['failure-frequency']!.testRecall!,
    );
    const empty = predictTests({
      history: [],
      change,
      candidates,
      mustRun: new Map(),
      budget: { kind: 'all' },
      minHistory: 5,
      shards: 1,
      slowThreshold: 60,
    });
    expect(empty.ranking.chosen).toBe('import-graph');
  });
});
