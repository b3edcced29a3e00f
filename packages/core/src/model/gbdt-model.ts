import type { FeatureMatrix } from './dataset.ts';
import { UserError } from '../errors/index.ts';

/** The logistic objectives we score; all three read base_score as a probability (margin = logit(base_score)). */
export type LogisticObjective = 'binary:logistic' | 'reg:logistic' | 'binary:logitraw';

/**
 * One regression tree in XGBoost's array layout. Node 0 is the root; a node is a leaf when left[n] === -1, and then
 * splitCondition[n] holds its (already shrunk) leaf value. A row goes left when x < splitCondition (float32
 * comparison), and a missing x goes left when defaultLeft[n] is 1.
 */
export interface RegressionTree {
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly splitFeature: Int32Array;
  readonly splitCondition: Float32Array;
  readonly defaultLeft: Uint8Array;
  /** Internal nodes: the unshrunk Newton weight; leaves: the leaf value (XGBoost's convention). */
  readonly baseWeight: Float32Array;
  readonly lossChange: Float32Array;
  /** Hessian sum (the "cover") of the rows that reached the node; TreeSHAP needs it. */
  readonly sumHessian: Float32Array;
}

/** A boosted ensemble for a binary outcome. */
export interface GbdtModel {
  readonly objective: LogisticObjective;
  /** Probability space; the margin starts at logit(baseScore). */
  readonly baseScore: number;
  readonly featureNames: readonly string[];
  readonly trees: readonly RegressionTree[];
  /** Per-tree output scale (DART models); null means every tree counts fully. */
  readonly treeWeights: Float32Array | null;
  /** scale_pos_weight the model was trained with (kept so the XGBoost file says so). */
  readonly scalePosWeight: number;
  /** Free-form string metadata (XGBoost's learner attributes): training window, figures, best_iteration... */
  readonly attributes: Readonly<Record<string, string>>;
}

/** logit(p) computed as XGBoost does for base_score. */
export function probabilityToMargin(p: number): number {
  return -Math.log(1 / p - 1);
}

/** The logistic function. */
export function sigmoid(margin: number): number {
  return 1 / (1 + Math.exp(-margin));
}

/** Index of the leaf that the row at values[offset..] reaches in one tree. */
export function leafIndex(tree: RegressionTree, values: ArrayLike<number>, offset = 0): number {
  const { left, right, splitFeature, splitCondition, defaultLeft } = tree;
  let node = 0;
  while (left[node] !== -1) {
    const x = values[offset + splitFeature[node]];
    if (Number.isNaN(x)) node = defaultLeft[node] ? left[node] : right[node];
    else node = Math.fround(x) < splitCondition[node] ? left[node] : right[node];
  }
  return node;
}

/** Raw scores (log-odds) for every row. */
export function predictMargins(model: GbdtModel, matrix: FeatureMatrix): Float64Array {
  checkWidth(model, matrix);
  const out = new Float64Array(matrix.rows).fill(probabilityToMargin(model.baseScore));
  model.trees.forEach((tree, t) => {
    const scale = model.treeWeights ? model.treeWeights[t] : 1;
    for (let r = 0; r < matrix.rows; r++) {
      out[r] += scale * tree.splitCondition[leafIndex(tree, matrix.values, r * matrix.cols)];
    }
  });
  return out;
}

/** Failure probabilities for every row. */
export function predictProbabilities(model: GbdtModel, matrix: FeatureMatrix): Float64Array {
  const margins = predictMargins(model, matrix);
  for (let i = 0; i < margins.length; i++) margins[i] = sigmoid(margins[i]);
  return margins;
}

/** The probability for one row given as numbers in the model's feature order (NaN = missing). */
export function predictRowProbability(model: GbdtModel, row: ArrayLike<number>): number {
  if (row.length < model.featureNames.length) {
    throw new UserError(
      `a row has ${row.length} features but the model expects ${model.featureNames.length} (${model.featureNames.join(', ')})`,
    );
  }
  let margin = probabilityToMargin(model.baseScore);
  model.trees.forEach((tree, t) => {
    margin += (model.treeWeights ? model.treeWeights[t] : 1) * tree.splitCondition[leafIndex(tree, row)];
  });
  return sigmoid(margin);
}

/** Deepest root-to-leaf path (edges) in a tree. */
export function treeDepth(tree: RegressionTree, node = 0): number {
  if (tree.left[node] === -1) return 0;
  return 1 + Math.max(treeDepth(tree, tree.left[node]), treeDepth(tree, tree.right[node]));
}

/** A copy of the model with extra attributes (values must be strings, as in XGBoost). */
export function withAttributes(model: GbdtModel, attributes: Readonly<Record<string, string>>): GbdtModel {
  return { ...model, attributes: { ...model.attributes, ...attributes } };
}

/** A copy that keeps only the first `count` trees (e.g. the best iteration found by early stopping). */
export function truncateModel(model: GbdtModel, count: number): GbdtModel {
  return {
    ...model,
    trees: model.trees.slice(0, count),
    treeWeights: model.treeWeights ? model.treeWeights.slice(0, count) : null,
  };
}

/**
 * Checks that a matrix has the model's features in the model's order; a mismatch is a UserError, because scoring
 * with shuffled columns would give confident nonsense.
 */
export function checkFeatureNames(
  model: Pick<GbdtModel, 'featureNames'>,
  featureNames: readonly string[],
  source = 'the feature list',
): void {
  const expected = model.featureNames;
  const same = expected.length === featureNames.length && expected.every((name, i) => name === featureNames[i]);
  if (!same) {
    throw new UserError(
      `${source} has features [${featureNames.join(', ')}] but the model was trained on [${expected.join(', ')}]; ` +
        "compute the model's features in its order, or retrain the model",
    );
  }
}

function checkWidth(model: GbdtModel, matrix: FeatureMatrix): void {
  if (matrix.cols < model.featureNames.length) {
    throw new UserError(
      `the feature matrix has ${matrix.cols} columns but the model expects ${model.featureNames.length} (${model.featureNames.join(', ')})`,
    );
  }
}
