import { UserError } from '../errors/index.ts';
import type { LabelledDataset } from './dataset.ts';
import { leafIndex, probabilityToMargin, sigmoid, truncateModel } from './gbdt-model.ts';
import type { GbdtModel, RegressionTree } from './gbdt-model.ts';
import { logLoss, rocAuc } from './metrics.ts';
import { resolveGbdtParams } from './params.ts';
import type { GbdtParams } from './params.ts';
import { binMatrix, computeCuts } from './quantile-bins.ts';
import type { BinnedMatrix } from './quantile-bins.ts';
import { SeededRandom } from './seeded-random.ts';
import { TreeGrower } from './tree-grower.ts';
import type { GrownTree } from './tree-grower.ts';

/** Why boosting stopped. */
export type StopReason = 'rounds' | 'early-stopping' | 'time-budget';

/** Optional inputs of a training run. */
export interface TrainOptions {
  /** Held-out rows scored after every round; required for early stopping. */
  readonly validation?: LabelledDataset;
  /** Clock in milliseconds for the time budget (defaults to performance.now). */
  readonly now?: () => number;
}

/** A trained model and how the run went. */
export interface TrainingResult {
  readonly model: GbdtModel;
  /** The parameters after defaults were filled in. */
  readonly params: GbdtParams;
  /** Trees grown, including any dropped afterwards because early stopping chose an earlier round. */
  readonly roundsTrained: number;
  /** 0-based round with the best validation metric (the last round without validation). */
  readonly bestIteration: number;
  /** The validation metric at bestIteration, or null without validation. */
  readonly bestScore: number | null;
  readonly stoppedBy: StopReason;
  /** The validation metric after every round (empty without validation). */
  readonly validationHistory: readonly number[];
  readonly elapsedMs: number;
}

/**
 * Trains gradient-boosted trees with logistic loss on histogram bins (XGBoost's tree_method=hist, grown
 * depthwise). Deterministic: the same data, parameters and seed give the same model, bit for bit. The time budget
 * is checked after every round, and at least one tree is always grown, so the result is always usable.
 */
export function trainGbdt(
  data: LabelledDataset,
  overrides: Partial<GbdtParams> = {},
  options: TrainOptions = {},
): TrainingResult {
  const params = resolveGbdtParams(overrides);
  const now = options.now ?? (() => performance.now());
  const started = now();
  checkTrainingData(data, options.validation);
  if (options.validation && params.evalMetric === 'auc')
    checkBothOutcomes(options.validation.labels, 'the validation set');

  const rowWeight = rowWeights(data, params.scalePosWeight);
  const baseScore = Math.fround(
    params.baseScore === 'mean' ? weightedPositiveRate(data.labels, rowWeight) : params.baseScore,
  );
  const baseMargin = probabilityToMargin(baseScore);

  const binned = binMatrix(data, computeCuts(data, params.maxBin));
  const grower = new TreeGrower(binned, params);
  const random = new SeededRandom(params.seed);
  const margins = new Float64Array(data.rows).fill(baseMargin);
  const grad = new Float64Array(data.rows);
  const hess = new Float64Array(data.rows);
  const rows = new Uint32Array(data.rows);
  const allFeatures = Int32Array.from({ length: data.cols }, (_, i) => i);

  const validation = options.validation;
  const validMargins = validation ? new Float64Array(validation.rows).fill(baseMargin) : null;
  const validProbs = validation ? new Float64Array(validation.rows) : null;
  const higherIsBetter = params.evalMetric === 'auc';
  const history: number[] = [];
  let bestIteration = 0;
  let bestScore: number | null = null;

  const trees: RegressionTree[] = [];
  let stoppedBy: StopReason = 'rounds';
  for (let round = 0; round < params.numRounds; round++) {
    computeGradients(margins, data.labels, rowWeight, grad, hess);
    const features =
      params.colsampleByTree < 1 ? sampleFeatures(random, data.cols, params.colsampleByTree) : allFeatures;
    const rowCount = params.subsample < 1 ? sampleRows(random, rows, params.subsample) : fillAll(rows);
    const grown = grower.grow(grad, hess, rows.subarray(0, rowCount), features);
    const { tree } = grown;
    trees.push(tree);
    if (rowCount === data.rows) addLeafValues(grown, rows, margins);
    else addBinnedTree(binned, tree, grown.splitSlot, margins);

    if (validation && validMargins && validProbs) {
      for (let r = 0; r < validation.rows; r++) {
        validMargins[r] += tree.splitCondition[leafIndex(tree, validation.values, r * validation.cols)];
        validProbs[r] = sigmoid(validMargins[r]);
      }
      const score = higherIsBetter
        ? rocAuc(validProbs, validation.labels, validation.weights)
        : logLoss(validProbs, validation.labels, validation.weights);
      history.push(score);
      if (bestScore === null || (higherIsBetter ? score > bestScore : score < bestScore)) {
        bestScore = score;
        bestIteration = round;
      }
      if (params.earlyStoppingRounds > 0 && round - bestIteration >= params.earlyStoppingRounds) {
        stoppedBy = 'early-stopping';
        break;
      }
    } else {
      bestIteration = round;
    }
    if (round < params.numRounds - 1 && now() - started >= params.timeBudgetMs) {
      stoppedBy = 'time-budget';
      break;
    }
  }

  let model: GbdtModel = {
    objective: 'binary:logistic',
    baseScore,
    featureNames: [...data.featureNames],
    trees,
    treeWeights: null,
    scalePosWeight: params.scalePosWeight,
    attributes: {},
  };
  if (validation && params.earlyStoppingRounds > 0) model = truncateModel(model, bestIteration + 1);
  return {
    model,
    params: { ...params, baseScore },
    roundsTrained: trees.length,
    bestIteration,
    bestScore,
    stoppedBy,
    validationHistory: history,
    elapsedMs: now() - started,
  };
}

function checkTrainingData(data: LabelledDataset, validation: LabelledDataset | undefined): void {
  if (data.rows === 0 || data.cols === 0) {
    throw new UserError(
      `training data has ${data.rows} rows and ${data.cols} features; a model needs at least one of each`,
    );
  }
  checkBothOutcomes(data.labels, 'training data');
  if (
    validation &&
    (validation.cols !== data.cols || validation.featureNames.join('\u0000') !== data.featureNames.join('\u0000'))
  ) {
    throw new UserError(
      `validation features [${validation.featureNames.join(', ')}] differ from training features [${data.featureNames.join(', ')}]; build both with the same feature list`,
    );
  }
}

function checkBothOutcomes(labels: Uint8Array, what: string): void {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i];
  if (positives === 0 || positives === labels.length) {
    throw new UserError(
      `${what} has ${positives} positive rows out of ${labels.length}; both outcomes (some failures and some passes) are needed — collect more history first${what === 'training data' ? '' : ', use a larger validation share, or evalMetric "logloss"'}`,
    );
  }
}

function rowWeights(data: LabelledDataset, scalePosWeight: number): Float64Array {
  const w = new Float64Array(data.rows);
  for (let i = 0; i < data.rows; i++) {
    w[i] = (data.weights ? data.weights[i] : 1) * (data.labels[i] ? scalePosWeight : 1);
  }
  return w;
}

function weightedPositiveRate(labels: Uint8Array, weights: Float64Array): number {
  let pos = 0;
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    total += weights[i];
    if (labels[i]) pos += weights[i];
  }
  return Math.min(Math.max(pos / total, 1e-6), 1 - 1e-6);
}

/** Logistic loss derivatives, as XGBoost computes them (hessian floored at 1e-16). */
function computeGradients(
  margins: Float64Array,
  labels: Uint8Array,
  weights: Float64Array,
  grad: Float64Array,
  hess: Float64Array,
): void {
  for (let i = 0; i < margins.length; i++) {
    const p = 1 / (1 + Math.exp(-margins[i]));
    grad[i] = (p - labels[i]) * weights[i];
    hess[i] = Math.max(p * (1 - p), 1e-16) * weights[i];
  }
}

function fillAll(rows: Uint32Array): number {
  for (let i = 0; i < rows.length; i++) rows[i] = i;
  return rows.length;
}

function sampleRows(random: SeededRandom, rows: Uint32Array, fraction: number): number {
  let n = 0;
  for (let i = 0; i < rows.length; i++) if (random.next() < fraction) rows[n++] = i;
  if (n === 0) rows[n++] = random.nextInt(rows.length);
  return n;
}

function sampleFeatures(random: SeededRandom, cols: number, fraction: number): Int32Array {
  const count = Math.max(1, Math.round(fraction * cols));
  const order = random.shuffle(Int32Array.from({ length: cols }, (_, i) => i));
  return order.slice(0, count).sort();
}

/** Adds a new tree's output to the margins of the rows it was grown on: each leaf's rows are one range. */
function addLeafValues(grown: GrownTree, rows: Uint32Array, margins: Float64Array): void {
  const { left, splitCondition } = grown.tree;
  for (let node = 0; node < left.length; node++) {
    if (left[node] !== -1) continue;
    const value = splitCondition[node];
    for (let i = grown.rangeStart[node]; i < grown.rangeEnd[node]; i++) margins[rows[i]] += value;
  }
}

/** Adds a new tree's output to the training margins by walking the bins (no float comparisons needed). */
function addBinnedTree(binned: BinnedMatrix, tree: RegressionTree, splitSlot: Int32Array, margins: Float64Array): void {
  const { slots, cols, binOffset } = binned;
  const { left, right, splitFeature, splitCondition, defaultLeft } = tree;
  for (let r = 0; r < margins.length; r++) {
    const base = r * cols;
    let node = 0;
    while (left[node] !== -1) {
      const f = splitFeature[node];
      const s = slots[base + f];
      const goLeft = s === binOffset[f + 1] - 1 ? defaultLeft[node] === 1 : s <= splitSlot[node];
      node = goLeft ? left[node] : right[node];
    }
    margins[r] += splitCondition[node];
  }
}
