import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{action_default as action_default2}from"../chunks/chunk-A5RH56AA.js";import{createTestPlanCommand}from"../chunks/chunk-CD3PAO2Y.js";import"../chunks/chunk-4RQC4IRV.js";import{action_default}from"../chunks/chunk-FZCEQQD5.js";import"../chunks/chunk-3PAFHHER.js";import"../chunks/chunk-OGWRINYM.js";import"../chunks/chunk-SBX5H54G.js";import"../chunks/chunk-6GEYS663.js";import"../chunks/chunk-QFJU5QM4.js";import"../chunks/chunk-CJEGP6Y3.js";import"../chunks/chunk-FMJBS4LA.js";import"../chunks/chunk-HU6ZTLZD.js";import{runAction}from"../chunks/chunk-6VK4OOXD.js";import"../chunks/chunk-YSERSKIG.js";import"../chunks/chunk-Y6R66KAF.js";import"../chunks/chunk-QQFMQDA4.js";import"../chunks/chunk-CY6WDTSA.js";var action_default3=`name: 'ci-optimizer test plan'
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
`;await runAction(createTestPlanCommand({testFilterYml:action_default,testPredictorYml:action_default2}),action_default3);
