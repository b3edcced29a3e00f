import { describe, expect, it } from 'vitest';
import { CaseStats, caseScores, passableNodeId, predictTests, type RunRecord } from '@ci-optimizer/core/test-predictor';

/**
 * A package whose long test file (tests/test_big.py, 60 s: one slow case and twenty quick ones) is the only file
 * that fails when pkg/core.py changes, and then only in its quick cases test_fast_0..2; a short file fails with
 * pkg/util.py. At file granularity a third of the time (~21 s) cannot hold test_big.py; its failing cases can.
 */
function history(runs: number): RunRecord[] {
  const out: RunRecord[] = [];
  for (let r = 0; r < runs; r++) {
    const core = r % 2 === 0;
    const big = [
      { id: 'tests/test_big.py::test_slow', duration: 58, fails: false },
      ...Array.from({ length: 20 }, (_, k) => ({
        id: `tests/test_big.py::test_fast_${k}`,
        duration: 0.1,
        fails: core && k < 3,
      })),
    ];
    const small = Array.from({ length: 4 }, (_, k) => ({
      id: `tests/test_small.py::TestSmall::test_${k}[a-b]`,
      duration: 0.5,
      fails: !core && k === 1,
    }));
    const other = [{ id: 'tests/test_other.py::test_other', duration: 2, fails: false }];
    out.push({
      schema: 1,
      time: new Date(Date.UTC(2026, 0, 1) + r * 3_600_000).toISOString(),
      commit: `c${r + 1}`,
      base: 'c0',
      event: 'pull_request',
      full: true,
      changes: [{ path: core ? 'pkg/core.py' : 'pkg/util.py', status: 'modified', added: 1, removed: 1 }],
      reach: { 'tests/test_big.py': 1, 'tests/test_small.py': 1, 'tests/test_other.py': 1 },
      cases: [...big, ...small, ...other].map((c) => ({
        file: c.id.slice(0, c.id.indexOf('::')),
        id: c.id,
        outcome: c.fails ? 'failed' : 'passed',
        duration: c.duration,
        retry: false,
      })),
    });
  }
  return out;
}

const request = (runs: RunRecord[], granularity: 'file' | 'case', path = 'pkg/core.py') =>
  predictTests({
    history: runs,
    change: {
      changes: [{ path, status: 'modified', added: 1, removed: 1 }],
      reach: { 'tests/test_big.py': 1, 'tests/test_small.py': 1, 'tests/test_other.py': 1 },
    },
    candidates: ['tests/test_big.py', 'tests/test_small.py', 'tests/test_other.py'],
    mustRun: new Map(),
    budget: { kind: 'fraction', fraction: 0.33 },
    minHistory: 5,
    shards: 2,
    slowThreshold: 10,
    granularity,
  });

describe('test-case granularity', () => {
  it('a case that failed with the changed path gets most of its share; others keep a smoothed share', () => {
    const stats = new CaseStats();
    for (const run of history(12)) stats.add(run);
    const ids = ['tests/test_big.py::test_fast_0', 'tests/test_big.py::test_fast_5', 'tests/test_big.py::test_slow'];
    const [failing, quiet, slow] = stats.shares('tests/test_big.py', ids, ['pkg/core.py']);
    expect(failing).toBeGreaterThan(0.8);
    expect(quiet).toBeLessThan(0.1);
    expect(quiet).toBeGreaterThan(0);
    expect(slow).toBeCloseTo(quiet, 10);
    expect(stats.casesOf('tests/test_big.py')).toHaveLength(21);
    expect(stats.duration('tests/test_big.py::test_slow')).toBe(58);
  });

  it('case scores: likelier per second first, each less per second than the one before, later ones of a file discounted', () => {
    const scores = caseScores(0.5, [
      { q: 0.1, duration: 10 },
      { q: 0.9, duration: 0.1 },
      { q: 0.9, duration: 0.1 },
      { q: 0.1, duration: 0.1 },
    ]);
    const total = scores.reduce((a, b) => a + b, 0);
    // At most what every case catches taken as independent, plus the tenth of each chance that is kept.
    expect(total).toBeLessThanOrEqual(0.5 * (1 - 0.1 * 0.1 * 0.9 * 0.9) + 0.5 * 0.1 * (0.1 + 0.9 + 0.9 + 0.1) + 1e-12);
    expect(scores[1]).toBeCloseTo(0.45, 10);
    // The second equally likely case adds what the first misses, plus a tenth of its own chance.
    expect(scores[2]).toBeCloseTo(0.5 * (0.1 + 0.9 * 0.1) * 0.9, 10);
    // Taken as independent (keep 0): 1 - (1-0.9)(1-0.9)(1-0.1)(1-0.1), what running every case catches.
    const independent = caseScores(
      0.5,
      [
        { q: 0.1, duration: 10 },
        { q: 0.9, duration: 0.1 },
        { q: 0.9, duration: 0.1 },
        { q: 0.1, duration: 0.1 },
      ],
      0,
    );
    expect(independent.reduce((a, b) => a + b, 0)).toBeCloseTo(0.5 * (1 - 0.1 * 0.1 * 0.9 * 0.9), 10);
    expect(independent[2]).toBeCloseTo(0.045, 10);
    const rates = [1, 2, 3, 0].map((i) => scores[i] / Math.max(0.01, [10, 0.1, 0.1, 0.1][i]));
    for (let k = 1; k < rates.length; k++) expect(rates[k]).toBeLessThanOrEqual(rates[k - 1]);
  });

  it('only plain pytest node ids of the file are passed on', () => {
    expect(passableNodeId('tests/test_a.py', 'tests/test_a.py::test_x')).toBe(true);
    expect(passableNodeId('tests/test_a.py', 'tests/test_a.py::TestK::TestInner::test_x[1-a b-\\xfc]')).toBe(true);
    expect(passableNodeId('tests/test_a.py', 'tests/test_a.py')).toBe(false);
    expect(passableNodeId('tests/test_a.py', 'tests/test_b.py::test_x')).toBe(false);
    expect(passableNodeId('tests/test_a.py', 'tests/test_a.py::pkg.module.func')).toBe(false);
    expect(passableNodeId('tests/test_a.py', 'tests/test_a.py::test x')).toBe(false);
    expect(passableNodeId('tests/test_a.py', 'tests/test_a.py::test_x[a\nb]')).toBe(false);
    expect(passableNodeId('tests/test_a.py', 'tests/test_a.py::-k')).toBe(false);
  });

  it('a third of the time finds the failing cases of a file longer than the box, which file granularity cannot', () => {
    const runs = history(12);
    const byFile = request(runs, 'file');
    expect(byFile.granularity).toBe('file');
    expect(byFile.selection.selected).not.toContain('tests/test_big.py');
    expect(byFile.items).toEqual(byFile.ordered);

    const byCase = request(runs, 'case');
    expect(byCase.granularity).toBe('case');
    // The failing cases first; after two of them a third adds little, and the box spreads over other files.
    expect([
      'tests/test_big.py::test_fast_0',
      'tests/test_big.py::test_fast_1',
      'tests/test_big.py::test_fast_2',
    ]).toEqual(expect.arrayContaining(byCase.items.slice(0, 2).map((t) => t.file)));
    for (const k of [0, 1, 2]) expect(byCase.selection.selected).toContain(`tests/test_big.py::test_fast_${k}`);
    expect(byCase.selection.selected).toContain('tests/test_other.py::test_other');
    expect(byCase.selection.selected).not.toContain('tests/test_big.py::test_slow');
    expect(byCase.selection.selectedSeconds).toBeLessThanOrEqual(0.33 * byCase.selection.totalSeconds + 1e-9);
    // Every case of every candidate is an item, each belongs to its file; shards hold the selected items.
    expect(byCase.items).toHaveLength(21 + 4 + 1);
    expect(byCase.fileOf.get('tests/test_small.py::TestSmall::test_1[a-b]')).toBe('tests/test_small.py');
    expect(byCase.shards.flatMap((s) => s.tests).sort()).toEqual([...byCase.selection.selected].sort());
    // test_big.py is reached and partly selected, so it is not listed as left out.
    expect(byCase.selection.droppedReached).not.toContain('tests/test_big.py');

    // The other change: the small file's failing case first.
    expect(request(runs, 'case', 'pkg/util.py').items[0].file).toBe('tests/test_small.py::TestSmall::test_1[a-b]');
  });

  it('a must-run file, a file without recorded cases and one with an id that is no node id run whole', () => {
    const runs = history(6);
    runs[runs.length - 1].cases.push({
      file: 'tests/test_other.py',
      id: 'tests/test_other.py::pkg.mod.func',
      outcome: 'passed',
      duration: 0.1,
      retry: false,
    });
    const p = predictTests({
      history: runs,
      change: {
        changes: [{ path: 'tests/test_small.py', status: 'modified', added: 1, removed: 1 }],
        reach: { 'tests/test_small.py': 0 },
      },
      candidates: ['tests/test_big.py', 'tests/test_small.py', 'tests/test_other.py', 'tests/test_new.py'],
      mustRun: new Map([
        ['tests/test_small.py', 'test file modified'],
        ['tests/test_new.py', 'new test file'],
      ]),
      budget: { kind: 'all' },
      minHistory: 5,
      shards: 1,
      slowThreshold: 10,
      granularity: 'case',
    });
    expect([...p.wholeFiles.keys()].sort()).toEqual([
      'tests/test_new.py',
      'tests/test_other.py',
      'tests/test_small.py',
    ]);
    expect(p.wholeFiles.get('tests/test_other.py')).toBe('a case id is not a plain pytest node id');
    const items = p.items.map((t) => t.file);
    expect(items).toContain('tests/test_small.py');
    expect(items).toContain('tests/test_new.py');
    expect(items.filter((id) => id.startsWith('tests/test_big.py::'))).toHaveLength(21);
    expect(p.selection.selected).toHaveLength(items.length);
  });
});
