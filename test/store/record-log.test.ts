import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendRecord, compactRecordLog, DirStore, readRecordLog, type RecordLogSpec } from '@ci-optimizer/core/store';

interface Item {
  schema: number;
  id: string;
  time: string;
  n: number;
}

const spec: RecordLogSpec<Item> = {
  area: 'area/log',
  legacyKey: 'area/log.jsonl',
  maxSchema: 1,
  validate: (value) =>
    typeof (value as Item).n === 'number' &&
    typeof (value as Item).id === 'string' &&
    typeof (value as Item).time === 'string'
      ? undefined
      : 'n must be a number',
  idOf: (item) => item.id,
  timeOf: (item) => item.time,
};
const item = (n: number): Item => ({
  schema: 1,
  id: `run-${n}`,
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  n,
});

describe('record log', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const open = () => {
    dir = mkdtempSync(join(tmpdir(), 'ci-opt-log-'));
    return new DirStore(dir);
  };

  it('keeps every record when many writers append and compact at once', async () => {
    const store = open();
    await Promise.all(
      Array.from({ length: 40 }, async (_, n) => {
        await appendRecord(store, spec, item(n));
        await compactRecordLog(store, spec);
      }),
    );
    const { records, skipped } = await readRecordLog(store, spec);
    expect(skipped).toEqual([]);
    expect(records.map((r) => r.n)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    // A last compaction leaves one segment and no pending object.
    await compactRecordLog(store, spec);
    expect(readdirSync(join(dir, 'area', 'log', 'segments'))).toHaveLength(1);
    expect(readdirSync(join(dir, 'area', 'log', 'pending'))).toEqual([]);
    expect((await readRecordLog(store, spec)).records).toHaveLength(40);
  });

  it('appends the same record once', async () => {
    const store = open();
    expect(await appendRecord(store, spec, item(1))).toBe('added');
    const { records } = await readRecordLog(store, spec);
    expect(await appendRecord(store, spec, item(1), records)).toBe('exists');
    await appendRecord(store, spec, item(1)); // a race past the check: the same object, one record
    expect((await readRecordLog(store, spec)).records).toHaveLength(1);
  });

  it('skips and counts bad lines, keeps newer-schema lines through compaction, folds in the legacy file', async () => {
    const store = open();
    mkdirSync(join(dir, 'area'), { recursive: true });
    const lines = [
      JSON.stringify(item(1)),
      '{"schema":1,"id":"x","time":"t","n":"many"}',
      '{"schema":1,"id":"tr',
      JSON.stringify({ ...item(2), schema: 5 }),
      '[1]',
      JSON.stringify(item(3)),
    ];
    writeFileSync(join(dir, 'area', 'log.jsonl'), `${lines.join('\n')}\n`);
    const first = await readRecordLog(store, spec);
    expect(first.records.map((r) => r.n)).toEqual([1, 3]);
    expect(first.skipped.map((s) => [s.line, s.newer])).toEqual([
      [2, false],
      [3, false],
      [4, true],
      [5, false],
    ]);
    expect(first.skipped[0].reason).toBe('n must be a number');
    expect(first.skipped[2].reason).toMatch(/schema 5 is newer/);

    await appendRecord(store, spec, item(4));
    const compacted = await compactRecordLog(store, spec);
    expect(compacted.records.map((r) => r.n)).toEqual([1, 3, 4]);
    const after = await readRecordLog(store, spec);
    expect(after.records.map((r) => r.n)).toEqual([1, 3, 4]);
    // Only the newer line is left among the skipped: it is another version's record, not garbage.
    expect(after.skipped.map((s) => s.newer)).toEqual([true]);
    expect(readdirSync(join(dir, 'area'))).toEqual(['log']);
  });

  it('applies the retention the caller gives', async () => {
    const store = open();
    for (let n = 0; n < 12; n++) await appendRecord(store, spec, item(n));
    await compactRecordLog(store, spec, (records) => records.slice(-5));
    expect((await readRecordLog(store, spec)).records.map((r) => r.n)).toEqual([7, 8, 9, 10, 11]);
  });
});
