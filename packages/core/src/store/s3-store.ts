import type { S3ObjectStore } from '../s3/index.ts';
import type { Store, StoreEntry, StoredValue } from './store.ts';

/**
 * The `s3://bucket/prefix` backend: the same files as `dir:`, as objects. Settings other than bucket and prefix
 * come from the environment like the AWS CLI's (AWS_REGION, AWS_ENDPOINT_URL for S3-compatible stores,
 * credentials from the standard chain). A write is one PUT, so readers see the old or the new object, never a mix.
 */
export class S3Store implements Store {
  readonly description: string;
  private objects?: Promise<S3ObjectStore>;
  private scoped?: Promise<{ write: S3ObjectStore; read: S3ObjectStore[] }>;

  private readonly url: string;
  private readonly env: NodeJS.ProcessEnv;
  constructor(url: string, env: NodeJS.ProcessEnv = process.env) {
    this.url = url;
    this.env = env;
    this.description = url.replace(/\/+$/, '');
  }

  /** Reads fall back like GitHub's cache: the run's own scope, then the base branch's, then the default branch's. */
  async read(key: string): Promise<Buffer | undefined> {
    for (const objects of (await this.openScoped()).read) {
      const found = await objects.get(key);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  async write(key: string, data: Buffer | string): Promise<void> {
    await (await this.open()).putAtomic(key, data);
  }

  /**
   * The value in the run's own scope with its ETag. Conditional writes compare with the object this run writes
   * (its own scope), not with the base branch's copy a plain `read` may fall back to.
   */
  async readVersioned(key: string): Promise<StoredValue | undefined> {
    const found = await (await this.open()).getVersioned(key);
    return found && { data: found.data, version: found.etag };
  }

  /** S3's conditional writes (If-Match / If-None-Match: *) in the run's own scope; see S3ObjectStore.putIfVersion. */
  async writeIf(key: string, data: Buffer | string, expected: string | undefined): Promise<boolean> {
    return (await this.open()).putIfVersion(key, data, expected);
  }

  async list(prefix = ''): Promise<StoreEntry[]> {
    const seen = new Map<string, StoreEntry>();
    for (const objects of (await this.openScoped()).read) {
      for (const info of await objects.listAll(prefix)) {
        if (!seen.has(info.key)) seen.set(info.key, { key: info.key, size: info.size, modified: info.lastModified });
      }
    }
    return [...seen.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    await (await this.open()).delete(key);
  }

  /** Writes go to the run's own scope (a pull request's run cannot touch the default branch's objects). */
  private open(): Promise<S3ObjectStore> {
    this.objects ??= this.openScoped().then((scoped) => scoped.write);
    return this.objects;
  }

  /**
   * The objects under the run's ref scopes (s3/scope.ts: `<prefix>/branch/<name>`, `<prefix>/pr/<n>`; the prefix
   * itself outside Actions or with CI_OPTIMIZER_S3_SCOPE=shared). The SDK loads on first use, so actions that never
   * touch an s3:// store do not pay for it at start-up.
   */
  private openScoped(): Promise<{ write: S3ObjectStore; read: S3ObjectStore[] }> {
    this.scoped ??= import('../s3/index.ts').then(({ openScopedS3Stores, parseS3Url }) => {
      const { bucket, prefix } = parseS3Url(this.url);
      const endpoint = this.env.AWS_ENDPOINT_URL_S3 || this.env.AWS_ENDPOINT_URL;
      return openScopedS3Stores({ bucket, prefix, region: this.env.AWS_REGION, endpoint }, this.env);
    });
    return this.scoped;
  }
}
