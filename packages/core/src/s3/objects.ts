import type { GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { isNoSuchKey, isNotImplemented, isPreconditionFailed } from './errors.ts';
import { DEFAULT_RETRY, isTransient } from './retry.ts';
import type { S3Connection, S3Settings } from './client.ts';

/** One object as listed: key relative to the store's prefix. */
export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface PutOptions extends CallOptions {
  /** Create only: fail with 'exists' when the key is already there (If-None-Match: *). */
  ifAbsent?: boolean;
  contentType?: string;
}

/** What a conditional write did: `exists` means another writer created the key first and ours was not stored. */
export type PutOutcome = 'written' | 'exists';

/**
 * A small object API over one bucket and prefix: what the cache index and the `s3://` store backend need.
 * Keys given to and returned by it are relative to the prefix. Single PUTs are atomic in S3: a reader sees the old
 * object, the new one, or nothing, never part of one.
 */
export class S3ObjectStore {
  /** Set when the store answered a conditional write with 501: later writes skip the condition. */
  conditionalWritesUnsupported = false;

  /** Shared by the stores of one bucket (several prefixes); the SDK is loaded on the first request. */
  readonly client: S3Connection;
  readonly settings: S3Settings;

  constructor(client: S3Connection, settings: S3Settings) {
    this.client = client;
    this.settings = settings;
  }

  get bucket(): string {
    return this.settings.bucket;
  }

  /** The full object key for a key relative to the prefix. */
  fullKey(key: string): string {
    return this.settings.prefix === '' ? key : `${this.settings.prefix}/${key}`;
  }

  private relativeKey(fullKey: string): string {
    const prefix = this.settings.prefix === '' ? '' : `${this.settings.prefix}/`;
    return fullKey.startsWith(prefix) ? fullKey.slice(prefix.length) : fullKey;
  }

  /** The object's bytes, or undefined when it does not exist. Meant for small objects (indexes, JSON). */
  async get(key: string, options: CallOptions = {}): Promise<Buffer | undefined> {
    return (await this.getVersioned(key, options, false))?.data;
  }

  /** The object's bytes and ETag (its version for a conditional write), or undefined when it does not exist. */
  async getVersioned(
    key: string,
    options: CallOptions = {},
    needEtag = true,
  ): Promise<{ data: Buffer; etag: string } | undefined> {
    const { client, sdk } = await this.client.connect();
    // The SDK retries a request that failed (its own bounded attempts: not again here); a body cut off mid-transfer
    // (a reset connection) is retried here with a new request.
    for (let attempt = 1; ; attempt++) {
      let response: GetObjectCommandOutput;
      try {
        response = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }), {
          abortSignal: options.signal,
        });
      } catch (error) {
        if (isNoSuchKey(error)) return undefined;
        throw error;
      }
      try {
        const data = response.Body ? Buffer.from(await response.Body.transformToByteArray()) : Buffer.alloc(0);
        if (needEtag && !response.ETag)
          throw new Error(`the store returned no ETag for '${key}', so it cannot be written conditionally`);
        return { data, etag: response.ETag ?? '' };
      } catch (error) {
        if (attempt >= DEFAULT_RETRY.attempts || !isTransient(error) || options.signal?.aborted) throw error;
      }
    }
  }

  /**
   * Writes the object only when its ETag is still `expected` (`If-Match`), or, with undefined, only when it does
   * not exist (`If-None-Match: *`): S3's conditional writes. Returns false when the condition failed (412, a 409
   * conflict with a concurrent conditional write, or 404 for If-Match on a deleted object). A store that does not
   * implement the headers (501) is an error: the caller needs the guarantee, so there is no plain-PUT fallback.
   */
  async putIfVersion(
    key: string,
    body: Buffer | string,
    expected: string | undefined,
    options: CallOptions = {},
  ): Promise<boolean> {
    const { client, sdk } = await this.client.connect();
    try {
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: this.fullKey(key),
          Body: typeof body === 'string' ? Buffer.from(body) : body,
          ContentType: 'application/octet-stream',
          ...(expected === undefined ? { IfNoneMatch: '*' } : { IfMatch: expected }),
        }),
        { abortSignal: options.signal },
      );
      return true;
    } catch (error) {
      if (isPreconditionFailed(error) || (expected !== undefined && isNoSuchKey(error))) return false;
      if (isNotImplemented(error)) {
        throw new Error('this S3 store does not implement conditional writes (If-Match / If-None-Match answered 501)', {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** Size and date of an object, or undefined when it does not exist. */
  async head(key: string, options: CallOptions = {}): Promise<ObjectInfo | undefined> {
    const { client, sdk } = await this.client.connect();
    try {
      const response = await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }), {
        abortSignal: options.signal,
      });
      return { key, size: response.ContentLength ?? 0, lastModified: response.LastModified ?? new Date(0) };
    } catch (error) {
      if (isNoSuchKey(error)) return undefined;
      throw error;
    }
  }

  /**
   * Writes a whole object in one PUT (atomic: never visible half-written). With `ifAbsent`, sends
   * `If-None-Match: *` so that of two concurrent writers exactly one wins where the store supports conditional
   * writes (AWS, MinIO, R2); stores that answer 501 get a plain PUT, and the caller's content must tolerate that.
   */
  async putAtomic(key: string, body: Buffer | string, options: PutOptions = {}): Promise<PutOutcome> {
    const { client, sdk } = await this.client.connect();
    const conditional = options.ifAbsent === true && !this.conditionalWritesUnsupported;
    const send = (ifNoneMatch: string | undefined) =>
      client.send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: this.fullKey(key),
          Body: typeof body === 'string' ? Buffer.from(body) : body,
          ContentType: options.contentType ?? 'application/octet-stream',
          IfNoneMatch: ifNoneMatch,
        }),
        { abortSignal: options.signal },
      );
    try {
      await send(conditional ? '*' : undefined);
      return 'written';
    } catch (error) {
      if (conditional && isPreconditionFailed(error)) return 'exists';
      if (conditional && isNotImplemented(error)) {
        this.conditionalWritesUnsupported = true;
        await send(undefined);
        return 'written';
      }
      throw error;
    }
  }

  /** Every object under `prefix` (relative), page by page (ListObjectsV2), in key order. */
  async *list(prefix: string, options: CallOptions = {}): AsyncGenerator<ObjectInfo> {
    const { client, sdk } = await this.client.connect();
    let continuationToken: string | undefined;
    do {
      const page = await client.send(
        new sdk.ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.fullKey(prefix),
          ContinuationToken: continuationToken,
        }),
        { abortSignal: options.signal },
      );
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        yield {
          key: this.relativeKey(item.Key),
          size: item.Size ?? 0,
          lastModified: item.LastModified ?? new Date(0),
        };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  /** All objects under `prefix`, collected. */
  async listAll(prefix: string, options: CallOptions = {}): Promise<ObjectInfo[]> {
    const all: ObjectInfo[] = [];
    for await (const item of this.list(prefix, options)) all.push(item);
    return all;
  }

  /** Deletes one object; absent objects are not an error (S3 semantics). */
  async delete(key: string, options: CallOptions = {}): Promise<void> {
    const { client, sdk } = await this.client.connect();
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }), {
      abortSignal: options.signal,
    });
  }

  /**
   * Deletes many objects with single DELETEs in parallel. DeleteObjects would be one request, but it requires a
   * checksum header that several S3-compatible stores reject; housekeeping deletes few objects, so we keep it portable.
   */
  async deleteMany(keys: readonly string[], options: CallOptions & { concurrency?: number } = {}): Promise<void> {
    const queue = [...keys];
    const workers = Array.from({ length: Math.min(options.concurrency ?? 8, queue.length) }, async () => {
      for (let key = queue.shift(); key !== undefined; key = queue.shift()) await this.delete(key, options);
    });
    await Promise.all(workers);
  }
}
