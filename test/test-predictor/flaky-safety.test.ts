import { describe, expect, it } from 'vitest';
import {
  computeMissRate,
  failedFiles,
  labelFlaky,
  nextSafetyState,
  type RunRecord,
} from '@ci-optimizer/core/test-predictor';

let clock = 0;
function run(
  commit: string,
  cases: [string, RunRecord['cases'][number]['outcome'], boolean?][],
  extra: Partial<RunRecord> = {},
): RunRecord {
  clock++;
  return {
    schema: 1,
    time: `2026-11-01T00:00:${String(clock).padStart(2, '0')}.000Z`,
    commit,
    base: null,
    event: 'push',
    full: false,
    changes: [],
    reach: null,
    cases: cases.map(([id, outcome, retry]) => ({
      file: id.split('::')[0],
      id,
      outcome,
      duration: 1,
      retry: retry ?? false,
    })),
    ...extra,
  };
}

describe('flaky labels', () => {
  it('labels a failure that passed on retry in the same run', () => {
    const r = run('c1', [
      ['t/a.py::x', 'failed'],
      ['t/a.py::x', 'passed', true],
      ['t/b.py::y', 'failed'],
    ]);
    const labels = labelFlaky([r]);
    expect([...failedFiles(r, labels.flakyFailures)]).toEqual(['t/b.py']);
    expect([...labels.flakyIds]).toEqual(['t/a.py::x']);
  });

  it('labels a failure that passed in another run of the same commit', () => {
    const runs = [run('c1', [['t/a.py::x', 'failed']]), run('c1', [['t/a.py::x', 'passed']])];
    const labels = labelFlaky(runs);
    expect(failedFiles(runs[0], labels.flakyFailures).size).toBe(0);
  });

  it('labels a failure the change cannot reach, unless it already failed on the base', () => {
    const base = run('c0', [
      ['t/a.py::x', 'passed'],
      ['t/b.py::y', 'failed'],
    ]);
    const change = run(
      'c1',
      [
        ['t/a.py::x', 'failed'],
        ['t/b.py::y', 'failed'],
        ['t/c.py::z', 'failed'],
      ],
      {
        base: 'c0',
        reach: { 't/c.py': 1 },
      },
    );
    const labels = labelFlaky([base, change]);
    // a: unreachable and passed on the base -> flaky; b: broken on the base already -> real; c: reached -> real.
    expect([...failedFiles(change, labels.flakyFailures)].sort()).toEqual(['t/b.py', 't/c.py']);
  });
});

describe('measured safety', () => {
  const audited = (missed: number, failures: number, i: number): RunRecord =>
    run(`f${i}`, [], {
      full: true,
      audit: {
        failedFiles: Array.from({ length: failures }, (_, k) => `t/${k}.py`),
        missedByPredictor: Array.from({ length: missed }, (_, k) => `t/${k}.py`),
        missedByTestFilter: [],
        budget: 'recall:0.99',
      },
    });

  it('switches selection off above max-miss-rate, on again when the window recovers, and on a reset', () => {
    const history = [audited(0, 10, 1), audited(1, 10, 2)];
    const options = { window: 2, maxMissRate: 0.02, reset: false, now: '2026-11-02T00:00:00.000Z' };
    const off = nextSafetyState(undefined, history, options);
    expect(off.selectionEnabled).toBe(false);
    expect(off.missRate.predictorRate).toBeCloseTo(0.05, 10);
    expect(off.reason).toMatch(/missed 1 of 20 failing test file\(s\).*5\.0%.*above max-miss-rate 2\.0%/);

    const recovered = nextSafetyState(off, [...history, audited(0, 5, 3), audited(0, 5, 4)], options);
    expect(recovered.selectionEnabled).toBe(true);
    expect(recovered.missRate.runs).toBe(2);

    const reset = nextSafetyState(off, history, { ...options, reset: true, now: '2099-01-01T00:00:00.000Z' });
    expect(reset.selectionEnabled).toBe(true);
    expect(reset.missRate.runs).toBe(0);
  });

  it('has no rate before a failing full run', () => {
    expect(computeMissRate([audited(0, 0, 9)], 20).predictorRate).toBeNull();
  });
});
