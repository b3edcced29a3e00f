import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  checkFeatureNames,
  formatFloat32,
  modelFromXgboostJson,
  modelToXgboostJson,
  predictProbabilities,
  SeededRandom,
  trainGbdt,
  withAttributes,
} from '@ci-optimizer/core/model';
import { UserError } from '@ci-optimizer/core/errors';
import { syntheticFailures } from './synthetic-failures.ts';

const goldenModel = join(dirname(fileURLToPath(import.meta.url)), 'golden', 'models', 'depth3_missing.json');
const goldenText = readFileSync(goldenModel, 'utf8');

function edited(change: (doc: any) => void): string {
  const doc = JSON.parse(goldenText);
  change(doc);
  return JSON.stringify(doc);
}

describe('XGBoost JSON models', () => {
  const data = syntheticFailures(3000, 201);
  const { model } = trainGbdt(data, { numRounds: 15, maxDepth: 4 });

  it('writes a model that reads back to the same bytes and the same predictions', () => {
    const text = modelToXgboostJson(withAttributes(model, { training_rows: '3000', window: 'a..b' }));
    const back = modelFromXgboostJson(text, 'model.json');
    expect(modelToXgboostJson(back)).toBe(text);
    expect(back.attributes).toEqual({ training_rows: '3000', window: 'a..b' });
    expect(Array.from(predictProbabilities(back, data))).toEqual(Array.from(predictProbabilities(model, data)));
    const doc = JSON.parse(text);
    expect(doc.learner.objective.name).toBe('binary:logistic');
    expect(doc.learner.feature_names).toEqual(data.featureNames);
    expect(Math.fround(Number(doc.learner.learner_model_param.base_score))).toBe(model.baseScore);
  });

  it("reads XGBoost's own files: names, base_score, trees", () => {
    const xgb = modelFromXgboostJson(goldenText, goldenModel);
    const doc = JSON.parse(goldenText);
    expect(xgb.featureNames).toEqual(doc.learner.feature_names);
    expect(xgb.trees.length).toBe(doc.learner.gradient_booster.model.trees.length);
    expect(xgb.baseScore).toBe(Math.fround(Number(doc.learner.learner_model_param.base_score)));
  });

  it('prints floats as the shortest decimal that reads back as the same float32, always with a point', () => {
    const random = new SeededRandom(9);
    for (let i = 0; i < 2000; i++) {
      const v = Math.fround((random.next() - 0.5) * 10 ** (random.nextInt(16) - 8));
      const text = formatFloat32(v);
      expect(Math.fround(Number(text))).toBe(v);
      expect(text).toMatch(/\./);
    }
    expect(formatFloat32(1)).toBe('1.0');
    expect(formatFloat32(0)).toBe('0.0');
    expect(formatFloat32(1e-7)).toBe('1.0e-7');
  });

  it('accepts base_score in brackets (XGBoost 3) and missing feature names', () => {
    const text = edited((doc) => {
      doc.learner.learner_model_param.base_score = '[2.5E-1]';
      delete doc.learner.feature_names;
    });
    const m = modelFromXgboostJson(text);
    expect(m.baseScore).toBe(0.25);
    expect(m.featureNames[0]).toBe('f0');
    expect(m.featureNames.length).toBe(10);
  });

  it('refuses files it cannot score, saying which file and what to do', () => {
    const read =
      (text: string): (() => unknown) =>
      () =>
        modelFromXgboostJson(text, 'models/x.json');
    expect(read('{"learner":')).toThrow(UserError);
    expect(read('{"learner":')).toThrow(/models\/x.json is not JSON.*save_model\("model.json"\)/);
    expect(read('{"foo":1}')).toThrow(/models\/x.json has no "learner" field/);
    expect(read(edited((d) => (d.learner.objective.name = 'reg:squarederror')))).toThrow(
      /objective "reg:squarederror"; only binary:logistic/,
    );
    expect(read(edited((d) => (d.learner.learner_model_param.num_class = '3')))).toThrow(/3-class model/);
    expect(read(edited((d) => (d.learner.gradient_booster.model.trees[0].split_type[0] = 1)))).toThrow(
      /tree 0\) has categorical splits/,
    );
    expect(read(edited((d) => (d.learner.gradient_booster.model.trees[1].left_children[1] = 0)))).toThrow(
      /tree 1\) node \d+ has children/,
    );
    expect(read(edited((d) => (d.learner.gradient_booster.name = 'gblinear')))).toThrow(/booster "gblinear"/);
  });

  it('refuses to score features in another order than the model was trained on', () => {
    expect(() => checkFeatureNames(model, data.featureNames)).not.toThrow();
    const swapped = [...data.featureNames];
    [swapped[0], swapped[1]] = [swapped[1], swapped[0]];
    expect(() => checkFeatureNames(model, swapped, 'features.json')).toThrow(
      /features.json has features \[runs_since_failure, fail_rate_recent/,
    );
  });
});
