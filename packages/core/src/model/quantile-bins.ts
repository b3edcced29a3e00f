import type { FeatureMatrix } from './dataset.ts';

/**
 * The training matrix turned into histogram slots. Feature f owns slots binOffset[f] .. binOffset[f+1]-1: one per
 * value bin (cuts[f].length + 1 of them) and, last, one for missing values. A value x falls in bin
 * "number of cuts <= x", so a split at cut j (x < cuts[f][j] goes left) sends exactly bins 0..j left — the same
 * answer the float32 comparison gives at prediction time.
 */
export interface BinnedMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly cuts: readonly Float32Array[];
  readonly binOffset: Int32Array;
  readonly totalSlots: number;
  /** Row-major global slot of every cell. */
  readonly slots: Uint16Array | Uint32Array;
}

/** Chooses at most maxBin - 1 cut points per feature at quantiles of its distinct float32 values. */
export function computeCuts(matrix: FeatureMatrix, maxBin: number): Float32Array[] {
  const { rows, cols, values } = matrix;
  const column = new Float32Array(rows);
  const cuts: Float32Array[] = [];
  for (let f = 0; f < cols; f++) {
    let n = 0;
    for (let r = 0; r < rows; r++) {
      const v = values[r * cols + f];
      if (!Number.isNaN(v)) column[n++] = v;
    }
    const sorted = column.subarray(0, n).sort();
    cuts.push(cutsOfSorted(sorted, maxBin));
  }
  return cuts;
}

function cutsOfSorted(sorted: Float32Array, maxBin: number): Float32Array {
  const n = sorted.length;
  if (n === 0) return new Float32Array(0);
  let distinct = 1;
  for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  const out: number[] = [];
  if (distinct <= maxBin) {
    // Few values (counts, flags): every distinct value gets its own bin.
    for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) out.push(sorted[i]);
  } else {
    for (let q = 1; q < maxBin; q++) {
      const candidate = sorted[Math.floor((q * n) / maxBin)];
      const last = out.length ? out[out.length - 1] : sorted[0];
      if (candidate > last) out.push(candidate);
    }
  }
  return Float32Array.from(out);
}

/** Assigns every cell of `matrix` to its slot under the given cuts. */
export function binMatrix(matrix: FeatureMatrix, cuts: readonly Float32Array[]): BinnedMatrix {
  const { rows, cols, values } = matrix;
  const binOffset = new Int32Array(cols + 1);
  for (let f = 0; f < cols; f++) binOffset[f + 1] = binOffset[f] + cuts[f].length + 2;
  const totalSlots = binOffset[cols];
  const slots = totalSlots <= 0xffff ? new Uint16Array(rows * cols) : new Uint32Array(rows * cols);
  for (let f = 0; f < cols; f++) {
    const c = cuts[f];
    const base = binOffset[f];
    const missing = binOffset[f + 1] - 1;
    for (let r = 0; r < rows; r++) {
      const v = values[r * cols + f];
      slots[r * cols + f] = !Number.isNaN(v) ? base + upperBound(c, v) : missing;
    }
  }
  return { rows, cols, cuts, binOffset, totalSlots, slots };
}

/** Number of entries of the sorted array that are <= v. */
function upperBound(sorted: Float32Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
