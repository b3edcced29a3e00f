import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
var action_default=`name: 'ci-optimizer test-filter'
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
`;export{action_default};
