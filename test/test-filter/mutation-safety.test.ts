import { describe, expect, it } from 'vitest';
// The harness is the benchmark script itself, so the sample here and the full run (`bench/mutation-safety.mjs`) agree.
import {
  chooseMutants,
  EXAMPLE_DIR,
  exampleExists,
  lineMutations,
  runMutationSafety,
} from '../../bench/mutation-safety.mjs';
import { timeoutFor } from '../support/timeouts.ts';

const MUTANTS = 2;

describe('mutation safety on examples/python-service', () => {
  it('the mutator is seeded and produces each kind of mutation', () => {
    expect(lineMutations('    if total >= limit:')).toContainEqual(['flip comparison', '    if total < limit:']);
    expect(lineMutations('    fee = amount * 3 + base')).toEqual([
      ['change constant', '    fee = amount * 4 + base'],
      ['swap +/-', '    fee = amount * 3 - base'],
      ['delete statement', '    pass'],
    ]);
    expect(lineMutations('    return round(x, 2)')).toContainEqual(['replace return value', '    return None']);
    expect(lineMutations('# a comment with 1 + 2')).toEqual([]);
    if (exampleExists()) expect(chooseMutants(EXAMPLE_DIR, 5, 7)).toEqual(chooseMutants(EXAMPLE_DIR, 5, 7));
  });

  it.skipIf(!exampleExists())(
    'a seeded sample of mutants: every failing test file was selected',
    async () => {
      const result = await runMutationSafety({ mutants: MUTANTS, seed: 11 });
      expect(result.mutants).toBe(MUTANTS);
      expect(result.missedFiles).toEqual([]);
      expect(result.missed).toBe(0);
      for (const row of result.rows) expect(row.selected).toBeLessThanOrEqual(row.total);
      // Each mutant runs the example's whole suite for real (about 12 s idle), plus the unmutated baseline run.
    },
    timeoutFor(MUTANTS + 1, 12_000),
  );
});
