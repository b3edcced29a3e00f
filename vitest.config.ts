import { defineConfig } from 'vitest/config';
import { DEFAULT_TEST_TIMEOUT_MS } from './test/support/timeouts.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A hang detector, not a speed check: tests start git, pytest and Node child processes, and on a shared,
    // loaded 2-core machine they take several times their idle time (test/support/timeouts.ts scales heavier ones).
    testTimeout: DEFAULT_TEST_TIMEOUT_MS,
    hookTimeout: DEFAULT_TEST_TIMEOUT_MS,
    pool: 'forks',
    // Two cores: more workers only thrash the git and pytest child processes the tests start.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
