import type { GraphCacheStore } from './graph-cache.ts';

/**
 * A graph cache store whose reads of chosen documents start before the selection asks for them (test-filter reads its
 * graph document while git answers the range's questions): `read` then takes the read already under way. A read ahead
 * serves one `read` of its key; a `write` of the key drops it, so a later read sees what was written. A read ahead that
 * fails fails the `read` that takes it, as that read would have.
 */
export class ReadAheadStore implements GraphCacheStore {
  private readonly store: GraphCacheStore;
  private readonly ahead = new Map<string, Promise<Buffer | undefined>>();

  constructor(store: GraphCacheStore) {
    this.store = store;
  }

  /** Starts reading `key` now (once; nothing happens when a read of it is already waiting to be taken). */
  readAhead(key: string): void {
    if (this.ahead.has(key)) return;
    const reading = this.store.read(key);
    // Its failure belongs to the read that takes it (if any).
    reading.catch(() => {});
    this.ahead.set(key, reading);
  }

  read(key: string): Promise<Buffer | undefined> {
    const reading = this.ahead.get(key);
    if (!reading) return this.store.read(key);
    this.ahead.delete(key);
    return reading;
  }

  write(key: string, data: Buffer | string): Promise<void> {
    this.ahead.delete(key);
    return this.store.write(key, data);
  }
}
