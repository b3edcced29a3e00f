import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Transform, type Readable } from 'node:stream';
import { DEFAULT_RETRY, withRetries, type RetryPolicy } from './retry.ts';
import type { S3ObjectStore } from './objects.ts';

/** Raised when what the store holds is not what was recorded: wrong size, cut short, or a different checksum. */
export class IntegrityError extends Error {
  override readonly name = 'IntegrityError';
}

/** What went over the wire, for verification and metrics. */
export interface TransferResult {
  bytes: number;
  sha256: string;
}

export interface UploadOptions {
  /** Bytes per part; the store holds at most 10,000 parts, so 16 MiB allows 160 GB. */
  partSize?: number;
  /** Parts in flight at once; memory use is about partSize x (queueSize + 1). */
  queueSize?: number;
  contentType?: string;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
}

export const UPLOAD_DEFAULTS = { partSize: 16 * 1024 * 1024, queueSize: 4 } as const;
/**
 * One ranged GET per core (2 to 8): on a 2-core runner, decompression and extraction are the limit and more streams
 * only slow the part at the head that they feed; bigger runners extract faster and get more streams
 * (bench/s3-cache.mjs measured 16 MiB x 2 at the floor on 2 cores, where 8 MiB x 4 was 1.3x slower).
 */
export const DOWNLOAD_DEFAULTS = {
  partSize: 16 * 1024 * 1024,
  concurrency: Math.max(2, Math.min(8, availableParallelism())),
} as const;

/**
 * Streams `source` into the object `key` with a multipart upload of parallel parts (one PUT when it is small),
 * hashing as it goes. The object appears only when the upload completes; on failure the upload is aborted so no
 * parts are left behind (as far as the store honours AbortMultipartUpload).
 */
export async function uploadStream(
  store: S3ObjectStore,
  key: string,
  source: Readable,
  options: UploadOptions = {},
): Promise<TransferResult> {
  const hash = createHash('sha256');
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  source.on('error', (error) => counter.destroy(error));
  source.pipe(counter);

  const abortController = new AbortController();
  const onAbort = () => abortController.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const { client, sdk } = await store.client.connect();
  const upload = new sdk.Upload({
    client,
    params: {
      Bucket: store.bucket,
      Key: store.fullKey(key),
      Body: counter,
      ContentType: options.contentType ?? 'application/octet-stream',
    },
    partSize: options.partSize ?? UPLOAD_DEFAULTS.partSize,
    queueSize: options.queueSize ?? UPLOAD_DEFAULTS.queueSize,
    leavePartsOnError: false,
    abortController,
  });
  if (options.onProgress) upload.on('httpUploadProgress', (p) => options.onProgress?.(p.loaded ?? 0));
  // A failing source (tar or zstd exiting non-zero) must fail the upload rather than complete a short object.
  const sourceFailed = new Promise<never>((_, reject) => counter.on('error', reject));
  sourceFailed.catch(() => abortController.abort());
  try {
    await Promise.race([upload.done(), sourceFailed]);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  return { bytes, sha256: hash.digest('hex') };
}

export interface DownloadOptions {
  partSize?: number;
  /** Ranged GETs in flight; memory use is about partSize x (concurrency + 1). */
  concurrency?: number;
  retry?: RetryPolicy;
  signal?: AbortSignal;
  onBytes?: (bytes: number) => void;
}

/**
 * Downloads the object `key` of `expectedSize` bytes with parallel ranged GETs and hands the bytes to `sink` in
 * order, awaiting it, so a slow consumer holds the download back instead of filling memory. The part at the head
 * streams straight through as it arrives; parts ahead of it are buffered (at most `concurrency` parts in memory).
 * A part cut short is resumed from where it stopped; an object whose size differs from `expectedSize` raises
 * IntegrityError.
 */
export async function downloadRanges(
  store: S3ObjectStore,
  key: string,
  expectedSize: number,
  sink: (chunk: Buffer) => Promise<void>,
  options: DownloadOptions = {},
): Promise<TransferResult> {
  if (expectedSize <= 0) throw new IntegrityError(`object '${key}' is recorded as empty, which no archive is`);
  const partSize = options.partSize ?? DOWNLOAD_DEFAULTS.partSize;
  const concurrency = Math.max(1, options.concurrency ?? DOWNLOAD_DEFAULTS.concurrency);
  const parts = Math.ceil(expectedSize / partSize);
  const local = new AbortController();
  const onAbort = () => local.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const inflight = new Map<number, PartQueue>();
  let next = 0;
  const refill = (head: number) => {
    while (next < parts && next < head + concurrency) {
      const start = next * partSize;
      const end = Math.min(expectedSize, start + partSize) - 1;
      const queue = new PartQueue();
      fetchRange(store, key, start, end, expectedSize, queue, options.retry ?? DEFAULT_RETRY, local.signal).then(
        () => queue.end(),
        (error: unknown) => queue.fail(error),
      );
      inflight.set(next++, queue);
    }
  };

  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for (let index = 0; index < parts; index++) {
      refill(index);
      for await (const chunk of inflight.get(index)!.drain()) {
        hash.update(chunk);
        bytes += chunk.length;
        options.onBytes?.(chunk.length);
        await sink(chunk);
      }
      inflight.delete(index);
    }
  } catch (error) {
    local.abort(error);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** The chunks of one part as they arrive: filled by its fetch, drained in order by the consumer. */
class PartQueue {
  private chunks: Buffer[] = [];
  private done = false;
  private error: unknown;
  private wake: (() => void) | undefined;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.notify();
  }
  end(): void {
    this.done = true;
    this.notify();
  }
  fail(error: unknown): void {
    this.error = error ?? new Error('part download failed');
    this.notify();
  }
  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
  async *drain(): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) {
        yield chunk;
        continue;
      }
      if (this.error !== undefined) throw this.error;
      if (this.done) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/**
 * Fetches bytes `start`-`end` into `queue`, resuming after the last byte received when a transfer breaks, with
 * bounded retries (the SDK retries a request only until its headers arrive, not a body cut mid-way).
 */
async function fetchRange(
  store: S3ObjectStore,
  key: string,
  start: number,
  end: number,
  expectedSize: number,
  queue: PartQueue,
  retry: RetryPolicy,
  signal: AbortSignal,
): Promise<void> {
  let offset = start;
  await withRetries(
    async () => {
      const { client, sdk } = await store.client.connect();
      let response;
      try {
        response = await client.send(
          new sdk.GetObjectCommand({ Bucket: store.bucket, Key: store.fullKey(key), Range: `bytes=${offset}-${end}` }),
          { abortSignal: signal },
        );
      } catch (error) {
        if ((error as { name?: string }).name === 'InvalidRange') {
          throw new IntegrityError(`object '${key}' is shorter than the ${expectedSize} bytes recorded (truncated)`);
        }
        throw error;
      }
      const body = response.Body as Readable | undefined;
      const total = totalFromContentRange(response.ContentRange) ?? (offset === 0 ? response.ContentLength : undefined);
      if (total !== expectedSize) {
        body?.destroy();
        throw new IntegrityError(`object '${key}' holds ${total} bytes but ${expectedSize} were recorded`);
      }
      if (body) {
        const destroy = () => body.destroy(new Error('aborted'));
        signal.addEventListener('abort', destroy, { once: true });
        try {
          for await (const chunk of body as AsyncIterable<Buffer>) {
            if (offset + chunk.length > end + 1) {
              throw new IntegrityError(`object '${key}' sent more bytes than the range ${start}-${end} asked for`);
            }
            queue.push(chunk);
            offset += chunk.length;
          }
        } finally {
          signal.removeEventListener('abort', destroy);
        }
      }
      if (offset !== end + 1) {
        throw Object.assign(new Error(`range ${start}-${end} of '${key}' broke off after ${offset - start} bytes`), {
          code: 'TruncatedBody',
        });
      }
    },
    retry,
    signal,
  );
}

function totalFromContentRange(contentRange: string | undefined): number | undefined {
  const match = /\/(\d+)$/.exec(contentRange ?? '');
  return match ? Number(match[1]) : undefined;
}
