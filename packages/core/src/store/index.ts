import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors/index.ts';
import { errorMessage } from '../errors/index.ts';
import { DirStore } from './dir-store.ts';
import { GitHubCacheStore, GITHUB_CACHE_SPEC, type StoreLog } from './github-cache-store.ts';
import { S3Store } from './s3-store.ts';
import type { Store } from './store.ts';
import { FaultNamingStore } from './faults.ts';

export type { Store, StoreEntry, StoredValue } from './store.ts';
export { DirStore } from './dir-store.ts';
export { S3Store } from './s3-store.ts';
export {
  GitHubCacheStore,
  parseGitHubCacheSpec,
  type GitHubCacheStoreOptions,
  type StoreLog,
} from './github-cache-store.ts';
export {
  NewerSchemaError,
  readJsonDocument,
  writeJsonDocument,
  type Versioned,
} from './documents.ts';
export {
  appendRecord,
  appendSegment,
  readRecordLog,
  compactRecordLog,
  describeSkipped,
  pendingKey,
  type RecordLogSpec,
  type RecordLogContent,
  type RecordLogSnapshot,
  type CompactedLog,
  type SkippedLine,
} from './record-log.ts';

export { recordStoreFault, takeStoreFaults, StoreFaultError, type StoreFault } from './faults.ts';

/** The store every action uses unless told otherwise (docs/architecture.md#stores). */
export const DEFAULT_STORE = 'dir:.ci-optimizer';

/** How a backend for a scheme other than `dir:` is opened from the `store` input (docs/adding-a-store.md). */
type StoreFactory = (spec: string, workspace: string) => Store;
const factories = new Map<string, StoreFactory>([
  ['s3://', (spec) => new FaultNamingStore(new S3Store(spec), s3Endpoint(process.env))],
  [GITHUB_CACHE_SPEC, (spec) => new GitHubCacheStore(spec, storeSettings)],
]);

/** A store that keeps changes locally until the end of the command (github-cache). */
interface FlushableStore extends Store {
  flush(): Promise<void>;
}

let storeSettings: { log?: StoreLog; libraryOutput?: 'stdout' | 'stderr' } = {};
const openFlushable = new Map<string, FlushableStore>();

/** Points the stores' warnings at the running step's log; the CLI keeps library output off its stdout. */
export function configureStores(settings: { log: StoreLog; libraryOutput: 'stdout' | 'stderr' }): void {
  storeSettings = settings;
}

/**
 * Saves every store opened since the last call that keeps changes until the end of the command, then forgets
 * them. The runtime calls it when a step ends, failed or not; a fault is a warning.
 */
export async function flushOpenStores(warn: (message: string) => void): Promise<void> {
  const stores = [...openFlushable.values()];
  openFlushable.clear();
  for (const store of stores) {
    try {
      await store.flush();
    } catch (error) {
      warn(`Could not save the store '${store.description}': ${errorMessage(error)}`);
    }
  }
}

/** Opens the store named by the `store` input: `dir:PATH` (relative to the workspace), `s3://bucket/prefix`, ... */
export function openStore(spec: string, workspace: string): Store {
  const text = spec.trim() === '' ? DEFAULT_STORE : spec.trim();
  if (text.startsWith('dir:')) {
    const path = text.slice(4);
    if (path === '')
      throw new UserError(`Input 'store' has value '${text}': give a folder after 'dir:', e.g. 'dir:.ci-optimizer'.`);
    const root = isAbsolute(path) ? path : resolve(workspace, path);
    return new FaultNamingStore(new DirStore(root), `folder ${root}`);
  }
  for (const [prefix, factory] of factories) {
    if (!text.startsWith(prefix)) continue;
    const store = factory(text, workspace);
    if (!isFlushable(store)) return store;
    // One instance per store in a process: commands open the same store several times, and it must restore once
    // and save once.
    const open = openFlushable.get(store.description);
    if (open) return open;
    openFlushable.set(store.description, store);
    return store;
  }
  throw new UserError(
    `Input 'store' has value '${text}', which is not a known store. Use 'dir:PATH' (default '${DEFAULT_STORE}'), ` +
      `'s3://bucket/prefix', 'github-cache' or 'github-cache:NAME'.`,
  );
}

/** Where an s3:// store sends its requests, as the SDK will resolve it (for messages). */
function s3Endpoint(env: NodeJS.ProcessEnv): string {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  if (endpoint) return `endpoint ${endpoint}`;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  return `AWS S3${region ? ` in ${region}` : ', region from the AWS configuration'}`;
}

function isFlushable(store: Store): store is FlushableStore {
  return typeof (store as Partial<FlushableStore>).flush === 'function';
}
