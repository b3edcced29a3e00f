/**
 * Timeouts for tests that do real work (git, pytest, child processes): a timeout catches a hang, it is not a speed
 * check (speed targets live in bench/). The machine the suite runs on may be shared and loaded (a load of 8 on 2
 * cores makes a pytest run 4-6 times slower than idle), so a test's timeout is its work on an idle machine times
 * LOAD_ALLOWANCE, and never below the suite's default (vitest.config.ts).
 */
export const DEFAULT_TEST_TIMEOUT_MS = 180_000;
export const LOAD_ALLOWANCE = 8;

/** The timeout for `units` pieces of work that take about `idleMs` each on an idle machine. */
export function timeoutFor(units: number, idleMs: number): number {
  return Math.max(DEFAULT_TEST_TIMEOUT_MS, Math.ceil(units * idleMs * LOAD_ALLOWANCE));
}
