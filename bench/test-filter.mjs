#!/usr/bin/env node
// test-filter selection time and peak memory on a generated repository (20,000 modules, 5,000 test files by
// default), cold (empty graph cache) and warm (cache of an earlier commit), against `git diff --name-only` on the
// same repository in the same run; then the same on a real project of a few hundred files: a library's installed
// package with its own tests (numpy as Debian packages it, found through the system python3; override with
// BENCH_TF_PACKAGE=<importable name>), copied into a scratch git repository with two one-module changes. Node 24
// (npm scripts). Usage: node bench/test-filter.mjs [--quick] [--real-only]
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);

/** One selection in this process: diff + graph + select, timed from the first git call to the answer. */
async function child(repo, base, head, storeDir) {
  const core = (file) => import(pathToFileURL(join(ROOT, 'packages/core/src/test-filter', file)).href);
  const { selectAffectedTests } = await core('select-tests.ts');
  const { diffChangedFiles } = await import(pathToFileURL(join(ROOT, 'packages/core/src/git/git-objects.ts')).href);
  const { resolveTestFilterOptions } = await core('options.ts');
  const { directoryGraphCacheStore } = await core('graph-cache.ts');
  const { pythonPack } = await import(pathToFileURL(join(ROOT, 'packages/core/src/languages/python/index.ts')).href);
  const options = resolveTestFilterOptions({});
  const phases = {};
  const start = performance.now();
  const changes = await diffChangedFiles(repo, base, head);
  phases.diff = performance.now() - start;
  const selection = await selectAffectedTests({
    pack: pythonPack,
    repoDir: repo,
    head,
    changes,
    options,
    cache: directoryGraphCacheStore(storeDir),
    phase: async (name, fn) => {
      const t = performance.now();
      try {
        return await fn();
      } finally {
        phases[name] = performance.now() - t;
      }
    },
  });
  const ms = performance.now() - start;
  process.stdout.write(
    JSON.stringify({
      ms,
      phases,
      maxRssKb: process.resourceUsage().maxRSS,
      selected: selection.tests.length,
      total: selection.totalCount,
      runAll: selection.runAll,
      parsed: selection.stats.parsedFiles,
    }),
  );
}

/** Writes the repository with git fast-import: base commit, then two commits that each change one module. */
function generate(dir, packages, modulesPerPackage, testsPerPackage) {
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  const lines = [];
  let mark = 0;
  const blob = (text) => {
    mark += 1;
    lines.push('blob', `mark :${mark}`, `data ${Buffer.byteLength(text)}`, text);
    return mark;
  };
  const files = [];
  const moduleText = (p, m, variant) => {
    const imports = [];
    if (m % 10 !== 9 && m + 1 < modulesPerPackage) imports.push(`from . import m${String(m + 1).padStart(3, '0')}`);
    if (p > 0)
      imports.push(
        `from pkg${String((p * 7 + 3) % p).padStart(3, '0')}.m${String(m % modulesPerPackage).padStart(3, '0')} import compute as other`,
      );
    return `"""Module ${p}.${m}."""\n${imports.join('\n')}\nimport json\n\nLIMIT = ${m + variant}\n\n\nclass Model${m}:\n    def __init__(self, value):\n        self.value = value\n\n    def scaled(self, factor=2):\n        if self.value > LIMIT:\n            return self.value * factor\n        return self.value - factor\n\n\ndef compute(x):\n    data = json.dumps({"x": x})\n    return len(data) + LIMIT\n`;
  };
  for (let p = 0; p < packages; p++) {
    const pkg = `pkg${String(p).padStart(3, '0')}`;
    files.push([`${pkg}/__init__.py`, blob(`from . import m000\n`)]);
    for (let m = 0; m < modulesPerPackage; m++)
      files.push([`${pkg}/m${String(m).padStart(3, '0')}.py`, blob(moduleText(p, m, 0))]);
    for (let t = 0; t < testsPerPackage; t++) {
      const target = `m${String((t * 4) % modulesPerPackage).padStart(3, '0')}`;
      files.push([
        `tests/${pkg}/test_${target}_${t}.py`,
        blob(`from ${pkg}.${target} import compute\n\n\ndef test_compute():\n    assert compute(1) > 0\n`),
      ]);
    }
  }
  files.push(['tests/conftest.py', blob('import pytest\n')]);
  const commit = (message, changes) => {
    mark += 1;
    lines.push(
      'commit refs/heads/main',
      `mark :${mark}`,
      'committer Bench <bench@example.invalid> 1700000000 +0000',
      `data ${message.length}`,
      message,
    );
    for (const [path, ref] of changes) lines.push(`M 100644 :${ref} ${path}`);
    return mark;
  };
  commit('base', files);
  const mid = Math.floor(packages / 2);
  const changed = `pkg${String(mid).padStart(3, '0')}/m${String(modulesPerPackage - 2).padStart(3, '0')}.py`;
  commit('change one module', [[changed, blob(moduleText(mid, modulesPerPackage - 2, 1))]]);
  const changed2 = `pkg${String(mid + 1).padStart(3, '0')}/m${String(modulesPerPackage - 3).padStart(3, '0')}.py`;
  commit('change another module', [[changed2, blob(moduleText(mid + 1, modulesPerPackage - 3, 1))]]);
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: `${lines.join('\n')}\n`, maxBuffer: 1 << 30 });
  const rev = (r) => execFileSync('git', ['rev-parse', r], { cwd: dir, encoding: 'utf8' }).trim();
  return { base: rev('main~2'), head1: rev('main~1'), head2: rev('main') };
}

function timeGitDiff(repo, base, head, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    spawnSync('git', ['diff', '--name-only', base, head], { cwd: repo });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const timed = spawnSync('/usr/bin/time', ['-f', '%M', 'git', 'diff', '--name-only', base, head], {
    cwd: repo,
    encoding: 'utf8',
  });
  const rss = Number((timed.stderr ?? '').trim().split('\n').pop());
  return { ms: times[Math.floor(times.length / 2)], maxRssKb: Number.isFinite(rss) ? rss : undefined };
}

function runChild(repo, base, head, storeDir) {
  const out = execFileSync(process.execPath, [SELF, '--child', repo, base, head, storeDir], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  return JSON.parse(out);
}

/** A scratch repository holding an installed package's source (base commit, then two commits changing one module each). */
function realProject(dir, name) {
  const source = execFileSync(
    process.env.BENCH_TF_PYTHON ?? '/usr/bin/python3',
    ['-c', `import os, ${name}; print(os.path.dirname(${name}.__file__))`],
    { encoding: 'utf8' },
  ).trim();
  cpSync(source, join(dir, name), {
    recursive: true,
    filter: (path) => !path.includes('__pycache__') && !path.endsWith('.so'),
  });
  const git = (...args) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.invalid', 'add', '-A');
  git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.invalid', 'commit', '-qm', 'base');
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
  const files = git('ls-files').split('\n');
  const pick = (fraction) => modules[Math.floor(modules.length * fraction)];
  /** @type {[number, string][]} */
  const changes = [
    [0.3, 'change one module'],
    [0.6, 'change another module'],
  ];
  for (const [fraction, message] of changes) {
    appendFileSync(join(dir, pick(fraction)), `\n_BENCH_CHANGE = ${message.length}\n`);
    git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.invalid', 'commit', '-qam', message);
  }
  const rev = (r) => git('rev-parse', r);
  return {
    base: rev('main~2'),
    head1: rev('main~1'),
    head2: rev('main'),
    files: files.length,
    python: files.filter((f) => f.endsWith('.py')).length,
    changed: [pick(0.3), pick(0.6)],
  };
}

async function benchReal() {
  const name = process.env.BENCH_TF_PACKAGE ?? 'numpy';
  const dir = mkdtempSync(join(tmpdir(), 'ci-opt-bench-tf-real-'));
  const store = mkdtempSync(join(tmpdir(), 'ci-opt-bench-store-real-'));
  try {
    const project = realProject(dir, name);
    const git = timeGitDiff(dir, project.base, project.head2, 9);
    const cold = runChild(dir, project.base, project.head1, store);
    const warm = runChild(dir, project.base, project.head2, store);
    const warmSame = runChild(dir, project.base, project.head2, store);
    const row = (label, r) =>
      `| ${label} | ${r.ms.toFixed(0)} ms | ${(r.ms / git.ms).toFixed(1)}x | ${r.parsed ?? ''} | diff ${r.phases.diff.toFixed(0)} / graph ${r.phases.graph.toFixed(0)} / select ${r.phases.select.toFixed(0)} | ${r.selected}/${r.total}${r.runAll ? ' (run-all)' : ''} |`;
    console.log(
      `\ntest-filter on a real project: ${name} as installed (${project.python} Python files), changes to ${project.changed.join(', ')}\n`,
    );
    console.log('| run | time | vs git diff | files parsed | phases (ms) | selected/total |');
    console.log('|---|---:|---:|---:|---|---:|');
    console.log(`| git diff --name-only (reference, median of 9) | ${git.ms.toFixed(1)} ms | 1.0x | | | |`);
    console.log(row('cold (empty cache)', cold));
    console.log(row('warm (cache of the previous commit)', warm));
    console.log(row('warm (same commit again)', warmSame));
    console.log(
      `\nTargets: cold < 1 s (${cold.ms < 1000 ? 'met' : 'NOT met'}); warm < 150 ms (${warm.ms < 150 ? 'met' : 'NOT met'}).`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(store, { recursive: true, force: true });
  }
}

async function main() {
  if (process.argv.includes('--real-only')) return benchReal();
  const quick = process.argv.includes('--quick');
  const [packages, modules, tests] = quick ? [20, 100, 25] : [200, 100, 25];
  const dir = mkdtempSync(join(tmpdir(), 'ci-opt-bench-tf-'));
  const store = mkdtempSync(join(tmpdir(), 'ci-opt-bench-store-'));
  try {
    const t = performance.now();
    const { base, head1, head2 } = generate(dir, packages, modules, tests);
    console.error(
      `generated ${packages * modules} modules and ${packages * tests} test files in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const git = timeGitDiff(dir, base, head2, 9);
    const cold = runChild(dir, base, head1, store);
    const warm = runChild(dir, base, head2, store);
    const warmSame = runChild(dir, base, head2, store);
    const mb = (kb) => (kb === undefined ? 'n/a' : `${(kb / 1024).toFixed(0)} MB`);
    const row = (name, r) =>
      `| ${name} | ${r.ms.toFixed(0)} ms | ${(r.ms / git.ms).toFixed(1)}x | ${mb(r.maxRssKb)} | ${r.parsed ?? ''} | ${r.phases ? `diff ${r.phases.diff.toFixed(0)} / graph ${r.phases.graph.toFixed(0)} / select ${r.phases.select.toFixed(0)}` : ''} | ${r.selected ?? ''}/${r.total ?? ''} |`;
    console.log(
      `test-filter on ${packages * modules} modules + ${packages * tests} test files (${quick ? 'quick' : 'full'} size)\n`,
    );
    console.log('| run | time | vs git diff | peak RSS | files parsed | phases (ms) | selected/total |');
    console.log('|---|---:|---:|---:|---:|---|---:|');
    console.log(
      `| git diff --name-only (reference, median of 9) | ${git.ms.toFixed(1)} ms | 1.0x | ${mb(git.maxRssKb)} | | | |`,
    );
    console.log(row('cold (empty cache)', cold));
    console.log(row('warm (cache of the previous commit)', warm));
    console.log(row('warm (same commit again)', warmSame));
    console.log(
      `\nTargets: cold < 10 s (${cold.ms < 10_000 ? 'met' : 'NOT met'}); warm < 3x git diff (${warm.ms < 3 * git.ms ? 'met' : 'NOT met'}).`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(store, { recursive: true, force: true });
  }
  await benchReal();
}

if (process.argv[2] === '--child') await child(...process.argv.slice(3, 7));
else await main();
