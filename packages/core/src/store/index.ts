import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors/index.ts';
import { DirStore } from './dir-store.ts';
import { S3Store } from './s3-store.ts';
import type { Store } from './store.ts';

export type { Store, StoreEntry } from './store.ts';
export { DirStore } from './dir-store.ts';
export { S3Store } from './s3-store.ts';
export {
  NewerSchemaError,
  readJsonDocument,
  writeJsonDocument,
  readJsonLines,
  parseJsonLines,
  appendJsonLines,
  type Versioned,
  type JsonLinesResult,
} from './documents.ts';

/** The store every action uses unless told otherwise (DESIGN §5). */
export const DEFAULT_STORE = 'dir:.ci-optimizer';

/** A backend for a scheme other than `dir:` (s3://, github-cache), registered by its module. */
export type StoreFactory = (spec: string, workspace: string) => Store;
const factories = new Map<string, StoreFactory>([['s3://', (spec) => new S3Store(spec)]]);

/** Lets a backend module (S3, GitHub cache) handle specs that start with `prefix`. */
export function registerStoreBackend(prefix: string, factory: StoreFactory): void {
  factories.set(prefix, factory);
}

/** Opens the store named by the `store` input: `dir:PATH` (relative to the workspace), `s3://bucket/prefix`, ... */
export function openStore(spec: string, workspace: string): Store {
  const text = spec.trim() === '' ? DEFAULT_STORE : spec.trim();
  if (text.startsWith('dir:')) {
    const path = text.slice(4);
    if (path === '') throw new UserError(`Input 'store' has value '${text}': give a folder after 'dir:', e.g. 'dir:.ci-optimizer'.`);
    return new DirStore(isAbsolute(path) ? path : resolve(workspace, path));
  }
  for (const [prefix, factory] of factories) {
    if (text.startsWith(prefix)) return factory(text, workspace);
  }
  throw new UserError(
    `Input 'store' has value '${text}', which is not a known store. Use 'dir:PATH' (default '${DEFAULT_STORE}')` +
      (factories.size > 0 ? ` or one of: ${[...factories.keys()].map((p) => `'${p}...'`).join(', ')}` : '') +
      '.',
  );
}
