import { describe, expect, it } from 'vitest';
import { averagePrecision, logLoss, recallAtBudget, rocAuc, SeededRandom } from '@ci-optimizer/core/model';

function randomCase(n: number, seed: number): { scores: number[]; labels: number[] } {
  const random = new SeededRandom(seed);
  const scores: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = random.next() < 0.2 ? 1 : 0;
    // Rounded so that ties occur, which is where AUC implementations differ.
    scores.push(Math.round((random.next() + 0.4 * y) * 20) / 20);
    labels.push(y);
  }
  return { scores, labels };
}

/** The definition: the share of (positive, negative) pairs ranked right, ties half. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let sum = 0;
  let pairs = 0;
  scores.forEach((sp, i) => {
    if (!labels[i]) return;
    scores.forEach((sn, j) => {
      if (labels[j]) return;
      pairs++;
      sum += sp > sn ? 1 : sp === sn ? 0.5 : 0;
    });
  });
  return sum / pairs;
}

/** The definition: mean over positives of the precision among everything scored at least as high. */
function definitionAp(scores: number[], labels: number[]): number {
  let sum = 0;
  let positives = 0;
  scores.forEach((s, i) => {
    if (!labels[i]) return;
    positives++;
    let seen = 0;
    let hits = 0;
    scores.forEach((t, j) => {
      if (t >= s) {
        seen++;
        hits += labels[j];
      }
    });
    sum += hits / seen;
  });
  return sum / positives;
}

describe('ranking metrics', () => {
  it('rocAuc agrees with the pairwise definition, ties included', () => {
    for (const seed of [1, 2, 3]) {
      const { scores, labels } = randomCase(300, seed);
      expect(rocAuc(scores, labels)).toBeCloseTo(pairwiseAuc(scores, labels), 12);
    }
  });

  it('averagePrecision agrees with its definition, ties included', () => {
    for (const seed of [4, 5, 6]) {
      const { scores, labels } = randomCase(300, seed);
      expect(averagePrecision(scores, labels)).toBeCloseTo(definitionAp(scores, labels), 12);
    }
  });

  it('row weights act like repeated rows', () => {
    const { scores, labels } = randomCase(100, 7);
    const weights = scores.map((_, i) => (i % 3) + 1);
    const repeated = { scores: [] as number[], labels: [] as number[] };
    scores.forEach((s, i) => {
      for (let k = 0; k < weights[i]; k++) {
        repeated.scores.push(s);
        repeated.labels.push(labels[i]);
      }
    });
    expect(rocAuc(scores, labels, weights)).toBeCloseTo(rocAuc(repeated.scores, repeated.labels), 12);
    expect(averagePrecision(scores, labels, weights)).toBeCloseTo(
      averagePrecision(repeated.scores, repeated.labels),
      12,
    );
  });

  it('gives 1 for a perfect ranking, 0 for a reversed one, NaN without both classes', () => {
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBe(0);
    expect(averagePrecision([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(rocAuc([0.3, 0.4], [0, 0])).toBeNaN();
    expect(averagePrecision([0.3, 0.4], [0, 0])).toBeNaN();
  });

  it('recallAtBudget takes the riskiest items until the cost budget is spent', () => {
    const scores = [0.9, 0.8, 0.1, 0.5];
    const labels = [1, 0, 1, 0];
    expect(recallAtBudget(scores, labels, 0.5)).toBe(0.5);
    expect(recallAtBudget(scores, labels, 1)).toBe(1);
    expect(recallAtBudget(scores, labels, 0)).toBe(0);
    // With durations: the top item costs 8 of 11, so a 0.5 budget skips it and takes the cheap ones after it.
    expect(recallAtBudget(scores, labels, 0.5, [8, 1, 1, 1])).toBe(0.5);
    expect(() => recallAtBudget(scores, labels, 1.5)).toThrow(/budget fraction is 1.5/);
  });

  it('logLoss is the mean negative log-likelihood', () => {
    const p = [0.9, 0.2, 0.6];
    const y = [1, 0, 0];
    expect(logLoss(p, y)).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.4)) / 3, 12);
    expect(Number.isFinite(logLoss([0, 1], [1, 0]))).toBe(true);
  });
});
