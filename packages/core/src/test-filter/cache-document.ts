import { errorMessage } from '../errors/index.ts';
import type { Store } from '../store/index.ts';

/**
 * How test-filter's cache documents (graph, facts, answers) are read from the store. A fault or a damaged document is
 * never an error: it is one warning naming the document (`what`, e.g. "graph cache"), its key and what the run does
 * instead (e.g. "parsing every file instead"), and the run goes on without it.
 */
export interface CacheDocument {
  key: string;
  what: string;
  instead: string;
  warn: (message: string) => void;
}

/** The document's text; undefined when the store has none or cannot be read (warned). */
export async function readCacheText(store: Pick<Store, 'read'>, doc: CacheDocument): Promise<string | undefined> {
  try {
    return (await store.read(doc.key))?.toString('utf8');
  } catch (error) {
    const instead = doc.instead.charAt(0).toUpperCase() + doc.instead.slice(1);
    doc.warn(`Could not read the test-filter ${doc.what} (${doc.key}): ${errorMessage(error)}. ${instead}.`);
    return undefined;
  }
}

/** The document's JSON value; undefined when it is not valid JSON (warned). */
export function parseCacheJson(text: string, doc: CacheDocument): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    doc.warn(`The ${doc.what} ${doc.key} is not valid JSON (${errorMessage(error)}); ${doc.instead}.`);
    return undefined;
  }
}
