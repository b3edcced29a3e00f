import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashFiles as actionsHashFiles } from '@actions/glob';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ActionsCacheModel,
  anyRequirements,
  cacheVersionOf,
  hashFiles,
  rootRequirements,
} from '../../bench/cache-key-replay.model.mjs';
import { tempDir } from '../support/git-repo.ts';

// The replay benchmark is only as good as its model of GitHub's cache service; these pin the documented rules.
const DAY = 86_400_000;
const v = cacheVersionOf(['~/.cache/pip']);
const main = 'refs/heads/main';
const pr = 'refs/pull/7/merge';

describe('actions/cache service model', () => {
  it('exact key first, then the newest prefix match of each restore key in order', () => {
    const cache = new ActionsCacheModel();
    cache.save({ key: 'pip-linux-a', version: v, scope: main, now: 1, size: 1, meta: 'a' });
    cache.save({ key: 'pip-linux-b', version: v, scope: main, now: 2, size: 1, meta: 'b' });
    cache.save({ key: 'pip-any-c', version: v, scope: main, now: 3, size: 1, meta: 'c' });
    expect(
      cache.restore({ key: 'pip-linux-a', restoreKeys: ['pip-'], version: v, scopes: [main], now: 4 }).outcome,
    ).toBe('exact');
    const partial = cache.restore({
      key: 'pip-linux-z',
      restoreKeys: ['pip-linux-', 'pip-'],
      version: v,
      scopes: [main],
      now: 4,
    });
    expect([partial.outcome, partial.matchedKey]).toEqual(['partial', 'pip-linux-b']);
    expect(
      cache.restore({ key: 'pip-linux-z', restoreKeys: ['pip-'], version: v, scopes: [main], now: 4 }).matchedKey,
    ).toBe('pip-any-c');
    // The key itself is also matched as a prefix.
    expect(cache.restore({ key: 'pip-linux', restoreKeys: [], version: v, scopes: [main], now: 4 }).matchedKey).toBe(
      'pip-linux-b',
    );
  });

  it('searches the run scope completely before the base branch, and only the same cache version', () => {
    const cache = new ActionsCacheModel();
    cache.save({ key: 'k-1', version: v, scope: main, now: 1, size: 1, meta: 'main' });
    cache.save({ key: 'k-2', version: v, scope: pr, now: 2, size: 1, meta: 'pr' });
    cache.save({ key: 'k-1', version: cacheVersionOf(['.venv']), scope: pr, now: 3, size: 1, meta: 'other paths' });
    // An exact key on main loses to a restore-key match in the PR's own scope.
    const found = cache.restore({ key: 'k-1', restoreKeys: ['k-'], version: v, scopes: [pr, main], now: 4 });
    expect([found.outcome, found.entry?.meta]).toEqual(['partial', 'pr']);
    // Main never sees PR caches.
    expect(cache.restore({ key: 'k-2', restoreKeys: [], version: v, scopes: [main], now: 4 }).outcome).toBe('miss');
  });

  it('keys are immutable per scope; unused entries go after 7 days; LRU above the size limit', () => {
    const cache = new ActionsCacheModel({ maxBytes: 3 });
    expect(cache.save({ key: 'k', version: v, scope: main, now: 0, size: 1, meta: 1 })).toBe(true);
    expect(cache.save({ key: 'k', version: v, scope: main, now: 1, size: 1, meta: 2 })).toBe(false);
    expect(cache.save({ key: 'k', version: v, scope: pr, now: 1, size: 1, meta: 3 })).toBe(true);
    cache.save({ key: 'x', version: v, scope: main, now: 2, size: 1, meta: 4 });
    cache.restore({ key: 'k', restoreKeys: [], version: v, scopes: [main], now: 3 });
    cache.save({ key: 'y', version: v, scope: main, now: 4, size: 1, meta: 5 });
    // Over 3 bytes: the least recently used (the PR's k, saved at 1) goes, not main's k used at 3.
    expect(cache.entries.map((e) => `${e.scope === pr ? 'pr:' : ''}${e.key}`).sort()).toEqual(['k', 'x', 'y']);
    cache.expire(3 + 7 * DAY + 1);
    expect(cache.entries.map((e) => e.key).sort()).toEqual(['y']);
    expect(cache.missCause([main], (meta) => meta === 4)).toBe('evicted');
    expect(cache.missCause([main], (meta) => meta === 5)).toBe('key');
    expect(cache.missCause([main], (meta) => meta === 99)).toBe('none');
  });
});

describe('hashFiles', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('matches @actions/glob hashFiles for the naive and setup-python patterns', async () => {
    const dir = tempDir('ci-opt-hash-');
    dirs.push(dir);
    mkdirSync(join(dir, 'svc'), { recursive: true });
    writeFileSync(join(dir, 'requirements.txt'), 'requests==2.32.3\n');
    writeFileSync(join(dir, 'svc', 'requirements.txt'), 'flask==3.0.3\n');
    writeFileSync(join(dir, 'requirements-dev.txt'), 'pytest\n');
    const saved = process.env.GITHUB_WORKSPACE;
    process.env.GITHUB_WORKSPACE = dir;
    try {
      expect(hashFiles(dir, rootRequirements)).toBe(await actionsHashFiles(join(dir, 'requirements.txt'), dir));
      expect(hashFiles(dir, anyRequirements)).toBe(await actionsHashFiles(join(dir, '**/requirements.txt'), dir));
      expect(hashFiles(dir, () => false)).toBe('');
    } finally {
      if (saved === undefined) delete process.env.GITHUB_WORKSPACE;
      else process.env.GITHUB_WORKSPACE = saved;
    }
  });
});
