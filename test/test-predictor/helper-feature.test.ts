import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES, historyStats, labelFlaky } from '@ci-optimizer/core/test-predictor';

// `helper_changed`: a changed conftest.py or test helper (a file under a tests folder that is not itself a test) in the
// test file's folder or above it, or (for a helper) in its folder's parent. Worked out once per change, asked per test.
describe('the helper_changed feature', () => {
  const stats = historyStats([], labelFlaky([]));
  const helperChanged = (changed: string, test: string) => {
    const change = { changes: [{ path: changed, status: 'modified' as const, added: 1, removed: 1 }], reach: null };
    return stats.features(change, test)[FEATURE_NAMES.indexOf('helper_changed')];
  };

  it.each([
    ['conftest.py', 'tests/orders/test_x.py', 1],
    ['conftest.py', 'test_root.py', 1],
    ['tests/conftest.py', 'tests/orders/test_x.py', 1],
    ['tests/conftest.py', 'tests/test_x.py', 1],
    ['tests/orders/conftest.py', 'tests/test_x.py', 0],
    ['tests/orders/conftest.py', 'tests/orders2/test_x.py', 0],
    ['tests/conftest.py', 'test_root.py', 0],
    ['tests/helpers.py', 'tests/orders/test_x.py', 1],
    ['tests/helpers/data.py', 'tests/orders/test_x.py', 1],
    ['tests/helpers/data.py', 'tests/helpers/test_data.py', 1],
    ['tests/helpers/data.py', 'other/test_x.py', 0],
    ['tests/a/b/fixtures.py', 'tests/a/test_x.py', 1],
    ['tests/a/b/fixtures.py', 'tests/test_x.py', 0],
    ['tests/a/b/fixtures.py', 'tests/a/bc/test_x.py', 1],
    ['tests/ab/fixtures.py', 'tests/a/test_x.py', 1],
    ['tests/ab/fixtures.py', 'testsx/test_x.py', 0],
    ['tests/test_other.py', 'tests/test_x.py', 0],
    ['src/app.py', 'tests/test_x.py', 0],
  ])('%s changed, for %s: %d', (changed, test, expected) => {
    expect(helperChanged(changed, test)).toBe(expected);
  });
});
