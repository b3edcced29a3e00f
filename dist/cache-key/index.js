import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{cacheKeyCommand}from"../chunks/chunk-E2DDBRU2.js";import"../chunks/chunk-QFJU5QM4.js";import"../chunks/chunk-FMJBS4LA.js";import"../chunks/chunk-HU6ZTLZD.js";import{runAction}from"../chunks/chunk-5YO7KJL7.js";import"../chunks/chunk-YSERSKIG.js";import"../chunks/chunk-Y6R66KAF.js";import"../chunks/chunk-QQFMQDA4.js";import"../chunks/chunk-CY6WDTSA.js";var action_default=`name: 'ci-optimizer cache-key'
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
`;await runAction(cacheKeyCommand,action_default);
