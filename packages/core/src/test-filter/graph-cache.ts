import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errorMessage } from '../errors/index.ts';

/**
 * Where the parsed graph is kept between runs: a get/put of one JSON text by key. The core's store (`dir:`, S3,
 * GitHub cache) provides this; `directoryGraphCacheStore` is the plain-folder form for the CLI and tests.
 */
export interface GraphCacheStore {
  read(key: string): Promise<string | undefined>;
  write(key: string, text: string): Promise<void>;
}

/** A folder-backed cache store; writes are atomic (temp file, then rename). */
export function directoryGraphCacheStore(dir: string): GraphCacheStore {
  return {
    async read(key) {
      try {
        return await readFile(join(dir, key), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async write(key, text) {
      const path = join(dir, key);
      await mkdir(dirname(path), { recursive: true });
      const temp = `${path}.${process.pid}.tmp`;
      await writeFile(temp, text);
      await rename(temp, path);
    },
  };
}

export const GRAPH_CACHE_SCHEMA = 1;

interface CacheDocument<F> {
  schema: number;
  language: string;
  factsVersion: number;
  /** blob id -> facts: the same content never needs parsing twice, whatever its path. */
  facts: Record<string, F>;
}

/** Parsed facts keyed by git blob id, loaded from and saved to a cache store; faults only cost a cold parse. */
export class FactsCache<F> {
  private readonly facts: Map<string, F>;
  private dirty = false;
  hits = 0;
  misses = 0;

  private readonly key: string;
  private readonly language: string;
  private readonly factsVersion: number;

  private constructor(key: string, language: string, factsVersion: number, facts: Map<string, F>) {
    this.key = key;
    this.language = language;
    this.factsVersion = factsVersion;
    this.facts = facts;
  }

  /** Loads the cache; an unreadable, foreign or newer document is a warning and an empty cache. */
  static async load<F>(
    store: GraphCacheStore | undefined,
    language: { id: string; factsVersion: number },
    warn: (message: string) => void,
  ): Promise<FactsCache<F>> {
    const key = `test-filter/graph-${language.id}.json`;
    const empty = () => new FactsCache<F>(key, language.id, language.factsVersion, new Map());
    if (!store) return empty();
    let text: string | undefined;
    try {
      text = await store.read(key);
    } catch (error) {
      warn(`Could not read the test-filter graph cache (${key}): ${errorMessage(error)}. Parsing every file instead.`);
      return empty();
    }
    if (text === undefined) return empty();
    try {
      const document = JSON.parse(text) as CacheDocument<F>;
      if (document.schema > GRAPH_CACHE_SCHEMA) {
        warn(`The graph cache ${key} has schema ${document.schema}, newer than this version understands (${GRAPH_CACHE_SCHEMA}); ignoring it.`);
        return empty();
      }
      if (document.language !== language.id || document.factsVersion !== language.factsVersion) return empty();
      const cache = new FactsCache<F>(key, language.id, language.factsVersion, new Map(Object.entries(document.facts)));
      return cache;
    } catch (error) {
      warn(`The graph cache ${key} is not valid JSON (${errorMessage(error)}); parsing every file instead.`);
      return empty();
    }
  }

  get(blob: string): F | undefined {
    const facts = this.facts.get(blob);
    if (facts === undefined) this.misses += 1;
    else this.hits += 1;
    return facts;
  }

  set(blob: string, facts: F): void {
    this.facts.set(blob, facts);
    this.dirty = true;
  }

  /** Saves the facts of the blobs still in use (older ones are dropped); a failure is a warning. */
  async save(store: GraphCacheStore | undefined, inUse: ReadonlySet<string>, warn: (message: string) => void): Promise<boolean> {
    if (!store) return false;
    let pruned = false;
    for (const blob of this.facts.keys()) {
      if (!inUse.has(blob)) {
        this.facts.delete(blob);
        pruned = true;
      }
    }
    if (!this.dirty && !pruned) return false;
    const document: CacheDocument<F> = {
      schema: GRAPH_CACHE_SCHEMA,
      language: this.language,
      factsVersion: this.factsVersion,
      facts: Object.fromEntries(this.facts),
    };
    try {
      await store.write(this.key, JSON.stringify(document));
      this.dirty = false;
      return true;
    } catch (error) {
      warn(`Could not save the test-filter graph cache (${this.key}): ${errorMessage(error)}. The next run parses again.`);
      return false;
    }
  }
}
