/**
 * One-sided exact sign test for two orders measured on the same runs: of the runs where they differ, how unlikely is
 * it that `a` wins at least as many by luck alone (each run a fair coin). On 0/1 outcomes (caught a failure or not)
 * it is McNemar's exact test; on APFDc it is the sign test of the per-run differences. No distribution is assumed,
 * and a handful of runs can never look significant (five wins out of five differing runs is the least that can).
 */
export interface SignTest {
  /** Runs where `a` is higher, and where `b` is. */
  wins: number;
  losses: number;
  /** One-sided p-value of `a` beating `b`: P(X >= wins) for X ~ Binomial(wins + losses, 1/2); 1 with no difference. */
  p: number;
}

/** Differences this small are ties (floating-point noise of equal orders). */
const TIE = 1e-9;

export function pairedSignTest(a: readonly number[], b: readonly number[]): SignTest {
  if (a.length !== b.length)
    throw new Error(`paired test on ${a.length} and ${b.length} runs: the runs must be the same`);
  let wins = 0;
  let losses = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] > b[i] + TIE) wins++;
    else if (b[i] > a[i] + TIE) losses++;
  }
  return { wins, losses, p: binomialUpperTail(wins, wins + losses) };
}

/** P(X >= k) for X ~ Binomial(n, 1/2), summed in log space (n may be in the thousands). */
export function binomialUpperTail(k: number, n: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  // log C(n, i) / 2^n for i = k..n, from log C(n, k) by the ratio C(n, i+1) / C(n, i) = (n - i) / (i + 1).
  let logTerm = -n * Math.LN2;
  for (let i = 0; i < k; i++) logTerm += Math.log((n - i) / (i + 1));
  const logs: number[] = [];
  for (let i = k; i <= n; i++) {
    logs.push(logTerm);
    logTerm += Math.log((n - i) / (i + 1));
  }
  const top = Math.max(...logs);
  return Math.min(1, Math.exp(top) * logs.reduce((sum, l) => sum + Math.exp(l - top), 0));
}
