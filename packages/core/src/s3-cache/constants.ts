/** Input names, exactly as in actions/s3-cache/action.yml (and restore/, save/). */
export const Inputs = {
  Path: 'path',
  Key: 'key',
  RestoreKeys: 'restore-keys',
  FailOnCacheMiss: 'fail-on-cache-miss',
  LookupOnly: 'lookup-only',
  CrossOs: 'enableCrossOsArchive',
  SaveAlways: 'save-always',
  Bucket: 'bucket',
  Prefix: 'prefix',
  Region: 'region',
  Endpoint: 'endpoint',
  ForcePathStyle: 'force-path-style',
  CacheVersion: 'cache-version',
  Compression: 'compression',
  RestoreTimeout: 'restore-timeout',
  SaveTimeout: 'save-timeout',
  ConnectTimeout: 'connect-timeout',
  IdleTimeout: 'idle-timeout',
  FirstByteTimeout: 'first-byte-timeout',
  Scope: 'scope',
  SaveUntrusted: 'save-untrusted',
  MaxUnpackedSize: 'max-unpacked-size',
  MaxAttempts: 'max-attempts',
  PruneMaxAge: 'prune-max-age',
  PruneMaxTotalSize: 'prune-max-total-size',
  MaxAge: 'max-age',
  MaxTotalSize: 'max-total-size',
  DryRun: 'dry-run',
} as const;

/** Output names. */
export const Outputs = {
  CacheHit: 'cache-hit',
  PrimaryKey: 'cache-primary-key',
  MatchedKey: 'cache-matched-key',
  HitKind: 'hit-kind',
  ArchiveSize: 'archive-size',
  BytesTransferred: 'bytes-transferred',
  RestoreMs: 'restore-ms',
  SaveMs: 'save-ms',
  MbPerS: 'mb-per-s',
  Saved: 'saved',
  EntriesDeleted: 'entries-deleted',
  BytesDeleted: 'bytes-deleted',
  EntriesKept: 'entries-kept',
  BytesKept: 'bytes-kept',
} as const;

/** State carried from the combined action's main step to its post step. */
export const State = {
  PrimaryKey: 'CACHE_KEY',
  MatchedKey: 'CACHE_RESULT',
} as const;

/** Set in the job's environment by `save-always: true`; action.yml's `post-if` reads it (inputs are not visible there). */
export const SAVE_ALWAYS_ENV = 'CI_OPTIMIZER_S3_CACHE_SAVE_ALWAYS';
