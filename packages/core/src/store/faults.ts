import { errorMessage, isUserError } from '../errors/index.ts';
import type { Store, StoreEntry, StoredValue } from './store.ts';

/** A store that failed during the step: which one, where it points, and what went wrong. */
export interface StoreFault {
  store: string;
  message: string;
}

const faults: StoreFault[] = [];

/** Notes that a store failed in this step (once per store); the runtime reports them when the step ends. */
export function recordStoreFault(store: string, message: string): void {
  if (!faults.some((fault) => fault.store === store)) faults.push({ store, message });
}

/** The store faults of the step so far, and forgets them. */
export function takeStoreFaults(): StoreFault[] {
  return faults.splice(0, faults.length);
}

/** A store operation that failed; the message names the store, where it points and the operation. */
export class StoreFaultError extends Error {
  override readonly name = 'StoreFaultError';
}

/**
 * Wraps a backend so that every fault names the store and its endpoint or folder (not a bare `connect
 * ECONNREFUSED 127.0.0.1:1`) and is noted for the step's summary (and for `store-required`). A UserError (a bad
 * store spec) passes through as it is.
 */
export class FaultNamingStore implements Store {
  readonly description: string;

  readonly inner: Store;
  /** `endpoint http://...`, `folder /path`: where the store points. */
  readonly where: string;

  constructor(inner: Store, where: string) {
    this.inner = inner;
    this.where = where;
    this.description = inner.description;
  }

  read(key: string): Promise<Buffer | undefined> {
    return this.guard('read', key, () => this.inner.read(key));
  }

  write(key: string, data: Buffer | string): Promise<void> {
    return this.guard('write', key, () => this.inner.write(key, data));
  }

  readVersioned(key: string): Promise<StoredValue | undefined> {
    return this.guard('read', key, () => this.inner.readVersioned(key));
  }

  writeIf(key: string, data: Buffer | string, expected: string | undefined): Promise<boolean> {
    return this.guard('write (conditionally)', key, () => this.inner.writeIf(key, data, expected));
  }

  list(prefix = ''): Promise<StoreEntry[]> {
    return this.guard('list', prefix === '' ? '(everything)' : `${prefix}*`, () => this.inner.list(prefix));
  }

  delete(key: string): Promise<void> {
    return this.guard('delete', key, () => this.inner.delete(key));
  }

  private async guard<T>(operation: string, key: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isUserError(error)) throw error;
      const message = `the store '${this.description}' (${this.where}) could not ${operation} '${key}': ${errorMessage(error)}`;
      recordStoreFault(this.description, message);
      throw new StoreFaultError(message, { cause: error });
    }
  }
}
