import { describe, expect, it } from 'vitest';
import { featureContributions, mainReasons, predictMargins, selectRows, trainGbdt } from '@ci-optimizer/core/model';
import type { GbdtModel, RegressionTree } from '@ci-optimizer/core/model';
import { syntheticFailures } from './synthetic-failures.ts';

/** E[tree(x) | features in `known` fixed], the cover-weighted expectation TreeSHAP uses. */
function conditionalExpectation(tree: RegressionTree, row: ArrayLike<number>, known: Set<number>, node = 0): number {
  if (tree.left[node] === -1) return tree.splitCondition[node];
  const f = tree.splitFeature[node];
  if (known.has(f)) {
    const x = row[f];
    const goLeft = Number.isNaN(x) ? tree.defaultLeft[node] === 1 : Math.fround(x) < tree.splitCondition[node];
    return conditionalExpectation(tree, row, known, goLeft ? tree.left[node] : tree.right[node]);
  }
  const l = tree.left[node];
  const r = tree.right[node];
  return (
    (conditionalExpectation(tree, row, known, l) * tree.sumHessian[l] +
      conditionalExpectation(tree, row, known, r) * tree.sumHessian[r]) /
    tree.sumHessian[node]
  );
}

/** Shapley values by enumerating every coalition: slow, but straight from the definition. */
function bruteForceShapley(model: GbdtModel, row: ArrayLike<number>): number[] {
  const m = model.featureNames.length;
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const value = (mask: number): number => {
    const known = new Set<number>();
    for (let f = 0; f < m; f++) if (mask & (1 << f)) known.add(f);
    return model.trees.reduce((sum, t) => sum + conditionalExpectation(t, row, known), 0);
  };
  const phi = new Array<number>(m).fill(0);
  for (let mask = 0; mask < 1 << m; mask++) {
    const size = mask.toString(2).split('1').length - 1;
    const v = value(mask);
    for (let f = 0; f < m; f++) {
      if (mask & (1 << f)) continue;
      phi[f] += ((factorial(size) * factorial(m - size - 1)) / factorial(m)) * (value(mask | (1 << f)) - v);
    }
  }
  return phi;
}

describe('feature contributions', () => {
  const data = syntheticFailures(3000, 301);
  const { model } = trainGbdt(data, { numRounds: 30, maxDepth: 5, eta: 0.2 });
  const rows = selectRows(
    data,
    Array.from({ length: 25 }, (_, i) => i * 7),
  );
  const margins = predictMargins(model, rows);

  for (const method of ['shap', 'saabas'] as const) {
    it(`${method} contributions add up to the margin`, () => {
      for (let r = 0; r < rows.rows; r++) {
        const phi = featureContributions(model, rows.values.subarray(r * rows.cols, (r + 1) * rows.cols), method);
        expect(phi.reduce((a, b) => a + b, 0)).toBeCloseTo(margins[r], 9);
      }
    });
  }

  it('TreeSHAP equals the Shapley values computed from their definition', () => {
    const small = trainGbdt(
      selectRows(
        data,
        Array.from({ length: 3000 }, (_, i) => i),
      ),
      { numRounds: 4, maxDepth: 4 },
    ).model;
    for (let r = 0; r < 6; r++) {
      const row = rows.values.subarray(r * rows.cols, (r + 1) * rows.cols);
      const phi = featureContributions(small, row, 'shap');
      const expected = bruteForceShapley(small, row);
      expected.forEach((v, f) => expect(phi[f]).toBeCloseTo(v, 9));
    }
  });

  it('names the main reasons of a risky prediction, largest first', () => {
    let risky = 0;
    for (let r = 1; r < rows.rows; r++) if (margins[r] > margins[risky]) risky = r;
    const row = rows.values.subarray(risky * rows.cols, (risky + 1) * rows.cols);
    const reasons = mainReasons(model, row, 3);
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.length).toBeLessThanOrEqual(3);
    const phi = featureContributions(model, row);
    const best = Math.max(...Array.from(phi.subarray(0, -1)));
    expect(reasons[0].contribution).toBe(best);
    expect(reasons[0].feature).toBe(model.featureNames[phi.indexOf(best)]);
    for (let i = 1; i < reasons.length; i++)
      expect(reasons[i].contribution).toBeLessThanOrEqual(reasons[i - 1].contribution);
    for (const reason of reasons) expect(reason.contribution).toBeGreaterThan(0);
  });
});
