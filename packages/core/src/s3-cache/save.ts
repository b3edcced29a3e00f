import { archiveExtension, createArchiveStream, memberName, resolveCachePaths } from '../archive/index.ts';
import { isUserError } from '../errors/index.ts';
import { logValue } from '../escape/index.ts';
import {
  CacheIndex,
  IntegrityError,
  S3ObjectStore,
  createS3Client,
  pruneCache,
  uploadStream,
  validateKey,
  type CacheEntry,
} from '../s3/index.ts';
import type { CacheDeps } from './restore.ts';
import { describeCacheFault, formatBytes, megabytesPerSecond } from './report.ts';
import type { CacheSettings } from './settings.ts';

/**
 * What a save did: `saved`; `exists` (the key was already stored, like actions/cache's "another job may be
 * creating this cache"); `lost-race` (another job published the key while we uploaded; its entry stays);
 * `nothing-to-save` (no path exists); `failed` (a fault, already warned about).
 */
export type SaveOutcome = 'saved' | 'exists' | 'lost-race' | 'nothing-to-save' | 'untrusted' | 'failed';

export interface SaveResult {
  outcome: SaveOutcome;
  archiveBytes: number;
  bytesTransferred: number;
  ms: number;
  mbPerS: number;
}

/**
 * actions/cache's save on S3: archives the paths with `tar | zstd` streamed straight into a multipart upload of
 * parallel parts under a unique object name, checks the stored size, then publishes the entry record with a
 * conditional create, so that of two jobs saving one key at once exactly one entry wins and it is always complete.
 * Faults are warnings (`failed`); only bad input throws.
 */
export async function saveCache(settings: CacheSettings, key: string, deps: CacheDeps): Promise<SaveResult> {
  validateKey(key, 'key');
  const started = performance.now();
  const { log } = deps;
  const result: SaveResult = { outcome: 'failed', archiveBytes: 0, bytesTransferred: 0, ms: 0, mbPerS: 0 };
  const finish = (outcome: SaveOutcome) => ({ ...result, outcome, ms: Math.round(performance.now() - started) });

  if (settings.untrustedReason && !settings.saveUntrusted) {
    log.info(
      `Not saving cache '${key}': ${settings.untrustedReason}, so an entry it wrote could poison the cache of ` +
        "trusted runs. Set 'save-untrusted: true' only if this workflow never runs code or reads files from the pull request.",
    );
    return finish('untrusted');
  }
  const plan = await resolveCachePaths(settings.paths, { workspace: settings.workspace, home: settings.home });
  if (plan.roots.length === 0) {
    log.warning(
      `Path Validation Error: none of the paths to cache exist (${settings.paths.join(', ')}), so nothing is saved ` +
        `under '${key}'. Check the 'path' input against what the job produced.`,
    );
    return finish('nothing-to-save');
  }

  const store = deps.store ?? new S3ObjectStore(createS3Client(settings.s3), settings.s3);
  const scope = settings.scopes?.write ?? '';
  const index = new CacheIndex(store, settings.version, scope);
  const names = { workspace: settings.workspace, home: settings.home };
  const signal = AbortSignal.timeout(settings.saveTimeoutMs);
  let archiveObject: string | undefined;
  let published = false;
  try {
    let damagedRecord = false;
    let newerRecord = false;
    // The existence check and the upload start together: the first request of a job costs a credential lookup and
    // a connection, which would otherwise delay the archive. An existing entry cancels the upload.
    const cancelUpload = new AbortController();
    const existingCheck = index.readEntry(key, {
      signal,
      onSkip: (_key, reason) => (/newer/.test(reason) ? (newerRecord = true) : (damagedRecord = true)),
    });
    existingCheck.catch(() => cancelUpload.abort());

    archiveObject = index.newArchiveObject(archiveExtension(settings.compression));
    const transferStarted = performance.now();
    const writer = createArchiveStream(plan, settings.compression, names);
    const uploading = timed(deps, 'archive-upload', async () => {
      const uploaded = await uploadStream(store, archiveObject!, writer.stream, {
        signal: AbortSignal.any([signal, cancelUpload.signal]),
        partSize: settings.transfer?.partSize,
        queueSize: settings.transfer?.concurrency,
        contentType: settings.compression === 'zstd' ? 'application/zstd' : 'application/gzip',
      });
      const { warnings } = await writer.done;
      if (warnings.length > 0)
        log.info(
          `tar: ${warnings
            .slice(0, 5)
            .map((warning) => logValue(warning))
            .join('; ')} (archived as read)`,
        );
      return uploaded;
    });
    uploading.catch(() => writer.kill());

    const existing = await existingCheck.catch(async (error: unknown) => {
      await uploading.catch(() => undefined);
      throw error;
    });
    if (existing || newerRecord) {
      cancelUpload.abort();
      await uploading.catch(() => undefined);
      await store.delete(archiveObject).catch(() => undefined);
      log.info(`Cache entry '${key}' already exists; not saving (the key should change when the content does).`);
      return finish('exists');
    }
    const upload = await uploading;
    const transferMs = performance.now() - transferStarted;
    const stored = await store.head(archiveObject, { signal });
    if (stored?.size !== upload.bytes) {
      throw new IntegrityError(
        `the store holds ${stored?.size ?? 'no'} bytes of the ${upload.bytes} uploaded for '${key}'`,
      );
    }
    result.archiveBytes = upload.bytes;
    result.bytesTransferred = upload.bytes;
    result.mbPerS = megabytesPerSecond(upload.bytes, transferMs);

    const entry: CacheEntry = {
      schema: 2,
      key,
      version: settings.version,
      archive: archiveObject,
      size: upload.bytes,
      sha256: upload.sha256,
      compression: settings.compression,
      createdAt: new Date().toISOString(),
      roots: plan.roots.map((root) => memberName(root, names)),
      scope,
    };
    const outcome = damagedRecord
      ? await store.putAtomic(index.entryObject(key), JSON.stringify(entry), {
          contentType: 'application/json',
          signal,
        })
      : await index.publish(entry, { signal });
    // Stores without conditional writes (s3rver, older Ceph) take both PUTs; reading back tells who won.
    const winner = outcome === 'written' ? await index.readEntry(key, { signal }) : undefined;
    if (outcome === 'exists' || (winner && winner.archive !== archiveObject)) {
      await store.delete(archiveObject).catch(() => undefined);
      log.info(`Another job saved cache entry '${key}' first; keeping its entry.`);
      return finish('lost-race');
    }
    published = true;
    log.info(
      `Cache saved with key '${key}'${scope === '' ? '' : ` in scope ${scope}`}: ${formatBytes(upload.bytes)} in ${(transferMs / 1000).toFixed(1)} s ` +
        `(${result.mbPerS} MB/s).`,
    );
  } catch (error) {
    if (isUserError(error)) throw error;
    log.warning(
      `Failed to save cache '${key}': ${describeCacheFault(error, settings.s3)} The job goes on without saving.`,
    );
    if (archiveObject && !published) await store.delete(archiveObject).catch(() => undefined);
    return finish('failed');
  }

  if (settings.prune) {
    try {
      const report = await pruneCache(store, settings.prune);
      if (report.entriesDeleted + report.orphansDeleted > 0) {
        log.info(
          `Pruned ${report.entriesDeleted} cache entries and ${report.orphansDeleted} orphaned archives ` +
            `(${formatBytes(report.bytesDeleted)}); ${report.entriesKept} entries (${formatBytes(report.bytesKept)}) remain.`,
        );
      }
    } catch (error) {
      log.warning(`Pruning the cache failed: ${describeCacheFault(error, settings.s3)} The saved entry is unaffected.`);
    }
  }
  return finish('saved');
}

async function timed<T>(deps: CacheDeps, name: string, fn: () => Promise<T>): Promise<T> {
  return deps.metrics ? deps.metrics.phase(name, fn) : fn();
}
