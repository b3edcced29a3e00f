import { lstat, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { extractArchiveStream, moveIntoPlace, relocate, ArchiveError } from '../archive/index.ts';
import type { Logger, Metrics } from '../runtime/types.ts';
import {
  CacheIndex,
  IntegrityError,
  S3ObjectStore,
  createS3Client,
  downloadRanges,
  validateKey,
  type CacheEntry,
} from '../s3/index.ts';
import { describeCacheFault, formatBytes, megabytesPerSecond } from './report.ts';
import type { CacheSettings } from './settings.ts';

export interface RestoreRequest {
  primaryKey: string;
  restoreKeys: string[];
  /** Only check that an entry exists; download nothing. */
  lookupOnly: boolean;
}

/** What a restore did. A fault is never thrown: it is a warning and `kind: 'miss'`. */
export interface RestoreResult {
  kind: 'exact' | 'prefix' | 'miss';
  /** Key of the entry restored (or found, with lookup-only); '' on a miss. */
  matchedKey: string;
  archiveBytes: number;
  bytesTransferred: number;
  ms: number;
  mbPerS: number;
}

export interface CacheDeps {
  log: Logger;
  metrics?: Metrics;
  /** An existing store (tests, the CLI reusing one client); built from settings.s3 otherwise. */
  store?: S3ObjectStore;
}

/**
 * actions/cache's restore on S3: finds the entry (exact key, then restore keys by prefix, newest first), downloads
 * it with parallel ranged GETs straight into `zstd -d | tar -x` in a staging folder, verifies size and SHA-256, and
 * only then moves the cached paths into place. Any fault leaves the paths untouched and returns a miss.
 */
export async function restoreCache(settings: CacheSettings, request: RestoreRequest, deps: CacheDeps): Promise<RestoreResult> {
  validateKey(request.primaryKey, 'key');
  request.restoreKeys.forEach((key) => validateKey(key, 'restore-keys'));
  const started = performance.now();
  const { log } = deps;
  const store = deps.store ?? new S3ObjectStore(createS3Client(settings.s3), settings.s3);
  const index = new CacheIndex(store, settings.version);
  const signal = AbortSignal.timeout(settings.restoreTimeoutMs);
  const result: RestoreResult = { kind: 'miss', matchedKey: '', archiveBytes: 0, bytesTransferred: 0, ms: 0, mbPerS: 0 };
  const finish = () => ({ ...result, ms: Math.round(performance.now() - started) });
  const found = (kind: 'exact' | 'prefix', entry: CacheEntry) => {
    Object.assign(result, { kind, matchedKey: entry.key, archiveBytes: entry.size });
    return finish();
  };

  let entry: CacheEntry | undefined;
  try {
    const match = await timed(deps.metrics, 'lookup', () =>
      index.lookup(request.primaryKey, request.restoreKeys, {
        signal,
        onSkip: (key, reason) => log.warning(`Cache entry '${key}' was skipped: ${reason}.`),
      }),
    );
    if (!match) {
      log.info(`Cache not found for input keys: ${[request.primaryKey, ...request.restoreKeys].join(', ')}`);
      return finish();
    }
    entry = match.entry;
    if (request.lookupOnly) {
      const archive = await store.head(entry.archive, { signal });
      if (archive?.size !== entry.size) {
        throw new IntegrityError(
          archive ? `archive of '${entry.key}' holds ${archive.size} bytes but ${entry.size} were recorded` : `archive of '${entry.key}' is missing`,
        );
      }
      log.info(`Cache found for key '${entry.key}' (${formatBytes(entry.size)}); lookup-only, nothing downloaded.`);
      return found(match.kind, entry);
    }
    const transferStarted = performance.now();
    const transferred = await timed(deps.metrics, 'download-extract', () =>
      downloadAndPlace(store, entry!, settings, signal),
    );
    const transferMs = performance.now() - transferStarted;
    result.bytesTransferred = transferred;
    result.mbPerS = megabytesPerSecond(transferred, transferMs);
    log.info(
      `Cache restored from key '${entry.key}' (${match.kind} match): ${formatBytes(entry.size)} in ` +
        `${(transferMs / 1000).toFixed(1)} s (${result.mbPerS} MB/s).`,
    );
    return found(match.kind, entry);
  } catch (error) {
    const key = entry?.key ?? request.primaryKey;
    log.warning(`Failed to restore cache '${key}': ${describeCacheFault(error, settings.s3)} Continuing without the cache.`);
    if (entry && isDamage(error)) await forgetDamagedEntry(index, entry, log);
    return { ...finish(), kind: 'miss', matchedKey: '', archiveBytes: 0 };
  }
}

/** Streams the archive into a staging folder, verifies it, then moves its roots into place. Returns bytes moved. */
async function downloadAndPlace(
  store: S3ObjectStore,
  entry: CacheEntry,
  settings: CacheSettings,
  signal: AbortSignal,
): Promise<number> {
  await mkdir(settings.tempDir, { recursive: true });
  const staging = await mkdtemp(join(settings.tempDir, 's3-cache-'));
  try {
    const reader = extractArchiveStream(staging, entry.compression === 'gzip' ? 'gzip' : 'zstd');
    let transfer;
    try {
      transfer = await downloadRanges(store, entry.archive, entry.size, (chunk) => reader.write(chunk), {
        signal,
        partSize: settings.transfer?.partSize,
        concurrency: settings.transfer?.concurrency,
        retry: settings.retry,
      });
      await reader.finish();
    } catch (error) {
      reader.kill();
      throw error;
    }
    if (transfer.sha256 !== entry.sha256) {
      throw new IntegrityError(`archive of '${entry.key}' has SHA-256 ${transfer.sha256}, not the recorded ${entry.sha256}`);
    }
    const here = { workspace: settings.workspace, home: settings.home };
    const saved = { workspace: entry.workspace, home: entry.home };
    for (const root of entry.roots) {
      const staged = join(staging, root);
      if (!(await exists(staged))) continue;
      await moveIntoPlace(staged, relocate(root, saved, here));
    }
    return transfer.bytes;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** A damaged archive (wrong size or checksum, undecodable) will not heal; other faults (network, disk) might. */
function isDamage(error: unknown): boolean {
  return error instanceof IntegrityError || (error instanceof ArchiveError && error.tool === 'decompressor');
}

/**
 * Deletes the record of a damaged entry so that this job's save step can store a good one under the key (a
 * record that exists blocks saving). The archive is left for prune; a concurrent reader may still be on it.
 */
async function forgetDamagedEntry(index: CacheIndex, entry: CacheEntry, log: Logger): Promise<void> {
  try {
    await index.store.delete(index.entryObject(entry.key));
    log.info(`Removed the damaged cache entry '${entry.key}' so that it can be saved again.`);
  } catch {
    // Best effort: the next save overwrites an unusable record anyway.
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function timed<T>(metrics: Metrics | undefined, name: string, fn: () => Promise<T>): Promise<T> {
  return metrics ? metrics.phase(name, fn) : fn();
}
