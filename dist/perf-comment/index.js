import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{perfCommentCommand}from"../chunks/chunk-JNUZKGUG.js";import"../chunks/chunk-OGWRINYM.js";import"../chunks/chunk-SBX5H54G.js";import"../chunks/chunk-CJEGP6Y3.js";import"../chunks/chunk-FMJBS4LA.js";import"../chunks/chunk-HU6ZTLZD.js";import{runAction}from"../chunks/chunk-5YO7KJL7.js";import"../chunks/chunk-YSERSKIG.js";import"../chunks/chunk-Y6R66KAF.js";import"../chunks/chunk-QQFMQDA4.js";import"../chunks/chunk-CY6WDTSA.js";var action_default=`name: 'ci-optimizer perf-comment'
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
    description: 'mode ab: runs per side, judged pair by pair. Empty: 3 for time (calibrated: 2 raise false alarms on a busy runner), 1 for instructions.'
    required: false
    default: ''
  ab-interleave:
    description: 'mode ab, measure time: rounds (default) runs each base/PR pair of runs at the same time in lockstep, one pytest-benchmark round a side in turn on the same CPU, so load hits both sides alike (needs one pytest session per run; other commands fall back to runs); runs alternates whole runs base/PR/PR/base...'
    required: false
    default: 'rounds'
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
`;await runAction(perfCommentCommand,action_default);
