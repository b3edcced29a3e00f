import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{reportCommand}from"../chunks/chunk-GWUM4PTS.js";import"../chunks/chunk-6GEYS663.js";import"../chunks/chunk-QFJU5QM4.js";import{runAction}from"../chunks/chunk-5YO7KJL7.js";import"../chunks/chunk-YSERSKIG.js";import"../chunks/chunk-Y6R66KAF.js";import"../chunks/chunk-QQFMQDA4.js";import"../chunks/chunk-CY6WDTSA.js";var action_default=`name: 'ci-optimizer report'
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
`;await runAction(reportCommand,action_default);
