import { SeededRandom } from '@ci-optimizer/core/model';
import type { RunRecord } from '@ci-optimizer/core/test-predictor';

/**
 * A generated CI history with a known cause of failure: each test file imports one or two of the modules, a run
 * changes one or two modules, and a test the change reaches fails with probability `breakRate`. Other tests fail
 * rarely (noise). `invert` makes the unreached tests the ones that fail, to build a history a model learns wrongly.
 */
export function syntheticHistory(options: {
  runs: number;
  seed: number;
  modules?: number;
  tests?: number;
  breakRate?: number;
  invert?: boolean;
}): RunRecord[] {
  const random = new SeededRandom(options.seed);
  const moduleCount = options.modules ?? 8;
  const testCount = options.tests ?? 24;
  const modules = Array.from({ length: moduleCount }, (_, i) => `src/app/mod${i}.py`);
  const tests = Array.from({ length: testCount }, (_, i) => {
    const uses = new Set([i % moduleCount]);
    if (random.next() < 0.5) uses.add(Math.floor(random.next() * moduleCount));
    return { file: `tests/test_mod${i % moduleCount}_${i}.py`, uses: [...uses], duration: 0.2 + random.next() * 5 };
  });
  const runs: RunRecord[] = [];
  let parent = 'c0';
  for (let r = 0; r < options.runs; r++) {
    const changed = new Set([Math.floor(random.next() * moduleCount)]);
    if (random.next() < 0.3) changed.add(Math.floor(random.next() * moduleCount));
    const reach: Record<string, number> = {};
    for (const t of tests)
      if (t.uses.some((m) => changed.has(m))) reach[t.file] = t.uses[0] === [...changed][0] ? 1 : 2;
    const commit = `c${r + 1}`;
    const cases = tests.map((t) => {
      const reached = t.file in reach;
      const p = (options.invert ? !reached : reached) ? (options.breakRate ?? 0.35) : 0.003;
      return {
        file: t.file,
        id: `${t.file}::test_it`,
        outcome: random.next() < p ? ('failed' as const) : ('passed' as const),
        duration: t.duration * (0.9 + 0.2 * random.next()),
        retry: false,
      };
    });
    runs.push({
      schema: 1,
      time: new Date(Date.UTC(2026, 0, 1) + r * 3_600_000).toISOString(),
      commit,
      base: parent,
      event: 'pull_request',
      full: true,
      changes: [...changed].map((m) => ({
        path: modules[m],
        status: 'modified' as const,
        added: 1 + Math.floor(random.next() * 30),
        removed: Math.floor(random.next() * 10),
      })),
      reach: options.invert ? null : reach,
      cases,
    });
    parent = commit;
  }
  return runs;
}
