/** An entry of a store listing. */
export interface StoreEntry {
  key: string;
  size: number;
  modified: Date;
}

/** A stored value and its version: an opaque token that changes whenever the value is replaced. */
export interface StoredValue {
  data: Buffer;
  version: string;
}

/**
 * Where history, models, baselines, caches and statistics live between runs: the one interface every backend
 * (`dir:`, `s3://`, `github-cache`) implements and every domain uses (docs/architecture.md#stores).
 * docs/adding-a-store.md has the contract and the test every backend passes (test/store/store-contract.test.ts).
 *
 * Keys are relative POSIX paths (`test-predictor/history/pending/<id>.json`). Writes are atomic: a reader sees the
 * old or the new content, never a mix. A plain `write` is last-writer-wins; what must not lose a record uses one
 * object per record (store/record-log.ts) or a conditional write (`writeIf`).
 */
export interface Store {
  /** `dir:/path`, `s3://bucket/prefix`, ... for messages. */
  readonly description: string;
  /** The value, or undefined when the key is absent. */
  read(key: string): Promise<Buffer | undefined>;
  /** Replaces the value atomically (last writer wins). */
  write(key: string, data: Buffer | string): Promise<void>;
  /** The keys under `prefix` (a plain string prefix, not a folder), sorted. */
  list(prefix?: string): Promise<StoreEntry[]>;
  /** Removes the key; an absent key is not an error. */
  delete(key: string): Promise<void>;
  /** The value with its version (for `writeIf`), or undefined when the key is absent. */
  readVersioned(key: string): Promise<StoredValue | undefined>;
  /**
   * A conditional write (compare-and-swap): replaces the value only when its version is still `expected`
   * (undefined: only when the key is absent), and returns whether it did. Of writers racing from the same version,
   * exactly one gets true; the others read again and retry or give up. Never silently unconditional: a backend that
   * cannot check the condition throws.
   */
  writeIf(key: string, data: Buffer | string, expected: string | undefined): Promise<boolean>;
}
