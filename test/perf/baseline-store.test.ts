import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_BASELINE_KEY, baselineKey, saveBaseline, selectBaseline } from '@ci-optimizer/core/perf';
import { DirStore } from '@ci-optimizer/core/store';
import { tempDir } from '../support/git-repo.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const results = { benchmarks: [{ name: 'parse', unit: 's', value: 1, biggerIsBetter: false }] } as never;
const baseline = (commit: string, minute: number) => ({
  commit,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
  results,
});

describe('baselines in the one store interface', () => {
  it('the newest baseline is never replaced by an older one, even when twenty pushes store at once', async () => {
    const dir = tempDir('ci-opt-baselines-');
    dirs.push(dir);
    // Twenty jobs, each with its own store instance (as separate processes would have), finishing in scrambled order.
    const order = Array.from({ length: 20 }, (_, i) => (i * 7) % 20);
    await Promise.all(order.map((minute) => saveBaseline(new DirStore(dir), baseline(`c${minute}`, minute))));
    const store = new DirStore(dir);
    const latest = JSON.parse((await store.read(LATEST_BASELINE_KEY))!.toString('utf8'));
    expect(latest.commit).toBe('c19');
    // Every commit's own baseline is there.
    for (let minute = 0; minute < 20; minute++) expect(await store.read(baselineKey(`c${minute}`))).toBeDefined();
    // A late job storing an older commit leaves the newest alone.
    await saveBaseline(store, baseline('late-old', 5));
    expect((await selectBaseline(store, []))?.record.commit).toBe('c19');
    expect((await selectBaseline(store, ['late-old']))?.record.commit).toBe('late-old');
  });
});
