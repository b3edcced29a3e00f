import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errorMessage } from '../errors/index.ts';
import { GraphSnapshot, isSnapshotDocument } from './graph-snapshot.ts';
import type { LanguageFacts, SourceLanguage } from './language.ts';

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

/**
 * 2: the linked graph of the last tree (graph-snapshot.ts), which also carries the facts by blob. 1: facts by blob
 * only; still read, for its facts.
 */
export const GRAPH_CACHE_SCHEMA = 2;

interface FactsDocumentV1<F> {
  schema: 1;
  language: string;
  factsVersion: number;
  facts: Record<string, F>;
}

/** What a run starts from: the stored graph of some tree (when usable) and facts of earlier blobs. */
export interface LoadedGraphCache<F extends LanguageFacts> {
  key: string;
  snapshot?: GraphSnapshot<F>;
  /** Facts of a blob parsed by an earlier run. */
  factsOf(blob: string): F | undefined;
}

/** Where a language's graph is stored. */
export const graphCacheKey = (languageId: string) => `test-filter/graph-${languageId}.json`;

/**
 * Loads the graph cache; an unreadable, damaged, foreign or newer document is a warning (newer, damaged) or silently
 * nothing (another language or facts version), and costs a cold parse.
 */
export async function loadGraphCache<F extends LanguageFacts>(
  store: GraphCacheStore | undefined,
  language: SourceLanguage<F>,
  warn: (message: string) => void,
): Promise<LoadedGraphCache<F>> {
  const key = graphCacheKey(language.id);
  const empty: LoadedGraphCache<F> = { key, factsOf: () => undefined };
  if (!store) return empty;
  let text: string | undefined;
  try {
    text = await store.read(key);
  } catch (error) {
    warn(`Could not read the test-filter graph cache (${key}): ${errorMessage(error)}. Parsing every file instead.`);
    return empty;
  }
  if (text === undefined) return empty;
  let document: { schema?: unknown; language?: unknown; factsVersion?: unknown };
  try {
    document = JSON.parse(text) as typeof document;
  } catch (error) {
    warn(`The graph cache ${key} is not valid JSON (${errorMessage(error)}); parsing every file instead.`);
    return empty;
  }
  if (typeof document.schema === 'number' && document.schema > GRAPH_CACHE_SCHEMA) {
    warn(`The graph cache ${key} has schema ${document.schema}, newer than this version understands (${GRAPH_CACHE_SCHEMA}); ignoring it.`);
    return empty;
  }
  if (document.language !== language.id || document.factsVersion !== language.factsVersion) return empty;
  if (document.schema === 1) {
    const facts = (document as FactsDocumentV1<F>).facts ?? {};
    return { key, factsOf: (blob) => (Object.hasOwn(facts, blob) ? facts[blob] : undefined) };
  }
  if (!isSnapshotDocument(document)) {
    warn(`The graph cache ${key} is damaged (its graph arrays do not match); parsing every file instead.`);
    return empty;
  }
  const snapshot = GraphSnapshot.fromDocument(language, document);
  // Facts by blob for a rebuild: the same content never needs parsing twice, whatever its path.
  let byBlob: Map<string, string> | undefined;
  return {
    key,
    snapshot,
    factsOf(blob) {
      byBlob ??= new Map(snapshot.orderedPaths().map((path) => [snapshot.blobOf(path)!, path]));
      const path = byBlob.get(blob);
      return path === undefined ? undefined : snapshot.factsOf(path);
    },
  };
}

/** Saves the graph of the head's tree (it replaces the previous one); a failure is a warning. */
export async function saveGraphCache<F extends LanguageFacts>(
  store: GraphCacheStore | undefined,
  key: string,
  snapshot: GraphSnapshot<F>,
  warn: (message: string) => void,
): Promise<boolean> {
  if (!store) return false;
  try {
    await store.write(key, JSON.stringify(snapshot.toDocument(GRAPH_CACHE_SCHEMA)));
    return true;
  } catch (error) {
    warn(`Could not save the test-filter graph cache (${key}): ${errorMessage(error)}. The next run parses again.`);
    return false;
  }
}
