import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors/index.ts';
import type { Store, StoreEntry } from './store.ts';

/** The `dir:` backend: plain files under one folder, written to a temp name and renamed into place. */
export class DirStore implements Store {
  readonly description: string;

  constructor(readonly root: string) {
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

  async list(prefix = ''): Promise<StoreEntry[]> {
    const entries: StoreEntry[] = [];
    await this.walk(this.root, entries);
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
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
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
