/**
 * Gradient-boosted decision trees for failure prediction: a histogram GBDT trainer with logistic loss, scoring,
 * XGBoost JSON model files in both directions, per-prediction feature contributions, and ranking metrics.
 */
export { SeededRandom, seededRandom } from './seeded-random.ts';
export {
  featureMatrix,
  featureMatrixFromRecords,
  labelledDataset,
  selectRows,
  splitNewest,
  splitRandom,
} from './dataset.ts';
export type { FeatureMatrix, LabelledDataset } from './dataset.ts';
export { DEFAULT_GBDT_PARAMS, resolveGbdtParams, toXgboostParams } from './params.ts';
export type { EvalMetric, GbdtParams } from './params.ts';
export {
  checkFeatureNames,
  leafIndex,
  predictMargins,
  predictProbabilities,
  predictRowProbability,
  probabilityToMargin,
  sigmoid,
  treeDepth,
  truncateModel,
  withAttributes,
} from './gbdt-model.ts';
export type { GbdtModel, LogisticObjective, RegressionTree } from './gbdt-model.ts';
export { trainGbdt } from './train-gbdt.ts';
export type { StopReason, TrainOptions, TrainingResult } from './train-gbdt.ts';
export { formatFloat32, modelFromXgboostJson, modelFromXgboostValue, modelToXgboostJson } from './xgboost-json.ts';
export { featureContributions, mainReasons, matrixContributions } from './feature-contributions.ts';
export type { ContributionMethod, FeatureContribution } from './feature-contributions.ts';
export { averagePrecision, logLoss, recallAtBudget, rocAuc } from './metrics.ts';
