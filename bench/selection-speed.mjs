#!/usr/bin/env node
// test-filter's selection time on a real project of a few hundred Python files, cold (no graph cache) and warm (the
// cache of the previous commit, as a pull request after main finds it), against `git diff --name-only` over the same
// commits in the same run; every selection runs in its own process, as the action does, and is timed from its first
// git call to the answer (module loading is the cold-start bench's business). Wall and CPU time are both printed: on a
// shared machine wall time is mostly waiting for a core, and the ratio to git diff (which waits the same way) is the
// figure to compare.
//
// The code timed is the shipped action: dist/test-filter/index.js, its chunks and its parsing worker (the worker loads
// the bundle's chunk, as on the runner), run with its inputs in INPUT_* variables and timed by
// selection-speed.timer.mjs from the action's first git call to the process's exit (outputs and summary written).
// BENCH_SPEED_CODE=sources times the TypeScript sources instead (run through Node's type stripping, from the first git
// call to the selection): their worker threads each load Node's TypeScript loader as well, which the action does not.
// Until session 10 the bench timed the sources only; `npm run bundle` before measuring changed sources.
//
// Input: a Python package copied into a scratch git repository (base commit, then two commits that each append one
// line to one module). By default numpy as Debian's python3-numpy installs it (482 .py files, 192 test files, 9 MB),
// found through the system python3 (`apt-get install python3-numpy` re-creates it); BENCH_SPEED_PACKAGE=<importable
// name> picks another installed package (many ship no tests: the bench then says that nothing could be selected), BENCH_SPEED_DIR=<folder> copies a folder instead (e.g. a checkout of one of
// the corpus projects, bench/real-world/README.md), BENCH_SPEED_PYTHON the interpreter. BENCH_SPEED_ROOT=<checkout of
// this repository> measures another version of the selection code on the same input (before/after figures).
// Usage: node bench/selection-speed.mjs [--quick]   (npm run bench -- --only selection-speed)
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runnerEnvironment } from './runner-environment.mjs';

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(process.env.BENCH_SPEED_ROOT ?? join(dirname(SELF), '..'));

/** One selection in this process; prints its time, CPU time and the selection (narrowed by the map in `mapDir`, if any). */
async function child(repo, base, head, storeDir, mapDir) {
  const load = (path) => import(pathToFileURL(join(ROOT, 'packages/core/src', path)).href);
  // The layout since the language packs (git/, languages/python/); an older checkout (BENCH_SPEED_ROOT) has the
  // git reads in test-filter/ and no pack.
  const packed = existsSync(join(ROOT, 'packages/core/src/languages/python/pack.ts'));
  const { selectAffectedTests } = await load('test-filter/select-tests.ts');
  const { diffChangedFiles } = await load(packed ? 'git/git-objects.ts' : 'test-filter/git-objects.ts');
  const { resolveTestFilterOptions } = await load('test-filter/options.ts');
  const { directoryGraphCacheStore } = await load('test-filter/graph-cache.ts');
  const pack = packed ? (await load('languages/python/pack.ts')).pythonPack : undefined;
  const options = resolveTestFilterOptions({});
  const cpu = process.cpuUsage();
  const thread = process.threadCpuUsage?.();
  const start = performance.now();
  const changes = await diffChangedFiles(repo, base, head);
  const request = {
    repoDir: repo,
    head,
    changes,
    options,
    pack,
    cache: storeDir === '-' ? undefined : directoryGraphCacheStore(storeDir),
  };
  let selection;
  if (mapDir) {
    // As `test-filter --mode select` does with a store: the static selection, then the impact map's narrowing.
    const { selectTestsForChange } = await load('impact-map/index.ts');
    const { DirStore } = await load('store/index.ts');
    selection = (await selectTestsForChange(request, { map: () => ({ store: new DirStore(mapDir) }) })).selection;
  } else selection = await selectAffectedTests(request);
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const mainUsed = thread ? process.threadCpuUsage(thread) : undefined;
  const { tests, runAll, reasons, explanations, distances, totalCount, stats, impactMap } = selection;
  process.stdout.write(
    JSON.stringify({
      ms,
      cpuMs: (used.user + used.system) / 1000,
      // The main thread's share (the rest: worker threads parsing beside it, V8's compiler and GC threads).
      mainCpuMs: mainUsed ? (mainUsed.user + mainUsed.system) / 1000 : undefined,
      parsed: `${stats.parsedFiles} (${stats.scannedFiles ?? 0} scanned)`,
      selection: { tests, runAll, reasons, explanations, distances, totalCount, map: impactMap?.reason },
    }),
  );
}

/** Learns the impact map of `commit` from a coverage file into the `dir:` store `mapDir` (the corpus part). */
async function learnChild(repo, commit, coverage, mapDir) {
  const load = (path) => import(pathToFileURL(join(ROOT, 'packages/core/src', path)).href);
  const { learnImpactMapIntoStore } = await load('impact-map/index.ts');
  const { DirStore } = await load('store/index.ts');
  const { pythonPack } = await load('languages/python/pack.ts');
  await learnImpactMapIntoStore({
    repoDir: repo,
    coveragePath: coverage,
    pack: pythonPack,
    store: new DirStore(mapDir),
    commit,
  });
}

// The sources are TypeScript with parameter properties: Node's type stripping alone does not run them.
const NODE_FLAGS = ['--experimental-transform-types', '--no-warnings'];

/**
 * Which code a selection runs: `bundle` (default) the shipped action, dist/test-filter/index.js with its chunks and
 * worker (as the runner runs it; `npm run bundle` first when the sources changed), `sources` the TypeScript sources
 * through Node's type stripping (BENCH_SPEED_CODE=sources; each worker thread then also loads the TypeScript loader,
 * some 0.2-0.9 s of CPU the action never pays). The impact-map part runs the sources either way.
 */
const CODE = process.env.BENCH_SPEED_CODE ?? 'bundle';
if (!['bundle', 'sources'].includes(CODE))
  throw new Error(`BENCH_SPEED_CODE is '${CODE}': use bundle (the shipped dist/test-filter) or sources.`);

/**
 * The selection as the shipped action gives it: `node dist/test-filter/index.js` with the inputs in INPUT_* variables
 * (as the runner passes them), the graph cache in the `dir:` store `storeDir` (or none for '-'), timed by
 * selection-speed.timer.mjs from its first git call to the process's exit. The selection is read from its outputs; a
 * failed step's answer is its error (setuptools and pygments as installed have no test files).
 */
function runBundledAction(repo, base, head, storeDir) {
  const scratch = mkdtempSync(join(tmpdir(), 'ci-opt-bench-speed-run-'));
  try {
    /** @type {Record<string, string>} */
    const env = {
      ...runnerEnvironment(scratch, repo),
      INPUT_REPO: repo,
      INPUT_BASE: base,
      INPUT_HEAD: head,
      INPUT_STORE: storeDir === '-' ? 'none' : `dir:${storeDir}`,
      BENCH_SPEED_TIMES: join(scratch, 'times.json'),
    };
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        pathToFileURL(join(dirname(SELF), 'selection-speed.timer.mjs')).href,
        join(ROOT, 'dist/test-filter/index.js'),
      ],
      { cwd: repo, env, encoding: 'utf8', maxBuffer: 1 << 28 },
    );
    if (!existsSync(env.BENCH_SPEED_TIMES))
      throw new Error(`dist/test-filter/index.js did not run to its end (exit ${result.status}): ${result.stderr}`);
    // name<<delimiter, the value's lines, delimiter (as @actions/core writes each output).
    const outputs = {};
    const lines = readFileSync(env.GITHUB_OUTPUT, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const [name, delimiter] = lines[i].split('<<');
      if (!delimiter) continue;
      const end = lines.indexOf(delimiter, i + 1);
      outputs[name] = lines.slice(i + 1, end).join('\n');
      i = end;
    }
    const error = (result.stdout.match(/^::error::(.*)$/m) ?? [])[1];
    const metrics = outputs.metrics ? JSON.parse(outputs.metrics) : {};
    const selection = error
      ? { error }
      : {
          tests: JSON.parse(outputs['tests-json']),
          runAll: outputs['run-all'] === 'true',
          // A list of strings is written one a line.
          reasons: outputs.reasons ? outputs.reasons.split('\n') : [],
          explanations: JSON.parse(outputs['reasons-by-test']),
          totalCount: Number(outputs['total-count']),
          map: outputs['impact-map-reason'],
        };
    return {
      ...JSON.parse(readFileSync(env.BENCH_SPEED_TIMES, 'utf8')),
      parsed:
        metrics.counters?.['parsed-files'] === undefined
          ? 'n/a'
          : `${metrics.counters['parsed-files']} (${metrics.counters['scanned-files'] ?? 0} scanned)`,
      selection,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function runChild(repo, base, head, storeDir, mapDir) {
  if (CODE === 'bundle' && !mapDir) return runBundledAction(repo, base, head, storeDir);
  return JSON.parse(
    execFileSync(
      process.execPath,
      [...NODE_FLAGS, SELF, '--child', repo, base, head, storeDir, ...(mapDir ? [mapDir] : [])],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      },
    ),
  );
}

/**
 * `git diff --name-only` over the same commits, timed the same way: the wall time of one call, and the CPU time of one
 * call measured over `GIT_CPU_BATCH` calls in one shell (a single call is below the 10 ms that `time` resolves).
 */
const GIT_CPU_BATCH = 20;
function gitDiff(repo, base, head) {
  const start = performance.now();
  spawnSync('git', ['diff', '--name-only', base, head], { cwd: repo, encoding: 'utf8' });
  const ms = performance.now() - start;
  const loop = `for i in $(seq ${GIT_CPU_BATCH}); do git diff --name-only "$0" "$1" >/dev/null; done`;
  const result = spawnSync('/usr/bin/time', ['-f', '%U %S', 'sh', '-c', loop, base, head], {
    cwd: repo,
    encoding: 'utf8',
  });
  const [user, system] = (result.stderr ?? '').trim().split('\n').pop().split(' ').map(Number);
  return { ms, cpuMs: Number.isFinite(user + system) ? ((user + system) * 1000) / GIT_CPU_BATCH : undefined };
}

/** The scratch repository: the package's files, then two commits that each change one module. */
function makeProject(dir) {
  let source = process.env.BENCH_SPEED_DIR;
  const name = source ? basename(resolve(source)) : (process.env.BENCH_SPEED_PACKAGE ?? 'numpy');
  if (!source) {
    const python = process.env.BENCH_SPEED_PYTHON ?? '/usr/bin/python3';
    source = execFileSync(python, ['-c', `import os, ${name}; print(os.path.dirname(${name}.__file__))`], {
      encoding: 'utf8',
    }).trim();
  }
  cpSync(source, join(dir, name), {
    recursive: true,
    filter: (path) => !/(^|\/)(__pycache__|\.git)$/.test(path) && !path.endsWith('.so') && !path.endsWith('.pyc'),
  });
  const git = (...args) =>
    execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.invalid', ...args], {
      cwd: dir,
      encoding: 'utf8',
    }).trim();
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'base');
  const modules = [];
  const walk = (folder) => {
    for (const item of readdirSync(join(dir, folder)).sort()) {
      const rel = `${folder}/${item}`;
      if (statSync(join(dir, rel)).isDirectory()) walk(rel);
      else if (item.endsWith('.py') && !item.startsWith('test') && !rel.includes('/tests/') && item !== '__init__.py')
        modules.push(rel);
    }
  };
  walk(name);
  const changed = [0.3, 0.6].map((fraction) => modules[Math.floor(modules.length * fraction)]);
  for (const path of changed) {
    appendFileSync(join(dir, path), '\n_BENCH_CHANGE = 1\n');
    git('commit', '-qam', `change ${path}`);
  }
  const files = git('ls-files').split('\n');
  const rev = (r) => git('rev-parse', r);
  return {
    name,
    base: rev('main~2'),
    head1: rev('main~1'),
    head2: rev('main'),
    python: files.filter((f) => f.endsWith('.py')).length,
    changed,
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * The same with the impact map, on projects of the real-world corpus (bench/real-world/README.md; read only: git
 * objects of the clone and its coverage.json): the map learned on the pinned commit, then per mutant `--mode select`
 * from the pinned commit to the mutant, cold (empty graph cache) and warm (the graph cache of the pinned commit's tree,
 * as a pull request after main finds it), each against `git diff --name-only` of the same commits. Every cached
 * selection must equal the one without a graph cache. Returns false when one differs.
 */
function measureWithMap(quick, store) {
  const corpus = process.env.CI_OPTIMIZER_CORPUS;
  const names = (process.env.BENCH_SPEED_MAP_PROJECTS ?? 'more-itertools,sortedcontainers').split(',').filter(Boolean);
  console.log(
    '\n### With the impact map (real-world corpus: learned on the pinned commit, one mutant per selection)\n',
  );
  if (!corpus) {
    console.log(
      'Not measured: set CI_OPTIMIZER_CORPUS to the corpus folder (bench/real-world/README.md says how to make it).',
    );
    return true;
  }
  const catalogue = JSON.parse(readFileSync(join(dirname(SELF), 'real-world', 'projects.json'), 'utf8')).projects;
  const perProject = quick ? 3 : 6;
  let same = true;
  const lines = [];
  for (const name of names) {
    const project = catalogue.find((p) => p.name === name);
    const repo = join(corpus, name, 'repo');
    const coverage = join(corpus, name, 'coverage.json');
    const records = project
      ? readFileSync(join(dirname(SELF), 'real-world', name, 'mutants.jsonl'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line))
      : [];
    const has = (commit) => spawnSync('git', ['-C', repo, 'cat-file', '-e', `${commit}^{commit}`]).status === 0;
    if (!project || !existsSync(coverage) || !has(project.commit)) {
      lines.push(`| ${name} | not measured: no project, clone or coverage.json in the corpus folder | | | | | |`);
      continue;
    }
    const mutants = records.filter((r) => has(r.commit)).slice(0, perProject);
    const mapDir = store();
    execFileSync(process.execPath, [...NODE_FLAGS, SELF, '--learn', repo, project.commit, coverage, mapDir]);
    const git = mutants.map((m) => {
      const runs = Array.from({ length: 5 }, () => gitDiff(repo, project.commit, m.commit));
      return { ms: median(runs.map((r) => r.ms)), cpuMs: median(runs.map((r) => r.cpuMs ?? Number.NaN)) };
    });
    const cold = mutants.map((m) => runChild(repo, project.commit, m.commit, store(), mapDir));
    // The graph cache of the pinned commit's tree (a selection with no change saves it).
    const warmStore = store();
    runChild(repo, project.commit, project.commit, warmStore, mapDir);
    const warm = mutants.map((m) => runChild(repo, project.commit, m.commit, warmStore, mapDir));
    mutants.forEach((m, i) => {
      const reference = runChild(repo, project.commit, m.commit, '-', mapDir).selection;
      for (const [label, run] of [
        ['cold', cold[i]],
        ['warm', warm[i]],
      ]) {
        if (!isDeepStrictEqual(run.selection, reference)) {
          same = false;
          console.error(`MISMATCH: ${name} ${m.id}: the ${label} selection differs from the one without a graph cache`);
        }
      }
    });
    const files = execFileSync('git', ['-C', repo, 'ls-tree', '-r', '--name-only', project.commit], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter((f) => f.endsWith('.py')).length;
    // Medians of each selection over git diff of the same commits (wall and CPU).
    const ratio = (runs, key) => median(runs.map((r, k) => r[key] / git[k][key]));
    const cell = (runs, key) => `${median(runs.map((r) => r[key])).toFixed(0)} ms (${ratio(runs, key).toFixed(0)}x)`;
    const narrowed = warm.filter((r) => /^narrowed/.test(r.selection.map ?? '')).length;
    lines.push(
      `| ${name} (${files} Python files) | ${mutants.length} (${narrowed} narrowed) | ` +
        `${median(git.map((g) => g.ms)).toFixed(1)} ms / ${median(git.map((g) => g.cpuMs)).toFixed(1)} ms | ` +
        `${cell(cold, 'ms')} | ${cell(cold, 'cpuMs')} | ${cell(warm, 'ms')} | ${cell(warm, 'cpuMs')} |`,
    );
  }
  console.log(
    '| project | mutants (map narrowed) | git diff --name-only: wall / CPU (reference) | cold wall (vs git diff) | cold CPU (vs git diff) | warm wall (vs git diff) | warm CPU (vs git diff) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const line of lines) console.log(line);
  console.log(
    `\nMedians over the mutants; each ratio is the median of selection / git diff of the same commits. Selections: cold and warm ${same ? 'are identical to' : 'DIFFER from'} the selection without a graph cache.`,
  );
  return same;
}

async function main() {
  const quick = process.argv.includes('--quick');
  const [coldRuns, warmRuns, gitRuns] = quick ? [1, 3, 9] : [3, 5, 15];
  const dir = mkdtempSync(join(tmpdir(), 'ci-opt-bench-speed-'));
  const stores = [];
  const store = () => {
    const path = mkdtempSync(join(tmpdir(), 'ci-opt-bench-speed-store-'));
    stores.push(path);
    return path;
  };
  let failed = false;
  try {
    const project = makeProject(dir);
    const { base, head1, head2 } = project;
    const git = Array.from({ length: gitRuns }, () => gitDiff(dir, base, head2));
    // Cold: an empty cache each time (the graph of head1 is saved). Warm: the cache of head1, selecting head2 (one
    // module differs, so one file is parsed) — and the same again on a cache of head2 itself (nothing to parse).
    const cold = [];
    let warmStore;
    for (let i = 0; i < coldRuns; i++) {
      warmStore = store();
      cold.push(runChild(dir, base, head1, warmStore));
    }
    const warm = Array.from({ length: warmRuns }, () => runChild(dir, base, head2, warmStore));
    const sameStore = store();
    runChild(dir, base, head2, sameStore);
    const same = Array.from({ length: warmRuns }, () => runChild(dir, base, head2, sameStore));
    // The warm answer must be exactly what a run without any cache gives (tests, reasons, explanations, distances).
    const uncached = runChild(dir, base, head2, '-');
    const uncachedHead1 = runChild(dir, base, head1, '-');
    for (const [label, runs, reference] of [
      ['cold', cold, uncachedHead1],
      ['warm', warm, uncached],
      ['warm, same tree', same, uncached],
    ]) {
      for (const run of runs) {
        if (!isDeepStrictEqual(run.selection, reference.selection)) {
          failed = true;
          console.error(`MISMATCH: the ${label} selection differs from the uncached one`);
        }
      }
    }
    const gitMs = median(git.map((g) => g.ms));
    const gitCpu = median(git.map((g) => g.cpuMs ?? Number.NaN));
    const row = (label, runs) => {
      const ms = median(runs.map((r) => r.ms));
      const cpu = median(runs.map((r) => r.cpuMs));
      const main = median(runs.map((r) => r.mainCpuMs ?? Number.NaN));
      return `| ${label} (median of ${runs.length}) | ${ms.toFixed(0)} ms | ${(ms / gitMs).toFixed(1)}x | ${cpu.toFixed(0)} ms | ${Number.isFinite(gitCpu) && gitCpu > 0 ? `${(cpu / gitCpu).toFixed(0)}x` : 'n/a'} | ${Number.isFinite(main) ? `${main.toFixed(0)} ms` : 'n/a'} | ${runs[0].parsed} |`;
    };
    const selection = warm[0].selection;
    console.log(
      `test-filter selection speed: ${project.name} (${project.python} Python files) in a scratch repository; changes to ${project.changed.join(', ')}`,
    );
    // An installed package often ships no tests (setuptools, pygments): nothing can be selected, but the selection does
    // all its work (graph, callers, closure) all the same.
    const noTests =
      selection.totalCount === 0
        ? ` — ${project.name} as copied here has no test files, so nothing can be selected; the times still cover the whole selection (graph, callers of computed imports, closure). BENCH_SPEED_DIR=<a checkout with its tests> measures a project with tests`
        : '';
    console.log(
      CODE === 'bundle'
        ? 'code: the shipped action, dist/test-filter/index.js (first git call to exit)'
        : 'code: the TypeScript sources (BENCH_SPEED_CODE=sources; first git call to the selection)',
    );
    console.log(
      `selection for the second change: ${selection.error ? `none, the step fails: ${selection.error}` : selection.runAll ? 'every test (run-all)' : `${selection.tests.length} of ${selection.totalCount} test files`}${selection.runAll ? ` — ${selection.reasons[0]}` : selection.error ? '' : noTests}\n`,
    );
    console.log('| run | wall | vs git diff | CPU | CPU vs git diff | main thread CPU | files read (scanned) |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    console.log(
      `| git diff --name-only (reference, median of ${git.length}) | ${gitMs.toFixed(1)} ms | 1.0x | ${Number.isFinite(gitCpu) ? `${gitCpu.toFixed(1)} ms` : 'n/a'} | 1x | | |`,
    );
    console.log(row('cold (no cache)', cold));
    console.log(row('warm (cache of the previous commit)', warm));
    console.log(row('warm (cache of the same tree)', same));
    const coldMs = median(cold.map((r) => r.ms));
    const warmMs = median(warm.map((r) => r.ms));
    console.log(
      `\nCPU counts every thread of the process (worker threads parsing beside the main thread, V8's compiler and GC ` +
        `threads); with a free core for each parsing worker (${availableParallelism()} cores here), a cold run's wall ` +
        `time would be about its main thread's CPU.`,
    );
    console.log(
      `\nTargets (issue 13): cold < 1 s: ${coldMs < 1000 ? 'met' : 'NOT met'} (wall); warm < 150 ms: ${warmMs < 150 ? 'met' : 'NOT met'} (wall).`,
    );
    console.log(
      `Selections: cold, warm and warm-same-tree ${failed ? 'DIFFER from' : 'are identical to'} the uncached selection of the same commits.`,
    );
    if (!measureWithMap(quick, store)) failed = true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const path of stores) rmSync(path, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

if (process.argv[2] === '--child') await child(...process.argv.slice(3, 8));
else if (process.argv[2] === '--learn') await learnChild(...process.argv.slice(3, 7));
else await main();
