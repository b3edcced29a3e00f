/**
 * The statistics behind a perf verdict: rank tests on samples, Welch's test on summary statistics, shift estimates
 * with confidence intervals, and multiple-comparison correction. Pure functions on numbers; no I/O.
 */

/** Outcome of a two-sample test. `shift` is on the scale the caller chose (here: log of the metric). */
export interface TwoSampleTest {
  method: 'mann-whitney-exact' | 'mann-whitney-normal' | 'welch';
  /** Two-sided p-value. */
  pValue: number;
  /** Point estimate of how much `current` exceeds `baseline`. */
  shift: number;
  /** Confidence interval of `shift` at the level asked for. */
  low: number;
  high: number;
}

/** Standard normal cumulative distribution function. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Complementary error function (W. J. Cody's rational approximations via the Numerical Recipes erfc, |rel err| < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Quantile of the standard normal distribution (Acklam's algorithm, refined by one Halley step). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

function logGamma(x: number): number {
  // Lanczos coefficients as published (Numerical Recipes, gammln).
  const g = [
    // biome-ignore lint/correctness/noPrecisionLoss: the published digits, kept as printed
    76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2,
    -0.5395239384953e-5,
  ];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const coefficient of g) ser += coefficient / ++y;
  // biome-ignore lint/correctness/noPrecisionLoss: sqrt(2*pi) as published with the coefficients above
  return -tmp + Math.log((2.5066282746310005 * ser) / x);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-12) break;
  }
  return h;
}

/** Regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Cumulative distribution function of Student's t with `df` degrees of freedom (df may be fractional). */
export function studentTCdf(t: number, df: number): number {
  if (!Number.isFinite(df) || df > 1e7) return normalCdf(t);
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Quantile of Student's t (bisection on the CDF; accurate to ~1e-10). */
export function studentTQuantile(p: number, df: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  let low = -1e3;
  let high = 1e3;
  for (let i = 0; i < 200 && high - low > 1e-10; i++) {
    const mid = (low + high) / 2;
    if (studentTCdf(mid, df) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** Median of numbers (does not modify the input). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return quantileOfSorted(sorted, 0.5);
}

/** Linear-interpolated quantile of an ascending array. */
export function quantileOfSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/** Mean and sample standard deviation. */
export function meanAndStddev(values: readonly number[]): { mean: number; stddev: number } {
  const n = values.length;
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  if (n < 2) return { mean, stddev: 0 };
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1);
  return { mean, stddev: Math.sqrt(variance) };
}

// Exact null distributions of U, memoised by (m, n): probability of each U value, computed with the recurrence
// p(m,n)[u] = m/(m+n) * p(m-1,n)[u-n] + n/(m+n) * p(m,n-1)[u] (the sample that ranks last belongs to one side).
const exactCache = new Map<string, Float64Array>();
/** The largest side for which the exact distribution is used (needs no ties). Beyond it the normal approximation is very good. */
export const EXACT_MAX_SIDE = 40;

function exactUDistribution(m: number, n: number): Float64Array {
  const key = `${m},${n}`;
  const cached = exactCache.get(key);
  if (cached) return cached;
  let result: Float64Array;
  if (m === 0 || n === 0) {
    result = new Float64Array([1]);
  } else {
    const withoutX = exactUDistribution(m - 1, n);
    const withoutY = exactUDistribution(m, n - 1);
    result = new Float64Array(m * n + 1);
    const px = m / (m + n);
    const py = n / (m + n);
    // The largest value is an x: every y is below it, adding n to U (U counts pairs with x > y).
    for (let u = 0; u < withoutX.length; u++) result[u + n] += px * withoutX[u];
    for (let u = 0; u < withoutY.length; u++) result[u] += py * withoutY[u];
  }
  exactCache.set(key, result);
  return result;
}

function exactCumulative(m: number, n: number): Float64Array {
  const key = `cdf:${m},${n}`;
  const cached = exactCache.get(key);
  if (cached) return cached;
  const pmf = exactUDistribution(m, n);
  const cdf = new Float64Array(pmf.length);
  let sum = 0;
  for (let u = 0; u < pmf.length; u++) {
    sum += pmf[u];
    cdf[u] = sum;
  }
  exactCache.set(key, cdf);
  return cdf;
}

/** Mid-ranks of values (1-based), with the tie-group sizes for the variance correction. */
function rankWithTies(values: readonly number[]): { ranks: Float64Array; tieTerm: number } {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(values.length);
  let tieTerm = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    const midRank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k]] = midRank;
    const size = j - i + 1;
    tieTerm += size ** 3 - size;
    i = j + 1;
  }
  return { ranks, tieTerm };
}

/**
 * Mann-Whitney U test (two-sided) of `current` against `baseline`, with the Hodges-Lehmann shift
 * (median of all pairwise differences current - baseline) and its Moses confidence interval at `confidence`.
 * Exact null distribution for small samples without ties; otherwise the normal approximation with tie and
 * continuity corrections.
 */
export function mannWhitney(baseline: readonly number[], current: readonly number[], confidence = 0.99): TwoSampleTest {
  const m = baseline.length;
  const n = current.length;
  if (m === 0 || n === 0) throw new Error('mannWhitney needs samples on both sides');
  const combined = [...baseline, ...current];
  const { ranks, tieTerm } = rankWithTies(combined);
  let rankSumCurrent = 0;
  for (let i = m; i < m + n; i++) rankSumCurrent += ranks[i];
  // U counts pairs where current > baseline (ties count one half).
  const u = rankSumCurrent - (n * (n + 1)) / 2;
  const mn = m * n;
  const exact = tieTerm === 0 && Math.max(m, n) <= EXACT_MAX_SIDE;
  let pValue: number;
  if (exact) {
    const cdf = exactCumulative(n, m);
    const lower = cdf[Math.round(u)];
    const upper = 1 - (Math.round(u) > 0 ? cdf[Math.round(u) - 1] : 0);
    pValue = Math.min(1, 2 * Math.min(lower, upper));
  } else {
    const total = m + n;
    const variance = (mn / 12) * (total + 1 - tieTerm / (total * (total - 1)));
    if (variance <= 0) {
      pValue = 1;
    } else {
      const deviation = Math.max(0, Math.abs(u - mn / 2) - 0.5);
      pValue = Math.min(1, 2 * (1 - normalCdf(deviation / Math.sqrt(variance))));
    }
  }
  const { shift, low, high } = hodgesLehmann(baseline, current, confidence, exact);
  return { method: exact ? 'mann-whitney-exact' : 'mann-whitney-normal', pValue, shift, low, high };
}

// Above this many pairs the estimator works on evenly spaced quantiles of each side: the estimate stays
// consistent and the interval only gets wider (fewer effective samples), never falsely narrow.
const MAX_PAIRS = 250_000;

/** Hodges-Lehmann shift of `current` over `baseline` with the Moses confidence interval. */
export function hodgesLehmann(
  baseline: readonly number[],
  current: readonly number[],
  confidence = 0.99,
  exact = false,
): { shift: number; low: number; high: number } {
  let xs = baseline;
  let ys = current;
  if (xs.length * ys.length > MAX_PAIRS) {
    const side = Math.floor(Math.sqrt(MAX_PAIRS));
    xs = evenQuantiles(xs, Math.min(side, xs.length));
    ys = evenQuantiles(ys, Math.min(side, ys.length));
    exact = false;
  }
  const m = xs.length;
  const n = ys.length;
  const differences = new Float64Array(m * n);
  let k = 0;
  for (const y of ys) for (const x of xs) differences[k++] = y - x;
  differences.sort();
  const shift = quantileOfSorted(differences as unknown as number[], 0.5);
  const alphaHalf = (1 - confidence) / 2;
  let c: number;
  if (exact && Math.max(m, n) <= EXACT_MAX_SIDE) {
    // The largest c with P(U <= c - 1) <= alpha/2: the interval [D(c), D(mn + 1 - c)] covers at least `confidence`.
    const cdf = exactCumulative(n, m);
    c = 0;
    while (c < cdf.length && cdf[c] <= alphaHalf) c++;
  } else {
    const z = normalQuantile(1 - alphaHalf);
    c = Math.floor((m * n) / 2 - z * Math.sqrt((m * n * (m + n + 1)) / 12));
  }
  if (c < 1) return { shift, low: -Infinity, high: Infinity };
  return { shift, low: differences[c - 1], high: differences[m * n - c] };
}

function evenQuantiles(values: readonly number[], count: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  if (count >= sorted.length) return sorted;
  return Array.from({ length: count }, (_, i) => quantileOfSorted(sorted, (i + 0.5) / count));
}

/** Summary statistics of one side, as tools report them when raw samples are not kept. */
export interface SummaryStats {
  mean: number;
  stddev: number;
  /** Number of samples (rounds) behind mean and stddev. */
  count: number;
}

/**
 * Welch's unequal-variance t-test from summary statistics: p-value of (current.mean - baseline.mean) and its
 * confidence interval at `confidence`, with Welch-Satterthwaite degrees of freedom.
 */
export function welchTest(baseline: SummaryStats, current: SummaryStats, confidence = 0.99): TwoSampleTest {
  const shift = current.mean - baseline.mean;
  const vb = baseline.stddev ** 2 / baseline.count;
  const vc = current.stddev ** 2 / current.count;
  const se = Math.sqrt(vb + vc);
  if (!(se > 0) || baseline.count < 2 || current.count < 2) {
    // No spread information: a difference cannot be told from noise.
    return { method: 'welch', pValue: 1, shift, low: -Infinity, high: Infinity };
  }
  const df = (vb + vc) ** 2 / (vb ** 2 / (baseline.count - 1) + vc ** 2 / (current.count - 1));
  const t = shift / se;
  const pValue = Math.min(1, 2 * (1 - studentTCdf(Math.abs(t), df)));
  const half = studentTQuantile(1 - (1 - confidence) / 2, df) * se;
  return { method: 'welch', pValue, shift, low: shift - half, high: shift + half };
}

/**
 * Holm-Bonferroni adjusted p-values (family-wise error control, uniformly more powerful than Bonferroni).
 * Returned in the input order.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a] - pValues[b]);
  const adjusted = new Array<number>(pValues.length);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (pValues.length - rank) * pValues[index]));
    adjusted[index] = running;
  });
  return adjusted;
}
