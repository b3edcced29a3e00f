import { mkdir, mkdtemp, rm, statfs } from 'node:fs/promises';
import {
  ArchiveError,
  PlacementError,
  executePlacement,
  extractArchiveStream,
  placementRules,
  planPlacement,
  type ExtractOptions,
} from '../archive/index.ts';
import type { Logger, Metrics } from '../contract/index.ts';
import {
  CacheIndex,
  IntegrityError,
  S3ObjectStore,
  createS3Client,
  downloadRanges,
  validateKey,
  type CacheEntry,
} from '../s3/index.ts';
import { join } from 'node:path';
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
export async function restoreCache(
  settings: CacheSettings,
  request: RestoreRequest,
  deps: CacheDeps,
): Promise<RestoreResult> {
  validateKey(request.primaryKey, 'key');
  request.restoreKeys.forEach((key) => validateKey(key, 'restore-keys'));
  const started = performance.now();
  const { log } = deps;
  const store = deps.store ?? new S3ObjectStore(createS3Client(settings.s3), settings.s3);
  const scopes = settings.scopes ?? { mode: 'shared' as const, write: '', read: [''] };
  const indexes = scopes.read.map((scope) => new CacheIndex(store, settings.version, scope));
  let index = indexes[0];
  const signal = AbortSignal.timeout(settings.restoreTimeoutMs);
  const result: RestoreResult = {
    kind: 'miss',
    matchedKey: '',
    archiveBytes: 0,
    bytesTransferred: 0,
    ms: 0,
    mbPerS: 0,
  };
  const finish = () => ({ ...result, ms: Math.round(performance.now() - started) });
  const found = (kind: 'exact' | 'prefix', entry: CacheEntry) => {
    Object.assign(result, { kind, matchedKey: entry.key, archiveBytes: entry.size });
    return finish();
  };

  let entry: CacheEntry | undefined;
  try {
    // GitHub's order: everything (exact key, then restore keys) in the run's own scope, then the base branch's,
    // then the default branch's. Another pull request's scope is never read.
    const match = await timed(deps.metrics, 'lookup', async () => {
      for (const candidate of indexes) {
        const hit = await candidate.lookup(request.primaryKey, request.restoreKeys, {
          signal,
          onSkip: (key, reason) => log.warning(`Cache entry '${key}' was skipped: ${reason}.`),
        });
        if (hit) {
          index = candidate;
          return hit;
        }
      }
      return undefined;
    });
    if (!match) {
      log.info(`Cache not found for input keys: ${[request.primaryKey, ...request.restoreKeys].join(', ')}`);
      return finish();
    }
    entry = match.entry;
    if (request.lookupOnly) {
      const archive = await store.head(entry.archive, { signal });
      if (archive?.size !== entry.size) {
        throw new IntegrityError(
          archive
            ? `archive of '${entry.key}' holds ${archive.size} bytes but ${entry.size} were recorded`
            : `archive of '${entry.key}' is missing`,
        );
      }
      log.info(`Cache found for key '${entry.key}' (${formatBytes(entry.size)}); lookup-only, nothing downloaded.`);
      return found(match.kind, entry);
    }
    const transferStarted = performance.now();
    const transferred = await timed(deps.metrics, 'download-extract', () =>
      downloadAndPlace(store, entry!, settings, signal, log),
    );
    const transferMs = performance.now() - transferStarted;
    result.bytesTransferred = transferred;
    result.mbPerS = megabytesPerSecond(transferred, transferMs);
    const from = index.scope === '' || index.scope === scopes.write ? '' : ` of ${index.scope}`;
    log.info(
      `Cache restored from key '${entry.key}'${from} (${match.kind} match): ${formatBytes(entry.size)} in ` +
        `${(transferMs / 1000).toFixed(1)} s (${result.mbPerS} MB/s).`,
    );
    return found(match.kind, entry);
  } catch (error) {
    const key = entry?.key ?? request.primaryKey;
    log.warning(
      `Failed to restore cache '${key}': ${describeCacheFault(error, settings.s3)} Continuing without the cache.`,
    );
    // Only an entry of the run's own scope is removed: another scope's belongs to runs this one cannot speak for.
    if (entry && isDamage(error) && index.scope === scopes.write) await forgetDamagedEntry(index, entry, log);
    return { ...finish(), kind: 'miss', matchedKey: '', archiveBytes: 0 };
  }
}

/**
 * Streams the archive into a private staging folder (size capped), verifies size and SHA-256, checks every member
 * against the job's own `path` input (planPlacement), and only then moves the requested paths into place.
 * Returns bytes downloaded.
 */
async function downloadAndPlace(
  store: S3ObjectStore,
  entry: CacheEntry,
  settings: CacheSettings,
  signal: AbortSignal,
  log: Logger,
): Promise<number> {
  await mkdir(settings.tempDir, { recursive: true });
  const staging = await mkdtemp(join(settings.tempDir, 's3-cache-'));
  try {
    const limit = await unpackLimit(settings, entry.size);
    const reader = extractArchiveStream(staging, entry.compression === 'gzip' ? 'gzip' : 'zstd', limit);
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
      throw new IntegrityError(
        `archive of '${entry.key}' has SHA-256 ${transfer.sha256}, not the recorded ${entry.sha256}`,
      );
    }
    const context = { workspace: settings.workspace, home: settings.home };
    const rules = placementRules(settings.paths, context, settings.protectedPaths);
    const placement = await planPlacement(staging, context, rules, entry.roots);
    if (placement.dropped.length > 0) {
      log.warning(
        `Cache entry '${entry.key}' holds ${placement.dropped.length} device node(s), FIFO(s) or socket(s), which ` +
          `were not restored: ${placement.dropped.slice(0, 5).join(', ')}${placement.dropped.length > 5 ? ', ...' : ''}.`,
      );
    }
    if (placement.privilegeBitsCleared > 0) {
      log.info(`Cleared setuid/setgid bits on ${placement.privilegeBitsCleared} restored file(s).`);
    }
    await executePlacement(placement);
    return transfer.bytes;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Default cap on the unpacked size, as a multiple of the archive (and never below a floor that tiny caches need). */
export const UNPACK_RATIO = 100;
export const UNPACK_FLOOR = 256 * 1024 * 1024;

/** The cap on the unpacked tar stream: `max-unpacked-size`, or UNPACK_RATIO x the archive, and the free space. */
async function unpackLimit(settings: CacheSettings, archiveBytes: number): Promise<ExtractOptions> {
  const free = await statfs(settings.tempDir).then(
    (stats) => Number(stats.bavail) * Number(stats.bsize),
    () => Number.POSITIVE_INFINITY,
  );
  const wanted = settings.maxUnpackedBytes ?? Math.max(UNPACK_FLOOR, UNPACK_RATIO * archiveBytes);
  const limitText =
    settings.maxUnpackedBytes !== undefined
      ? `${formatBytes(wanted)} (max-unpacked-size)`
      : `${formatBytes(wanted)} (${UNPACK_RATIO} x the ${formatBytes(archiveBytes)} archive; set max-unpacked-size to allow more)`;
  if (free < wanted) {
    return {
      maxBytes: free,
      limitText: `the ${formatBytes(free)} free on the disk of ${settings.tempDir}`,
      limitReason: 'no-space',
    };
  }
  return { maxBytes: wanted, limitText, limitReason: 'too-large' };
}

/** A damaged archive (wrong size or checksum, undecodable) will not heal; other faults (network, disk) might. */
function isDamage(error: unknown): boolean {
  return (
    error instanceof IntegrityError ||
    error instanceof PlacementError ||
    (error instanceof ArchiveError && (error.tool === 'decompressor' || error.reason === 'too-large'))
  );
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

async function timed<T>(metrics: Metrics | undefined, name: string, fn: () => Promise<T>): Promise<T> {
  return metrics ? metrics.phase(name, fn) : fn();
}
