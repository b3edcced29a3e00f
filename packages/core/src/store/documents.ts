import type { Store } from './store.ts';

/** Thrown when a stored file was written by a newer ci-optimizer than this one. */
export class NewerSchemaError extends Error {
  override readonly name = 'NewerSchemaError';
}

/** A JSON document with a schema version, as every stored JSON file is (docs/architecture.md#stores). */
export interface Versioned {
  schema: number;
}

/**
 * Reads a JSON document; undefined when absent. Accepts schema versions up to `maxSchema` and refuses newer ones
 * with a message that says to upgrade the action.
 */
export async function readJsonDocument<T extends Versioned>(
  store: Store,
  key: string,
  maxSchema: number,
): Promise<T | undefined> {
  const data = await store.read(key);
  if (data === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch (error) {
    throw new Error(`${store.description}/${key} is not valid JSON: ${(error as Error).message}`);
  }
  checkSchema(parsed, `${store.description}/${key}`, maxSchema);
  return parsed as T;
}

/** Writes a JSON document atomically. */
export async function writeJsonDocument(store: Store, key: string, document: Versioned): Promise<void> {
  await store.write(key, `${JSON.stringify(document)}\n`);
}

export interface JsonLinesResult<T> {
  records: T[];
  /** Lines that were not valid JSON or had a newer schema: 1-based line numbers with the reason. */
  skipped: { line: number; reason: string }[];
}

/** Reads a JSON Lines file; bad lines are skipped and reported, never fatal. */
export async function readJsonLines<T extends Versioned>(
  store: Store,
  key: string,
  maxSchema: number,
): Promise<JsonLinesResult<T>> {
  const data = await store.read(key);
  if (data === undefined) return { records: [], skipped: [] };
  return parseJsonLines<T>(data.toString('utf8'), maxSchema);
}

/** Parses JSON Lines text (blank lines ignored); used for store files and the job's metrics file. */
export function parseJsonLines<T extends Versioned>(text: string, maxSchema?: number): JsonLinesResult<T> {
  const records: T[] = [];
  const skipped: { line: number; reason: string }[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error('not a JSON object');
      }
      if (maxSchema !== undefined) checkSchema(parsed, 'record', maxSchema);
      records.push(parsed as T);
    } catch (error) {
      skipped.push({ line: index + 1, reason: (error as Error).message });
    }
  });
  return { records, skipped };
}

/** Appends records to a JSON Lines file, keeping at most `keepLast` records (oldest dropped). */
export async function appendJsonLines<T extends Versioned>(
  store: Store,
  key: string,
  records: T[],
  keepLast = Number.POSITIVE_INFINITY,
): Promise<void> {
  const existing = await store.read(key);
  let lines = existing === undefined ? [] : existing.toString('utf8').split('\n').filter((l) => l.trim() !== '');
  lines.push(...records.map((record) => JSON.stringify(record)));
  if (lines.length > keepLast) lines = lines.slice(lines.length - keepLast);
  await store.write(key, `${lines.join('\n')}\n`);
}

function checkSchema(parsed: unknown, where: string, maxSchema: number): void {
  const schema = (parsed as { schema?: unknown }).schema;
  if (typeof schema !== 'number') throw new Error(`${where} has no numeric 'schema' field`);
  if (schema > maxSchema) {
    throw new NewerSchemaError(
      `${where} has schema ${schema}, newer than this version of ci-optimizer reads (up to ${maxSchema}). ` +
        'Upgrade the action (or use a separate store for older versions).',
    );
  }
}
