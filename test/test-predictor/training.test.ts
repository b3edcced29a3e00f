import { describe, expect, it } from 'vitest';
import {
  buildHistoryDataset,
  evaluateScores,
  FEATURE_NAMES,
  predictTests,
  retrainWithRollback,
  STORE_KEYS,
  trainFromHistory,
  parseModel,
} from '@ci-optimizer/core/test-predictor';
import { DirStore } from '@ci-optimizer/core/store';
import { modelToXgboostJson } from '@ci-optimizer/core/model';
import { rmSync } from 'node:fs';
import { tempDir } from '../support/git-repo.ts';
import { syntheticHistory } from './synthetic-history.ts';

const settings = { holdout: 0.25, timeBudgetMs: 30_000, timeFraction: 0.33 };

describe('training on history', () => {
  it('replays the history so each row sees only earlier runs', () => {
    const runs = syntheticHistory({ runs: 30, seed: 1 });
    const dataset = buildHistoryDataset(runs);
    expect(dataset.data.cols).toBe(FEATURE_NAMES.length);
    expect(dataset.data.rows).toBe(30 * 24);
    // The first run's rows have no failure history yet (missing fail rates).
    const failRate = FEATURE_NAMES.indexOf('fail_rate_all');
    expect(Number.isNaN(dataset.data.values[failRate])).toBe(true);
    expect(Number.isNaN(dataset.data.values[24 * 5 * FEATURE_NAMES.length + failRate])).toBe(false);
  });

  it('learns which tests a change breaks: held-out recall at a third of test time beats random order', () => {
    const runs = syntheticHistory({ runs: 120, seed: 2 });
    const outcome = trainFromHistory(runs, settings);
    expect(outcome.model).toBeDefined();
    const e = outcome.evaluation!;
    expect(e.auc!).toBeGreaterThan(0.85);
    const scores = Array.from({ length: outcome.heldOut!.data.rows }, (_, i) => ((i * 2654435761) % 1000) / 1000);
    const random = evaluateScores(scores, outcome.heldOut!, 0.33);
    expect(e.testRecall!).toBeGreaterThan(random.testRecall! + 0.3);
    const doc = outcome.model!.document!;
    expect(doc.features).toEqual([...FEATURE_NAMES]);
    expect(doc.window.runs).toBe(120);
    expect(doc.rows).toBe(120 * 24);
    // The stored XGBoost part loads back to the same trees.
    const again = parseModel(JSON.stringify(doc), 'model.json');
    expect(modelToXgboostJson(again.model)).toBe(modelToXgboostJson(outcome.model!.model));
  });

  it('is deterministic: the same history gives the same model bytes', () => {
    const runs = syntheticHistory({ runs: 60, seed: 3 });
    const now = () => new Date('2026-11-26T00:00:00Z');
    const a = trainFromHistory(runs, { ...settings, now }).model!;
    const b = trainFromHistory(runs, { ...settings, now }).model!;
    expect(modelToXgboostJson(a.model)).toBe(modelToXgboostJson(b.model));
  });

  it('stops at the time budget and still returns a usable model', () => {
    const runs = syntheticHistory({ runs: 80, seed: 4 });
    const outcome = trainFromHistory(runs, { ...settings, timeBudgetMs: 1 });
    expect(outcome.model!.document!.training.stoppedBy).toBe('time-budget');
    expect(outcome.model!.model.trees.length).toBeGreaterThanOrEqual(1);
  });

  it('skips training without enough failures, saying why', () => {
    const runs = syntheticHistory({ runs: 20, seed: 5, breakRate: 0 }).map((r) => ({
      ...r,
      cases: r.cases.map((c) => ({ ...c, outcome: 'passed' as const })),
    }));
    expect(trainFromHistory(runs, settings).skippedReason).toMatch(
      /0 real failure\(s\); training needs at least 5 runs and 2 failures/,
    );
  });
});

describe('drift: keep or roll back to the better model', () => {
  it('installs a first model, keeps a good one against a worse candidate, and restores a better previous model', async () => {
    const dir = tempDir('predictor-store-');
    const store = new DirStore(dir);
    try {
      const good = syntheticHistory({ runs: 100, seed: 6 });
      const first = await retrainWithRollback(store, good, settings, 0.05, () => {});
      expect(first.status).toBe('installed');
      // A history where the reached tests no longer fail (and there is no graph): the candidate learns noise.
      const bad = syntheticHistory({ runs: 100, seed: 6, invert: true }).map((r, i) => ({ ...r, commit: `x${i}` }));
      const evaluatedOn = [...good.slice(0, 70), ...good.slice(70)];
      const kept = await retrainWithRollback(
        store,
        [...bad.slice(0, 75), ...evaluatedOn.slice(75)],
        settings,
        0.05,
        () => {},
      );
      expect(kept.status).toBe('kept');
      expect(kept.reason).toMatch(/more than 5\.0% below the current model/);

      // Force a worse current model in place, with the good one as previous: training again rolls back.
      const worse = await retrainWithRollback(new DirStore(tempDir('other-')), bad, settings, 0.05, () => {});
      await store.write(STORE_KEYS.previousModel, (await store.read(STORE_KEYS.model))!);
      await store.write(STORE_KEYS.model, `${JSON.stringify(worse.active!.document)}\n`);
      const rolled = await retrainWithRollback(
        store,
        [...bad.slice(0, 75), ...good.slice(75)],
        settings,
        0.05,
        () => {},
      );
      expect(rolled.status).toBe('rolled-back');
      expect(rolled.reason).toMatch(/previous model is restored/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('prediction', () => {
  const generated = syntheticHistory({ runs: 81, seed: 8 });
  const runs = generated.slice(0, 80);
  const model = trainFromHistory(runs, settings).model!;
  // The 81st generated run is the change to predict: its diff and the graph's reach.
  const change = { changes: generated[80].changes!, reach: generated[80].reach! };
  const reached = Object.keys(change.reach);
  const candidates = [...new Set(runs.flatMap((r) => r.cases.map((c) => c.file)))].sort();

  it('ranks the tests the change reaches first and keeps them under a recall budget', () => {
    // The model's own path: a document whose ranking comparison chose the model.
    const modelRanks = {
      ...model,
      document: {
        ...model.document!,
        ranking: { chosen: 'model' as const, reason: 'chosen for this test', heldOut: {} },
      },
    };
    const p = predictTests({
      history: runs,
      model: modelRanks,
      change,
      candidates,
      mustRun: new Map(),
      budget: { kind: 'recall', target: 0.95 },
      minHistory: 20,
      shards: 3,
      slowThreshold: 4,
    });
    expect(p.coldStart).toBe(false);
    expect(new Set(p.ordered.slice(0, reached.length).map((t) => t.file))).toEqual(new Set(reached));
    for (const file of Object.keys(change.reach)) expect(p.selection.selected).toContain(file);
    expect(p.selection.estimatedRecall).toBeGreaterThanOrEqual(0.95);
    expect(p.selection.selected.length).toBeLessThan(candidates.length);
    expect(p.shards.length).toBe(3);
    expect(p.reasons.get(p.ordered[0].file)!.map((r) => r.feature)).toContain('graph_reached');
    expect(p.slowTests.every((t) => t.seconds > 4)).toBe(true);
  });

  it('falls back to the graph and historic durations at cold start, and says so', () => {
    const p = predictTests({
      history: runs.slice(0, 5),
      model,
      change,
      candidates,
      mustRun: new Map([['tests/test_mod0_0.py', 'test file modified']]),
      budget: { kind: 'all' },
      minHistory: 20,
      shards: 1,
      slowThreshold: 1,
    });
    expect(p.coldStart).toBe(true);
    expect(p.coldStartReason).toMatch(/5 usable run\(s\), fewer than min-history \(20\)/);
    expect(p.ordered[0].file).toBe('tests/test_mod0_0.py');
    const rest = reached.filter((f) => f !== 'tests/test_mod0_0.py');
    expect(new Set(p.ordered.slice(1, 1 + rest.length).map((t) => t.file))).toEqual(new Set(rest));
    const noModel = predictTests({
      history: [],
      change,
      candidates,
      mustRun: new Map(),
      budget: { kind: 'all' },
      minHistory: 0,
      shards: 2,
      slowThreshold: 1,
    });
    expect(noModel.coldStartReason).toBe('no trained model yet');
    expect(noModel.shards.map((s) => s.tests.length).reduce((a, b) => a + b, 0)).toBe(candidates.length);
  });
});
