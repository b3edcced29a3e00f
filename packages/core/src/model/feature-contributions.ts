import type { FeatureMatrix } from './dataset.ts';
import { probabilityToMargin, treeDepth } from './gbdt-model.ts';
import type { GbdtModel, RegressionTree } from './gbdt-model.ts';

/**
 * How contributions are attributed: 'shap' is exact TreeSHAP (XGBoost's pred_contribs=True), 'saabas' credits
 * each split on the path with the change in expected value (XGBoost's approx_contribs=True), which is cheaper.
 */
export type ContributionMethod = 'shap' | 'saabas';

/** One feature's share of a prediction, in log-odds. */
export interface FeatureContribution {
  readonly feature: string;
  readonly value: number;
  readonly contribution: number;
}

/**
 * Per-feature contributions to one row's margin (log-odds): nFeatures values plus, last, the bias (the expected
 * margin). They add up to the row's margin.
 */
export function featureContributions(
  model: GbdtModel,
  row: ArrayLike<number>,
  method: ContributionMethod = 'shap',
): Float64Array {
  const nf = model.featureNames.length;
  const phi = new Float64Array(nf + 1);
  phi[nf] = probabilityToMargin(model.baseScore);
  const scratch = new Float64Array(nf + 1);
  model.trees.forEach((tree, t) => {
    const scale = model.treeWeights ? model.treeWeights[t] : 1;
    const { means, depth } = treeSummary(tree);
    scratch.fill(0);
    if (method === 'shap') treeShap(tree, means, depth, row, scratch, nf);
    else saabas(tree, means, row, scratch, nf);
    for (let i = 0; i <= nf; i++) phi[i] += scale * scratch[i];
  });
  return phi;
}

/** Contributions for every row of a matrix (row-major, nFeatures + 1 per row, bias last). */
export function matrixContributions(
  model: GbdtModel,
  matrix: FeatureMatrix,
  method: ContributionMethod = 'shap',
): Float64Array {
  const width = model.featureNames.length + 1;
  const out = new Float64Array(matrix.rows * width);
  for (let r = 0; r < matrix.rows; r++) {
    out.set(
      featureContributions(model, matrix.values.subarray(r * matrix.cols, (r + 1) * matrix.cols), method),
      r * width,
    );
  }
  return out;
}

/**
 * The features that pushed this prediction up the most ("main reasons" for a report), largest positive
 * contribution first; at most `count`, and only those that raise the risk.
 */
export function mainReasons(
  model: GbdtModel,
  row: ArrayLike<number>,
  count = 3,
  method: ContributionMethod = 'shap',
): FeatureContribution[] {
  const phi = featureContributions(model, row, method);
  return model.featureNames
    .map((feature, i) => ({ feature, value: row[i], contribution: phi[i] }))
    .filter((c) => c.contribution > 0)
    .sort((a, b) => b.contribution - a.contribution || a.feature.localeCompare(b.feature))
    .slice(0, count);
}

const summaries = new WeakMap<RegressionTree, { means: Float64Array; depth: number }>();

/** Per-tree values that do not depend on the row, computed once per tree. */
function treeSummary(tree: RegressionTree): { means: Float64Array; depth: number } {
  let summary = summaries.get(tree);
  if (!summary) {
    summary = { means: nodeMeanValues(tree), depth: treeDepth(tree) };
    summaries.set(tree, summary);
  }
  return summary;
}

/** Expected output below each node, weighted by cover (XGBoost's FillNodeMeanValues). */
function nodeMeanValues(tree: RegressionTree): Float64Array {
  const means = new Float64Array(tree.left.length);
  const fill = (node: number): number => {
    const l = tree.left[node];
    if (l === -1) {
      means[node] = tree.splitCondition[node];
    } else {
      const r = tree.right[node];
      means[node] = (fill(l) * tree.sumHessian[l] + fill(r) * tree.sumHessian[r]) / tree.sumHessian[node];
    }
    return means[node];
  };
  fill(0);
  return means;
}

function nextNode(tree: RegressionTree, node: number, row: ArrayLike<number>): number {
  const x = row[tree.splitFeature[node]];
  if (Number.isNaN(x)) return tree.defaultLeft[node] ? tree.left[node] : tree.right[node];
  return Math.fround(x) < tree.splitCondition[node] ? tree.left[node] : tree.right[node];
}

function saabas(
  tree: RegressionTree,
  means: Float64Array,
  row: ArrayLike<number>,
  phi: Float64Array,
  nf: number,
): void {
  let node = 0;
  phi[nf] += means[0];
  while (tree.left[node] !== -1) {
    const child = nextNode(tree, node, row);
    phi[tree.splitFeature[node]] += means[child] - means[node];
    node = child;
  }
}

/**
 * Exact TreeSHAP (Lundberg et al., Algorithm 2) in the shape of XGBoost's implementation: a path of unique
 * features with the fraction of "zero" (feature unknown) and "one" (feature known) paths, stored flat with one
 * slice per recursion level.
 */
function treeShap(
  tree: RegressionTree,
  means: Float64Array,
  depth: number,
  row: ArrayLike<number>,
  phi: Float64Array,
  nf: number,
): void {
  phi[nf] += means[0];
  const maxd = depth + 2;
  const size = (maxd * (maxd + 1)) / 2;
  const path: ShapPath = {
    feature: new Int32Array(size),
    zero: new Float64Array(size),
    one: new Float64Array(size),
    weight: new Float64Array(size),
  };
  recurse(tree, row, phi, path, 0, 0, 0, 1, 1, -1);
}

interface ShapPath {
  feature: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  weight: Float64Array;
}

function recurse(
  tree: RegressionTree,
  row: ArrayLike<number>,
  phi: Float64Array,
  p: ShapPath,
  node: number,
  parentOffset: number,
  uniqueDepth: number,
  parentZero: number,
  parentOne: number,
  parentFeature: number,
): void {
  // This level's path is a copy of the parent's, placed right after it.
  const offset = parentOffset + (node === 0 ? 0 : uniqueDepth);
  if (node !== 0) {
    p.feature.copyWithin(offset, parentOffset, parentOffset + uniqueDepth);
    p.zero.copyWithin(offset, parentOffset, parentOffset + uniqueDepth);
    p.one.copyWithin(offset, parentOffset, parentOffset + uniqueDepth);
    p.weight.copyWithin(offset, parentOffset, parentOffset + uniqueDepth);
  }
  extendPath(p, offset, uniqueDepth, parentZero, parentOne, parentFeature);
  if (tree.left[node] === -1) {
    const leaf = tree.splitCondition[node];
    for (let i = 1; i <= uniqueDepth; i++) {
      const w = unwoundPathSum(p, offset, uniqueDepth, i);
      phi[p.feature[offset + i]] += w * (p.one[offset + i] - p.zero[offset + i]) * leaf;
    }
    return;
  }
  const split = tree.splitFeature[node];
  const hot = nextNode(tree, node, row);
  const cold = hot === tree.left[node] ? tree.right[node] : tree.left[node];
  const cover = tree.sumHessian[node];
  const hotZero = tree.sumHessian[hot] / cover;
  const coldZero = tree.sumHessian[cold] / cover;
  let incomingZero = 1;
  let incomingOne = 1;
  let depth = uniqueDepth;
  // A feature met again on the path is unwound first, so each feature appears once.
  let k = 0;
  for (; k <= depth; k++) if (p.feature[offset + k] === split) break;
  if (k !== depth + 1) {
    incomingZero = p.zero[offset + k];
    incomingOne = p.one[offset + k];
    unwindPath(p, offset, depth, k);
    depth -= 1;
  }
  recurse(tree, row, phi, p, hot, offset, depth + 1, hotZero * incomingZero, incomingOne, split);
  recurse(tree, row, phi, p, cold, offset, depth + 1, coldZero * incomingZero, 0, split);
}

function extendPath(p: ShapPath, o: number, depth: number, zero: number, one: number, feature: number): void {
  p.feature[o + depth] = feature;
  p.zero[o + depth] = zero;
  p.one[o + depth] = one;
  p.weight[o + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    p.weight[o + i + 1] += (one * p.weight[o + i] * (i + 1)) / (depth + 1);
    p.weight[o + i] = (zero * p.weight[o + i] * (depth - i)) / (depth + 1);
  }
}

function unwindPath(p: ShapPath, o: number, depth: number, index: number): void {
  const one = p.one[o + index];
  const zero = p.zero[o + index];
  let nextOnePortion = p.weight[o + depth];
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = p.weight[o + i];
      p.weight[o + i] = (nextOnePortion * (depth + 1)) / ((i + 1) * one);
      nextOnePortion = tmp - (p.weight[o + i] * zero * (depth - i)) / (depth + 1);
    } else {
      p.weight[o + i] = (p.weight[o + i] * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) {
    p.feature[o + i] = p.feature[o + i + 1];
    p.zero[o + i] = p.zero[o + i + 1];
    p.one[o + i] = p.one[o + i + 1];
  }
}

function unwoundPathSum(p: ShapPath, o: number, depth: number, index: number): number {
  const one = p.one[o + index];
  const zero = p.zero[o + index];
  let nextOnePortion = p.weight[o + depth];
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (nextOnePortion * (depth + 1)) / ((i + 1) * one);
      total += tmp;
      nextOnePortion = p.weight[o + i] - tmp * zero * ((depth - i) / (depth + 1));
    } else if (zero !== 0) {
      total += p.weight[o + i] / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}
