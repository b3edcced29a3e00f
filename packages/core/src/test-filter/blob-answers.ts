import { errorMessage } from '../errors/index.ts';
import type { BlobAnswers } from '../languages/index.ts';
import { type CacheDocument, parseCacheJson, readCacheText } from './cache-document.ts';
import type { GraphCacheStore } from './graph-cache.ts';

/** Where a language's kept answers are stored (next to its graph). */
export const answersCacheKey = (languageId: string) => `test-filter/answers-${languageId}.json`;

/**
 * What the engine knows of the head: each file's blob, the language's files in git's listing order, and the texts it
 * has already read.
 */
export interface HeadFiles {
  blobOf(path: string): string | undefined;
  files(): readonly string[] | undefined;
  textOf?(blob: string): string | undefined;
  storedGraphHas?(path: string): boolean;
}

/** 1: `{ schema, language, answers: { "<blob>\0<question>": answer } }`. */
export const ANSWERS_CACHE_SCHEMA = 1;

/**
 * Answers of earlier runs that a run did not use are written again while they add at most this many characters (those
 * written first, the most recently used, first): an answer stays true of its blob, and the next change may need it
 * again (the impact map's commit's version of another file, callers of another computed import).
 */
const CARRIED_ANSWER_CHARS = 2_000_000;

/**
 * The language's answers about file contents (`BlobAnswers`), kept in the graph cache's store: the document is read on
 * first use, and `save` writes the answers this run used or made, then earlier ones while they fit (so the document
 * stays small: the least recently used drop out first). A missing, damaged, foreign or newer document is no answers (damaged: a warning), and a failed write a warning:
 * the language then does the work itself. Each answer is checked by the language that asks (`BlobAnswers`).
 */
export class StoredBlobAnswers implements BlobAnswers {
  private kept = new Map<string, unknown>();
  private readonly used = new Map<string, unknown>();
  private changed = false;
  private loading: Promise<void> | undefined;
  private readonly store: GraphCacheStore;
  private readonly languageId: string;
  private readonly head: HeadFiles;
  private readonly warn: (message: string) => void;

  constructor(store: GraphCacheStore, languageId: string, head: HeadFiles, warn: (message: string) => void) {
    this.store = store;
    this.languageId = languageId;
    this.head = head;
    this.warn = warn;
  }

  /** Reads the stored answers (once); `get` answers nothing before. */
  load(): Promise<void> {
    this.loading ??= this.read();
    return this.loading;
  }

  blobOf(path: string): string | undefined {
    return this.head.blobOf(path);
  }

  files(): readonly string[] | undefined {
    return this.head.files();
  }

  textOf(blob: string): string | undefined {
    return this.head.textOf?.(blob);
  }

  storedGraphHas(path: string): boolean {
    return this.head.storedGraphHas?.(path) ?? true;
  }

  get(blob: string, question: string): unknown {
    const key = `${blob}\0${question}`;
    const answer = this.used.get(key) ?? this.kept.get(key);
    if (answer !== undefined) this.used.set(key, answer);
    return answer;
  }

  set(blob: string, question: string, answer: unknown): void {
    this.used.set(`${blob}\0${question}`, answer);
    this.changed = true;
  }

  /**
   * Writes the answers used or made since the last save, when any was made, then earlier ones this run did not use
   * while they fit in CARRIED_ANSWER_CHARS.
   */
  async save(): Promise<void> {
    if (!this.changed) return;
    this.changed = false;
    const key = answersCacheKey(this.languageId);
    const answers: Record<string, unknown> = Object.fromEntries(this.used);
    let carried = 0;
    for (const [slot, answer] of this.kept) {
      if (this.used.has(slot)) continue;
      const chars = slot.length + (JSON.stringify(answer)?.length ?? 0);
      if (carried + chars > CARRIED_ANSWER_CHARS) continue;
      answers[slot] = answer;
      carried += chars;
    }
    const document = { schema: ANSWERS_CACHE_SCHEMA, language: this.languageId, answers };
    try {
      await this.store.write(key, JSON.stringify(document));
    } catch (error) {
      this.warn(
        `Could not save the test-filter answers cache (${key}): ${errorMessage(error)}. The next run parses again.`,
      );
    }
  }

  private async read(): Promise<void> {
    const key = answersCacheKey(this.languageId);
    const doc: CacheDocument = { key, what: 'answers cache', instead: 'parsing instead', warn: this.warn };
    const text = await readCacheText(this.store, doc);
    if (text === undefined) return;
    const document = parseCacheJson(text, doc);
    if (document === undefined) return;
    const { schema, language, answers } = (document ?? {}) as Record<string, unknown>;
    if (schema !== ANSWERS_CACHE_SCHEMA || language !== this.languageId) return;
    if (typeof answers !== 'object' || answers === null || Array.isArray(answers)) {
      this.warn(`The answers cache ${key} is damaged (no answers object); parsing instead.`);
      return;
    }
    this.kept = new Map(Object.entries(answers));
  }
}
