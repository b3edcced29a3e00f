export {
  createS3Client,
  resolveS3Settings,
  normalisePrefix,
  parseS3Url,
  S3_DEFAULTS,
  type S3Settings,
  type S3SettingsInput,
} from './client.ts';
export { S3ObjectStore, type ObjectInfo, type CallOptions, type PutOptions, type PutOutcome } from './objects.ts';
export {
  uploadStream,
  downloadRanges,
  IntegrityError,
  UPLOAD_DEFAULTS,
  DOWNLOAD_DEFAULTS,
  type TransferResult,
  type UploadOptions,
  type DownloadOptions,
} from './transfer.ts';
export { withRetries, isTransient, DEFAULT_RETRY, type RetryPolicy } from './retry.ts';
export {
  describeS3Error,
  s3ErrorCode,
  s3Status,
  isNoSuchKey,
  isPreconditionFailed,
  isNotImplemented,
  isAbort,
} from './errors.ts';
export {
  CacheIndex,
  cacheVersion,
  validateKey,
  parseEntry,
  ENTRY_SCHEMA,
  type CacheEntry,
  type CacheMatch,
  type VersionInputs,
  type SkipReporter,
} from './cache-index.ts';
export { redactSecrets, redactUrl } from './redact.ts';
export { boundedAgents, StoreUnresponsiveError, type ResponseWatch } from './bounded-agent.ts';
export {
  parseScopeMode,
  scopeOfRef,
  storeScopes,
  scopedPrefix,
  storePrefixes,
  scopesFromEnvironment,
  type ScopeMode,
  type StoreScopes,
} from './scope.ts';
export { runRefsOf, type RunRefs } from './run-refs.ts';
export { pruneCache, type PruneLimits, type PruneReport } from './prune.ts';

import { createS3Client, resolveS3Settings, type S3SettingsInput } from './client.ts';
import { S3ObjectStore } from './objects.ts';
import { scopesFromEnvironment, storePrefixes } from './scope.ts';

/** The object API (get / putAtomic / list / delete) over `s3://bucket/prefix`, for the `s3://` store backend. */
export function openS3Store(input: S3SettingsInput, env: NodeJS.ProcessEnv = process.env): S3ObjectStore {
  const settings = resolveS3Settings(input, env);
  return new S3ObjectStore(createS3Client(settings), settings);
}

/**
 * The `s3://` store's objects under the run's scopes (see scope.ts): `write` under its own ref's scope, `read` in
 * the order reads fall back (own, base branch, default branch). One client serves them all.
 */
export function openScopedS3Stores(
  input: S3SettingsInput,
  env: NodeJS.ProcessEnv = process.env,
): { write: S3ObjectStore; read: S3ObjectStore[] } {
  const settings = resolveS3Settings(input, env);
  const client = createS3Client(settings);
  const prefixes = storePrefixes(settings.prefix, scopesFromEnvironment(env));
  const at = (prefix: string) => new S3ObjectStore(client, { ...settings, prefix });
  return { write: at(prefixes.write), read: prefixes.read.map(at) };
}
