import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { UserError } from '../errors/index.ts';
import { resolveCompression, type Compression, type CompressionChoice } from '../archive/index.ts';
import type { Inputs as InputReader } from '../inputs/index.ts';
import type { RunEnvironment } from '../contract/index.ts';
import {
  cacheVersion,
  parseScopeMode,
  resolveS3Settings,
  runRefsOf,
  storeScopes,
  type S3Settings,
  type StoreScopes,
} from '../s3/index.ts';
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
  /** Where this run writes entries and, in order, where it looks for them (see s3/scope.ts). */
  scopes?: StoreScopes;
  /** Set when the run's trigger is untrusted (pull_request_target, issue_comment, fork workflow_run). */
  untrustedReason?: string;
  /** `save-untrusted`: save even on an untrusted trigger. */
  saveUntrusted?: boolean;
  /** `max-unpacked-size` in bytes; undefined: 100x the archive (at least 256 MiB), never more than the free space. */
  maxUnpackedBytes?: number;
  /** Folders restore never writes into (the action's own checkout). */
  protectedPaths?: string[];
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
      firstByteTimeoutMs:
        inputs.raw(Inputs.FirstByteTimeout).trim() === '' ? undefined : inputs.duration(Inputs.FirstByteTimeout),
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
  const maxUnpacked = half === 'restore' ? inputs.raw(Inputs.MaxUnpackedSize).trim() : '';
  const refs = runRefsOf(run.eventName, run.eventPayload, run.env);
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
    scopes: storeScopes(refs, parseScopeMode(inputs.raw(Inputs.Scope))),
    untrustedReason: refs.untrustedReason,
    saveUntrusted: half === 'save' ? inputs.boolean(Inputs.SaveUntrusted) : false,
    maxUnpackedBytes: maxUnpacked === '' ? undefined : inputs.size(Inputs.MaxUnpackedSize),
    protectedPaths: ownCheckout(),
    prune:
      pruneMaxAge === '' && pruneMaxSize === ''
        ? undefined
        : {
            maxAgeMs: pruneMaxAge === '' ? undefined : inputs.duration(Inputs.PruneMaxAge),
            maxTotalBytes: pruneMaxSize === '' ? undefined : inputs.size(Inputs.PruneMaxTotalSize),
          },
  };
}

/**
 * The checkout of this action (`<checkout>/dist/<name>/index.js` runs), which restore must never write into: an entry
 * that replaced the post step's bundle would run its code with the job's token. undefined outside a bundle.
 */
function ownCheckout(): string[] {
  const script = process.argv[1] ?? '';
  const match = /^(.*)\/dist\/[^/]+\/index\.js$/.exec(resolve(script));
  return match ? [match[1]] : [];
}
