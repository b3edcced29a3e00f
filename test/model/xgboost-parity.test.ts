import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  averagePrecision,
  matrixContributions,
  modelFromXgboostJson,
  modelToXgboostJson,
  predictProbabilities,
  rocAuc,
  selectRows,
  trainGbdt,
} from '@ci-optimizer/core/model';
import type { FeatureMatrix, GbdtParams } from '@ci-optimizer/core/model';
import { fingerprint, syntheticFailures } from './synthetic-failures.ts';

const here = dirname(fileURLToPath(import.meta.url));
const goldenDir = join(here, 'golden');
const PYTHON = '/usr/bin/python3';

interface ParityRun {
  name: string;
  params: Partial<GbdtParams>;
  xgboost_params: { base_score: number };
  seeds: number[];
  roc_auc: number;
  average_precision: number;
}

interface Expected {
  xgboost_version: string;
  fingerprints: { rows: number; seed: number; sum: number; missing: number; positives: number }[];
  prediction: {
    train: { rows: number; seed: number };
    test: { rows: number; seed: number };
    models: Record<string, number[]>;
  };
  contributions: { rows: number; models: Record<string, { shap: number[]; saabas: number[] }> };
  parity: { train: { rows: number; seed: number }; test: { rows: number; seed: number }; runs: ParityRun[] };
}

const expected = JSON.parse(readFileSync(join(goldenDir, 'expected.json'), 'utf8')) as Expected;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

function loadGoldenModel(name: string) {
  const file = join(goldenDir, 'models', `${name}.json`);
  return modelFromXgboostJson(readFileSync(file, 'utf8'), file);
}

function hasXgboost(): boolean {
  const probe = spawnSync(PYTHON, ['-c', 'import xgboost, numpy'], { stdio: 'ignore' });
  return probe.status === 0;
}

describe('golden files made by real XGBoost', () => {
  const test = syntheticFailures(expected.prediction.test.rows, expected.prediction.test.seed);

  it('rebuilds the exact rows the Python script trained on', () => {
    for (const fp of expected.fingerprints) {
      expect(fingerprint(syntheticFailures(fp.rows, fp.seed))).toEqual({
        sum: fp.sum,
        missing: fp.missing,
        positives: fp.positives,
      });
    }
  });

  it('covers depths 1 to 6, many trees, missing values and DART', () => {
    const names = Object.keys(expected.prediction.models);
    const depths = names.map((n) => Number(/depth(\d)/.exec(n)?.[1]));
    for (let d = 1; d <= 6; d++) expect(depths).toContain(d);
    expect(Math.max(...names.map((n) => loadGoldenModel(n).trees.length))).toBeGreaterThanOrEqual(100);
    expect(names.some((n) => loadGoldenModel(n).treeWeights !== null)).toBe(true);
    let missing = 0;
    for (let i = 0; i < test.values.length; i++) if (Number.isNaN(test.values[i])) missing++;
    expect(missing).toBeGreaterThan(20);
    expect(readdirSync(join(goldenDir, 'models')).sort()).toEqual(names.map((n) => `${n}.json`).sort());
  });

  for (const name of Object.keys(expected.prediction.models)) {
    it(`predicts what XGBoost predicts with its model ${name} (within 1e-5)`, () => {
      const ours = predictProbabilities(loadGoldenModel(name), test);
      expect(maxAbsDiff(ours, expected.prediction.models[name])).toBeLessThan(1e-5);
    });
  }

  for (const [name, golden] of Object.entries(expected.contributions.models)) {
    it(`computes XGBoost's TreeSHAP and Saabas contributions for ${name}`, () => {
      const model = loadGoldenModel(name);
      const head = selectRows(
        test,
        Array.from({ length: expected.contributions.rows }, (_, i) => i),
      );
      expect(maxAbsDiff(matrixContributions(model, head, 'shap'), golden.shap)).toBeLessThan(1e-5);
      expect(maxAbsDiff(matrixContributions(model, head, 'saabas'), golden.saabas)).toBeLessThan(1e-5);
    });
  }

  describe('our trainer against XGBoost (tree_method=hist, same parameters, held-out set)', () => {
    const train = syntheticFailures(expected.parity.train.rows, expected.parity.train.seed);
    const heldOut = syntheticFailures(expected.parity.test.rows, expected.parity.test.seed);
    it('has rare positives, like test failures', () => {
      const rate = fingerprint(train).positives / train.rows;
      expect(rate).toBeGreaterThan(0.01);
      expect(rate).toBeLessThan(0.05);
    });
    for (const run of expected.parity.runs) {
      it(`ROC AUC and PR AUC within 0.01 of XGBoost: ${run.name}`, () => {
        let auc = 0;
        let ap = 0;
        for (const seed of run.seeds) {
          const { model } = trainGbdt(train, { ...run.params, seed, baseScore: run.xgboost_params.base_score });
          const p = predictProbabilities(model, heldOut);
          auc += rocAuc(p, heldOut.labels) / run.seeds.length;
          ap += averagePrecision(p, heldOut.labels) / run.seeds.length;
        }
        expect(Math.abs(auc - run.roc_auc)).toBeLessThan(0.01);
        expect(Math.abs(ap - run.average_precision)).toBeLessThan(0.01);
        // A sanity floor, so a broken metric cannot make both sides agree on nonsense.
        expect(auc).toBeGreaterThan(0.9);
      });
    }
  });
});

describe.skipIf(!hasXgboost())('live against the installed XGBoost', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ci-opt-model-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  function scoreWithXgboost(modelFile: string, rows: FeatureMatrix, resaved?: string) {
    const dataFile = join(tmp, 'rows.f32');
    writeFileSync(dataFile, Buffer.from(rows.values.buffer, rows.values.byteOffset, rows.values.byteLength));
    const args = [join(here, 'xgboost_bridge.py'), modelFile, dataFile, String(rows.rows), String(rows.cols)];
    const run = spawnSync(PYTHON, resaved ? [...args, resaved] : args, { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(run.stderr).not.toMatch(/Traceback/);
    expect(run.status).toBe(0);
    return JSON.parse(run.stdout) as { probabilities: number[]; shap: number[]; num_trees: number };
  }

  it('loads our trained model in XGBoost, which predicts what we predict', () => {
    const train = syntheticFailures(5000, 31);
    const heldOut = syntheticFailures(800, 32);
    const { model } = trainGbdt(train, {
      numRounds: 60,
      eta: 0.2,
      maxDepth: 5,
      gamma: 0.2,
      colsampleByTree: 0.8,
      scalePosWeight: 3,
    });
    const file = join(tmp, 'ours.json');
    writeFileSync(file, modelToXgboostJson(model));
    const resaved = join(tmp, 'resaved.json');
    const xgb = scoreWithXgboost(file, heldOut, resaved);
    expect(xgb.num_trees).toBe(model.trees.length);
    const ours = predictProbabilities(model, heldOut);
    expect(maxAbsDiff(ours, xgb.probabilities)).toBeLessThan(1e-5);
    // XGBoost's TreeSHAP needs the covers we wrote (sum_hessian) to be right.
    expect(maxAbsDiff(matrixContributions(model, heldOut), xgb.shap)).toBeLessThan(1e-4);
    // And the model XGBoost saves back reads in as the same model.
    const back = modelFromXgboostJson(readFileSync(resaved, 'utf8'), resaved);
    expect(maxAbsDiff(predictProbabilities(back, heldOut), ours)).toBe(0);
    expect(back.featureNames).toEqual(model.featureNames);
  });

  it('the golden files are what the script makes with this XGBoost', () => {
    const out = join(tmp, 'golden');
    const run = spawnSync(PYTHON, [join(goldenDir, 'make_golden.py'), '--out', out], { encoding: 'utf8' });
    expect(run.stderr).not.toMatch(/Traceback/);
    expect(run.status).toBe(0);
    const fresh = JSON.parse(readFileSync(join(out, 'expected.json'), 'utf8')) as Expected;
    expect(fresh.fingerprints).toEqual(expected.fingerprints);
    const test = syntheticFailures(expected.prediction.test.rows, expected.prediction.test.seed);
    for (const [name, preds] of Object.entries(expected.prediction.models)) {
      expect(maxAbsDiff(fresh.prediction.models[name], preds)).toBeLessThan(1e-6);
      const model = modelFromXgboostJson(readFileSync(join(out, 'models', `${name}.json`), 'utf8'), name);
      expect(maxAbsDiff(predictProbabilities(model, test), preds)).toBeLessThan(1e-5);
    }
    fresh.parity.runs.forEach((run, i) => {
      expect(run.roc_auc).toBeCloseTo(expected.parity.runs[i].roc_auc, 3);
      expect(run.average_precision).toBeCloseTo(expected.parity.runs[i].average_precision, 3);
    });
  });
});
