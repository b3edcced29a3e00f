import { describe, expect, it } from 'vitest';
import * as impactMap from '@ci-optimizer/core/impact-map';
import { diffChangedFiles } from '@ci-optimizer/core/git';
import { pythonPack, readCoverageContexts } from '@ci-optimizer/core/languages/python';
import { resolveTestFilterOptions, selectAffectedTests } from '@ci-optimizer/core/test-filter';
// The harness is the benchmark itself (bench/impact-map-mutation.mjs), so this sample and the full run agree.
import { DEEP_TRAPS, evaluateProject } from '../../bench/impact-map-mutation.mjs';
import { timeoutFor } from '../support/timeouts.ts';

const MUTANTS = 2;

const core = {
  impactMap,
  testFilter: { selectAffectedTests },
  testFilterOptions: { resolveTestFilterOptions },
  gitObjects: { diffChangedFiles },
  python: { pythonPack, readCoverageContexts },
};

describe('impact map mutation sample on the generated deep re-exporting project', () => {
  it(
    'misses no failing test file, narrows far below the static closure, and each trap needs its defence',
    async () => {
      const { summary, rows } = await evaluateProject(core, 'deep', { mutants: MUTANTS, seed: 3 });
      expect(rows).toHaveLength(DEEP_TRAPS.length + MUTANTS);
      expect(rows.flatMap((row) => row.missed.map)).toEqual([]);
      expect(summary.missed.map).toBe(0);
      // Every trap breaks a test file that coverage does not attribute to the changed function.
      expect(rows.slice(0, DEEP_TRAPS.length).every((row) => row.failing.length > 0)).toBe(true);
      expect(summary.withoutAny).toBeGreaterThan(0);
      expect(summary.needed['shared-state']).toBeGreaterThan(0);
      expect(summary.needed['shared-fixtures']).toBeGreaterThan(0);
      // `__init__.py` re-exports everything: the static closure is every test, the map is not.
      expect(summary.static).toBeLessThan(0.01);
      expect(summary.map).toBeGreaterThan(summary.static);
      // Each row runs the generated project's tests for real (about 6 s idle): the timeout grows with the rows.
    },
    timeoutFor(DEEP_TRAPS.length + MUTANTS + 1, 6_000),
  );
});
