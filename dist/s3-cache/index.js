import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{s3CacheCommand}from"../chunks/chunk-QSJLJ2LV.js";import"../chunks/chunk-HXDSDWO7.js";import"../chunks/chunk-4UX44O7K.js";import"../chunks/chunk-CJEGP6Y3.js";import"../chunks/chunk-FMJBS4LA.js";import"../chunks/chunk-HU6ZTLZD.js";import{runAction}from"../chunks/chunk-5YO7KJL7.js";import"../chunks/chunk-YSERSKIG.js";import"../chunks/chunk-Y6R66KAF.js";import"../chunks/chunk-QQFMQDA4.js";import"../chunks/chunk-CY6WDTSA.js";var action_default=`name: 'ci-optimizer s3-cache'
description: 'actions/cache on your own S3 or S3-compatible bucket (MinIO, Ceph, R2): restore now, save at the end of the job; tar + zstd streamed in parallel parts.'
author: 'ci-optimizer'
branding:
  icon: 'archive'
  color: 'blue'
inputs:
  path:
    description: 'Files and folders to cache, one per line, as in actions/cache: globs, \`!\` exclusions, \`~\` for the home folder; relative to the workspace.'
    required: true
  key:
    description: 'The key to save under and to look for first.'
    required: true
  restore-keys:
    description: 'Key prefixes to fall back on, one per line, in order; for each, the newest entry whose key starts with it is restored.'
    required: false
    default: ''
  fail-on-cache-miss:
    description: 'Fail the step when no entry is found, by key or restore key (true/false). Faults of the store count as misses.'
    required: false
    default: 'false'
  lookup-only:
    description: 'Only check whether an entry exists (outputs as usual), download nothing (true/false).'
    required: false
    default: 'false'
  save-always:
    description: 'Also save when an earlier step of the job failed (true/false). Sets CI_OPTIMIZER_S3_CACHE_SAVE_ALWAYS for the post step''s condition, so it applies to the s3-cache steps after this one in the job.'
    required: false
    default: 'false'
  enableCrossOsArchive:
    description: 'Let an entry saved on one OS be restored on another (true/false). By default the OS is part of the version.'
    required: false
    default: 'false'
  cache-version:
    description: 'Any text; change it to start afresh (entries saved under another value are never restored). Default: the CACHE_VERSION environment variable.'
    required: false
    default: ''
  compression:
    description: 'auto (zstd when installed, else gzip), zstd or gzip. Part of the version: restore and save must agree.'
    required: false
    default: 'auto'
  bucket:
    description: 'The S3 bucket that holds the cache (name only; folders go in \`prefix\`). Credentials come from the standard AWS chain: env, OIDC via aws-actions/configure-aws-credentials, or a profile; never from an input.'
    required: true
  prefix:
    description: 'Key prefix in the bucket under which entries are stored. Empty: the repository (owner/name) on GitHub, the bucket root elsewhere; \`/\` for the bucket root.'
    required: false
    default: ''
  region:
    description: 'The bucket''s region. Default: AWS_REGION / AWS_DEFAULT_REGION, else us-east-1 (what most S3-compatible stores accept).'
    required: false
    default: ''
  endpoint:
    description: 'Endpoint URL of an S3-compatible store (MinIO, Ceph, R2, ...), e.g. https://minio.internal:9000. Empty: AWS (or AWS_ENDPOINT_URL_S3).'
    required: false
    default: ''
  force-path-style:
    description: 'Address the bucket in the path (https://host/bucket/key) rather than the host name (true/false). Empty: true when an endpoint is set, false on AWS.'
    required: false
    default: ''
  max-attempts:
    description: 'Attempts per S3 request, the first included; throttling (503 SlowDown) and network errors are retried with exponential backoff.'
    required: false
    default: '5'
  connect-timeout:
    description: 'How long to wait for a connection to the store (e.g. 5s).'
    required: false
    default: '5s'
  idle-timeout:
    description: 'How long a request may wait without a byte moving before it is retried (e.g. 20s); bounds the cost of a hung store.'
    required: false
    default: '20s'
  first-byte-timeout:
    description: 'How long to wait for the first byte of an answer once a request is sent (e.g. 10s). After 3 requests in a row without an answer in time, the step stops talking to the store, with a warning: a store that accepts connections and never answers costs about half a minute, not the job.'
    required: false
    default: '10s'
  scope:
    description: 'ref (default): entries are scoped like GitHub''s cache: a run writes under its own branch, tag or pull request and restores from its own scope, then the base branch''s, then the default branch''s, never another pull request''s. shared: one pool that every run reads and writes (pull requests can then poison the default branch''s cache; see the README''s Security section).'
    required: false
    default: 'ref'
  save-untrusted:
    description: 'Save even on an untrusted trigger (pull_request_target, issue_comment, workflow_run from a fork), which by default restores but never saves (true/false). Such runs write the default branch''s scope; only set this when the workflow never runs code or reads files a pull request controls.'
    required: false
    default: 'false'
  max-unpacked-size:
    description: 'Refuse (as a miss) an entry whose archive unpacks to more than this (e.g. 20GB). Empty: 100 times the archive size, at least 256 MiB, and never more than the free space of RUNNER_TEMP''s disk.'
    required: false
    default: ''
  restore-timeout:
    description: 'Give up restoring after this long and go on as a miss (e.g. 10m).'
    required: false
    default: '10m'
  save-timeout:
    description: 'Give up saving after this long, with a warning (e.g. 30m).'
    required: false
    default: '30m'
  prune-max-age:
    description: 'After saving, delete entries older than this (e.g. 7d). Empty: no pruning by age.'
    required: false
    default: ''
  prune-max-total-size:
    description: 'After saving, delete the oldest entries until the rest fit in this size (e.g. 10GB). Empty: no pruning by size.'
    required: false
    default: ''
outputs:
  cache-hit:
    description: 'true when an entry was found for the exact key (restore keys do not count).'
  cache-primary-key:
    description: 'The key asked for.'
  cache-matched-key:
    description: 'The key of the entry restored (exact or by restore key); empty on a miss.'
  hit-kind:
    description: 'exact, prefix or miss.'
  archive-size:
    description: 'Size of the restored archive in bytes (0 on a miss).'
  bytes-transferred:
    description: 'Bytes downloaded.'
  restore-ms:
    description: 'How long the restore took, in milliseconds.'
  mb-per-s:
    description: 'Download-and-extract throughput in MB/s.'
  duration-ms:
    description: 'How long this step took, in milliseconds.'
  metrics:
    description: 'This step''s timing record as JSON: {"action","version","duration-ms","phases","counters"}.'
runs:
  using: 'node24'
  main: '../../dist/s3-cache/index.js'
  post: '../../dist/s3-cache/index.js'
  post-if: "success() || env.CI_OPTIMIZER_S3_CACHE_SAVE_ALWAYS == 'true'"
`;await runAction(s3CacheCommand,action_default);
