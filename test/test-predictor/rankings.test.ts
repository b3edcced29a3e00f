import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@ci-optimizer/core/model';
import {
  chooseRanking,
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

const evaluation = (changeRecall: number, testRecall: number, apfd: number): Evaluation => ({
  runs: 10,
  rows: 100,
  failures: 12,
  faultyRuns: 8,
  auc: null,
  prAuc: null,
  timeFraction: 0.33,
  testRecall,
  changeRecall,
  apfd,
});

describe('rankings', () => {
  it('the model runs only when it beats the best simple ranking on the same held-out runs; a tie goes to the simple one', () => {
    const simple = {
      'co-failure': evaluation(0.9, 0.8, 0.85),
      'failure-frequency': evaluation(0.8, 0.7, 0.8),
      'import-graph': evaluation(0.5, 0.4, 0.6),
    };
    expect(chooseRanking({ ...simple, model: evaluation(0.9, 0.8, 0.85) }).chosen).toBe('co-failure');
    expect(chooseRanking({ ...simple, model: evaluation(0.88, 0.95, 0.95) }).chosen).toBe('co-failure');
    const won = chooseRanking({ ...simple, model: evaluation(0.95, 0.8, 0.8) });
    expect(won.chosen).toBe('model');
    expect(won.reason).toMatch(
      /^co-failure ranks best on 8 held-out run\(s\) with failures at 33\.0% of test time .*, and the model beats it on the newest 10 held-out run\(s\)/,
    );
    // With a replay of the whole history, the simple ranking is chosen there and the model judged against it.
    // Co-failure stays unless another ranking catches two more faulty runs (or as many and 5 points more files).
    const replay = {
      'co-failure': evaluation(0.75, 0.7, 0.7),
      'failure-frequency': evaluation(1, 0.7, 0.7),
      'import-graph': evaluation(0.5, 0.4, 0.6),
    };
    const fromReplay = chooseRanking({ ...simple, model: evaluation(0.9, 0.9, 0.9) }, replay);
    expect(fromReplay.chosen).toBe('model');
    expect(fromReplay.reason).toMatch(/^failure-frequency ranks best on 8 replayed run\(s\)/);
    expect(chooseRanking(simple, replay).chosen).toBe('failure-frequency');
    const close = chooseRanking(simple, { ...replay, 'failure-frequency': evaluation(0.875, 0.7, 0.7) });
    expect(close.chosen).toBe('co-failure');
    expect(close.reason).toMatch(/failure-frequency is ahead by less than 2 run\(s\).*too little to switch/);
    expect(chooseRanking({ ...simple, 'import-graph': evaluation(0.9, 0.9, 0.5) }).chosen).toBe('import-graph');
    expect(chooseRanking({ ...simple, 'import-graph': evaluation(0.9, 0.82, 0.5) }).chosen).toBe('co-failure');
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
    expect(p.ranking.chosen).toBe('co-failure');
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
    expect(['co-failure', 'model']).toContain(ranking.chosen);
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
    // The choice is the best of the simple rankings on the replayed history, by change recall first.
    const figures = (['co-failure', 'failure-frequency', 'import-graph'] as const).map((name) => ({
      name,
      e: p.ranking.replay![name]!,
    }));
    const caught = (e: Evaluation) => Math.round(e.changeRecall! * e.faultyRuns);
    const cofail = figures.find((f) => f.name === 'co-failure')!.e;
    const others = figures.filter((f) => f.name !== 'co-failure');
    if (p.ranking.chosen === 'co-failure')
      for (const other of others) expect(caught(other.e)).toBeLessThan(caught(cofail) + 2);
    else
      expect(caught(p.ranking.replay![p.ranking.chosen as 'co-failure']!)).toBeGreaterThanOrEqual(caught(cofail) + 2);
    expect(p.ranking.reason).toMatch(
      new RegExp(`^${p.ranking.chosen} ranks best on \\d+ replayed run\\(s\\) with failures`),
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
