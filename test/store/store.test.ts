import { existsSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirStore, NewerSchemaError, openStore, readJsonDocument, writeJsonDocument } from '@ci-optimizer/core/store';
import { tempDir } from '../support/git-repo.ts';

describe('dir: store', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens dir: stores relative to the workspace, with the default when empty', () => {
    dir = tempDir();
    expect(openStore('', dir).description).toBe(`dir:${join(dir, '.ci-optimizer')}`);
    expect(openStore('dir:state/x', dir).description).toBe(`dir:${join(dir, 'state/x')}`);
    expect(() => openStore('ftp://x', dir)).toThrow(/Input 'store' has value 'ftp:\/\/x', which is not a known store/);
    expect(() => openStore('dir:', dir)).toThrow(/give a folder after 'dir:'/);
  });

  it('lists under a prefix exactly the keys of the whole listing that start with it', async () => {
    dir = tempDir();
    const store = new DirStore(dir);
    const keys = ['a', 'ab/c', 'test-predictor/model.json', 'test-predictor/history/segments/1.jsonl', 'x/y/z/w.json'];
    for (const key of keys) await store.write(key, key);
    // A folder and a lock-like name beside the keys: neither is a key.
    mkdirSync(join(dir, 'empty', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'test-predictor', 'model.json.tmp-lock'), '');
    const all = await store.list();
    expect(all.map((entry) => entry.key)).toEqual([...keys].sort());
    const prefixes = ['', 'a', 'a/', 'ab/', 'ab/c', 'test-predictor/', 'test-predictor/h', 'test-predictor/history/'];
    for (const prefix of [...prefixes, 'x/y/', 'x/y/z/w.json/', 'missing/', '../', './a', 'x//y/', 'empty/']) {
      const expected = all.filter((entry) => entry.key.startsWith(prefix));
      expect(await store.list(prefix), prefix).toEqual(expected);
    }
    expect((await store.list('test-predictor/')).map((entry) => entry.key)).toEqual([
      'test-predictor/history/segments/1.jsonl',
      'test-predictor/model.json',
    ]);
  });

  it('writes atomically, reads back, lists and deletes', async () => {
    dir = tempDir();
    const store = new DirStore(dir);
    await store.write('a/b.json', '{"schema":1}');
    await store.write('a/c.jsonl', 'x');
    expect((await store.read('a/b.json'))?.toString()).toBe('{"schema":1}');
    expect(await store.read('missing.json')).toBeUndefined();
    expect((await store.list('a/')).map((entry) => entry.key)).toEqual(['a/b.json', 'a/c.jsonl']);
    expect(readdirSync(join(dir, 'a')).some((name) => name.includes('.tmp-'))).toBe(false);
    await store.delete('a/b.json');
    expect(existsSync(join(dir, 'a/b.json'))).toBe(false);
  });

  it('refuses keys that leave the store', async () => {
    dir = tempDir();
    const store = new DirStore(dir);
    await expect(store.write('../escape.json', 'x')).rejects.toThrow(/not a relative path inside the store/);
    await expect(store.read('/etc/passwd')).rejects.toThrow(/not a relative path/);
  });

  it('ignores a half-written temp file left by a crashed writer', async () => {
    dir = tempDir();
    mkdirSync(join(dir, 'h'));
    writeFileSync(join(dir, 'h', 'x.json.tmp-123-abcd'), '{"sch');
    const store = new DirStore(dir);
    expect(await store.list()).toEqual([]);
  });

  it('reads older schema versions and refuses newer ones with a clear message', async () => {
    dir = tempDir();
    const store = new DirStore(dir);
    await writeJsonDocument(store, 'model.json', { schema: 1 });
    expect(await readJsonDocument(store, 'model.json', 2)).toEqual({ schema: 1 });
    await writeJsonDocument(store, 'model.json', { schema: 3 });
    const read = readJsonDocument(store, 'model.json', 2);
    await expect(read).rejects.toBeInstanceOf(NewerSchemaError);
    await expect(readJsonDocument(store, 'model.json', 2)).rejects.toThrow(
      /has schema 3, newer than this version of ci-optimizer reads \(up to 2\)\. Upgrade/,
    );
  });
});
