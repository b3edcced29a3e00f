import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../packages/core/src/model/index.ts';
import { labelFlaky, realFailedFiles } from '../../packages/core/src/test-predictor/flaky.ts';
import { caseKey, failedFiles, type CaseRecord, type RunRecord } from '../../packages/core/src/test-history/index.ts';

const isFailure = (outcome: string) => outcome === 'failed' || outcome === 'error';

/** The definition of flaky labels written plainly (every case looked at, as the first version did): the reference. */
function plainLabels(runs: readonly RunRecord[]) {
  const flakyFailures = new Set<string>();
  const flakyIds = new Set<string>();
  const mark = (run: RunRecord, id: string) => {
    for (const c of run.cases) if (c.id === id && isFailure(c.outcome) && !c.retry) flakyFailures.add(caseKey(run, c));
    flakyIds.add(id);
  };
  const byCommit = new Map<string, Map<string, { passed: boolean }>>();
  for (const run of runs) {
    const outcomes = byCommit.get(run.commit) ?? new Map<string, { passed: boolean }>();
    byCommit.set(run.commit, outcomes);
    for (const c of run.cases) {
      const seen = outcomes.get(c.id) ?? { passed: false };
      if (c.outcome === 'passed') seen.passed = true;
      outcomes.set(c.id, seen);
    }
  }
  const lastRunOnCommit = new Map<string, RunRecord>();
  for (const run of runs) {
    for (const c of run.cases) {
      if (!isFailure(c.outcome) || c.retry) continue;
      if (byCommit.get(run.commit)!.get(c.id)!.passed) {
        mark(run, c.id);
        continue;
      }
      if (run.reach && !run.reachAll && c.file !== '' && !(c.file in run.reach)) {
        const onBase = run.base ? lastRunOnCommit.get(run.base) : undefined;
        if (!(onBase?.cases.some((o) => o.id === c.id && isFailure(o.outcome)) ?? false)) mark(run, c.id);
      }
    }
    lastRunOnCommit.set(run.commit, run);
  }
  const flakyCountByFile = new Map<string, number>();
  for (const run of runs)
    for (const c of run.cases)
      if (flakyFailures.has(caseKey(run, c))) flakyCountByFile.set(c.file, (flakyCountByFile.get(c.file) ?? 0) + 1);
  return { flakyFailures, flakyIds, flakyCountByFile };
}

/** Histories with reruns on the same commit, retries, duplicate ids, unreached failures and failures on the base. */
function randomHistory(seed: number): RunRecord[] {
  const random = new SeededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random.next() * items.length)];
  const files = ['t/a.py', 't/b.py', 't/c.py', ''];
  const commits = ['c0', 'c1', 'c2', 'c3'];
  const outcomes = ['passed', 'passed', 'failed', 'error', 'skipped'] as const;
  return Array.from({ length: 12 }, (_, r) => {
    const cases: CaseRecord[] = [];
    for (let k = 0; k < 10; k++) {
      const file = pick(files);
      const id = `${file || 'x'}::t${Math.floor(random.next() * 4)}`;
      cases.push({ file, id, outcome: pick(outcomes), duration: 0.1, retry: random.next() < 0.15 });
    }
    const reach =
      random.next() < 0.7 ? Object.fromEntries(files.filter((f) => f && random.next() < 0.5).map((f) => [f, 1])) : null;
    return {
      schema: 1,
      // Two runs share a time now and then: their case keys coincide, as they would in the store.
      time: `2026-01-01T00:00:${String(Math.min(r, 10)).padStart(2, '0')}.000Z`,
      commit: pick(commits),
      base: random.next() < 0.8 ? pick(commits) : null,
      event: 'push',
      full: true,
      changes: [],
      reach,
      ...(random.next() < 0.1 ? { reachAll: true } : {}),
      cases,
    };
  });
}

describe('flaky labels', () => {
  it('match the plain definition on 300 random histories (and give the same real failures per run)', () => {
    let flaky = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const runs = randomHistory(seed);
      const labels = labelFlaky(runs);
      const plain = plainLabels(runs);
      expect(labels.flakyFailures, `seed ${seed}`).toEqual(plain.flakyFailures);
      expect(labels.flakyIds, `seed ${seed}`).toEqual(plain.flakyIds);
      expect(labels.flakyCountByFile, `seed ${seed}`).toEqual(plain.flakyCountByFile);
      // A run's real failures read from its first-attempt failures: the same files, in the same order.
      for (const run of runs)
        expect([...realFailedFiles(labels, run)], `seed ${seed}`).toEqual([...failedFiles(run, plain.flakyFailures)]);
      flaky += labels.flakyFailures.size;
    }
    // The histories do exercise the labelling.
    expect(flaky).toBeGreaterThan(300);
  });
});
