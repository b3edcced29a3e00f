import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendRecord, compactRecordLog, DirStore } from '../../packages/core/src/store/index.ts';
import { appendRun, HISTORY_LOG, readHistory, type RunRecord } from '../../packages/core/src/test-history/index.ts';

const run = (n: number): RunRecord => ({
  schema: 1,
  id: `junit-sha256:${n}`,
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  commit: `c${n}`,
  base: 'c0',
  event: 'pull_request',
  full: true,
  changes: [{ path: `pkg/m${n % 3}.py`, status: 'modified', added: 1, removed: 1 }],
  reach: { 'tests/test_a.py': 1 },
  cases: Array.from({ length: 5 }, (_, k) => ({
    file: 'tests/test_a.py',
    id: `tests/test_a.py::t${k}`,
    outcome: k === n % 5 ? 'failed' : 'passed',
    duration: 0.1 * (k + 1),
    retry: false,
  })),
});

/** A dir store that counts the reads of each key. */
class CountingStore extends DirStore {
  readonly reads = new Map<string, number>();
  override async read(key: string): Promise<Buffer | undefined> {
    this.reads.set(key, (this.reads.get(key) ?? 0) + 1);
    return super.read(key);
  }
}

const segmentsOf = (dir: string) =>
  readdirSync(join(dir, 'test-predictor', 'history', 'segments')).map((f) =>
    readFileSync(join(dir, 'test-predictor', 'history', 'segments', f), 'utf8'),
  );

describe('appending a run right after reading the history', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const fresh = async (runs: number) => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-opt-history-'));
    dirs.push(dir);
    const store = new CountingStore(dir);
    for (let n = 1; n <= runs; n++) await appendRun(store, run(n), 100);
    store.reads.clear();
    return { dir, store };
  };

  it('compacts without reading the segments it read again, into the same history as a fresh compaction', async () => {
    const a = await fresh(6);
    const known = await readHistory(a.store, () => {});
    const segment = [...a.store.reads.keys()].find((key) => key.includes('/segments/'))!;
    expect(a.store.reads.get(segment)).toBe(1);
    await appendRun(a.store, run(7), 5, known);
    expect(a.store.reads.get(segment)).toBe(1);

    // The same steps where the compaction reads everything again (no history array from a read).
    const b = await fresh(6);
    await appendRun(b.store, run(7), 5);
    expect(segmentsOf(a.dir)).toEqual(segmentsOf(b.dir));
    expect((await readHistory(a.store, () => {})).map((r) => r.id)).toEqual(
      ['3', '4', '5', '6', '7'].map((n) => `junit-sha256:${n}`),
    );
  });

  it('keeps what another job appended and compacted between the read and the append', async () => {
    const { store } = await fresh(3);
    const known = await readHistory(store, () => {});
    // Another job: appends run 4 and compacts, which replaces the segment this read parsed.
    await appendRecord(store, HISTORY_LOG, run(4));
    await compactRecordLog(store, HISTORY_LOG);
    await appendRun(store, run(5), 100, known);
    expect((await readHistory(store, () => {})).map((r) => r.id)).toEqual(
      [1, 2, 3, 4, 5].map((n) => `junit-sha256:${n}`),
    );
  });
});
