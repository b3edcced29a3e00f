#!/usr/bin/env node
// Impact map speed and size on a generated 5,000-test suite: learning from coverage JSON and from the .coverage
// SQLite file, against reading the coverage file alone (JSON.parse), and selecting with the map, against the static
// selection it narrows. Usage: node bench/impact-map.mjs [--quick]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { loadCore } from './impact-map.load.mjs';
import { seededRandom as random } from '../packages/core/src/model/seeded-random.ts';

const quick = process.argv.includes('--quick');
const MODULES = quick ? 60 : 300;
const FUNCTIONS = 20;
const TEST_FILES = quick ? 100 : 500;
const TESTS_PER_FILE = 10;
const FUNCTIONS_PER_TEST = 40;

const git = (cwd, ...args) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 }).trim();
const write = (root, path, text) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};
async function time(fn, repeat = 1) {
  let best = Infinity;
  let result;
  for (let i = 0; i < repeat; i++) {
    const started = process.hrtime.bigint();
    result = await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { ms: best, result };
}

/** Function j of a module: `def f_j(x):` on line 1 + 5j, its three body lines after it. */
const functionLines = (j) => [2 + 5 * j, 3 + 5 * j, 4 + 5 * j];

function generate(root) {
  const next = random(11);
  write(root, 'pytest.ini', '[pytest]\ntestpaths = tests\n');
  write(
    root,
    'pkg/__init__.py',
    Array.from({ length: MODULES }, (_, i) => `from .m${i} import *  # noqa`).join('\n') + '\n',
  );
  for (let i = 0; i < MODULES; i++) {
    const lines = [];
    for (let j = 0; j < FUNCTIONS; j++)
      lines.push(`def f_${i}_${j}(x):`, `    y = x + ${j}`, `    y = y * ${i + 1}`, `    return y`, '');
    write(root, `pkg/m${i}.py`, `${lines.join('\n')}\n`);
  }
  // Coverage data: per module file, per line, the contexts (tests) that executed it.
  const files = new Map();
  const linesOf = (module, context) => {
    let byContext = files.get(module);
    if (!byContext) files.set(module, (byContext = new Map()));
    let lines = byContext.get(context);
    if (!lines) byContext.set(context, (lines = new Set()));
    return lines;
  };
  for (let i = 0; i < MODULES; i++) for (let j = 0; j < FUNCTIONS; j++) linesOf(i, '').add(1 + 5 * j);
  for (let f = 0; f < TEST_FILES; f++) {
    write(
      root,
      `tests/test_f${f}.py`,
      `import pkg\n\n${Array.from({ length: TESTS_PER_FILE }, (_, t) => `def test_${t}():\n    assert pkg\n`).join('\n')}`,
    );
    // Tests of a file mostly exercise a few neighbouring modules, as real suites do.
    const home = Math.floor(next() * MODULES);
    for (let t = 0; t < TESTS_PER_FILE; t++) {
      const context = `tests/test_f${f}.py::test_${t}|run`;
      for (let k = 0; k < FUNCTIONS_PER_TEST; k++) {
        const module = next() < 0.8 ? (home + Math.floor(next() * 5)) % MODULES : Math.floor(next() * MODULES);
        const fn = Math.floor(next() * FUNCTIONS);
        for (const line of functionLines(fn)) linesOf(module, context).add(line);
      }
    }
  }
  const json = { meta: { version: '7.4.0', show_contexts: true }, files: {} };
  for (const [module, byContext] of files) {
    const contexts = {};
    for (const [context, lines] of byContext) for (const line of lines) (contexts[line] ??= []).push(context);
    json.files[`pkg/m${module}.py`] = { executed_lines: Object.keys(contexts).map(Number), contexts };
  }
  writeFileSync(join(root, '..', 'coverage.json'), JSON.stringify(json));
  const db = new DatabaseSync(join(root, '..', '.coverage'));
  db.exec(`create table coverage_schema (version integer); insert into coverage_schema values (7);
    create table meta (key text, value text, unique (key)); insert into meta values ('version', '7.4.0'), ('has_arcs', '0');
    create table file (id integer primary key, path text, unique (path));
    create table context (id integer primary key, context text, unique (context));
    create table line_bits (file_id integer, context_id integer, numbits blob, unique (file_id, context_id));`);
  const contextIds = new Map();
  const insertContext = db.prepare('insert into context (id, context) values (?, ?)');
  const insertFile = db.prepare('insert into file (id, path) values (?, ?)');
  const insertBits = db.prepare('insert into line_bits values (?, ?, ?)');
  db.exec('begin');
  for (const [module, byContext] of files) {
    insertFile.run(module + 1, join(root, `pkg/m${module}.py`));
    for (const [context, lines] of byContext) {
      if (!contextIds.has(context)) {
        contextIds.set(context, contextIds.size + 1);
        insertContext.run(contextIds.size, context);
      }
      const bits = new Uint8Array((Math.max(...lines) >> 3) + 1);
      for (const line of lines) bits[line >> 3] |= 1 << (line & 7);
      insertBits.run(module + 1, contextIds.get(context), bits);
    }
  }
  db.exec('commit');
  db.close();
}

const core = await loadCore();
const { impactMap, testFilter, testFilterOptions, gitObjects } = core;
const root = mkdtempSync(join(tmpdir(), 'ci-opt-impact-bench-'));
try {
  const repo = join(root, 'repo');
  mkdirSync(repo);
  generate(repo);
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'user.email', 'bench@example.invalid');
  git(repo, 'config', 'user.name', 'bench');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'base');
  const jsonFile = join(root, 'coverage.json');
  const sqliteFile = join(root, '.coverage');

  const parseOnly = await time(() => JSON.parse(readFileSync(jsonFile, 'utf8')), 3);
  const learnJson = await time(
    async () =>
      impactMap.learnImpactMap({
        pack: core.python.pythonPack,
        repoDir: repo,
        coverage: await core.python.readCoverageContexts(jsonFile),
      }),
    2,
  );
  const learnSqlite = await time(
    async () =>
      impactMap.learnImpactMap({
        pack: core.python.pythonPack,
        repoDir: repo,
        coverage: await core.python.readCoverageContexts(sqliteFile),
      }),
    2,
  );
  const map = learnJson.result;
  const mapText = JSON.stringify(map);

  const path = join(repo, 'pkg/m7.py');
  writeFileSync(path, readFileSync(path, 'utf8').replace('    y = y * 8\n', '    y = y * 9\n'));
  git(repo, 'commit', '-q', '-am', 'body change');
  const head = git(repo, 'rev-parse', 'HEAD');
  const request = {
    pack: core.python.pythonPack,
    repoDir: repo,
    head,
    changes: await gitObjects.diffChangedFiles(repo, map.commit, head),
    options: testFilterOptions.resolveTestFilterOptions({}),
  };
  const staticRun = await time(() => testFilter.selectAffectedTests(request), 2);
  const loadMap = await time(() => JSON.parse(mapText), 3);
  const narrow = await time(
    () =>
      impactMap.selectWithImpactMap({ request, map, staticSelection: staticRun.result, now: new Date(map.createdAt) }),
    3,
  );

  const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  const ms = (x) => `${x.toFixed(0)} ms`;
  const tests = TEST_FILES * TESTS_PER_FILE;
  console.log(
    `Generated: ${MODULES} modules x ${FUNCTIONS} functions, ${TEST_FILES} test files / ${tests} tests, ${FUNCTIONS_PER_TEST} functions per test.`,
  );
  console.log(
    `Coverage JSON ${mb(statSync(jsonFile).size)}, .coverage ${mb(statSync(sqliteFile).size)}; map ${mb(mapText.length)} (${map.tests.length} test files).\n`,
  );
  console.log('| step | time | reference | ratio |');
  console.log('|---|---:|---:|---:|');
  console.log(
    `| learn from coverage JSON (read + map) | ${ms(learnJson.ms)} | JSON.parse of the coverage file ${ms(parseOnly.ms)} | ${(learnJson.ms / parseOnly.ms).toFixed(1)}x |`,
  );
  console.log(
    `| learn from .coverage SQLite (node:sqlite) | ${ms(learnSqlite.ms)} | JSON.parse of the coverage file ${ms(parseOnly.ms)} | ${(learnSqlite.ms / parseOnly.ms).toFixed(1)}x |`,
  );
  console.log(
    `| select with the map (load + narrow) | ${ms(loadMap.ms + narrow.ms)} | static selection ${ms(staticRun.ms)} | ${((loadMap.ms + narrow.ms) / staticRun.ms).toFixed(2)}x |`,
  );
  console.log(
    `\nOne function body changed: static selection ${staticRun.result.tests.length} test files, with the map ${narrow.result.tests.length}.`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
