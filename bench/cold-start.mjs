// Cold start of every action bundle: `node dist/<action>/index.js` with empty inputs under a runner-like
// environment, and of the CLI (`--help`, and `cache-key` with empty inputs: a real command, loaded lazily), median of
// N runs, against `node -e 0` measured in the same run (interleaved, so both see the same load). Reports wall and CPU
// time (user + system of the child and what it starts, e.g. git) with their ratios to the reference, and fails
// (exit 1) when a wall ratio is above the target (2.5x, issue 17).
// Usage: node bench/cold-start.mjs [--quick] [--dist DIR] [--target RATIO] [--bundle NAME ...]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerEnvironment } from './runner-environment.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = args.includes('--quick') ? 5 : 15;
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const dist = option('--dist', join(root, 'dist'));
const target = Number(option('--target', '2.5'));
const wanted = args.flatMap((arg, i) => (args[i - 1] === '--bundle' ? [arg] : []));

function bundles() {
  const found = [];
  const walk = (dir, name) => {
    for (const item of readdirSync(dir)) {
      const full = join(dir, item);
      if (!statSync(full).isDirectory()) continue;
      const label = name ? `${name}/${item}` : item;
      if (existsSync(join(full, 'index.js')) && label !== 'cli') found.push(label);
      walk(full, label);
    }
  };
  walk(dist, '');
  return found.sort();
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * One `node ARGS` run: wall time and CPU time (user + system of the child, from bash's `times`), in ms. On a busy
 * machine the wall time mostly measures waiting for a core; the CPU time is what the start itself costs.
 */
function once(args, env, cwd) {
  const start = process.hrtime.bigint();
  const result = spawnSync('bash', ['-c', '"$0" "$@" >/dev/null 2>&1; times', process.execPath, ...args], {
    env,
    cwd,
    encoding: 'utf8',
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const children = result.stdout.trim().split('\n').at(-1) ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (seconds.length !== 2)
    throw new Error(`cannot read the child's CPU time from bash's times: ${JSON.stringify(result.stdout)}`);
  return { wall, cpu: (seconds[0] + seconds[1]) * 1000 };
}

/** Bytes a start loads: the entry and the chunks it imports statically (not those behind a dynamic import()). */
function loadedBytes(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*"(\.\.?\/[^"]+\.js)"/g))
      visit(join(dirname(file), match[1]));
  };
  visit(entry);
  return [...seen].reduce((sum, file) => sum + statSync(file).size, 0);
}

/** Bytes of every file under a folder. */
function folderBytes(folder) {
  let sum = 0;
  for (const item of readdirSync(folder, { withFileTypes: true })) {
    const full = join(folder, item.name);
    sum += item.isDirectory() ? folderBytes(full) : statSync(full).size;
  }
  return sum;
}

const scratch = mkdtempSync(join(tmpdir(), 'ci-opt-cold-'));
try {
  const env = runnerEnvironment(scratch);
  const cases = [{ label: '`node -e 0` (reference)', args: ['-e', '0'] }];
  for (const bundle of bundles().filter((name) => wanted.length === 0 || wanted.includes(name))) {
    const file = join(dist, bundle, 'index.js');
    cases.push({ label: `dist/${bundle}/index.js`, args: [file], bytes: loadedBytes(file) });
  }
  const cli = join(dist, 'cli', 'index.js');
  if (existsSync(cli) && (wanted.length === 0 || wanted.includes('cli'))) {
    cases.push({ label: 'dist/cli/index.js --help', args: [cli, '--help'], bytes: loadedBytes(cli) });
    // Run in the empty scratch folder (not a git checkout): the command fails on its empty inputs, like the actions.
    cases.push({ label: 'dist/cli/index.js cache-key', args: [cli, 'cache-key'], bytes: loadedBytes(cli) });
  }
  // Rounds: every case once per round, so a burst of load on the shared machine hits the reference as well.
  const samples = cases.map(() => []);
  // Every run starts as the first step of a fresh job: what earlier runs left (the job's metrics.jsonl, the default
  // store .ci-optimizer/) is removed, or report would read a few hundred records by the last round.
  const freshJob = () => {
    for (const left of ['ci-optimizer', '.ci-optimizer']) rmSync(join(scratch, left), { recursive: true, force: true });
  };
  for (let round = 0; round < runs; round++) {
    cases.forEach((c, i) => {
      freshJob();
      samples[i].push(once(c.args, env, scratch));
    });
  }
  const wall = samples.map((runs) => median(runs.map((run) => run.wall)));
  const cpu = samples.map((runs) => median(runs.map((run) => run.cpu)));
  const over = [];
  console.log(
    `\n### Cold start (median of ${runs}, Node ${process.version}, dist/ ${(folderBytes(dist) / 1e6).toFixed(1)} MB)\n`,
  );
  console.log(
    '| bundle | loaded at start | wall ms | × reference | CPU ms | × reference |\n|---|---:|---:|---:|---:|---:|',
  );
  cases.forEach((c, i) => {
    const ratio = wall[i] / wall[0];
    if (i > 0 && ratio > target) over.push(c.label);
    const bytes = c.bytes === undefined ? '—' : `${(c.bytes / 1e6).toFixed(2)} MB`;
    console.log(
      `| ${c.label} | ${bytes} | ${wall[i].toFixed(1)} | ${ratio.toFixed(2)} | ${cpu[i].toFixed(0)} | ${(cpu[i] / cpu[0]).toFixed(2)} |`,
    );
  });
  if (over.length > 0) {
    console.log(`\nWall time above ${target}x the reference: ${over.join(', ')}`);
    process.exitCode = 1;
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
