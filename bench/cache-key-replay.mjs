// Hit-rate replay of cache keys over a generated git history (issue 6).
//
// A 300-commit history of a Python service (pull requests merged into main, pin bumps, comment-only edits,
// a Python minor bump of the CI matrix, CACHE_VERSION bumps, a holiday gap) is replayed on two OSes
// (ubuntu-24.04 x64, macos-15 arm64) x two Python minors. Every commit is checked out and keyed by:
//   - ours: the cache-key core (packages/core/src/cache-key), on the checked-out files;
//   - naive: key `hashFiles('requirements.txt')`, no restore-keys (cached path: pip's cache dir, or .venv);
//   - setup-python: actions/setup-python `cache: pip`, its key scheme as its source defines it.
// Each scheme gets its own model of GitHub's cache service (bench/cache-key-replay.model.mjs): scoped lookups,
// exact then prefix then restore-keys, newest first, immutable keys, 7-day and 10 GB eviction.
// "Unsafe" = a restore of a cache saved on another OS, arch or Python minor; "crossed CACHE_VERSION" = a restore
// of a cache saved before a manual invalidation; "outdated exact" = an exact hit whose content predates a
// dependency change (the cache is never refreshed).
//
// Usage: node bench/cache-key-replay.mjs [--quick] [--commits N] [--json]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importCoreBundle } from './core.bundle.mjs';
import {
  ActionsCacheModel,
  anyRequirements,
  cacheVersionOf,
  hashFiles,
  rootRequirements,
  setupPythonPipKeys,
} from './cache-key-replay.model.mjs';
import { generateHistory, imagePython, readWorkflow } from './cache-key-replay.history.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const commits = option('--commits', quick ? 120 : 300);
const asJson = args.includes('--json');
const verbose = args.includes('--verbose');
// The S3 replay moves real archives through s3rver for every restore and save, so it covers the first
// `--s3-runs` runs (default: all of them with --s3, none without).
const s3Runs = args.includes('--s3') ? option('--s3-runs', Number.POSITIVE_INFINITY) : 0;
const CACHE_BYTES = 300 * 1024 ** 2;
const SCHEMES = ['ours', 'naive (pip cache dir)', 'naive (.venv)', 'setup-python cache: pip'];

const RUNNERS = [
  { os: 'Linux', image: 'ubuntu24', arch: 'X64', nodeArch: 'x64', pipCache: '~/.cache/pip' },
  { os: 'macOS', image: 'macos15', arch: 'ARM64', nodeArch: 'arm64', pipCache: '~/Library/Caches/pip' },
];

/**
 * Bundles the TypeScript it needs (the cache-key core; s3-cache and the s3rver helper for --s3) so the bench
 * runs on any Node. The bundle sits under node_modules/.cache so its package imports resolve.
 */
async function loadCore() {
  const outdir = join(root, 'node_modules', '.cache', 'ci-optimizer-bench');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, `cache-key-replay-${process.pid}.mjs`);
  try {
    return await importCoreBundle(
      [
        "export { computeCacheKeys, classifyRestore, recordRestore, readRestoreHistory, summarizeHitRate, keyFamily } from './packages/core/src/cache-key/index.ts';",
        "export { DirStore } from './packages/core/src/store/index.ts';",
        "export { restoreCache } from './packages/core/src/s3-cache/restore.ts';",
        "export { saveCache } from './packages/core/src/s3-cache/save.ts';",
        "export { cacheVersion as s3CacheVersion, resolveS3Settings, S3ObjectStore, createS3Client } from './packages/core/src/s3/index.ts';",
        "export { resolveCompression } from './packages/core/src/archive/index.ts';",
        "export { startS3Server } from './test/support/s3-server.ts';",
      ],
      outfile,
      { packages: 'external' },
    );
  } finally {
    rmSync(outfile, { force: true });
  }
}

function emptyStats() {
  return {
    restores: 0,
    exact: 0,
    partial: 0,
    miss: 0,
    unsafe: 0,
    stale: 0,
    outdated: 0,
    safeCurrent: 0,
    missNone: 0,
    missEvicted: 0,
    missKey: 0,
    saves: 0,
  };
}

const sameRuntime = (a, b) =>
  a.os === b.os && a.arch === b.arch && a.python === b.python && a.cacheVersion === b.cacheVersion;

/** GitHub's cache service, one model per scheme (scopes, eviction). */
function memoryBackend() {
  const models = Object.fromEntries(SCHEMES.map((scheme) => [scheme, new ActionsCacheModel()]));
  return {
    name: 'actions/cache model',
    models,
    startRun(run) {
      for (const model of Object.values(models)) model.expire(run.time);
    },
    async restore(scheme, job, run) {
      const { key, restoreKeys, paths } = job.keys[scheme];
      const found = models[scheme].restore({
        key,
        restoreKeys,
        version: cacheVersionOf(paths),
        scopes: run.scopes,
        now: run.time,
      });
      return { outcome: found.outcome, matchedKey: found.matchedKey, meta: found.entry?.meta };
    },
    missCause(scheme, job, run) {
      return models[scheme].missCause(run.scopes, (meta) => sameRuntime(meta, job.meta));
    },
    async save(scheme, job, run) {
      const { key, paths } = job.keys[scheme];
      return models[scheme].save({
        key,
        version: cacheVersionOf(paths),
        scope: run.ref,
        now: run.time,
        size: CACHE_BYTES,
        meta: job.meta,
      });
    },
  };
}

/**
 * s3-cache's own restore and save on a real s3rver: real tar archives of a cache folder that holds the meta of
 * the job that saved it, so unsafe restores are read from the restored bytes. S3 has no branch scopes and no
 * eviction; s3-cache namespaces entries by paths, compression, OS and CACHE_VERSION (its version hash).
 */
async function s3Backend(core, work) {
  const server = await core.startS3Server({ buckets: ['replay'] });
  Object.assign(process.env, server.env);
  const compression = core.resolveCompression('auto');
  const saved = Object.fromEntries(SCHEMES.map((scheme) => [scheme, []]));
  const quiet = {
    info: (m) => verbose && process.stderr.write(`  s3: ${m}\n`),
    debug() {},
    notice() {},
    warning: (m) => {
      warnings.push(m);
      if (verbose) process.stderr.write(`  s3 warning: ${m}\n`);
    },
    group: (_name, fn) => fn(),
  };
  const warnings = [];
  let jobSeq = 0;
  let failedInARow = 0;
  const settingsFor = (scheme, job) => {
    const { paths } = job.keys[scheme];
    const dir = join(work, 's3-jobs', String(job.index));
    return {
      s3: core.resolveS3Settings(
        {
          bucket: server.bucket,
          prefix: `replay/${SCHEMES.indexOf(scheme)}`,
          endpoint: server.endpoint,
          forcePathStyle: true,
        },
        process.env,
      ),
      paths,
      compression,
      version: core.s3CacheVersion({
        paths,
        compression,
        cacheVersion: job.meta.cacheVersion,
        os: job.meta.os,
        crossOs: false,
      }),
      workspace: join(dir, 'workspace'),
      home: join(dir, 'home'),
      tempDir: join(dir, 'tmp'),
      restoreTimeoutMs: 20_000,
      saveTimeoutMs: 20_000,
    };
  };
  const metaFile = (settings) => {
    const path = settings.paths[0];
    const base = path.startsWith('~/') ? join(settings.home, path.slice(2)) : join(settings.workspace, path);
    return join(base, 'replay-meta.json');
  };
  return {
    name: 's3-cache on s3rver',
    warnings,
    broken: undefined,
    startRun() {},
    async restore(scheme, job) {
      if (this.broken) return { outcome: 'miss', matchedKey: '', meta: undefined };
      job.index ??= jobSeq++;
      const settings = settingsFor(scheme, job);
      rmSync(join(work, 's3-jobs', String(job.index)), { recursive: true, force: true });
      for (const dir of [settings.workspace, settings.home, settings.tempDir]) mkdirSync(dir, { recursive: true });
      const { key, restoreKeys } = job.keys[scheme];
      const result = await core.restoreCache(
        settings,
        { primaryKey: key, restoreKeys, lookupOnly: false },
        { log: quiet },
      );
      const file = metaFile(settings);
      const meta = result.kind !== 'miss' && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
      return { outcome: result.kind === 'prefix' ? 'partial' : result.kind, matchedKey: result.matchedKey, meta };
    },
    missCause(scheme, job) {
      return saved[scheme].some((meta) => sameRuntime(meta, job.meta)) ? 'key' : 'none';
    },
    async save(scheme, job) {
      if (this.broken) return false;
      const settings = settingsFor(scheme, job);
      const file = metaFile(settings);
      // What the job installed on top of what it restored: the cache now holds this job's environment.
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(job.meta));
      const result = await core.saveCache(settings, job.keys[scheme].key, { log: quiet });
      if (result.outcome === 'saved') saved[scheme].push(job.meta);
      // A store that cannot save makes every number meaningless: stop the S3 replay and say why.
      failedInARow = result.outcome === 'failed' ? failedInARow + 1 : 0;
      if (failedInARow >= 3) this.broken = `stopped after 3 failed saves in a row (${warnings[warnings.length - 1]})`;
      return result.outcome === 'saved';
    },
    async dispose() {
      await server.dispose();
    },
  };
}

/** The keys every scheme computes for the jobs of one run, on the checked-out tree. */
async function jobsForRun(core, repo, run, timing) {
  const workflow = readWorkflow(repo);
  const naiveHash = hashFiles(repo, rootRequirements);
  const setupPythonHash = hashFiles(repo, anyRequirements) || hashFiles(repo, (p) => p.endsWith('pyproject.toml'));
  const jobs = [];
  for (const runner of RUNNERS) {
    for (const minor of workflow.pythons) {
      const python = imagePython(minor, runner.os, run.time);
      const started = performance.now();
      const ours = await core.computeCacheKeys({
        root: repo,
        os: runner.os,
        image: runner.image,
        arch: runner.arch,
        cacheVersion: workflow.cacheVersion,
        runtimeInputs: { python },
        probe: false,
        env: {},
      });
      timing.ms += performance.now() - started;
      timing.calls += 1;
      const setupPython = setupPythonPipKeys({
        runnerOs: runner.os,
        nodeArch: runner.nodeArch,
        linuxVersion: '24.04',
        linuxName: 'Ubuntu',
        pythonVersion: python,
        hash: setupPythonHash,
      });
      jobs.push({
        meta: { os: runner.os, arch: runner.arch, python: minor, cacheVersion: workflow.cacheVersion, deps: ours.hash },
        keys: {
          ours: { key: ours.key, restoreKeys: ours.restoreKeys, paths: ours.paths },
          'naive (pip cache dir)': { key: naiveHash, restoreKeys: [], paths: [runner.pipCache] },
          'naive (.venv)': { key: naiveHash, restoreKeys: [], paths: ['.venv'] },
          'setup-python cache: pip': { ...setupPython, paths: [runner.pipCache] },
        },
      });
    }
  }
  return jobs;
}

/** Replays one run on one backend: the jobs restore in parallel (before any saves), then save on a non-exact hit. */
async function replayRun(backend, stats, jobs, run, track) {
  backend.startRun(run);
  const restored = [];
  for (const job of jobs) {
    const byScheme = {};
    for (const scheme of SCHEMES) byScheme[scheme] = await backend.restore(scheme, job, run);
    restored.push(byScheme);
  }
  for (const [index, job] of jobs.entries()) {
    for (const scheme of SCHEMES) {
      const result = restored[index][scheme];
      const s = stats[scheme];
      s.restores += 1;
      s[result.outcome] += 1;
      const saved = result.meta;
      const unsafe =
        saved !== undefined &&
        (saved.os !== job.meta.os || saved.arch !== job.meta.arch || saved.python !== job.meta.python);
      const stale = saved !== undefined && saved.cacheVersion !== job.meta.cacheVersion;
      const outdated = result.outcome === 'exact' && saved !== undefined && saved.deps !== job.meta.deps;
      if (unsafe) s.unsafe += 1;
      if (stale) s.stale += 1;
      if (outdated) s.outdated += 1;
      if (saved !== undefined && !unsafe && !stale && !outdated) s.safeCurrent += 1;
      if (result.outcome === 'miss') {
        const cause = backend.missCause(scheme, job, run);
        s[cause === 'none' ? 'missNone' : cause === 'evicted' ? 'missEvicted' : 'missKey'] += 1;
      }
      if (scheme === 'ours' && track) await track(job, result, run);
    }
  }
  for (const [index, job] of jobs.entries()) {
    for (const scheme of SCHEMES) {
      if (restored[index][scheme].outcome === 'exact') continue;
      if (await backend.save(scheme, job, run)) stats[scheme].saves += 1;
    }
  }
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'ci-opt-replay-'));
  let s3;
  try {
    const core = await loadCore();
    const repo = join(work, 'repo');
    mkdirSync(repo);
    const generateStart = performance.now();
    const runs = generateHistory(repo, { commits });
    const generateMs = performance.now() - generateStart;

    const memory = memoryBackend();
    const memoryStats = Object.fromEntries(SCHEMES.map((scheme) => [scheme, emptyStats()]));
    s3 = s3Runs > 0 ? await s3Backend(core, work) : undefined;
    const s3Stats = Object.fromEntries(SCHEMES.map((scheme) => [scheme, emptyStats()]));
    let s3Replayed = 0;
    let s3Ms = 0;
    const store = new core.DirStore(join(work, 'store'));
    const timing = { ms: 0, calls: 0 };
    // The action's own tracking path: restore outputs -> classification -> the store.
    const track = async (job, result, run) => {
      const cacheHit = result.outcome === 'exact' ? 'true' : result.outcome === 'partial' ? 'false' : '';
      const key = job.keys.ours.key;
      await core.recordRestore(store, {
        time: new Date(run.time).toISOString(),
        family: core.keyFamily(key),
        key,
        outcome: core.classifyRestore(key, cacheHit, result.matchedKey),
      });
    };

    for (const [index, run] of runs.entries()) {
      execFileSync('git', ['checkout', '-q', '--detach', run.sha], { cwd: repo });
      const jobs = await jobsForRun(core, repo, run, timing);
      await replayRun(memory, memoryStats, jobs, run, track);
      if (verbose) process.stderr.write(`run ${index + 1}/${runs.length} ${run.ref}\n`);
      if (s3 && !s3.broken && index < s3Runs) {
        const started = performance.now();
        await replayRun(s3, s3Stats, jobs, run);
        s3Ms += performance.now() - started;
        s3Replayed += 1;
      }
    }

    const { records } = await core.readRestoreHistory(store);
    const tracked = { exact: 0, partial: 0, miss: 0 };
    for (const record of records) tracked[record.outcome] += 1;
    const lastFamily = records.length > 0 ? records[records.length - 1].family : '';
    const recent = core.summarizeHitRate(records, lastFamily, 50, 0.8);

    const report = {
      commits,
      runs: runs.length,
      restoresPerScheme: memoryStats.ours.restores,
      generateMs: Math.round(generateMs),
      keyMsPerJob: timing.calls ? timing.ms / timing.calls : 0,
      stats: memoryStats,
      tracked,
      recent,
      evictions: Object.fromEntries(SCHEMES.map((scheme) => [scheme, memory.models[scheme].evicted])),
      s3: s3
        ? {
            runs: s3Replayed,
            restoresPerScheme: s3Stats.ours.restores,
            stats: s3Stats,
            seconds: s3Ms / 1000,
            warnings: s3.warnings.length,
            broken: s3.broken,
          }
        : undefined,
    };
    process.stdout.write(asJson ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report));
  } finally {
    await s3?.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

function pct(part, whole) {
  return whole === 0 ? '0.0%' : `${((100 * part) / whole).toFixed(1)}%`;
}

function statsTable(stats) {
  const lines = [
    '| Key scheme | Exact | Partial | Miss | **Exact+partial** | Unsafe restores | Crossed CACHE_VERSION | Outdated exact hits | Safe, current restores* | Misses: no safe cache / evicted / key scheme |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const scheme of SCHEMES) {
    const s = stats[scheme];
    lines.push(
      `| ${scheme} | ${pct(s.exact, s.restores)} | ${pct(s.partial, s.restores)} | ${pct(s.miss, s.restores)} | ` +
        `**${pct(s.exact + s.partial, s.restores)}** | ${s.unsafe} | ${s.stale} | ${s.outdated} | ${pct(s.safeCurrent, s.restores)} | ` +
        `${s.missNone} / ${s.missEvicted} / ${s.missKey} |`,
    );
  }
  const ours = stats.ours;
  const rate = (s) => (s.exact + s.partial) / s.restores;
  lines.push('', '| Ratio ours / reference | Exact+partial | Safe, current restores* |', '| --- | ---: | ---: |');
  for (const scheme of SCHEMES.slice(1)) {
    const s = stats[scheme];
    const safe = s.safeCurrent === 0 ? 'n/a (reference has none)' : (ours.safeCurrent / s.safeCurrent).toFixed(3);
    lines.push(`| vs ${scheme} | ${(rate(ours) / rate(s)).toFixed(3)} | ${safe} |`);
  }
  return lines;
}

function renderMarkdown(report) {
  const lines = [
    `## cache-key hit-rate replay: ${report.commits} commits, ${report.runs} CI runs, ` +
      `${report.restoresPerScheme} restores per scheme (2 OSes x 2 Python minors)`,
    '',
    '### GitHub cache service model (branch scopes, 7-day / 10 GB eviction)',
    '',
    ...statsTable(report.stats),
  ];
  if (report.s3?.broken) {
    lines.push('', `S3 replay through s3-cache on s3rver: ${report.s3.broken}.`);
  } else if (report.s3) {
    lines.push(
      '',
      `### Through s3-cache on s3rver (first ${report.s3.runs} runs, ${report.s3.restoresPerScheme} real restores per scheme, ` +
        `${report.s3.seconds.toFixed(0)} s; no branch scopes, no eviction; s3-cache's version includes OS and CACHE_VERSION)`,
      '',
      ...statsTable(report.s3.stats),
    );
  }
  lines.push(
    '',
    '*Safe, current: a cache was restored, saved on the same OS, arch, Python minor and CACHE_VERSION, and (for an ' +
      'exact hit) for the current dependency files. Misses by cause: no safe cache had been saved in a visible scope ' +
      '(first run, new Python minor, CACHE_VERSION bump; PR caches are invisible to main), every such cache was ' +
      'evicted (7 days unused, 10 GB), or one existed and the keys did not reach it.',
    '',
    `Tracked by the action's own hit-rate path (store records): ${report.tracked.exact} exact, ${report.tracked.partial} partial, ` +
      `${report.tracked.miss} miss; last family's rate over its last ${report.recent.runs} runs: ` +
      `${(report.recent.hitRate * 100).toFixed(1)}% (target 80%: ${report.recent.met ? 'met' : 'not met'}).`,
    `Key computation: ${report.keyMsPerJob.toFixed(2)} ms per job (detect + normalise + hash on the checked-out tree); ` +
      `history generated in ${(report.generateMs / 1000).toFixed(1)} s. Evictions: ` +
      `${Object.entries(report.evictions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}.`,
  );
  if (!report.s3) lines.push('S3: not run (add --s3, e.g. `--quick --s3`, to replay through s3-cache on s3rver).');
  lines.push('');
  return lines.join('\n');
}

await main();
