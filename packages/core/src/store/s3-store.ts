import type { S3ObjectStore } from '../s3/index.ts';
import type { Store, StoreEntry } from './store.ts';

/**
 * The `s3://bucket/prefix` backend: the same files as `dir:`, as objects. Settings other than bucket and prefix
 * come from the environment like the AWS CLI's (AWS_REGION, AWS_ENDPOINT_URL for S3-compatible stores,
 * credentials from the standard chain). A write is one PUT, so readers see the old or the new object, never a mix.
 */
export class S3Store implements Store {
  readonly description: string;
  private objects?: Promise<S3ObjectStore>;

  constructor(
    private readonly url: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.description = url.replace(/\/+$/, '');
  }

  async read(key: string): Promise<Buffer | undefined> {
    return (await this.open()).get(key);
  }

  async write(key: string, data: Buffer | string): Promise<void> {
    await (await this.open()).putAtomic(key, data);
  }

  async list(prefix = ''): Promise<StoreEntry[]> {
    const objects = await this.open();
    const found = await objects.listAll(prefix);
    return found
      .map((info) => ({ key: info.key, size: info.size, modified: info.lastModified }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    await (await this.open()).delete(key);
  }

  /** The SDK loads on first use, so actions that never touch an s3:// store do not pay for it at start-up. */
  private open(): Promise<S3ObjectStore> {
    this.objects ??= import('../s3/index.ts').then(({ openS3Store, parseS3Url }) => {
      const { bucket, prefix } = parseS3Url(this.url);
      return openS3Store({ bucket, prefix, region: this.env.AWS_REGION, endpoint: this.env.AWS_ENDPOINT_URL_S3 || this.env.AWS_ENDPOINT_URL }, this.env);
    });
    return this.objects;
  }
}
