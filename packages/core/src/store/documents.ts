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
