#!/usr/bin/env node
// test-filter's selection time on a real project of a few hundred Python files, cold (no graph cache) and warm (the
// cache of the previous commit, as a pull request after main finds it), against `git diff --name-only` over the same
// commits in the same run; every selection runs in its own process, as the action does, and is timed from its first
// git call to the answer (module loading is the cold-start bench's business). Wall and CPU time are both printed: on a
// shared machine wall time is mostly waiting for a core, and the ratio to git diff (which waits the same way) is the
// figure to compare.
//
// Input: a Python package copied into a scratch git repository (base commit, then two commits that each append one
// line to one module). By default numpy as Debian's python3-numpy installs it (482 .py files, 192 test files, 9 MB),
// found through the system python3 (`apt-get install python3-numpy` re-creates it); BENCH_SPEED_PACKAGE=<importable
// name> picks another installed package, BENCH_SPEED_DIR=<folder> copies a folder instead (e.g. a checkout of one of
// the corpus projects, bench/real-world/README.md), BENCH_SPEED_PYTHON the interpreter. BENCH_SPEED_ROOT=<checkout of
// this repository> measures another version of the selection code on the same input (before/after figures).
// Usage: node bench/selection-speed.mjs [--quick]   (npm run bench -- --only selection-speed)
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(process.env.BENCH_SPEED_ROOT ?? join(dirname(SELF), '..'));

/** One selection in this process; prints its time, CPU time and the selection. */
async function child(repo, base, head, storeDir) {
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
  const start = performance.now();
  const changes = await diffChangedFiles(repo, base, head);
  const selection = await selectAffectedTests({
    repoDir: repo,
    head,
    changes,
    options,
    pack,
    cache: storeDir === '-' ? undefined : directoryGraphCacheStore(storeDir),
  });
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const { tests, runAll, reasons, explanations, distances, totalCount, stats } = selection;
  process.stdout.write(
    JSON.stringify({
      ms,
      cpuMs: (used.user + used.system) / 1000,
      parsed: stats.parsedFiles,
      selection: { tests, runAll, reasons, explanations, distances, totalCount },
    }),
  );
}

function runChild(repo, base, head, storeDir) {
  return JSON.parse(
    execFileSync(process.execPath, [SELF, '--child', repo, base, head, storeDir], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    }),
  );
}

/** `git diff --name-only` over the same commits, timed the same way (wall and CPU of the child). */
function gitDiff(repo, base, head) {
  const start = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%U %S', 'git', 'diff', '--name-only', base, head], {
    cwd: repo,
    encoding: 'utf8',
  });
  const ms = performance.now() - start;
  const [user, system] = (result.stderr ?? '').trim().split('\n').pop().split(' ').map(Number);
  return { ms, cpuMs: Number.isFinite(user + system) ? (user + system) * 1000 : undefined };
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
      return `| ${label} (median of ${runs.length}) | ${ms.toFixed(0)} ms | ${(ms / gitMs).toFixed(1)}x | ${cpu.toFixed(0)} ms | ${Number.isFinite(gitCpu) && gitCpu > 0 ? `${(cpu / gitCpu).toFixed(0)}x` : 'n/a'} | ${runs[0].parsed} |`;
    };
    const selection = warm[0].selection;
    console.log(
      `test-filter selection speed: ${project.name} (${project.python} Python files) in a scratch repository; changes to ${project.changed.join(', ')}`,
    );
    console.log(
      `selection for the second change: ${selection.runAll ? 'every test (run-all)' : `${selection.tests.length} of ${selection.totalCount} test files`}${selection.runAll ? ` — ${selection.reasons[0]}` : ''}\n`,
    );
    console.log('| run | wall | vs git diff | CPU | CPU vs git diff | files parsed |');
    console.log('|---|---:|---:|---:|---:|---:|');
    console.log(
      `| git diff --name-only (reference, median of ${git.length}) | ${gitMs.toFixed(1)} ms | 1.0x | ${Number.isFinite(gitCpu) ? `${gitCpu.toFixed(0)} ms` : 'n/a'} | 1x | |`,
    );
    console.log(row('cold (no cache)', cold));
    console.log(row('warm (cache of the previous commit)', warm));
    console.log(row('warm (cache of the same tree)', same));
    const coldMs = median(cold.map((r) => r.ms));
    const warmMs = median(warm.map((r) => r.ms));
    console.log(
      `\nTargets (issue 13): cold < 1 s: ${coldMs < 1000 ? 'met' : 'NOT met'} (wall); warm < 150 ms: ${warmMs < 150 ? 'met' : 'NOT met'} (wall).`,
    );
    console.log(
      `Selections: cold, warm and warm-same-tree ${failed ? 'DIFFER from' : 'are identical to'} the uncached selection of the same commits.`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const path of stores) rmSync(path, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

if (process.argv[2] === '--child') await child(...process.argv.slice(3, 7));
else await main();
