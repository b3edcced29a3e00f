import { appendFileSync } from 'node:fs';
import { UserError } from '../errors/index.ts';
import { COUNTERS } from '../metrics/index.ts';
import type { CommandContext, CommandWithConfig, Outputs } from '../contract/index.ts';
import { openS3Store, pruneCache } from '../s3/index.ts';
import {
  type CacheStateProvider,
  formatBytes,
  noStateProvider,
  readCacheSettings,
  readS3Settings,
  S3CacheInputs as Inputs,
  S3CacheOutputs as Out,
  restoreCache,
  SAVE_ALWAYS_ENV,
  saveCache,
  stepStateProvider,
} from '../s3-cache/index.ts';

/** `.github/ci-optimizer.yml` section `s3-cache`: the connection settings a repository shares across its workflows. */
const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(
    [
      Inputs.Bucket,
      Inputs.Prefix,
      Inputs.Region,
      Inputs.Endpoint,
      Inputs.CacheVersion,
      Inputs.Compression,
      Inputs.RestoreTimeout,
      Inputs.SaveTimeout,
      Inputs.ConnectTimeout,
      Inputs.IdleTimeout,
      Inputs.FirstByteTimeout,
      Inputs.Scope,
      Inputs.PruneMaxAge,
      Inputs.PruneMaxTotalSize,
    ]
      .map((name) => [name, { type: 'string' }] as [string, unknown])
      .concat([
        [Inputs.ForcePathStyle, { type: ['boolean', 'string'] }],
        [Inputs.MaxAttempts, { type: ['integer', 'string'] }],
      ]),
  ),
};

/** The restore half, shared by `s3-cache` (main step) and `s3-cache/restore`. */
export async function restoreStep(ctx: CommandContext, state: CacheStateProvider): Promise<Outputs> {
  const settings = readCacheSettings(ctx.inputs, ctx.run, 'restore');
  const primaryKey = ctx.inputs.string(Inputs.Key, { required: true });
  const restoreKeys = ctx.inputs.lines(Inputs.RestoreKeys);
  const lookupOnly = ctx.inputs.boolean(Inputs.LookupOnly);
  const failOnMiss = ctx.inputs.boolean(Inputs.FailOnCacheMiss);
  if (ctx.inputs.boolean(Inputs.SaveAlways)) exportSaveAlways(ctx);

  const result = await ctx.metrics.phase('restore', () =>
    restoreCache(settings, { primaryKey, restoreKeys, lookupOnly }, { log: ctx.log, metrics: ctx.metrics }),
  );
  state.remember({ primaryKey, matchedKey: result.matchedKey });
  ctx.metrics.count(COUNTERS.cacheExactHit, result.kind === 'exact' ? 1 : 0);
  ctx.metrics.count(COUNTERS.cachePartialHit, result.kind === 'prefix' ? 1 : 0);
  ctx.metrics.count(COUNTERS.cacheMiss, result.kind === 'miss' ? 1 : 0);
  ctx.metrics.count(Out.RestoreMs, result.ms);
  ctx.metrics.count(Out.ArchiveSize, result.archiveBytes);
  ctx.metrics.count(Out.BytesTransferred, result.bytesTransferred);
  ctx.metrics.count(Out.MbPerS, result.mbPerS);
  if (result.kind === 'miss' && failOnMiss) {
    throw new UserError(
      `Failed to restore cache entry. Exiting as fail-on-cache-miss is set. Input key: ${primaryKey}` +
        (restoreKeys.length > 0 ? ` (restore keys: ${restoreKeys.join(', ')})` : ''),
    );
  }
  return {
    [Out.CacheHit]: result.kind === 'exact',
    [Out.PrimaryKey]: primaryKey,
    [Out.MatchedKey]: result.matchedKey,
    [Out.HitKind]: result.kind,
    [Out.ArchiveSize]: result.archiveBytes,
    [Out.BytesTransferred]: result.bytesTransferred,
    [Out.RestoreMs]: result.ms,
    [Out.MbPerS]: result.mbPerS,
  };
}

/** The save half, shared by `s3-cache` (post step) and `s3-cache/save`. */
export async function saveStep(ctx: CommandContext, state: CacheStateProvider): Promise<Outputs> {
  const recalled = state.recall();
  const primaryKey = recalled.primaryKey ?? ctx.inputs.string(Inputs.Key, { required: true });
  const skipped = {
    [Out.Saved]: false,
    [Out.ArchiveSize]: 0,
    [Out.BytesTransferred]: 0,
    [Out.SaveMs]: 0,
    [Out.MbPerS]: 0,
  };
  if (recalled.matchedKey !== undefined && recalled.matchedKey === primaryKey) {
    ctx.log.info(`Cache hit occurred on the primary key ${primaryKey}, not saving cache.`);
    return skipped;
  }
  const settings = readCacheSettings(ctx.inputs, ctx.run, 'save');
  const result = await ctx.metrics.phase('save', () =>
    saveCache(settings, primaryKey, { log: ctx.log, metrics: ctx.metrics }),
  );
  ctx.metrics.count(Out.SaveMs, result.ms);
  ctx.metrics.count(Out.ArchiveSize, result.archiveBytes);
  ctx.metrics.count(Out.BytesTransferred, result.bytesTransferred);
  ctx.metrics.count(Out.MbPerS, result.mbPerS);
  return {
    [Out.Saved]: result.outcome === 'saved',
    [Out.ArchiveSize]: result.archiveBytes,
    [Out.BytesTransferred]: result.bytesTransferred,
    [Out.SaveMs]: result.ms,
    [Out.MbPerS]: result.mbPerS,
  };
}

/**
 * `save-always` cannot be seen by action.yml's `post-if` (inputs are not in its context), so main exports a job
 * variable that `post-if` reads. It applies to every s3-cache step after this one in the job.
 */
function exportSaveAlways(ctx: CommandContext): void {
  const file = ctx.run.env.GITHUB_ENV;
  if (ctx.run.isCli || !file) return;
  appendFileSync(file, `${SAVE_ALWAYS_ENV}=true\n`);
}

/** `actions/s3-cache`: restore in main, save in post (skipped on an exact hit; on a failed job unless save-always). */
export const s3CacheCommand: CommandWithConfig = {
  name: 's3-cache',
  configSchema,
  main: (ctx) => restoreStep(ctx, stepStateProvider(ctx.state)),
  post: async (ctx) => {
    await saveStep(ctx, stepStateProvider(ctx.state));
  },
};

/** `actions/s3-cache/restore`: restore only; the keys come out as outputs. */
export const s3CacheRestoreCommand: CommandWithConfig = {
  name: 's3-cache/restore',
  configSchema,
  main: (ctx) => restoreStep(ctx, noStateProvider),
};

/** `actions/s3-cache/save`: save only, under the `key` input. */
export const s3CacheSaveCommand: CommandWithConfig = {
  name: 's3-cache/save',
  configSchema,
  main: (ctx) => saveStep(ctx, noStateProvider),
};

/** `actions/s3-cache/prune` and `ci-optimizer s3-cache prune`: deletes the oldest entries by age and total size. */
export const s3CachePruneCommand: CommandWithConfig = {
  name: 's3-cache/prune',
  configSchema,
  formatOutput: { 'deleted-keys': (value) => JSON.stringify(value) },
  async main(ctx) {
    const s3 = readS3Settings(ctx.inputs, ctx.run.env);
    const maxAge = ctx.inputs.raw(Inputs.MaxAge).trim();
    const maxSize = ctx.inputs.raw(Inputs.MaxTotalSize).trim();
    if (maxAge === '' && maxSize === '') {
      throw new UserError(
        "Inputs 'max-age' and 'max-total-size' are both empty. Set at least one, e.g. '7d' or '10GB'.",
      );
    }
    const dryRun = ctx.inputs.boolean(Inputs.DryRun);
    const store = openS3Store(s3, ctx.run.env);
    const report = await ctx.metrics.phase('prune', () =>
      pruneCache(store, {
        maxAgeMs: maxAge === '' ? undefined : ctx.inputs.duration(Inputs.MaxAge),
        maxTotalBytes: maxSize === '' ? undefined : ctx.inputs.size(Inputs.MaxTotalSize),
        dryRun,
      }),
    );
    ctx.log.info(
      `${dryRun ? 'Would delete' : 'Deleted'} ${report.entriesDeleted} entries and ${report.orphansDeleted} orphaned ` +
        `archives (${formatBytes(report.bytesDeleted)}); ${report.entriesKept} entries (${formatBytes(report.bytesKept)}) kept.`,
    );
    ctx.metrics.count(Out.EntriesDeleted, report.entriesDeleted);
    ctx.metrics.count(Out.BytesDeleted, report.bytesDeleted);
    return {
      [Out.EntriesDeleted]: report.entriesDeleted,
      [Out.BytesDeleted]: report.bytesDeleted,
      [Out.EntriesKept]: report.entriesKept,
      [Out.BytesKept]: report.bytesKept,
      'deleted-keys': report.deletedKeys,
    };
  },
};
