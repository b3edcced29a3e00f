import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../packages/core/src/model/index.ts';
import { CaseStats } from '../../packages/core/src/test-predictor/cases.ts';
import { type FlakyLabels, labelFlaky } from '../../packages/core/src/test-predictor/flaky.ts';
import { caseKey, changedPaths, type CaseRecord, type RunRecord } from '../../packages/core/src/test-history/index.ts';

const isFailure = (outcome: string) => outcome === 'failed' || outcome === 'error';

/**
 * CaseStats written plainly (per run, a map of each case's reports, as the first version did): the reference for
 * CaseStats.add, which keeps a case's per-run totals on its entry instead.
 */
class PlainCaseStats {
  cases = new Map<string, { failures: number; recentDurations: number[] }>();
  fileFailures = new Map<string, number>();
  touchedCases = new Map<string, { runs: number; failures: Map<string, number> }>();
  touchedFiles = new Map<string, { runs: number; failures: Map<string, number> }>();
  lastCases = new Map<string, string[]>();
  shareSum = 0;
  shareCount = 0;
  readonly flaky: FlakyLabels;
  constructor(flaky: FlakyLabels) {
    this.flaky = flaky;
  }

  add(run: RunRecord): void {
    const failed = new Set<string>();
    const durations = new Map<string, { file: string; seconds: number }>();
    for (const c of run.cases) {
      if (c.retry || c.file === '') continue;
      const seen = durations.get(c.id);
      durations.set(c.id, { file: c.file, seconds: (seen?.seconds ?? 0) + c.duration });
      if (isFailure(c.outcome) && !this.flaky.flakyFailures.has(caseKey(run, c))) failed.add(c.id);
    }
    const byFile = new Map<string, string[]>();
    const failedFiles = new Map<string, number>();
    for (const [id, { file, seconds }] of durations) {
      const entry = this.cases.get(id) ?? { failures: 0, recentDurations: [] };
      this.cases.set(id, entry);
      if (failed.has(id)) {
        entry.failures++;
        failedFiles.set(file, (failedFiles.get(file) ?? 0) + 1);
      }
      entry.recentDurations.push(seconds);
      if (entry.recentDurations.length > 5) entry.recentDurations.shift();
      byFile.set(file, [...(byFile.get(file) ?? []), id]);
    }
    byFile.forEach((ids, file) => this.lastCases.set(file, ids));
    // Per failing file: one more failing run, and the share of its cases that failed.
    failedFiles.forEach((failing, file) => {
      this.fileFailures.set(file, 1 + (this.fileFailures.get(file) ?? 0));
      this.shareSum += failing / byFile.get(file)!.length;
      this.shareCount += 1;
    });
    const paths = changedPaths(run);
    for (const [table, keys] of [
      [this.touchedCases, failed],
      [this.touchedFiles, new Set(failedFiles.keys())],
    ] as const) {
      for (const path of paths) {
        const entry = table.get(path) ?? { runs: 0, failures: new Map<string, number>() };
        entry.runs++;
        for (const key of keys) entry.failures.set(key, (entry.failures.get(key) ?? 0) + 1);
        table.set(path, entry);
      }
    }
  }
}

/** Runs of a few files with several cases each: reruns of a commit, retries, cases reported twice, unattributed ones. */
function history(seed: number): RunRecord[] {
  const random = new SeededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random.next() * items.length)];
  const files = ['tests/test_a.py', 'tests/test_b.py', 'tests/sub/test_c.py', 'tests/test_d.py'];
  const modules = ['src/a.py', 'src/b.py', 'src/c.py', 'docs/index.md'];
  const runs: RunRecord[] = [];
  const count = 1 + Math.floor(random.next() * 25);
  for (let r = 0; r < count; r++) {
    const commit = random.next() < 0.3 && r > 0 ? runs[r - 1].commit : `c${r}`;
    const cases: CaseRecord[] = [];
    for (const file of files) {
      if (random.next() < 0.15) continue;
      const n = 1 + Math.floor(random.next() * 4);
      for (let k = 0; k < n; k++) {
        const id = `${random.next() < 0.1 ? pick(files) : file}::test_${k}`;
        const outcome =
          random.next() < 0.2 ? pick(['failed', 'error'] as const) : pick(['passed', 'passed', 'skipped'] as const);
        const duration = Math.round(random.next() * 100) / 100;
        cases.push({ id, file, outcome, duration, retry: false });
        if (random.next() < 0.1) cases.push({ id, file, outcome: 'passed', duration: 0.5, retry: true });
        if (random.next() < 0.1)
          cases.push({
            id,
            file: random.next() < 0.5 ? file : pick(files),
            outcome: pick(['passed', 'failed'] as const),
            duration: 0.25,
            retry: false,
          });
      }
    }
    if (random.next() < 0.2) cases.push({ id: 'orphan', file: '', outcome: 'failed', duration: 1, retry: false });
    random.next() < 0.5 && cases.reverse();
    const changed = [pick(modules), ...(random.next() < 0.4 ? [pick(modules)] : [])];
    runs.push({
      schema: 1,
      id: `run${r}`,
      time: `2026-01-01T00:00:${String(r).padStart(2, '0')}Z`,
      commit,
      base: 'c0',
      event: 'push',
      full: true,
      changes:
        random.next() < 0.1
          ? null
          : [...new Set(changed)].map((path) => ({ path, status: 'modified', added: 1, removed: 0 })),
      reach:
        random.next() < 0.5 ? null : Object.fromEntries(files.filter(() => random.next() < 0.6).map((f) => [f, 1])),
      cases,
    } as RunRecord);
  }
  return runs;
}

describe('CaseStats.add', () => {
  it('matches the plain definition on 300 random histories (cases, durations and shares of every file)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const runs = history(seed);
      const flaky = labelFlaky(runs);
      const stats = new CaseStats(flaky);
      const plain = new PlainCaseStats(flaky);
      for (const run of runs) {
        stats.add(run);
        plain.add(run);
      }
      const twin = withCounts(plain);
      const files = ['tests/test_a.py', 'tests/test_b.py', 'tests/sub/test_c.py', 'tests/test_d.py', 'tests/none.py'];
      for (const file of files) {
        expect(stats.casesOf(file), `seed ${seed}, ${file}`).toEqual(plain.lastCases.get(file));
        const ids = [...(plain.lastCases.get(file) ?? []), `${file}::never`];
        for (const id of ids) expect(stats.duration(id), `seed ${seed}, ${id}`).toBe(twin.duration(id));
        for (const paths of [[], ['src/a.py'], ['src/b.py', 'docs/index.md'], ['src/c.py']]) {
          const expected = twin.shares(file, ids, paths);
          expect(stats.shares(file, ids, paths), `seed ${seed}, ${file}, ${paths.join(' ')}`).toEqual(expected);
        }
      }
    }
  });
});

/** A CaseStats answering from the plain statistics (the same formulas; what differs is only how the counts were kept). */
function withCounts(plain: PlainCaseStats): CaseStats {
  const twin = new CaseStats();
  Object.assign(twin, {
    cases: plain.cases,
    fileFailures: plain.fileFailures,
    touchedCases: plain.touchedCases,
    touchedFiles: plain.touchedFiles,
    lastCases: plain.lastCases,
    shareSum: plain.shareSum,
    shareCount: plain.shareCount,
  });
  return twin;
}
