import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { UserError } from '../errors/index.ts';
import type { Store, StoreEntry, StoredValue } from './store.ts';

/** A lock older than this was left by a process that died while holding it (the locked work takes milliseconds). */
const STALE_LOCK_MS = 60_000;
/** How long a conditional write waits for another one on the same key before it fails. */
const LOCK_WAIT_MS = 120_000;

/**
 * The `dir:` backend: plain files under one folder, written to a temp name and renamed into place. The version of
 * a value is the SHA-256 of its bytes; a conditional write holds an `O_EXCL` lock file next to the key (`<key>.tmp-lock`,
 * left out of listings) while it compares and renames, so it is safe between processes on one machine and on a
 * shared file system that honours exclusive create.
 */
export class DirStore implements Store {
  readonly description: string;

  readonly root: string;
  constructor(root: string) {
    this.root = root;
    this.description = `dir:${root}`;
  }

  async read(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async write(key: string, data: Buffer | string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await writeFile(temp, data);
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async readVersioned(key: string): Promise<StoredValue | undefined> {
    const data = await this.read(key);
    return data === undefined ? undefined : { data, version: versionOf(data) };
  }

  async writeIf(key: string, data: Buffer | string, expected: string | undefined): Promise<boolean> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const release = await lock(`${path}.tmp-lock`);
    try {
      const current = await this.read(key);
      if ((current === undefined ? undefined : versionOf(current)) !== expected) return false;
      await this.write(key, data);
      return true;
    } finally {
      await release();
    }
  }

  async list(prefix = ''): Promise<StoreEntry[]> {
    const entries: StoreEntry[] = [];
    // Only the folder the prefix names is walked (a listing of test-predictor/ does not stat the graph caches);
    // a prefix that names no folder inside the store walks the root and matches what it matches there.
    const folders = prefix.split('/').slice(0, -1);
    const inside = folders.every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('.tmp-'));
    await this.walk(inside ? join(this.root, ...folders) : this.root, entries);
    return entries
      .filter((entry) => entry.key.startsWith(prefix))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  private async walk(folder: string, into: StoreEntry[]): Promise<void> {
    let names: string[];
    try {
      names = await readdir(folder);
    } catch (error) {
      // No such folder, or a key where the prefix names a folder: nothing under it.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw error;
    }
    for (const name of names) {
      if (name.includes('.tmp-')) continue;
      const full = join(folder, name);
      let info;
      try {
        info = await stat(full);
      } catch (error) {
        // Deleted since the folder was read (another job compacting): not part of the listing.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      if (info.isDirectory()) await this.walk(full, into);
      else into.push({ key: relative(this.root, full).split(sep).join('/'), size: info.size, modified: info.mtime });
    }
  }

  private pathOf(key: string): string {
    const parts = key.split('/');
    if (key === '' || key.startsWith('/') || parts.some((part) => part === '..' || part === '' || part === '.')) {
      throw new UserError(`Store key '${key}' is not a relative path inside the store.`);
    }
    return join(this.root, ...parts);
  }
}

/** The version a `dir:` value has (also the GitHub cache store's, which keeps its files in a DirStore). */
export function versionOf(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Takes an exclusive lock file (O_EXCL create); a lock older than STALE_LOCK_MS is taken over. */
async function lock(path: string): Promise<() => Promise<void>> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const info = await stat(path).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > STALE_LOCK_MS) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() - started > LOCK_WAIT_MS) {
      throw new Error(
        `the lock ${path} has been held by another writer for over ${LOCK_WAIT_MS / 1000} s; delete it if no job is running`,
      );
    }
    await new Promise((done) => setTimeout(done, Math.min(200, 5 * 2 ** Math.min(attempt, 5)) + Math.random() * 20));
  }
}
