import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES, parseModel, trainFromHistory } from '@ci-optimizer/core/test-predictor';
import { modelToXgboostJson } from '@ci-optimizer/core/model';
import { syntheticHistory } from './synthetic-history.ts';

// predict reads the model with `treesWhenUsed`: a document whose stored ranking is a simple one runs that ranking and
// never scores with the trees, so their conversion (300 trees: the largest part of reading the model) waits for the
// first use. The features are checked at once all the same (a model of other features is not used), and a model whose
// ranking is the model converts its trees at once (a damaged one is found before the prediction, as before).
describe('parseModel with treesWhenUsed', () => {
  const trained = trainFromHistory(syntheticHistory({ runs: 60, seed: 5 }), {
    holdout: 0.25,
    timeBudgetMs: 30_000,
    timeFraction: 0.33,
  }).model!;
  const documentRanked = (chosen: 'model' | 'co-failure') => ({
    ...trained.document!,
    ranking: { chosen, reason: 'chosen for this test', heldOut: {} },
  });
  /** The document with its first tree damaged: one split condition fewer than it has nodes. */
  const damaged = (chosen: 'model' | 'co-failure') => {
    const doc = structuredClone(documentRanked(chosen)) as ReturnType<typeof documentRanked> & {
      xgboost: { learner: { gradient_booster: { model: { trees: { split_conditions: number[] }[] } } } };
    };
    doc.xgboost.learner.gradient_booster.model.trees[0].split_conditions.pop();
    return JSON.stringify(doc);
  };

  it('gives the same trees, converted on first use, for a simple ranking', () => {
    const text = JSON.stringify(documentRanked('co-failure'));
    const lazy = parseModel(text, 'model.json', { treesWhenUsed: true });
    expect(lazy.document?.ranking?.chosen).toBe('co-failure');
    expect(modelToXgboostJson(lazy.model)).toBe(modelToXgboostJson(parseModel(text, 'model.json').model));
  });

  it('finds a damaged tree only when the trees are used, for a simple ranking', () => {
    const lazy = parseModel(damaged('co-failure'), 'model.json', { treesWhenUsed: true });
    expect(lazy.document?.ranking?.chosen).toBe('co-failure');
    expect(() => lazy.model).toThrow(/tree 0.*split_conditions.*damaged/);
    // Read at once (record, train), the damage is found while parsing.
    expect(() => parseModel(damaged('co-failure'), 'model.json')).toThrow(/tree 0.*damaged/);
  });

  it('converts at once when the ranking is the model, or the features are not ours', () => {
    expect(() => parseModel(damaged('model'), 'model.json', { treesWhenUsed: true })).toThrow(/tree 0.*damaged/);
    const other = structuredClone(documentRanked('co-failure')) as ReturnType<typeof documentRanked> & {
      xgboost: { learner: { feature_names: string[] } };
    };
    other.xgboost.learner.feature_names = [...FEATURE_NAMES].reverse();
    expect(() => parseModel(JSON.stringify(other), 'model.json', { treesWhenUsed: true })).toThrow(
      /but the model was trained on/,
    );
  });
});
