import { describe, expect, it } from 'vitest';
import { boundHistory, compactRun, failedFiles, HistoryStats, type RunRecord } from '@ci-optimizer/core/test-predictor';

/** The duration test-predictor (and test-filter's reduction by time) expects of each file after this one run. */
function expectedDurations(record: RunRecord): Map<string, number | undefined> {
  const stats = new HistoryStats();
  stats.add(record, new Set());
  return new Map(stats.knownFiles().map((file) => [file, stats.duration(file)]));
}

function run(i: number, files: number, perFile: number, failing?: string): RunRecord {
  const cases = [];
  for (let f = 0; f < files; f++) {
    const file = `tests/test_${f}.py`;
    for (let c = 0; c < perFile; c++) {
      cases.push({
        file,
        id: `${file}::test_${c}`,
        outcome: file === failing && c === 0 ? ('failed' as const) : ('passed' as const),
        duration: 0.25,
        retry: false,
      });
    }
  }
  return {
    schema: 1,
    id: `run-${i}`,
    time: new Date(Date.UTC(2026, 0, 1, i)).toISOString(),
    commit: `c${i}`,
    base: null,
    event: 'push',
    full: true,
    changes: null,
    reach: null,
    cases,
  };
}

describe('history byte bounds', () => {
  it('folds a run into per-file aggregates and keeps its failures, failed files and durations', () => {
    const raw = run(1, 10, 50, 'tests/test_3.py');
    const compact = compactRun(raw);
    expect(compact.compacted).toBe(true);
    expect(compact.caseCount).toBe(500);
    expect(compact.cases).toHaveLength(1 + 10);
    expect([...failedFiles(compact)]).toEqual(['tests/test_3.py']);
    expect(expectedDurations(compact)).toEqual(expectedDurations(raw));
    expect(expectedDurations(raw).get('tests/test_3.py')).toBeCloseTo(50 * 0.25, 6);
    expect(JSON.stringify(compact).length).toBeLessThan(JSON.stringify(raw).length / 20);
  });

  it('keeps re-runs apart from first runs, so durations leave them out as for a raw run', () => {
    const raw = run(1, 3, 4);
    // tests/test_1.py::test_0 failed, then passed on a re-run (pytest-rerunfailures); the re-run took 5 s.
    raw.cases[4] = { ...raw.cases[4], outcome: 'failed' };
    raw.cases.push({ ...raw.cases[4], outcome: 'passed', duration: 5, retry: true });
    const compact = compactRun(raw);
    expect(compact.cases.filter((c) => c.retry)).toEqual([
      { file: 'tests/test_1.py', id: 'tests/test_1.py', outcome: 'passed', duration: 5, retry: true },
    ]);
    expect(expectedDurations(compact)).toEqual(expectedDurations(raw));
    expect(expectedDurations(compact).get('tests/test_1.py')).toBeCloseTo(4 * 0.25, 6);
  });

  it('keeps the newest runs whole, compacts older ones, and drops the oldest past the total bound', () => {
    const runs = Array.from({ length: 40 }, (_, i) => run(i, 100, 20));
    const oneRaw = JSON.stringify(runs[0]).length;
    const bounded = boundHistory(runs, 1000, { raw: oneRaw * 3, total: oneRaw * 5 });
    const size = bounded.reduce((sum, r) => sum + JSON.stringify(r).length, 0);
    expect(size).toBeLessThan(oneRaw * 5 * 1.2);
    expect(bounded.at(-1)!.id).toBe('run-39');
    expect(bounded.slice(-3).every((r) => !r.compacted)).toBe(true);
    expect(bounded.slice(0, -3).every((r) => r.compacted)).toBe(true);
    expect(bounded.length).toBeGreaterThan(10);
    // The newest run is kept whole even when it alone passes the bounds.
    expect(boundHistory(runs, 1000, { raw: 10, total: 10 }).map((r) => [r.id, r.compacted])).toEqual([
      ['run-39', undefined],
    ]);
    expect(boundHistory(runs, 7).map((r) => r.id)).toEqual(runs.slice(-7).map((r) => r.id));
  });

  it('bounding after every run (each record compacts) leaves the same history as bounding once at the end', () => {
    // bench/history-growth.seed.mts relies on this to seed 99 runs of 200,000 cases without 99 store round trips.
    const runs = Array.from({ length: 90 }, (_, i) => run(i, 100, 20, i % 7 === 0 ? 'tests/test_1.py' : undefined));
    const oneRaw = JSON.stringify(runs[0]).length;
    const bounds = { raw: oneRaw * 3, total: oneRaw * 5 };
    let stepwise: RunRecord[] = [];
    for (const next of runs) stepwise = boundHistory([...stepwise, next], 1000, bounds);
    const once = boundHistory(runs, 1000, bounds);
    expect(stepwise.some((r) => r.compacted)).toBe(true);
    expect(stepwise.length).toBeLessThan(runs.length);
    expect(stepwise).toEqual(once);
  });
});
