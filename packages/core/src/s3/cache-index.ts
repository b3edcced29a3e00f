import { createHash, randomUUID } from 'node:crypto';
import { UserError } from '../errors/index.ts';
import { logValue } from '../escape/index.ts';
import type { CallOptions, ObjectInfo, PutOutcome, S3ObjectStore } from './objects.ts';

/** Schema of the entry record; readers accept this and older, and refuse newer ones. */
export const ENTRY_SCHEMA = 2;

/**
 * The record that makes a cache entry visible. It is written (one atomic PUT) only after its archive is complete,
 * so a reader that finds it finds a whole archive, and it carries what the reader verifies: size and SHA-256.
 */
export interface CacheEntry {
  schema: number;
  key: string;
  version: string;
  /** Object key of the archive, relative to the store's prefix. */
  archive: string;
  size: number;
  sha256: string;
  compression: string;
  createdAt: string;
  /**
   * The archive's top-level members by logical name (`ws/...`, `home/...`, `abs/...`, see archive/member-names.ts).
   * Restore only checks members against these; where files go comes from the restoring job's own `path` input.
   */
  roots: string[];
  /** The scope the entry was written under ('' when shared), for information. */
  scope?: string;
}

/** What makes two archives interchangeable: an entry saved under another version is never restored. */
export interface VersionInputs {
  /** The `path` input lines, as given. */
  paths: readonly string[];
  compression: string;
  /** The `cache-version` input or CACHE_VERSION env, '' when unset: bumping it orphans every old entry. */
  cacheVersion: string;
  /** RUNNER_OS; left out when `enableCrossOsArchive` is true. */
  os: string;
  crossOs: boolean;
}

// Layout 2: members named ws/ home/ abs/ (layout 1 stored the saving runner's absolute paths).
const LAYOUT = 's3-cache/2';

/** The version hash (32 hex chars) that namespaces entries, like actions/cache's version. */
export function cacheVersion(inputs: VersionInputs): string {
  const parts = [LAYOUT, ...inputs.paths, `compression=${inputs.compression}`, `cache-version=${inputs.cacheVersion}`];
  if (!inputs.crossOs) parts.push(`os=${inputs.os}`);
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
}

/** Checks a key the way actions/cache does (at most 512 characters, no commas) plus what S3 keys cannot hold. */
export function validateKey(key: string, input: string): void {
  if (key === '')
    throw new UserError(
      `Input '${input}' is empty. Set it to the cache key, e.g. 'deps-\${{ hashFiles('package-lock.json') }}'.`,
    );
  if (key.length > 512) {
    throw new UserError(
      `Input '${input}' is ${key.length} characters long; cache keys may be at most 512. Shorten '${logValue(key.slice(0, 40))}...'.`,
    );
  }
  // The key is shown as one line with its control characters visible: it may come from a pull request's files.
  if (key.includes(','))
    throw new UserError(
      `Input '${input}' has value '${logValue(key)}', which contains a comma. Cache keys cannot contain commas.`,
    );
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) {
    throw new UserError(
      `Input '${input}' has a control character (newline, tab, ...) in '${logValue(key)}'. Remove it.`,
    );
  }
}

/** A lookup result: the entry found and how it matched. */
export interface CacheMatch {
  entry: CacheEntry;
  kind: 'exact' | 'prefix';
}

/** Callback for entries that exist but cannot be used (unreadable, newer schema): the caller turns them into warnings. */
export type SkipReporter = (key: string, reason: string) => void;

const ENTRIES = 'keys/';
const ARCHIVES = 'data/';

/**
 * The cache entries of one version in one scope of an S3 store. Layout (relative to the store's prefix):
 * `[<scope>/]<version>/keys/<key>` holds the entry record, `[<scope>/]<version>/data/<uuid>.tar.zst` the archive.
 */
export class CacheIndex {
  readonly store: S3ObjectStore;
  readonly version: string;
  /** '' for the unscoped root (scope `shared`), else e.g. `branch/main` or `pr/7`. */
  readonly scope: string;

  constructor(store: S3ObjectStore, version: string, scope = '') {
    this.store = store;
    this.version = version;
    this.scope = scope;
  }

  private get base(): string {
    return this.scope === '' ? this.version : `${this.scope}/${this.version}`;
  }

  /** Object key of the entry record for cache key `key`. */
  entryObject(key: string): string {
    return `${this.base}/${ENTRIES}${key}`;
  }

  /** A fresh, unique object key for an archive: concurrent saves of one key never write the same object. */
  newArchiveObject(extension: string): string {
    return `${this.base}/${ARCHIVES}${randomUUID()}.${extension}`;
  }

  /** The entry saved under exactly `key`, undefined when absent; unusable records are reported and skipped. */
  async readEntry(key: string, options: CallOptions & { onSkip?: SkipReporter } = {}): Promise<CacheEntry | undefined> {
    const bytes = await this.store.get(this.entryObject(key), options);
    if (bytes === undefined) return undefined;
    const parsed = parseEntry(bytes, key, this.version);
    if (typeof parsed === 'string') {
      options.onSkip?.(key, parsed);
      return undefined;
    }
    return parsed;
  }

  /** Keys of entries starting with `prefix`, newest first (by the time their record was written). */
  async keysWithPrefix(prefix: string, options: CallOptions = {}): Promise<{ key: string; lastModified: Date }[]> {
    const base = `${this.base}/${ENTRIES}`;
    const objects = await this.store.listAll(base + prefix, options);
    return objects
      .map((object: ObjectInfo) => ({ key: object.key.slice(base.length), lastModified: object.lastModified }))
      .sort((a, b) => b.lastModified.getTime() - a.lastModified.getTime() || (a.key < b.key ? 1 : -1));
  }

  /**
   * actions/cache's lookup: the exact key first, then each restore key in order, taking the newest entry whose
   * key starts with it.
   */
  async lookup(
    primaryKey: string,
    restoreKeys: readonly string[],
    options: CallOptions & { onSkip?: SkipReporter } = {},
  ): Promise<CacheMatch | undefined> {
    const exact = await this.readEntry(primaryKey, options);
    if (exact) return { entry: exact, kind: 'exact' };
    for (const restoreKey of restoreKeys) {
      const candidates = await this.keysWithPrefix(restoreKey, options);
      // S3 dates have one-second resolution: among records of the same second, the entry's own createdAt decides.
      for (let start = 0; start < candidates.length; ) {
        const second = candidates[start].lastModified.getTime();
        let end = start;
        while (end < candidates.length && candidates[end].lastModified.getTime() === second) end++;
        const group: CacheEntry[] = [];
        for (const candidate of candidates.slice(start, end)) {
          const entry = await this.readEntry(candidate.key, options);
          if (entry) group.push(entry);
        }
        group.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
        if (group.length > 0) return { entry: group[0], kind: group[0].key === primaryKey ? 'exact' : 'prefix' };
        start = end;
      }
    }
    return undefined;
  }

  /**
   * Publishes an entry whose archive is already uploaded. Conditional create: when another job published the key
   * first, its entry stays and `exists` is returned (the caller deletes its own archive).
   */
  async publish(entry: CacheEntry, options: CallOptions = {}): Promise<PutOutcome> {
    return this.store.putAtomic(this.entryObject(entry.key), JSON.stringify(entry), {
      ifAbsent: true,
      contentType: 'application/json',
      signal: options.signal,
    });
  }
}

/** Parses and checks an entry record; a string is the reason it cannot be used. */
export function parseEntry(bytes: Buffer, key: string, version: string): CacheEntry | string {
  let value: Partial<CacheEntry>;
  try {
    value = JSON.parse(bytes.toString('utf8')) as Partial<CacheEntry>;
  } catch {
    return 'its entry record is not valid JSON (damaged or cut short)';
  }
  if (typeof value.schema !== 'number' || value.schema > ENTRY_SCHEMA) {
    return `its entry record has schema ${String(value.schema)}, newer than this version understands (${ENTRY_SCHEMA}); update the action`;
  }
  const valid =
    value.key === key &&
    value.version === version &&
    typeof value.archive === 'string' &&
    typeof value.size === 'number' &&
    value.size > 0 &&
    typeof value.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(value.sha256) &&
    typeof value.compression === 'string' &&
    Array.isArray(value.roots) &&
    value.roots.every((root) => typeof root === 'string');
  if (!valid) return 'its entry record is incomplete or belongs to another key';
  return value as CacheEntry;
}
