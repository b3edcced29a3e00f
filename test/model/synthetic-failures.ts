import { SeededRandom, featureMatrix, labelledDataset } from '@ci-optimizer/core/model';
import type { LabelledDataset } from '@ci-optimizer/core/model';

/** Feature names of the synthetic test-failure data (the first ten columns; extra columns are noise). */
export const SYNTHETIC_FEATURES = [
  'fail_rate_recent',
  'runs_since_failure',
  'cofailure_count',
  'graph_distance',
  'test_file_changed',
  'shared_path_tokens',
  'changed_files',
  'duration_s',
  'noise_uniform',
  'noise_centered',
];

/**
 * Test-failure-like data with about 3% positives, missing values and interactions. Only the 32-bit generator,
 * + - * / and floor are used, so `make_golden.py` builds the exact same rows in Python (same bits), and the golden
 * figures made there describe this data.
 */
export function syntheticFailures(rows: number, seed: number, extraNoise = 0, missingRate = 0.05): LabelledDataset {
  const random = new SeededRandom(seed);
  const names = [...SYNTHETIC_FEATURES, ...Array.from({ length: extraNoise }, (_, i) => `noise_${i}`)];
  const data: number[][] = [];
  const labels: number[] = [];
  const u = new Float64Array(16 + extraNoise);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < u.length; k++) u[k] = random.next();
    const f0 = u[10] < missingRate ? NaN : u[0] * u[0];
    const f1 = Math.floor(u[1] * 200);
    const f2 = Math.floor(u[2] * u[2] * 10);
    const f3 = u[11] < 0.1 ? NaN : Math.floor(u[3] * 6);
    const f4 = u[4] < 0.05 ? 1 : 0;
    const f5 = Math.floor(u[5] * 4);
    const f6 = Math.floor(1 + u[6] * u[6] * u[6] * 50);
    const f7 = u[12] < missingRate ? NaN : u[7] * u[7] * 30;
    const f8 = u[8];
    const f9 = u[9] + u[13] + u[14] - 1.5;
    const row = [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9];
    for (let k = 0; k < extraNoise; k++) row.push(u[16 + k]);
    let z = -4.2;
    z = z + 2.5 * (Number.isNaN(f0) ? 0.2 : f0);
    z = z + (Number.isNaN(f3) ? 0.5 : f3 === 0 ? 2.0 : f3 === 1 ? 1.0 : 0.0);
    z = z + 1.5 * f4;
    z = z + 0.25 * f2;
    z = z + (f0 > 0.5 && f6 > 10 ? 1.5 : 0.0);
    z = z - (f1 < 20 ? 0.0 : 1.0);
    z = z + 0.3 * f5 * (f3 === 0 ? 1.0 : 0.0);
    const s = 0.5 + (0.5 * z) / (1 + Math.abs(z));
    labels.push(u[15] < s * s * s ? 1 : 0);
    data.push(row);
  }
  return labelledDataset(featureMatrix(data, names), labels);
}

/** Order-dependent fingerprint of a data set, to prove the Python mirror made the same rows. */
export function fingerprint(data: LabelledDataset): { sum: number; missing: number; positives: number } {
  let sum = 0;
  let missing = 0;
  let positives = 0;
  for (let i = 0; i < data.values.length; i++) {
    const v = data.values[i];
    if (Number.isNaN(v)) missing++;
    else sum = sum + v * ((i % 7) + 1);
  }
  for (let i = 0; i < data.rows; i++) positives += data.labels[i];
  return { sum, missing, positives };
}
