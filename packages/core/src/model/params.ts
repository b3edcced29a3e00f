import { UserError } from '../errors/index.ts';

/** The metric watched for early stopping on the validation set. */
export type EvalMetric = 'logloss' | 'auc';

/** Training parameters; each maps to the XGBoost parameter named in its comment. */
export interface GbdtParams {
  /** num_boost_round: the most trees to grow. */
  numRounds: number;
  /** eta (learning_rate): shrinkage applied to every leaf. */
  eta: number;
  /** max_depth: depth limit of each tree (depthwise growth). */
  maxDepth: number;
  /** min_child_weight: least hessian sum in a child for a split to count. */
  minChildWeight: number;
  /** lambda (reg_lambda): L2 penalty on leaf weights. */
  lambda: number;
  /** gamma (min_split_loss): splits that gain less are pruned bottom-up after growth. */
  gamma: number;
  /** colsample_bytree: fraction of features offered to each tree. */
  colsampleByTree: number;
  /** subsample: fraction of rows (Bernoulli) used by each tree. */
  subsample: number;
  /** max_bin: most histogram bins per feature. */
  maxBin: number;
  /** scale_pos_weight: weight of positive rows, e.g. negatives/positives for rare failures. */
  scalePosWeight: number;
  /** base_score in probability space; 'mean' uses the weighted positive rate of the training set. */
  baseScore: number | 'mean';
  /** seed: drives column and row sampling. */
  seed: number;
  /** eval_metric for early stopping. */
  evalMetric: EvalMetric;
  /** early_stopping_rounds: stop after this many rounds without improvement on the validation set; 0 = off. */
  earlyStoppingRounds: number;
  /** Wall-clock budget for the boosting loop; when spent, training stops and returns the trees so far. */
  timeBudgetMs: number;
}

/** XGBoost's defaults where it has one; base_score 'mean' because 0.5 wastes the first trees when failures are rare. */
export const DEFAULT_GBDT_PARAMS: Readonly<GbdtParams> = Object.freeze({
  numRounds: 100,
  eta: 0.3,
  maxDepth: 6,
  minChildWeight: 1,
  lambda: 1,
  gamma: 0,
  colsampleByTree: 1,
  subsample: 1,
  maxBin: 256,
  scalePosWeight: 1,
  baseScore: 'mean',
  seed: 0,
  evalMetric: 'logloss',
  earlyStoppingRounds: 0,
  timeBudgetMs: Number.POSITIVE_INFINITY,
});

/** Fills defaults and checks every value; a bad one is a UserError naming the parameter, its value and the range. */
export function resolveGbdtParams(overrides: Partial<GbdtParams> = {}): GbdtParams {
  const p: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...stripUndefined(overrides) };
  checkInteger('numRounds', p.numRounds, 1, 100_000);
  checkRange('eta', p.eta, 0, 1, false);
  checkInteger('maxDepth', p.maxDepth, 1, 16);
  checkRange('minChildWeight', p.minChildWeight, 0, Number.MAX_VALUE, true);
  checkRange('lambda', p.lambda, 0, Number.MAX_VALUE, true);
  checkRange('gamma', p.gamma, 0, Number.MAX_VALUE, true);
  checkRange('colsampleByTree', p.colsampleByTree, 0, 1, false);
  checkRange('subsample', p.subsample, 0, 1, false);
  checkInteger('maxBin', p.maxBin, 2, 65_000);
  checkRange('scalePosWeight', p.scalePosWeight, 0, Number.MAX_VALUE, false);
  if (p.baseScore !== 'mean') checkRange('baseScore', p.baseScore, 0, 1, false, true);
  checkInteger('seed', p.seed, 0, 0xffffffff);
  if (p.evalMetric !== 'logloss' && p.evalMetric !== 'auc') {
    throw new UserError(`model parameter evalMetric is ${JSON.stringify(p.evalMetric)}; use "logloss" or "auc"`);
  }
  checkInteger('earlyStoppingRounds', p.earlyStoppingRounds, 0, 100_000);
  if (!(p.timeBudgetMs > 0)) {
    throw new UserError(
      `model parameter timeBudgetMs is ${p.timeBudgetMs}; use a positive number of milliseconds (or leave it unset)`,
    );
  }
  return p;
}

/** The same settings under XGBoost's names, for training the reference with real XGBoost (tree_method=hist). */
export function toXgboostParams(params: GbdtParams, baseScore: number): Record<string, string | number> {
  return {
    objective: 'binary:logistic',
    tree_method: 'hist',
    eta: params.eta,
    max_depth: params.maxDepth,
    min_child_weight: params.minChildWeight,
    lambda: params.lambda,
    gamma: params.gamma,
    colsample_bytree: params.colsampleByTree,
    subsample: params.subsample,
    max_bin: params.maxBin,
    scale_pos_weight: params.scalePosWeight,
    base_score: baseScore,
    seed: params.seed,
    eval_metric: params.evalMetric,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UserError(`model parameter ${name} is ${String(value)}; use an integer from ${min} to ${max}`);
  }
}

function checkRange(
  name: string,
  value: number,
  min: number,
  max: number,
  minInclusive: boolean,
  maxExclusive = false,
): void {
  const aboveMin = minInclusive ? value >= min : value > min;
  const belowMax = maxExclusive ? value < max : value <= max;
  if (typeof value !== 'number' || !aboveMin || !belowMax) {
    const lower = minInclusive ? `>= ${min}` : `> ${min}`;
    const upper = max === Number.MAX_VALUE ? '' : maxExclusive ? ` and < ${max}` : ` and <= ${max}`;
    throw new UserError(`model parameter ${name} is ${String(value)}; use a number ${lower}${upper}`);
  }
}
