import { homedir } from 'node:os';
import { UserError } from '../errors/index.ts';
import { resolveCompression, type Compression, type CompressionChoice } from '../archive/index.ts';
import type { Inputs as InputReader } from '../inputs/index.ts';
import type { RunEnvironment } from '../runtime/types.ts';
import { cacheVersion, resolveS3Settings, type S3Settings } from '../s3/index.ts';
import { Inputs } from './constants.ts';

/** Everything restore and save need besides the keys, read once from the inputs. */
export interface CacheSettings {
  s3: S3Settings;
  /** The `path` lines as given (they are part of the version). */
  paths: string[];
  compression: Compression;
  /** The version hash that namespaces entries (paths, compression, cache-version, OS unless cross-OS). */
  version: string;
  workspace: string;
  home: string;
  /** Where the staging folder for extraction goes (RUNNER_TEMP: the same disk as the workspace on runners). */
  tempDir: string;
  restoreTimeoutMs: number;
  saveTimeoutMs: number;
  /** Optional housekeeping after a save. */
  prune?: { maxAgeMs?: number; maxTotalBytes?: number };
  /** Transfer tuning (part size and parts in flight, for upload and download alike); undefined: the s3/ defaults. */
  transfer?: { partSize?: number; concurrency?: number };
  /** Retry policy for cut-short downloads (tests shorten the waits). */
  retry?: { attempts: number; baseDelayMs: number; maxDelayMs: number };
}

/** Reads the S3 connection inputs (bucket, prefix, region, endpoint, force-path-style, timeouts, attempts). */
export function readS3Settings(inputs: InputReader, env: NodeJS.ProcessEnv): S3Settings {
  const pathStyle = inputs.raw(Inputs.ForcePathStyle).trim();
  return resolveS3Settings(
    {
      bucket: inputs.string(Inputs.Bucket, { required: true }),
      // Entries of different repositories sharing a bucket must not meet: default to owner/name on GitHub.
      prefix: inputs.string(Inputs.Prefix) || env.GITHUB_REPOSITORY || '',
      region: inputs.optionalString(Inputs.Region),
      endpoint: inputs.optionalString(Inputs.Endpoint),
      forcePathStyle: pathStyle === '' ? undefined : inputs.boolean(Inputs.ForcePathStyle),
      maxAttempts: inputs.int(Inputs.MaxAttempts, { min: 1, max: 20 }),
      connectTimeoutMs: inputs.duration(Inputs.ConnectTimeout),
      idleTimeoutMs: inputs.duration(Inputs.IdleTimeout),
    },
    env,
  );
}

/**
 * Reads the cache inputs for one half: `restore` reads restore-timeout, `save` reads save-timeout and the prune
 * inputs (each sub-action declares only its own).
 */
export function readCacheSettings(inputs: InputReader, run: RunEnvironment, half: 'restore' | 'save'): CacheSettings {
  const paths = inputs.lines(Inputs.Path);
  if (paths.length === 0) {
    throw new UserError("Input 'path' is empty. List the files or folders to cache, one per line (globs allowed).");
  }
  const compression = resolveCompression(inputs.enum<CompressionChoice>(Inputs.Compression, ['auto', 'zstd', 'gzip']));
  const crossOs = inputs.boolean(Inputs.CrossOs);
  const pruneMaxAge = half === 'save' ? inputs.raw(Inputs.PruneMaxAge).trim() : '';
  const pruneMaxSize = half === 'save' ? inputs.raw(Inputs.PruneMaxTotalSize).trim() : '';
  return {
    s3: readS3Settings(inputs, run.env),
    paths,
    compression,
    version: cacheVersion({
      paths,
      compression,
      cacheVersion: inputs.optionalString(Inputs.CacheVersion) ?? run.env.CACHE_VERSION ?? '',
      os: run.runnerOs,
      crossOs,
    }),
    workspace: run.workspace,
    home: run.env.HOME || homedir(),
    tempDir: run.runnerTemp,
    restoreTimeoutMs: half === 'restore' ? inputs.duration(Inputs.RestoreTimeout) : 0,
    saveTimeoutMs: half === 'save' ? inputs.duration(Inputs.SaveTimeout) : 0,
    prune:
      pruneMaxAge === '' && pruneMaxSize === ''
        ? undefined
        : {
            maxAgeMs: pruneMaxAge === '' ? undefined : inputs.duration(Inputs.PruneMaxAge),
            maxTotalBytes: pruneMaxSize === '' ? undefined : inputs.size(Inputs.PruneMaxTotalSize),
          },
  };
}
