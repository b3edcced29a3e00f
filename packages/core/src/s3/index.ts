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
export { pruneCache, type PruneLimits, type PruneReport } from './prune.ts';

import { createS3Client, resolveS3Settings, type S3SettingsInput } from './client.ts';
import { S3ObjectStore } from './objects.ts';

/** The object API (get / putAtomic / list / delete) over `s3://bucket/prefix`, for the `s3://` store backend. */
export function openS3Store(input: S3SettingsInput, env: NodeJS.ProcessEnv = process.env): S3ObjectStore {
  const settings = resolveS3Settings(input, env);
  return new S3ObjectStore(createS3Client(settings), settings);
}
