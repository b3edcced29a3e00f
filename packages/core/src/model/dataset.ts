import { UserError } from '../errors/index.ts';
import { SeededRandom } from './seeded-random.ts';

/**
 * Rows of numeric features, row-major, stored as float32 like XGBoost's DMatrix (so split comparisons agree
 * bit for bit). NaN marks a missing value.
 */
export interface FeatureMatrix {
  readonly values: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly featureNames: readonly string[];
}

/** A feature matrix with 0/1 labels (1 = the rare event, e.g. a test failure) and optional row weights. */
export interface LabelledDataset extends FeatureMatrix {
  readonly labels: Uint8Array;
  readonly weights?: Float32Array;
}

/** Builds a feature matrix from rows of numbers (null/undefined/NaN = missing). */
export function featureMatrix(
  rows: readonly ArrayLike<number | null | undefined>[],
  featureNames: readonly string[],
): FeatureMatrix {
  const cols = featureNames.length;
  const values = new Float32Array(rows.length * cols);
  rows.forEach((row, r) => {
    if (row.length !== cols) {
      throw new UserError(
        `feature row ${r} has ${row.length} values but ${cols} feature names were given; pass one value per feature`,
      );
    }
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      values[r * cols + c] = v === null || v === undefined ? NaN : v;
    }
  });
  return { values, rows: rows.length, cols, featureNames: [...featureNames] };
}

/** Builds a feature matrix from records keyed by feature name; absent keys are missing values. */
export function featureMatrixFromRecords(
  records: readonly Readonly<Record<string, number | null | undefined>>[],
  featureNames: readonly string[],
): FeatureMatrix {
  return featureMatrix(
    records.map((record) => featureNames.map((name) => record[name])),
    featureNames,
  );
}

/** Attaches labels (0/1 or booleans) and optional weights to a feature matrix, checking their lengths and values. */
export function labelledDataset(
  matrix: FeatureMatrix,
  labels: ArrayLike<number | boolean>,
  weights?: ArrayLike<number>,
): LabelledDataset {
  if (labels.length !== matrix.rows) {
    throw new UserError(`got ${labels.length} labels for ${matrix.rows} feature rows; pass one label per row`);
  }
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = Number(labels[i]);
    if (v !== 0 && v !== 1)
      throw new UserError(`label ${i} is ${String(labels[i])}; labels must be 0 or 1 (or false/true)`);
    out[i] = v;
  }
  let w: Float32Array | undefined;
  if (weights) {
    if (weights.length !== matrix.rows) {
      throw new UserError(`got ${weights.length} row weights for ${matrix.rows} rows; pass one weight per row`);
    }
    w = Float32Array.from(weights);
    for (let i = 0; i < w.length; i++) {
      if (!(w[i] >= 0) || !Number.isFinite(w[i]))
        throw new UserError(`row weight ${i} is ${weights[i]}; weights must be finite and >= 0`);
    }
  }
  return { ...matrix, labels: out, ...(w ? { weights: w } : {}) };
}

/** The rows at `indices`, in that order. */
export function selectRows(data: LabelledDataset, indices: ArrayLike<number>): LabelledDataset {
  const { cols } = data;
  const values = new Float32Array(indices.length * cols);
  const labels = new Uint8Array(indices.length);
  const weights = data.weights ? new Float32Array(indices.length) : undefined;
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    values.set(data.values.subarray(r * cols, r * cols + cols), i * cols);
    labels[i] = data.labels[r];
    if (weights) weights[i] = data.weights![r];
  }
  return {
    values,
    rows: indices.length,
    cols,
    featureNames: data.featureNames,
    labels,
    ...(weights ? { weights } : {}),
  };
}

/**
 * Splits off the last `fraction` of the rows as a validation set. For history ordered oldest-first this holds out
 * the newest runs, which is the honest way to validate a model that will score future changes.
 */
export function splitNewest(
  data: LabelledDataset,
  fraction: number,
): { train: LabelledDataset; validation: LabelledDataset } {
  checkFraction(fraction);
  const cut = data.rows - Math.max(1, Math.round(data.rows * fraction));
  return {
    train: selectRows(data, range(0, cut)),
    validation: selectRows(data, range(cut, data.rows)),
  };
}

/** Splits off a random `fraction` of the rows (seeded) as a validation set. */
export function splitRandom(
  data: LabelledDataset,
  fraction: number,
  seed = 0,
): { train: LabelledDataset; validation: LabelledDataset } {
  checkFraction(fraction);
  const order = new SeededRandom(seed).shuffle(Uint32Array.from(range(0, data.rows)));
  const n = Math.max(1, Math.round(data.rows * fraction));
  const validation = Uint32Array.from(order.subarray(0, n)).sort();
  const train = Uint32Array.from(order.subarray(n)).sort();
  return { train: selectRows(data, train), validation: selectRows(data, validation) };
}

function checkFraction(fraction: number): void {
  if (!(fraction > 0 && fraction < 1)) {
    throw new UserError(`validation fraction is ${fraction}; use a number between 0 and 1 (exclusive), e.g. 0.2`);
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}
