#!/usr/bin/env node
import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{createTestPlanCommand}from"../chunks/chunk-CD3PAO2Y.js";import{testPredictorCommand}from"../chunks/chunk-4RQC4IRV.js";import{cacheKeyCommand}from"../chunks/chunk-C42PSWQU.js";import{perfCommentCommand}from"../chunks/chunk-4UDA6ATJ.js";import{reportCommand}from"../chunks/chunk-XN6IUNU7.js";import{s3CacheCommand,s3CachePruneCommand,s3CacheRestoreCommand,s3CacheSaveCommand}from"../chunks/chunk-VDHHMGXU.js";import"../chunks/chunk-HXDSDWO7.js";import"../chunks/chunk-4UX44O7K.js";import{testFilterCommand}from"../chunks/chunk-3PAFHHER.js";import"../chunks/chunk-OGWRINYM.js";import"../chunks/chunk-SBX5H54G.js";import"../chunks/chunk-6GEYS663.js";import"../chunks/chunk-QFJU5QM4.js";import"../chunks/chunk-CJEGP6Y3.js";import"../chunks/chunk-FMJBS4LA.js";import"../chunks/chunk-HU6ZTLZD.js";import{runCli}from"../chunks/chunk-6VK4OOXD.js";import"../chunks/chunk-YSERSKIG.js";import"../chunks/chunk-Y6R66KAF.js";import"../chunks/chunk-QQFMQDA4.js";import"../chunks/chunk-CY6WDTSA.js";var action_metadata_default={"cache-key":`name: 'ci-optimizer cache-key'
description: 'Dependency cache keys that hit and never restore the wrong thing: per-ecosystem keys pinned to OS, arch, interpreter minor and CACHE_VERSION, safe restore-keys, cache paths, and the measured hit rate.'
author: 'ci-optimizer'
branding:
  icon: 'key'
  color: 'blue'
inputs:
  working-directory:
    description: 'The folder to look for dependency files in (relative to the workspace). Default: the workspace.'
    required: false
    default: ''
  ecosystems:
    description: 'Ecosystems to key, comma- or newline-separated (pip, poetry, pipenv, uv, pdm, conda, npm, yarn, yarn-berry, pnpm, go, cargo, maven, gradle). Empty: detect them from the files.'
    required: false
    default: ''
  dependency-files:
    description: 'Globs (one per line, relative to working-directory) limiting which dependency files count; for monorepos with several lockfiles. Empty: every dependency file found.'
    required: false
    default: ''
  key-prefix:
    description: 'The first segment of every key.'
    required: false
    default: 'deps'
  cache-version:
    description: 'Bump to throw every cache away (manual invalidation). Empty: the CACHE_VERSION environment variable, else 0.'
    required: false
    default: ''
  rotate:
    description: 'Start caches afresh every period even when no dependency changed: none, daily, weekly or monthly.'
    required: false
    default: 'none'
  probe-runtimes:
    description: 'Ask the real interpreters for their versions (python -c, node --version, go env GOVERSION, rustc --version, java -version). When false or not installed, the *-version inputs and version files are used.'
    required: false
    default: 'true'
  python-version:
    description: 'Python version for the key when no interpreter is on PATH (before .python-version, .tool-versions and requires-python). E.g. 3.12, pypy3.10.'
    required: false
    default: ''
  node-version:
    description: 'Node version for the key when node is not on PATH (before .nvmrc, .node-version, .tool-versions, engines.node).'
    required: false
    default: ''
  go-version:
    description: 'Go version for the key when go is not on PATH (before .tool-versions and go.mod).'
    required: false
    default: ''
  rust-version:
    description: 'Rust version for the key when rustc is not on PATH (before rust-toolchain(.toml) and .tool-versions).'
    required: false
    default: ''
  java-version:
    description: 'Java version for the key when java is not on PATH (before .java-version, .tool-versions, .sdkmanrc).'
    required: false
    default: ''
  cache-hit:
    description: 'The restore step''s cache-hit output, to record this run''s outcome in the hit-rate history (true = exact, false = restore-key match, empty = miss).'
    required: false
    default: ''
  cache-matched-key:
    description: 'The restore step''s cache-matched-key output (actions/cache/restore, s3-cache): tells exact from partial directly.'
    required: false
    default: ''
  restored-key:
    description: 'The key the restore step was given, when recording in a later step; default: the key computed now.'
    required: false
    default: ''
  record-restore:
    description: 'Record the restore outcome even when cache-hit and cache-matched-key are both empty (a miss). Set it on the step that passes those outputs.'
    required: false
    default: 'false'
  store:
    description: 'Where the hit-rate history lives: dir:PATH, s3://bucket/prefix or github-cache.'
    required: false
    default: 'dir:.ci-optimizer'
  store-required:
    description: 'true: a store that does not work (unreachable, denied, unreadable) fails the step. Default false: a warning, a note in the job summary that history is not being kept, and the step goes on without it.'
    required: false
    default: 'false'
  hit-rate-window:
    description: 'How many recent runs of the same cache family the hit rate covers.'
    required: false
    default: '50'
  hit-rate-target:
    description: 'The hit rate (exact + partial, in percent) below which the step warns.'
    required: false
    default: '80'
outputs:
  key:
    description: 'The cache key for all detected ecosystems together.'
  restore-keys:
    description: 'Fallback prefixes, one per line, most specific first; never crossing OS, arch, interpreter minor or cache version. Ready for actions/cache and s3-cache.'
  paths:
    description: 'The package managers'' cache folders for this OS, one per line.'
  hash:
    description: 'The content hash of the normalised dependency files.'
  ecosystems-json:
    description: 'JSON list of every ecosystem with its own key, restore-keys, paths, hash, files and runtime (for one cache per tool).'
  hit-outcome:
    description: 'exact, partial or miss, when a restore result was given; empty otherwise.'
  hit-rate:
    description: 'Hit rate (exact + partial) in percent over the last hit-rate-window runs of this cache family, when a restore result was given.'
  hit-rate-runs:
    description: 'How many runs the hit rate covers.'
  hit-rate-met:
    description: 'true when the hit rate reaches hit-rate-target.'
  duration-ms:
    description: 'How long this step took, in milliseconds.'
  metrics:
    description: 'This step''s timing record as JSON: {"action","version","duration-ms","phases","counters"}.'
runs:
  using: 'node24'
  main: '../../dist/cache-key/index.js'
`,"perf-comment":`name: 'ci-optimizer perf-comment'
description: 'Catches performance regressions in pull requests with statistics on the samples, and keeps one PR comment with the verdicts and the slowest functions.'
author: 'ci-optimizer'
branding:
  icon: 'activity'
  color: 'orange'
inputs:
  mode:
    description: 'compare: compare results with a baseline (files in baseline, else the store). ab: benchmark the base commit and the PR in this job with ab-command, alternating runs (recommended). store-baseline: store results as the baseline of this commit (pushes to the default branch). post: in a trusted workflow_run workflow, post the perf-comment.json artifact of a fork PR run.'
    required: false
    default: 'compare'
  results:
    description: 'Benchmark results of this run, one file per line: pytest-benchmark --benchmark-json output (with --benchmark-save-data for per-round samples) or a JSON list of {name, unit, value, range?, samples?, bigger-is-better?}. Several files (repeated runs) are pooled.'
    required: false
    default: ''
  baseline:
    description: 'Baseline results, one file per line. Empty: the baseline of the merge base (or the newest older one) from the store.'
    required: false
    default: ''
  profile:
    description: 'A CPU profile of this run: speedscope JSON (py-spy record -f speedscope), collapsed stacks (py-spy -f raw) or a V8 .cpuprofile.'
    required: false
    default: ''
  baseline-profile:
    description: 'The baseline''s CPU profile, for the functions whose share of time grew. Empty: the one stored with the baseline.'
    required: false
    default: ''
  store:
    description: 'Where baselines are kept (per commit, and the history of the last history-size runs): dir:PATH (relative to the workspace), s3://bucket/prefix or github-cache, like the other actions. Baselines in the old default dir:.metrics are still read when this store has none.'
    required: false
    default: 'dir:.ci-optimizer'
  measure:
    description: 'mode ab: time (pytest-benchmark timings) or instructions (each benchmark body run under Valgrind callgrind and its instructions counted: no machine noise, so 1-2% changes are real; needs valgrind installed, about 50x slower than time).'
    required: false
    default: 'time'
  history-size:
    description: 'Stored baselines: how many default-branch runs are kept; a PR run is judged against their run-to-run spread.'
    required: false
    default: '30'
  min-history-runs:
    description: 'Stored baselines: runs needed to know a benchmark''s run-to-run noise; with fewer, a change is inconclusive unless beyond any plausible noise (3x).'
    required: false
    default: '5'
  store-required:
    description: 'true: a store that does not work (unreachable, denied, unreadable) fails the step. Default false: a warning, a note in the job summary that history is not being kept, and the step goes on without it.'
    required: false
    default: 'false'
  ab-command:
    description: 'mode ab: the shell command that runs the benchmarks and writes results to {output} (also $PERF_OUTPUT), run in the PR checkout and in a worktree of the base commit.'
    required: false
    default: ''
  ab-runs:
    description: 'mode ab: whole runs per side, alternated base/PR/PR/base..., judged pair by pair. Empty: 3 for time (calibrated: 2 raise false alarms on a busy runner), 1 for instructions.'
    required: false
    default: ''
  alpha:
    description: 'Significance level, Holm-corrected for the number of benchmarks.'
    required: false
    default: '0.01'
  min-change:
    description: 'Smallest change reported as a regression or improvement, in percent. Empty: 5% for time, 1% for instructions.'
    required: false
    default: ''
  drift-correction:
    description: 'auto (on for stored baselines, off for mode ab), on or off: judge benchmarks relative to the shift most of them share.'
    required: false
    default: 'auto'
  max-baseline-age:
    description: 'A baseline older than this is flagged in the comment (e.g. 14d, 48h).'
    required: false
    default: '30d'
  ignore:
    description: 'Benchmarks allowed to regress (names or globs, comma- or newline-separated).'
    required: false
    default: ''
  fail-on-regression:
    description: 'Fail the step when a benchmark regressed (true/false).'
    required: false
    default: 'false'
  comment:
    description: 'always, on-change (a regression or improvement, or an earlier comment to update) or never.'
    required: false
    default: 'on-change'
  top-functions:
    description: 'How many functions the profile tables show.'
    required: false
    default: '3'
  marker-id:
    description: 'Tells this comment apart from other perf-comment steps on the same PR. Default: workflow/job.'
    required: false
    default: ''
  token:
    description: 'Token for the PR comment; needs pull-requests: write (or issues: write).'
    required: false
    default: '\${{ github.token }}'
  payload:
    description: 'mode post: the downloaded perf-comment.json artifact.'
    required: false
    default: 'perf-comment.json'
  pr-number:
    description: 'mode post: the pull request to comment on. 0: found from the workflow_run event.'
    required: false
    default: '0'
outputs:
  verdict:
    description: 'regression, improvement, inconclusive, unchanged or not-comparable; in mode store-baseline: stored, or not-stored when the store could not be written (a warning says why).'
  regressions:
    description: 'JSON list of the benchmarks that regressed (ignored ones left out).'
  improvements:
    description: 'JSON list of the benchmarks that improved.'
  comment-url:
    description: 'The URL of the PR comment, when one was written.'
  payload-file:
    description: 'When the token may not comment (fork PRs): the perf-comment.json to upload as an artifact for a trusted workflow_run workflow (mode post).'
  duration-ms:
    description: 'How long the step took, in milliseconds.'
  metrics:
    description: 'JSON metrics record of the step (phases and counters).'
runs:
  using: 'node24'
  main: '../../dist/perf-comment/index.js'
`,report:`name: 'ci-optimizer report'
description: 'The job''s CI dashboard: step timeline, cache hit rate, tests run and time saved, predictions, perf verdicts and CI SLOs.'
author: 'ci-optimizer'
branding:
  icon: 'bar-chart-2'
  color: 'blue'
inputs:
  metrics-file:
    description: 'The metrics file to read. Default: the job''s $RUNNER_TEMP/ci-optimizer/metrics.jsonl, where every ci-optimizer step appends its record.'
    required: false
    default: ''
  metrics-dir:
    description: 'A folder of other jobs'' metrics files (*.jsonl at any depth), e.g. where actions/download-artifact put the metrics artifacts of the run''s other jobs. Each subfolder is shown as a job.'
    required: false
    default: ''
  title:
    description: 'The heading of the step summary.'
    required: false
    default: 'ci-optimizer report'
  store:
    description: 'Where runs are remembered for rolling rates and trends: dir:PATH (relative to the workspace), or another store of the suite.'
    required: false
    default: 'dir:.ci-optimizer'
  store-required:
    description: 'true: a store that does not work (unreachable, denied, unreadable) fails the step. Default false: a warning, a note in the job summary that history is not being kept, and the step goes on without it.'
    required: false
    default: 'false'
  record:
    description: 'Append this run to the store (true/false).'
    required: false
    default: 'true'
  trend:
    description: 'Chart the pipeline time of the last 30 runs (true/false).'
    required: false
    default: 'false'
  coverage-file:
    description: 'A Cobertura coverage.xml (coverage.py, pytest-cov) for the coverage SLO; left out when the file does not exist.'
    required: false
    default: 'coverage.xml'
  default-branch:
    description: 'The branch whose pushes count as "main" runs for the SLOs. Default: the repository''s default branch from the event.'
    required: false
    default: ''
  html-file:
    description: 'Also write the report as a standalone HTML page to this path (relative to the workspace): charts drawn as inline SVG, no script, every name escaped. Upload it with actions/upload-artifact. Empty: no page.'
    required: false
    default: ''
  price-per-minute:
    description: 'The runner''s price per minute in USD, to put a cost on the minutes saved. Default: GitHub''s 2026 list price for a Linux 2-core runner.'
    required: false
    default: '0.006'
  slo-pr-minutes:
    description: 'SLO: a pull request pipeline takes less than this many minutes.'
    required: false
    default: '2'
  slo-main-minutes:
    description: 'SLO: a pipeline on the default branch takes less than this many minutes.'
    required: false
    default: '3'
  slo-cache-hit-rate:
    description: 'SLO: the rolling cache hit rate (exact or restore-key hits, last 30 runs) is above this percentage.'
    required: false
    default: '80'
  slo-coverage:
    description: 'SLO: line coverage from coverage-file is above this percentage.'
    required: false
    default: '85'
outputs:
  steps:
    description: 'How many ci-optimizer step records the report read.'
  total-ms:
    description: 'The summed duration of those steps, in milliseconds.'
  malformed-lines:
    description: 'How many lines of the metrics files were malformed and left out (each is also a warning).'
  pipeline-ms:
    description: 'The pipeline time as far as it is seen: from the first ci-optimizer step''s start to this step.'
  tests-selected:
    description: 'Test files that ran (the last selecting step''s count).'
  tests-total:
    description: 'Test files there are.'
  minutes-saved:
    description: 'Test minutes not run thanks to selection (from historic durations).'
  cost-saved:
    description: 'minutes-saved times price-per-minute, in USD.'
  cache-hit-rate:
    description: 'The rolling cache hit rate in percent over the last 30 runs with a cache (empty without cache data).'
  slo-passed:
    description: 'true when every SLO that could be measured in this run was met.'
  slo-json:
    description: 'The SLO table as JSON: [{"name","target","measured","passed"}].'
  duration-ms:
    description: 'How long this step took, in milliseconds.'
  metrics:
    description: 'This step''s timing record as JSON: {"action","version","duration-ms","phases","counters"}.'
runs:
  using: 'node24'
  main: '../../dist/report/index.js'
`,"s3-cache":`name: 'ci-optimizer s3-cache'
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
`,"s3-cache/prune":`name: 'ci-optimizer s3-cache/prune'
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
`,"s3-cache/restore":`name: 'ci-optimizer s3-cache/restore'
description: 'Restore only: the restore half of s3-cache, with the keys as outputs for a later s3-cache/save step.'
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
  max-unpacked-size:
    description: 'Refuse (as a miss) an entry whose archive unpacks to more than this (e.g. 20GB). Empty: 100 times the archive size, at least 256 MiB, and never more than the free space of RUNNER_TEMP''s disk.'
    required: false
    default: ''
  restore-timeout:
    description: 'Give up restoring after this long and go on as a miss (e.g. 10m).'
    required: false
    default: '10m'
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
  main: '../../../dist/s3-cache/restore/index.js'
`,"s3-cache/save":`name: 'ci-optimizer s3-cache/save'
description: 'Save only: the save half of s3-cache, e.g. with \`if: always()\` or after a restore step.'
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
  saved:
    description: 'true when a new entry was stored.'
  archive-size:
    description: 'Size of the stored archive in bytes (0 when nothing was stored).'
  bytes-transferred:
    description: 'Bytes uploaded.'
  save-ms:
    description: 'How long the save took, in milliseconds.'
  mb-per-s:
    description: 'Archive-and-upload throughput in MB/s.'
  duration-ms:
    description: 'How long this step took, in milliseconds.'
  metrics:
    description: 'This step''s timing record as JSON: {"action","version","duration-ms","phases","counters"}.'
runs:
  using: 'node24'
  main: '../../../dist/s3-cache/save/index.js'
`,"test-filter":`name: 'ci-optimizer test-filter'
description: 'Runs only the test files a change can break: the reverse import closure of the changed Python files, with run-all safety triggers and path filters.'
author: 'ci-optimizer'
branding:
  icon: 'filter'
  color: 'blue'
inputs:
  repo:
    description: 'The repository checkout to analyse. Default: the workspace.'
    required: false
    default: ''
  base:
    description: 'The base commit or ref to diff from (its merge base with the head is used). Default: from the event (pull_request base, push before).'
    required: false
    default: ''
  head:
    description: 'The head commit or ref. Default: from the event, else HEAD.'
    required: false
    default: ''
  project-dir:
    description: 'The Python project inside the repository: where pytest runs and its configuration (pytest.ini, pyproject.toml, setup.cfg, tox.ini) lives. Test paths in the outputs are relative to it.'
    required: false
    default: '.'
  roots:
    description: 'Import roots (folders on sys.path), relative to the repository root, comma- or newline-separated. Default: detect (the root, src/, lib/, the parent of every top-level package, folders of plain modules).'
    required: false
    default: ''
  always-run:
    description: 'Globs of test files selected on every run (newline-separated).'
    required: false
    default: ''
  run-all-on:
    description: 'Globs whose change runs every test, in addition to the built-in triggers (packaging, test and CI config).'
    required: false
    default: ''
  ignore:
    description: 'Globs of files that select nothing on their own, in addition to the built-in list (docs, Markdown, images, licences).'
    required: false
    default: ''
  map:
    description: 'Explicit rules, one per line: "SOURCE-GLOB -> TEST-GLOB" (e.g. "schemas/** -> tests/contracts/**").'
    required: false
    default: ''
  max-changed-files:
    description: 'More changed files than this runs every test.'
    required: false
    default: '200'
  unknown-files:
    description: 'What a changed file that no import, string literal or rule explains does: run-all or ignore.'
    required: false
    default: 'run-all'
  dynamic-imports:
    description: 'When a change reaches tests through an import computed at run time that nothing bounds (importlib.import_module(name) with no literal prefix, package=, __name__ anchor or literal-passing caller): run-all, or widen (select the tests of the importing module). Bounded computed imports are edges like imports.'
    required: false
    default: 'run-all'
  filters:
    description: 'Path filters for job routing, as YAML: name -> list of globs ("!" excludes). Each name becomes a boolean output (undeclared; also in filters-json).'
    required: false
    default: ''
  store:
    description: 'Where the parsed import graph is cached between runs, keyed by git blob ids: dir:PATH, s3://bucket/prefix, github-cache, or none.'
    required: false
    default: 'dir:.ci-optimizer'
  store-required:
    description: 'true: a store that does not work (unreachable, denied, unreadable) fails the step. Default false: a warning, a note in the job summary that history is not being kept, and the step goes on without it.'
    required: false
    default: 'false'
  mode:
    description: 'select (the default: choose the tests for this change) or learn (build the function-level impact map from per-test coverage, on full runs of the default branch).'
    required: false
    default: 'select'
  coverage:
    description: 'learn: the per-test coverage, a .coverage file or the JSON of \`coverage json --show-contexts\`, from \`pytest --cov=<package> --cov-context=test\`.'
    required: false
    default: ''
  max-map-age:
    description: 'select: an impact map older than this is not used (the static import closure decides alone).'
    required: false
    default: '14d'
  max-map-distance:
    description: 'select: an impact map more than this many commits behind the head is not used.'
    required: false
    default: '200'
outputs:
  run-all:
    description: 'true when every test must run (see reasons).'
  reasons:
    description: 'Why every test runs, one reason per line (empty when the selection is partial).'
  tests:
    description: 'Selected test files, space-separated and relative to project-dir, ready for \`pytest $tests\` (every test file when run-all).'
  tests-file:
    description: 'The same test files as a file under RUNNER_TEMP, each path followed by a NUL byte: the shell-safe way to pass them to a runner (names with spaces, newlines, \`*\` or a leading dash stay one argument each): \`xargs -0 -r python -m pytest -- < "$TESTS_FILE"\`.'
  tests-json:
    description: 'The selected test files as a JSON array.'
  selected-count:
    description: 'How many test files are selected.'
  total-count:
    description: 'How many test files pytest would collect.'
  reduction:
    description: 'The share of test files (or of test time, with history) skipped, 0 to 1.'
  reduction-basis:
    description: 'What the reduction is measured by: count or duration.'
  changed-files-json:
    description: 'The changed files as JSON: [{"status","path","oldPath"?}].'
  filters-json:
    description: 'The path filters as JSON: {"name": true|false}.'
  reasons-by-test:
    description: 'JSON map of each selected test to the import chain that selected it.'
  base:
    description: 'The base commit the change was measured from (empty when unknown).'
  head:
    description: 'The head commit.'
  impact-map-used:
    description: 'select: true when the impact map narrowed the selection.'
  impact-map-reason:
    description: 'select: what the impact map did, or why it was not used (missing, stale, too far behind).'
  map-commit:
    description: 'learn: the commit the impact map was built on.'
  map-test-files:
    description: 'learn: how many test files the map covers.'
  map-functions:
    description: 'learn: how many functions and methods the map knows.'
  map-bytes:
    description: 'learn: the stored size of the map.'
  duration-ms:
    description: 'How long this step took, in milliseconds.'
  metrics:
    description: 'This step''s timing record as JSON: {"action","version","duration-ms","phases":{"diff","history","graph","select","impact-map"},"counters"}.'
runs:
  using: 'node24'
  main: '../../dist/test-filter/index.js'
`,"test-plan":`name: 'ci-optimizer test plan'
description: 'Runs only the tests a change can break, likely failures first, in duration-balanced shards: test-filter then test-predictor in one step.'
author: 'ci-optimizer'
branding:
  icon: 'zap'
  color: 'blue'
inputs:
  base:
    description: 'The base commit or ref to diff from. Default: from the event (pull_request base, push before).'
    required: false
    default: ''
  head:
    description: 'The head commit or ref. Default: from the event, else HEAD.'
    required: false
    default: ''
  project-dir:
    description: 'The Python project inside the repository (where pytest runs and its configuration lives).'
    required: false
    default: '.'
  store:
    description: 'Where the graph cache, the test history and the model live: dir:PATH, s3://bucket/prefix or github-cache.'
    required: false
    default: 'dir:.ci-optimizer'
  store-required:
    description: 'true: a store that does not work (unreachable, denied, unreadable) fails the step. Default false: a warning, a note in the job summary that history is not being kept, and the step goes on without it.'
    required: false
    default: 'false'
  always-run:
    description: 'Globs of test files selected on every run (newline-separated).'
    required: false
    default: ''
  max-changed-files:
    description: 'More changed files than this runs every test.'
    required: false
    default: '200'
  filters:
    description: 'Path filters for job routing, as YAML: name -> list of globs. Results in filters-json.'
    required: false
    default: ''
  budget:
    description: 'How much to run: all (reorder and shard what test-filter selected), recall:0.99, time:5m or fraction:0.3 (see test-predictor).'
    required: false
    default: 'all'
  shards:
    description: 'How many duration-balanced shards to split the selection into (at most 256).'
    required: false
    default: '1'
outputs:
  run-all:
    description: 'true when test-filter decided every test must run (see reasons).'
  reasons:
    description: 'Why every test runs, one reason per line.'
  tests:
    description: 'The test files to run, likely failures first, space-separated (ready for \`pytest $tests\`).'
  tests-file:
    description: 'The same test files as a file under RUNNER_TEMP, each path followed by a NUL byte: the shell-safe way to pass them to a runner (names with spaces, newlines, \`*\` or a leading dash stay one argument each): \`xargs -0 -r python -m pytest -- < "$TESTS_FILE"\`.'
  tests-json:
    description: 'The same as a JSON array.'
  selected-count:
    description: 'How many test files run.'
  filter-selected-count:
    description: 'How many test files test-filter selected before the budget.'
  total-count:
    description: 'How many test files there are.'
  shards:
    description: 'The strategy.matrix JSON {"include":[{"shard","total","tests","tests-json","duration-s"}]}; use fromJSON.'
  shard-count:
    description: 'How many shards (none empty).'
  probabilities:
    description: 'Each test file''s predicted failure probability as JSON.'
  estimated-recall:
    description: 'The model''s estimated recall of the selection.'
  cold-start:
    description: 'true when there was too little history for the model (order by the import graph and durations).'
  filters-json:
    description: 'The path filter results as JSON {name: boolean}.'
  duration-ms:
    description: 'How long this step took, in milliseconds.'
  metrics:
    description: 'This step''s timing record as JSON: {"action","version","duration-ms","phases","counters"}.'
runs:
  using: 'node24'
  main: '../../dist/test-plan/index.js'
`,"test-predictor":`name: 'ci-optimizer test-predictor'
description: 'Learns from your CI history which tests a change will break: runs them first, selects within a budget, shards the rest by duration, and switches itself off when it measures misses.'
author: 'ci-optimizer'
branding:
  icon: 'crosshair'
  color: 'blue'
inputs:
  mode:
    description: 'record (after the tests: append this run''s JUnit results to the history), train (fit the model on the history) or predict (order, select and shard the tests of this change).'
    required: true
  store:
    description: 'Where history, model and safety state live: dir:PATH (relative to the workspace), s3://bucket/prefix or github-cache. The history is under test-predictor/history/ inside it (one object per recorded run, compacted into segments).'
    required: false
    default: 'dir:.ci-optimizer'
  store-required:
    description: 'true: a store that does not work (unreachable, denied, unreadable) fails the step. Default false: a warning, a note in the job summary that history is not being kept, and the step goes on without it.'
    required: false
    default: 'false'
  base:
    description: 'The commit or branch to diff against. Default: from the event (pull request base, push before).'
    required: false
    default: ''
  head:
    description: 'The commit whose tests run. Default: from the event, else HEAD.'
    required: false
    default: ''
  project-dir:
    description: 'The folder pytest runs in (its rootdir), relative to the repository. Default: test-filter''s project-dir from .github/ci-optimizer.yml, else the root. Outputs name test files relative to it.'
    required: false
    default: ''
  junit:
    description: 'record: the JUnit XML files of the run, one path or glob per line (pytest --junitxml, vitest --reporter=junit, jest-junit with addFileAttribute). A later report of the same test is its retry.'
    required: false
    default: ''
  full-run:
    description: 'record: whether every test ran, which makes the run count for the measured safety. auto: a schedule, a push to the default branch, or every collected test file has results.'
    required: false
    default: 'auto'
  budget:
    description: 'predict: how much to run. all (reorder and shard only), recall:0.99 (add tests until the estimated recall reaches it; keeps every test the import graph reaches), time:5m or fraction:0.3 (a hard time box; may leave graph-reached tests out, and lists them).'
    required: false
    default: 'all'
  granularity:
    description: 'predict: what is ordered, selected and sharded: file (test files, the default) or case (pytest node ids from the cases of each file''s last recorded run, so a short failing case of a long file fits a time box; a changed or new test file, or one whose cases are not plain node ids, runs whole). Pass case lists NUL-separated (tests-file), several thousand ids may need more than one runner call: see the README.'
    required: false
    default: 'file'
  candidates:
    description: 'predict: the test files to consider (a JSON array such as test-filter''s tests-json output, or one path per line). Default: every test file pytest collects.'
    required: false
    default: ''
  always-run:
    description: 'predict: globs of test files that are always selected, one per line.'
    required: false
    default: ''
  shards:
    description: 'predict: how many duration-balanced shards to split the selection into (at most one per test file, at most 256).'
    required: false
    default: '1'
  slow-threshold:
    description: 'predict: test cases slower than this (median of recent runs) are listed in slow-tests, as @pytest.mark.slow candidates.'
    required: false
    default: '1s'
  graph:
    description: 'Use test-filter''s import graph for the distance feature and to keep graph-reached tests (true/false).'
    required: false
    default: 'true'
  impact-map:
    description: 'Use the impact map test-filter''s mode learn keeps in the same store: reached tests that never ran the changed functions get their own feature and prior, and a recall budget does not keep them for their graph reach alone (true/false).'
    required: false
    default: 'true'
  min-history:
    description: 'Runs with a known diff needed before the model is used; below it the order is test-filter''s graph plus historic durations (cold start).'
    required: false
    default: '20'
  model-file:
    description: 'An XGBoost JSON model (Booster.save_model("x.json")) to score with instead of the stored one, e.g. trained offline on the same features.'
    required: false
    default: ''
  retrain-after:
    description: 'record: retrain automatically when the model is older than this (or absent).'
    required: false
    default: '7d'
  max-drop:
    description: 'train: keep (or roll back to) the previous model when the new one''s held-out recall is lower by more than this many percentage points.'
    required: false
    default: '5'
  train-time-budget:
    description: 'The most time training may take; when spent, the trees grown so far are used.'
    required: false
    default: '60s'
  max-miss-rate:
    description: 'record: when the predictor''s selection would have missed more than this share of the failing test files over the last miss-window full runs, selection switches off (every test runs) until the rate recovers.'
    required: false
    default: '0.02'
  miss-window:
    description: 'How many of the newest full runs the miss rate is measured over.'
    required: false
    default: '20'
  reset-safety:
    description: 'record: switch selection back on and forget the misses measured so far (true/false).'
    required: false
    default: 'false'
  history-limit:
    description: 'The most runs kept in the history (oldest dropped).'
    required: false
    default: '1000'
  top:
    description: 'How many top predicted tests the step summary shows with their main reasons.'
    required: false
    default: '10'
outputs:
  tests:
    description: 'predict: every candidate test file in fail-fast order (most likely to fail first), space-separated; tests-json has the JSON array.'
  tests-file:
    description: 'The same test files as a file under RUNNER_TEMP, each path followed by a NUL byte: the shell-safe way to pass them to a runner (names with spaces, newlines, \`*\` or a leading dash stay one argument each): \`xargs -0 -r python -m pytest -- < "$TESTS_FILE"\`.'
  selected-file:
    description: 'predict: the selected test files (within the budget) as a NUL-terminated file under RUNNER_TEMP, like tests-file.'
  tests-json:
    description: 'predict: the same as a JSON array.'
  selected:
    description: 'predict: the test files to run under the budget, in fail-fast order, space-separated.'
  selected-json:
    description: 'predict: the same as a JSON array.'
  probabilities:
    description: 'predict: JSON object test file -> predicted failure probability.'
  shards:
    description: 'predict: the strategy.matrix JSON {"include":[{"shard":1,"total":N,"tests":"a.py b.py","tests-json":"[...]","duration-s":12.5}, ...]}; use matrix: \${{ fromJSON(needs.<job>.outputs.shards) }}. Empty include when nothing is selected (guard the job with shard-count > 0).'
  shard-count:
    description: 'predict: the number of shards (no shard is empty; fewer than asked when there are fewer test files).'
  slow-tests:
    description: 'predict: JSON array of test ids slower than slow-threshold, slowest first.'
  estimated-recall:
    description: 'predict: the share of expected failures the selection catches, by the model''s probabilities (a heuristic at cold start).'
  run-all:
    description: 'predict: true when every test file of the suite is selected (as in test-filter and test-plan). Before 0.2 it meant every candidate is selected: that is all-candidates-selected.'
  all-candidates-selected:
    description: 'predict: true when every candidate is selected (the budget left none out).'
  cold-start:
    description: 'predict: true when there was too little history or no model, so a simple ranking chosen on the history orders the tests.'
  granularity:
    description: 'predict: file or case, what tests, selected, shards and the files list.'
  ranking:
    description: "predict: the ranking that ordered the tests: model, co-failure, failure-frequency or import-graph (the model only where it beat the simple rankings on the team's own held-out runs)."
  selection-enabled:
    description: 'false when the measured miss rate switched selection off (then every test is selected).'
  miss-rate:
    description: 'The predictor''s miss rate over the last full runs (failing test files it would have left out / failing test files); empty before any failing full run.'
  test-filter-miss-rate:
    description: 'record: the same rate for test-filter''s selection alone.'
  recorded-cases:
    description: 'record: how many test case results were appended.'
  failed-tests:
    description: 'record: JSON array of test files that failed for real (flaky failures left out).'
  flaky-tests:
    description: 'record: JSON array of test ids whose failures this run were labelled flaky.'
  full-run:
    description: 'record: whether the run counted as a full run.'
  model-status:
    description: 'record/train: installed, kept, rolled-back or skipped.'
  model-reason:
    description: 'train: why the model was installed, kept, rolled back or skipped.'
  model-recall:
    description: 'train: held-out test-file recall of the model in use, at the budget''s share of test time (a third for all/recall budgets).'
  model-auc:
    description: 'train: held-out ROC AUC of the model in use.'
  training-ms:
    description: 'train: how long training took.'
  training-rows:
    description: 'train: (change, test file) rows the model in use was trained on.'
  duration-ms:
    description: 'How long this step took, in milliseconds.'
  metrics:
    description: 'This step''s timing record as JSON: {"action","version","duration-ms","phases","counters"}.'
runs:
  using: 'node24'
  main: '../../dist/test-predictor/index.js'
`};var commands=[createTestPlanCommand({testFilterYml:action_metadata_default["test-filter"],testPredictorYml:action_metadata_default["test-predictor"]}),reportCommand,cacheKeyCommand,testFilterCommand,perfCommentCommand,testPredictorCommand,s3CacheCommand,s3CacheRestoreCommand,s3CacheSaveCommand,s3CachePruneCommand];function cliEntries(){return commands.map(command=>{let actionYml=action_metadata_default[command.name];if(actionYml===void 0)throw new Error(`No action.yml bundled for '${command.name}' (expected actions/${command.name}/action.yml).`);return{command,actionYml}})}function nodeVersionProblem(version){let[major,minor]=version.split(".").map(Number);if(!(major>23||major===23&&minor>=4||major===22&&minor>=13))return`Node ${version} is too old: ci-optimizer needs Node 22.13 or newer (23.4 or newer on the 23 line; 24 is what the actions use). Install a current Node and run it again.`}var problem=nodeVersionProblem(process.versions.node);problem?(process.stderr.write(`ci-optimizer: ${problem}
`),process.exitCode=1):process.exitCode=await runCli(process.argv.slice(2),cliEntries(),{stdout:text=>process.stdout.write(text),stderr:text=>process.stderr.write(text),env:process.env,cwd:process.cwd()});
