import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{s3CachePruneCommand}from"../../chunks/chunk-QSJLJ2LV.js";import"../../chunks/chunk-HXDSDWO7.js";import"../../chunks/chunk-4UX44O7K.js";import"../../chunks/chunk-CJEGP6Y3.js";import"../../chunks/chunk-FMJBS4LA.js";import"../../chunks/chunk-HU6ZTLZD.js";import{runAction}from"../../chunks/chunk-5YO7KJL7.js";import"../../chunks/chunk-YSERSKIG.js";import"../../chunks/chunk-Y6R66KAF.js";import"../../chunks/chunk-QQFMQDA4.js";import"../../chunks/chunk-CY6WDTSA.js";var action_default=`name: 'ci-optimizer s3-cache/prune'
description: 'Housekeeping for s3-cache: deletes the oldest entries by age and total size, like GitHubs cache eviction.'
author: 'ci-optimizer'
branding:
  icon: 'trash-2'
  color: 'blue'
inputs:
  max-age:
    description: 'Delete entries saved longer ago than this (e.g. 7d). Empty: no limit by age.'
    required: false
    default: ''
  max-total-size:
    description: 'Delete the oldest entries until the rest fit in this size (e.g. 10GB). Empty: no limit by size.'
    required: false
    default: ''
  dry-run:
    description: 'Only report what would be deleted (true/false).'
    required: false
    default: 'false'
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
outputs:
  entries-deleted:
    description: 'Entries deleted (or that would be, with dry-run).'
  bytes-deleted:
    description: 'Bytes of archives deleted, orphaned archives included.'
  entries-kept:
    description: 'Entries left.'
  bytes-kept:
    description: 'Bytes of archives left.'
  deleted-keys:
    description: 'The keys deleted, oldest first (JSON array).'
  duration-ms:
    description: 'How long this step took, in milliseconds.'
  metrics:
    description: 'This step''s timing record as JSON: {"action","version","duration-ms","phases","counters"}.'
runs:
  using: 'node24'
  main: '../../../dist/s3-cache/prune/index.js'
`;await runAction(s3CachePruneCommand,action_default);
