import { UserError } from '../errors/index.ts';

/** Row indices ordered by descending score; ties keep index order so every metric is deterministic. */
function orderByScore(scores: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => scores[b] - scores[a] || a - b);
}

function checkLengths(scores: ArrayLike<number>, labels: ArrayLike<number>, weights?: ArrayLike<number>): void {
  if (scores.length !== labels.length || (weights && weights.length !== labels.length)) {
    throw new UserError(
      `metric inputs differ in length: ${scores.length} scores, ${labels.length} labels${weights ? `, ${weights.length} weights` : ''}`,
    );
  }
}

/**
 * Area under the ROC curve: the chance that a random positive scores above a random negative (ties count half).
 * NaN when one of the classes is absent.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>, weights?: ArrayLike<number>): number {
  checkLengths(scores, labels, weights);
  const order = orderByScore(scores);
  let tp = 0;
  let fp = 0;
  let area = 0;
  for (let i = 0; i < order.length; ) {
    const score = scores[order[i]];
    let dtp = 0;
    let dfp = 0;
    for (; i < order.length && scores[order[i]] === score; i++) {
      const w = weights ? weights[order[i]] : 1;
      if (labels[order[i]] > 0) dtp += w;
      else dfp += w;
    }
    area += dfp * (tp + dtp / 2);
    tp += dtp;
    fp += dfp;
  }
  return tp > 0 && fp > 0 ? area / (tp * fp) : NaN;
}

/**
 * Average precision (the area under the precision-recall curve as scikit-learn computes it: the sum over score
 * thresholds of precision times the recall gained there). The baseline is the positive rate, not 0.5, which is
 * why it is the honest figure when failures are rare. NaN without positives.
 */
export function averagePrecision(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  checkLengths(scores, labels, weights);
  const order = orderByScore(scores);
  let totalPositive = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > 0) totalPositive += weights ? weights[i] : 1;
  if (!(totalPositive > 0)) return NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  for (let i = 0; i < order.length; ) {
    const score = scores[order[i]];
    let dtp = 0;
    for (; i < order.length && scores[order[i]] === score; i++) {
      const w = weights ? weights[order[i]] : 1;
      seen += w;
      if (labels[order[i]] > 0) dtp += w;
    }
    tp += dtp;
    if (dtp > 0) ap += (dtp / totalPositive) * (tp / seen);
  }
  return ap;
}

/**
 * Recall when items are taken in descending score order until `fraction` of the total cost is spent (cost per
 * item, e.g. test duration; 1 each when omitted): the share of positives the selection would catch. An item
 * that would overrun the budget is skipped and cheaper later ones may still fit.
 */
export function recallAtBudget(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  fraction: number,
  costs?: ArrayLike<number>,
): number {
  checkLengths(scores, labels, costs);
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new UserError(
      `budget fraction is ${fraction}; use a number from 0 to 1, e.g. 0.33 for a third of the test time`,
    );
  }
  let totalCost = 0;
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    totalCost += costs ? costs[i] : 1;
    if (labels[i] > 0) positives++;
  }
  if (positives === 0) return NaN;
  const budget = fraction * totalCost * (1 + 1e-12);
  let spent = 0;
  let caught = 0;
  for (const i of orderByScore(scores)) {
    const cost = costs ? costs[i] : 1;
    if (spent + cost > budget) continue;
    spent += cost;
    if (labels[i] > 0) caught++;
  }
  return caught / positives;
}

/** Mean negative log-likelihood of the labels under the probabilities (clipped as XGBoost does, at 1e-16). */
export function logLoss(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  checkLengths(probabilities, labels, weights);
  const eps = 1e-16;
  let sum = 0;
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(probabilities[i], eps), 1 - eps);
    const w = weights ? weights[i] : 1;
    sum -= w * (labels[i] > 0 ? Math.log(p) : Math.log(1 - p));
    total += w;
  }
  return total > 0 ? sum / total : NaN;
}
