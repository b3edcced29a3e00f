import { existsSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  HIT_HISTORY_KEY,
  classifyRestore,
  keyFamily,
  readRestoreHistory,
  recordRestore,
  summarizeHitRate,
  type RestoreOutcome,
} from '@ci-optimizer/core/cache-key';
import { DirStore } from '@ci-optimizer/core/store';
import { tempDir } from '../support/git-repo.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const key = 'deps-pip-ubuntu24-x64-cpython3.12-v1-0123456789abcdef0123';

describe('classifying a restore step', () => {
  it('follows actions/cache: true = exact, false = restore-key match, unset = miss; matched key decides when given', () => {
    expect(classifyRestore(key, 'true', '')).toBe('exact');
    expect(classifyRestore(key, 'false', '')).toBe('partial');
    expect(classifyRestore(key, '', '')).toBe('miss');
    expect(classifyRestore(key, '', key)).toBe('exact');
    expect(classifyRestore(key, 'false', 'deps-pip-ubuntu24-x64-cpython3.12-v1-ffff')).toBe('partial');
  });

  it('the family is the key without its hash (its own restore key)', () => {
    expect(keyFamily(key)).toBe('deps-pip-ubuntu24-x64-cpython3.12-v1-');
  });
});

describe('hit-rate history in the store', () => {
  it('records outcomes and computes the rate over the last N runs of the family', async () => {
    const dir = tempDir('ci-opt-store-');
    dirs.push(dir);
    const store = new DirStore(dir);
    const outcomes: RestoreOutcome[] = [
      'miss',
      'miss',
      'exact',
      'partial',
      'exact',
      'exact',
      'miss',
      'exact',
      'exact',
      'exact',
    ];
    for (const [i, outcome] of outcomes.entries()) {
      await recordRestore(store, {
        time: new Date(Date.UTC(2026, 10, i + 1)).toISOString(),
        family: keyFamily(key),
        key,
        outcome,
      });
      // Another family interleaved must not count.
      await recordRestore(store, {
        time: new Date().toISOString(),
        family: 'deps-npm-',
        key: 'deps-npm-x',
        outcome: 'miss',
      });
    }
    const { records, skipped } = await readRestoreHistory(store);
    expect(skipped).toBe(0);
    expect(records).toHaveLength(20);
    const last8 = summarizeHitRate(records, keyFamily(key), 8, 0.8);
    const expectedHits = outcomes.slice(-8).filter((o) => o !== 'miss').length;
    expect(last8.runs).toBe(8);
    expect(last8.hitRate).toBeCloseTo(expectedHits / 8);
    expect(last8.met).toBe(expectedHits / 8 >= 0.8);
    const all = summarizeHitRate(records, keyFamily(key), 100, 0.8);
    expect([all.exact, all.partial, all.miss]).toEqual([6, 1, 3]);
    expect(all.met).toBe(false);
  });

  it('reads the old JSON Lines file and folds it into the record log on the next record', async () => {
    const dir = tempDir('ci-opt-store-');
    dirs.push(dir);
    mkdirSync(join(dir, 'cache-key'), { recursive: true });
    writeFileSync(
      join(dir, HIT_HISTORY_KEY),
      '{"schema":1,"time":"2026-01-01T00:00:00.000Z","family":"f-","key":"f-1","outcome":"exact"}\n',
    );
    const store = new DirStore(dir);
    const { records } = await recordRestore(store, {
      time: '2026-01-02T00:00:00.000Z',
      family: 'f-',
      key: 'f-2',
      outcome: 'miss',
    });
    expect(records.map((record) => record.key)).toEqual(['f-1', 'f-2']);
    expect(existsSync(join(dir, HIT_HISTORY_KEY))).toBe(false);
    expect((await readRestoreHistory(store)).records.map((record) => record.outcome)).toEqual(['exact', 'miss']);
  });

  it('a wrong-typed or truncated line is skipped and counted, a valid one kept', async () => {
    const dir = tempDir('ci-opt-store-');
    dirs.push(dir);
    mkdirSync(join(dir, 'cache-key'), { recursive: true });
    writeFileSync(
      join(dir, HIT_HISTORY_KEY),
      '{"schema":1,"time":"t","family":"f-","key":"f-1","outcome":"hit"}\n{"schema":1,"time":"t2","family":"f-","key":"f-1","outcome":"exact"}\n{"schema":1,"ti',
    );
    const { records, skipped } = await readRestoreHistory(new DirStore(dir));
    expect(records.map((record) => record.time)).toEqual(['t2']);
    expect(skipped).toBe(2);
  });

  it('skips malformed lines and refuses nothing newer silently', async () => {
    const dir = tempDir('ci-opt-store-');
    dirs.push(dir);
    mkdirSync(join(dir, 'cache-key'), { recursive: true });
    writeFileSync(
      join(dir, HIT_HISTORY_KEY),
      `{"schema":1,"time":"t","family":"f-","key":"f-1","outcome":"exact"}\nnot json\n{"schema":99,"family":"f-"}\n`,
    );
    const { records, skipped } = await readRestoreHistory(new DirStore(dir));
    expect(records).toHaveLength(1);
    expect(skipped).toBe(2);
  });
});
