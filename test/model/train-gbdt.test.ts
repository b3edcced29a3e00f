import { describe, expect, it } from 'vitest';
import {
  featureMatrix,
  labelledDataset,
  logLoss,
  modelFromXgboostJson,
  modelToXgboostJson,
  predictProbabilities,
  predictRowProbability,
  rocAuc,
  featureMatrixFromRecords,
  splitNewest,
  splitRandom,
  trainGbdt,
  treeDepth,
} from '@ci-optimizer/core/model';
import { UserError } from '@ci-optimizer/core/errors';
import { syntheticFailures } from './synthetic-failures.ts';

const train = syntheticFailures(6000, 101);
const heldOut = syntheticFailures(4000, 102);

describe('trainGbdt', () => {
  it('learns to rank the rare failures on held-out data', () => {
    const { model, stoppedBy, roundsTrained } = trainGbdt(train, { numRounds: 60, eta: 0.1, maxDepth: 4 });
    expect(stoppedBy).toBe('rounds');
    expect(roundsTrained).toBe(60);
    expect(rocAuc(predictProbabilities(model, heldOut), heldOut.labels)).toBeGreaterThan(0.9);
  });

  it('gives byte-identical model JSON for the same data and seed, with row and column sampling on', () => {
    const params = { numRounds: 25, colsampleByTree: 0.6, subsample: 0.7, gamma: 0.3, seed: 42 };
    const first = modelToXgboostJson(trainGbdt(train, params).model);
    const second = modelToXgboostJson(trainGbdt(train, params).model);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    const otherSeed = modelToXgboostJson(trainGbdt(train, { ...params, seed: 43 }).model);
    expect(otherSeed).not.toBe(first);
  });

  it('stops at the time budget and still returns a usable model', () => {
    const started = performance.now();
    const result = trainGbdt(train, { numRounds: 100_000, eta: 0.05, timeBudgetMs: 400 });
    const wall = performance.now() - started;
    expect(result.stoppedBy).toBe('time-budget');
    expect(result.roundsTrained).toBeGreaterThan(0);
    expect(result.roundsTrained).toBeLessThan(100_000);
    expect(result.model.trees.length).toBe(result.roundsTrained);
    // Checked after every round, so it overruns by at most a round or so (generous: the CI machine is shared).
    expect(wall).toBeLessThan(400 + 5000);
    const back = modelFromXgboostJson(modelToXgboostJson(result.model));
    expect(rocAuc(predictProbabilities(back, heldOut), heldOut.labels)).toBeGreaterThan(0.8);
  });

  it("checks the budget after every round (clock under the test's control)", () => {
    let clock = 0;
    const now = (): number => (clock += 10);
    // Start reads 10; after round k the clock reads 10 * (k + 2); 10 * (k + 1) >= 55 first holds at k = 5.
    const result = trainGbdt(train, { numRounds: 50, timeBudgetMs: 55 }, { now });
    expect(result.stoppedBy).toBe('time-budget');
    expect(result.roundsTrained).toBe(6);
  });

  it('always grows at least one tree, even with a budget already spent', () => {
    const result = trainGbdt(train, { numRounds: 10, timeBudgetMs: 1e-9 });
    expect(result.model.trees.length).toBe(1);
  });

  for (const evalMetric of ['logloss', 'auc'] as const) {
    it(`stops early on the validation ${evalMetric} and keeps the best round`, () => {
      const { train: fit, validation } = splitNewest(train, 0.3);
      const result = trainGbdt(
        fit,
        { numRounds: 400, eta: 0.3, maxDepth: 6, minChildWeight: 0.1, evalMetric, earlyStoppingRounds: 8 },
        { validation },
      );
      expect(result.stoppedBy).toBe('early-stopping');
      expect(result.roundsTrained).toBe(result.bestIteration + 9);
      expect(result.model.trees.length).toBe(result.bestIteration + 1);
      const history = result.validationHistory;
      expect(history.length).toBe(result.roundsTrained);
      const better = (a: number, b: number): boolean => (evalMetric === 'auc' ? a > b : a < b);
      for (let i = 0; i < history.length; i++)
        if (i !== result.bestIteration) expect(better(history[i], result.bestScore!)).toBe(false);
      // The kept model scores the validation set exactly as the best round did.
      const p = predictProbabilities(result.model, validation);
      const score = evalMetric === 'auc' ? rocAuc(p, validation.labels) : logLoss(p, validation.labels);
      expect(score).toBeCloseTo(result.bestScore!, 12);
    });
  }

  it('learns where missing values should go', () => {
    // Missing x means failure here; present values carry no signal, so only the default direction can tell.
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const failing = i % 10 === 0;
      rows.push([failing ? NaN : (i * 37) % 100, (i * 13) % 7]);
      labels.push(failing ? 1 : 0);
    }
    const data = labelledDataset(featureMatrix(rows, ['x', 'noise']), labels);
    const { model } = trainGbdt(data, { numRounds: 20, maxDepth: 2 });
    const missing = predictRowProbability(model, [NaN, 3]);
    for (const x of [0, 25, 50, 99]) expect(missing).toBeGreaterThan(predictRowProbability(model, [x, 3]) + 0.5);
    const root = model.trees[0];
    expect(root.splitFeature[0]).toBe(0);
  });

  it('respects maxDepth and minChildWeight', () => {
    const { model } = trainGbdt(train, { numRounds: 15, maxDepth: 3, minChildWeight: 5 });
    expect(Math.max(...model.trees.map((t) => treeDepth(t)))).toBe(3);
    for (const tree of model.trees) {
      for (let n = 0; n < tree.left.length; n++)
        if (tree.left[n] === -1) expect(tree.sumHessian[n]).toBeGreaterThanOrEqual(5 - 1e-4);
    }
  });

  it('prunes splits that gain less than gamma', () => {
    const nodes = (gamma: number): number =>
      trainGbdt(train, { numRounds: 10, maxDepth: 6, gamma }).model.trees.reduce((sum, t) => sum + t.left.length, 0);
    const gamma = 2;
    const pruned = trainGbdt(train, { numRounds: 10, maxDepth: 6, gamma }).model;
    for (const t of pruned.trees) {
      for (let n = 0; n < t.left.length; n++) {
        const l = t.left[n];
        if (l !== -1 && t.left[l] === -1 && t.left[t.right[n]] === -1)
          expect(t.lossChange[n]).toBeGreaterThanOrEqual(gamma);
      }
    }
    expect(nodes(gamma)).toBeLessThan(nodes(0));
  });

  it('weights the rare positives with scalePosWeight', () => {
    const plain = trainGbdt(train, { numRounds: 40, maxDepth: 2 });
    const weighted = trainGbdt(train, { numRounds: 40, maxDepth: 2, scalePosWeight: 10 });
    const mean = (p: Float64Array): number => p.reduce((a, b) => a + b, 0) / p.length;
    expect(mean(predictProbabilities(weighted.model, heldOut))).toBeGreaterThan(
      2 * mean(predictProbabilities(plain.model, heldOut)),
    );
    expect(weighted.model.scalePosWeight).toBe(10);
  });

  it('starts from the weighted positive rate when baseScore is "mean"', () => {
    let positives = 0;
    for (const y of train.labels) positives += y;
    const { model } = trainGbdt(train, { numRounds: 1, scalePosWeight: 4 });
    expect(model.baseScore).toBeCloseTo((4 * positives) / (4 * positives + train.rows - positives), 6);
  });

  it('refuses bad parameters and unusable data with a UserError that names the problem', () => {
    expect(() => trainGbdt(train, { maxDepth: 0 })).toThrow(UserError);
    expect(() => trainGbdt(train, { maxDepth: 0 })).toThrow(/maxDepth is 0; use an integer from 1 to 16/);
    expect(() => trainGbdt(train, { eta: 0 })).toThrow(/eta is 0/);
    expect(() => trainGbdt(train, { colsampleByTree: 1.5 })).toThrow(/colsampleByTree is 1.5/);
    expect(() => trainGbdt(train, { evalMetric: 'error' as 'auc' })).toThrow(/evalMetric is "error"/);
    const allPassing = labelledDataset(featureMatrix([[1], [2]], ['x']), [0, 0]);
    expect(() => trainGbdt(allPassing)).toThrow(/training data has 0 positive rows out of 2/);
    const quietValidation = labelledDataset(featureMatrix([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]], train.featureNames), [0]);
    expect(() => trainGbdt(train, { evalMetric: 'auc' }, { validation: quietValidation })).toThrow(
      /the validation set has 0 positive rows out of 1.*"logloss"/,
    );
    expect(() => labelledDataset(featureMatrix([[1]], ['x']), [2])).toThrow(/label 0 is 2/);
    const narrow = labelledDataset(featureMatrix([[1], [2]], ['other']), [0, 1]);
    expect(() => trainGbdt(train, {}, { validation: narrow })).toThrow(/validation features \[other\]/);
  });
});

describe('data sets', () => {
  it('builds rows from records by feature name, absent keys missing', () => {
    const m = featureMatrixFromRecords([{ a: 1, b: 2 }, { b: 5 }], ['a', 'b']);
    expect(Array.from(m.values)).toEqual([1, 2, NaN, 5]);
  });

  it('holds out the newest rows, or a seeded random share', () => {
    const { train: older, validation: newest } = splitNewest(train, 0.25);
    expect(newest.rows).toBe(1500);
    expect(Array.from(newest.values.subarray(0, train.cols))).toEqual(
      Array.from(train.values.subarray(4500 * train.cols, 4501 * train.cols)),
    );
    expect(older.rows + newest.rows).toBe(train.rows);
    const a = splitRandom(train, 0.2, 5);
    const b = splitRandom(train, 0.2, 5);
    expect(Array.from(a.validation.values)).toEqual(Array.from(b.validation.values));
    expect(a.validation.rows).toBe(1200);
    expect(() => splitNewest(train, 1)).toThrow(/validation fraction is 1/);
  });
});
