import { randomUUID } from 'node:crypto';
import { errorMessage } from '../errors/index.ts';
import { DirStore, type Store } from '../store/index.ts';
import { type CacheDocument, parseCacheJson, readCacheText } from './cache-document.ts';
import { GraphSnapshot, isFactsDocumentOf, isSnapshotDocument, type SnapshotDocument } from './graph-snapshot.ts';
import {
  decodeDynamicCalls,
  DYNAMIC_CALLS_SCHEMA,
  type DynamicCallsDocument,
  isDynamicCallsDocumentOf,
} from './stored-dynamic-calls.ts';
import type { DynamicDependency, LanguageFacts, SourceLanguage } from '../languages/index.ts';

/** Where the parsed graph is kept between runs: the part of the one store interface it uses (`dir:`, S3, GitHub cache). */
export type GraphCacheStore = Pick<Store, 'read' | 'write'>;

/** The `dir:` store on a plain folder, for the CLI, benchmarks and tests. */
export function directoryGraphCacheStore(dir: string): GraphCacheStore {
  return new DirStore(dir);
}

/**
 * 4: as 3, and the files whose facts a scan read without judging their syntax (`unchecked`; a version that does not
 * know them must not read the graph). 3: the linked graph of the last tree (graph-snapshot.ts) with edges as indices, its facts in a second document tied
 * to it by id. 2: the same graph with the facts inside and edges as paths; 1: facts by blob only. Both are still read,
 * for their facts (a rebuild that parses nothing).
 */
export const GRAPH_CACHE_SCHEMA = 4;

interface FactsDocumentV1<F> {
  schema: 1;
  language: string;
  factsVersion: number;
  facts: Record<string, F>;
}

interface GraphDocumentV2 {
  schema: 2;
  paths: string[];
  blobs: string[];
  facts: string[];
}

/** What a run starts from: the stored graph of some tree (when usable) and facts of earlier blobs. */
export interface LoadedGraphCache<F extends LanguageFacts> {
  key: string;
  snapshot?: GraphSnapshot<F>;
  /**
   * Reads the facts saved with the snapshot (once): the snapshot's files that still have the stored blob get them, and
   * `factsOf` answers from them. A missing, damaged or foreign facts document leaves files pending (to be parsed).
   */
  loadFacts(): Promise<void>;
  /**
   * Starts reading the facts document without reading its facts (`loadFacts` does, with this read): for a run that will
   * need them, while it parses (the read then overlaps the parse instead of following it).
   */
  readFactsAhead(): void;
  /** Facts of a blob parsed by an earlier run (after `loadFacts`). */
  factsOf(blob: string): F | undefined;
  /** The `id` of the stored graph document (with `snapshot`). */
  id?: string;
  /**
   * The computed imports stored with the snapshot (`stored-dynamic-calls.ts`; read once, beside the graph document),
   * when their document belongs to it; a missing, damaged or foreign one is none.
   */
  dynamicCalls(): Promise<{ document: DynamicCallsDocument; calls: DynamicDependency[] } | undefined>;
}

/** Where a language's graph is stored. */
export const graphCacheKey = (languageId: string) => `test-filter/graph-${languageId}.json`;
/** Where the facts of that graph are stored. */
export const factsCacheKey = (languageId: string) => `test-filter/facts-${languageId}.json`;
/** Where the computed imports of that graph are stored. */
export const dynamicCallsCacheKey = (languageId: string) => `test-filter/dynamic-${languageId}.json`;

/** Facts by blob from parallel arrays of blobs and JSON texts (decoded on demand). */
function factsByBlob<F>(blobs: readonly string[], texts: readonly string[]): (blob: string) => F | undefined {
  let index: Map<string, number> | undefined;
  return (blob) => {
    index ??= new Map(blobs.map((id, i) => [id, i]));
    const at = index.get(blob);
    return at === undefined ? undefined : (JSON.parse(texts[at]) as F);
  };
}

/** The tree id near the start of a document this version wrote (its first keys are short values, `tree` among them). */
const STORED_TREE = /^\{"schema":[34],[^{}[\]]*?"tree":"([0-9a-f]{40,64})"/;

/**
 * Loads the graph cache; an unreadable, damaged, foreign or newer document is a warning (newer, damaged) or silently
 * nothing (another language or facts version), and costs a cold parse. `onStoredTree` hears the stored graph's tree
 * before the document is parsed, so that git can work on the tree diff meanwhile (it may still turn out unusable).
 */
export async function loadGraphCache<F extends LanguageFacts>(
  store: GraphCacheStore | undefined,
  language: SourceLanguage<F>,
  warn: (message: string) => void,
  onStoredTree?: (tree: string) => void,
): Promise<LoadedGraphCache<F>> {
  const key = graphCacheKey(language.id);
  const empty: LoadedGraphCache<F> = {
    key,
    loadFacts: async () => {},
    readFactsAhead: () => {},
    factsOf: () => undefined,
    dynamicCalls: async () => undefined,
  };
  if (!store) return empty;
  const graphDoc: CacheDocument = { key, what: 'graph cache', instead: 'parsing every file instead', warn };
  // Read beside the graph (a warm run needs both; a cold one finds neither).
  const dynamicDoc: CacheDocument = {
    key: dynamicCallsCacheKey(language.id),
    what: 'computed imports cache',
    instead: 'working them out instead',
    warn,
  };
  const dynamicText = readCacheText(store, dynamicDoc);
  const text = await readCacheText(store, graphDoc);
  if (text === undefined) return empty;
  const peeked = onStoredTree && STORED_TREE.exec(text.slice(0, 1000));
  if (peeked) onStoredTree!(peeked[1]);
  const parsed = parseCacheJson(text, graphDoc);
  if (parsed === undefined) return empty;
  const document = parsed as { schema?: unknown; language?: unknown; factsVersion?: unknown };
  if (typeof document.schema === 'number' && document.schema > GRAPH_CACHE_SCHEMA) {
    warn(
      `The graph cache ${key} has schema ${document.schema}, newer than this version understands (${GRAPH_CACHE_SCHEMA}); ignoring it.`,
    );
    return empty;
  }
  if (document.language !== language.id || document.factsVersion !== language.factsVersion) return empty;
  if (document.schema === 1) {
    const facts = (document as FactsDocumentV1<F>).facts ?? {};
    return { ...empty, factsOf: (blob) => (Object.hasOwn(facts, blob) ? facts[blob] : undefined) };
  }
  if (document.schema === 2) {
    const { paths, blobs, facts } = document as GraphDocumentV2;
    const usable = [paths, blobs, facts].every(Array.isArray) && blobs.length === facts.length;
    return usable ? { ...empty, factsOf: factsByBlob<F>(blobs, facts) } : empty;
  }
  if (!isSnapshotDocument(document)) {
    warn(`The graph cache ${key} is damaged (its graph arrays do not match); parsing every file instead.`);
    return empty;
  }
  const graph: SnapshotDocument = document;
  const snapshot = GraphSnapshot.fromDocument(language, graph);
  let factsOf: (blob: string) => F | undefined = () => undefined;
  let loading: Promise<void> | undefined;
  const factsDoc: CacheDocument = {
    key: factsCacheKey(language.id),
    what: 'facts cache',
    instead: 'parsing the files instead',
    warn,
  };
  let reading: Promise<string | undefined> | undefined;
  const readFacts = () => (reading ??= readCacheText(store, factsDoc));
  const loadFacts = async () => {
    const factsText = await readFacts();
    if (factsText === undefined) return;
    const facts = parseCacheJson(factsText, factsDoc);
    if (facts === undefined) return;
    // Facts saved with another graph (a later save, or one cut short) are never combined with this one.
    if (!isFactsDocumentOf(facts, graph)) return;
    const texts = facts.facts;
    for (let i = 0; i < graph.paths.length; i++) snapshot.provideStoredFacts(graph.paths[i], graph.blobs[i], texts[i]);
    factsOf = factsByBlob<F>(graph.blobs, texts);
  };
  let dynamicCalls: ReturnType<LoadedGraphCache<F>['dynamicCalls']> | undefined;
  const loadDynamicCalls = async () => {
    const text = await dynamicText;
    const document = text === undefined ? undefined : parseCacheJson(text, dynamicDoc);
    // Calls of another save (a later graph, or one cut short) are never used with this graph.
    if (!isDynamicCallsDocumentOf(document, graph)) return undefined;
    return { document, calls: decodeDynamicCalls(document, graph.paths) };
  };
  return {
    key,
    id: graph.id,
    dynamicCalls: () => (dynamicCalls ??= loadDynamicCalls()),
    snapshot,
    loadFacts: () => (loading ??= loadFacts()),
    readFactsAhead: () => void readFacts(),
    factsOf: (blob) => factsOf(blob),
  };
}

/**
 * Saves the graph of the head's tree (it replaces the previous one): the facts first, then the graph that names them,
 * so a reader never pairs a graph with facts of another save. A failure is a warning. The saved graph's id, when saved.
 */
export async function saveGraphCache<F extends LanguageFacts>(
  store: GraphCacheStore | undefined,
  key: string,
  snapshot: GraphSnapshot<F>,
  warn: (message: string) => void,
): Promise<string | undefined> {
  if (!store) return undefined;
  const { graph, facts } = snapshot.toDocuments(GRAPH_CACHE_SCHEMA, randomUUID());
  const factsKey = factsCacheKey(snapshot.language.id);
  try {
    await store.write(factsKey, JSON.stringify(facts));
    await store.write(key, JSON.stringify(graph));
    return graph.id;
  } catch (error) {
    warn(`Could not save the test-filter graph cache (${key}): ${errorMessage(error)}. The next run parses again.`);
    return undefined;
  }
}

/** Saves the computed imports of the stored graph `graphId` (after the graph: they name it). A failure is a warning. */
export async function saveDynamicCalls(
  store: GraphCacheStore,
  language: SourceLanguage<LanguageFacts>,
  graphId: string,
  calls: Pick<DynamicCallsDocument, 'inputs' | 'names' | 'calls'>,
  warn: (message: string) => void,
): Promise<void> {
  const key = dynamicCallsCacheKey(language.id);
  const document: DynamicCallsDocument = {
    schema: DYNAMIC_CALLS_SCHEMA,
    language: language.id,
    factsVersion: language.factsVersion,
    graph: graphId,
    ...calls,
  };
  try {
    await store.write(key, JSON.stringify(document));
  } catch (error) {
    warn(
      `Could not save the test-filter computed imports cache (${key}): ${errorMessage(error)}. The next run works them out again.`,
    );
  }
}
