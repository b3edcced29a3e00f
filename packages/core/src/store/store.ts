/** An entry of a store listing. */
export interface StoreEntry {
  key: string;
  size: number;
  modified: Date;
}

/**
 * Where history, models, baselines and cache statistics live between runs (docs/architecture.md#stores). Keys are
 * relative POSIX paths (`test-predictor/history.jsonl`). Writes are atomic: a reader sees the old or the new content,
 * never a mix.
 */
export interface Store {
  /** `dir:/path`, `s3://bucket/prefix`, ... for messages. */
  readonly description: string;
  read(key: string): Promise<Buffer | undefined>;
  write(key: string, data: Buffer | string): Promise<void>;
  list(prefix?: string): Promise<StoreEntry[]>;
  delete(key: string): Promise<void>;
}
