import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
var action_default=`name: 'ci-optimizer test-predictor'
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
`;export{action_default};
