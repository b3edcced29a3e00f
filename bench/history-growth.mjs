// History growth on a 200,000-case suite: N runs recorded with the shipped CLI (`test-predictor --mode record`),
// then one predict. Prints the store's size after each tenth run, the peak RSS and time of record and predict, and
// as the reference, the bytes the same runs take without a bound (the JUnit cases as history lines).
// Runs 1..N-1 are seeded by a helper (history-growth.seed.mts, Node 24's --experimental-transform-types); the last
// is recorded through the CLI. `--seed store` seeds each run through the core's appendRun (one store read and write
// per run: hours for 100 runs of 200,000 cases on a loaded machine); `--seed memory` (the default) seeds run 1 that
// way, then computes the history runs 2..N-1 leave in memory and writes it once (the same history: see the seed
// helper). Usage: node bench/history-growth.mjs [--quick] [--runs N] [--cases N] [--seed memory|store]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const quick = args.includes('--quick');
const runs = option('--runs', quick ? 12 : 100);
const cases = option('--cases', 200_000);
const perFile = 20;
const seedMode = args.includes('--seed') ? args[args.indexOf('--seed') + 1] : 'memory';
if (seedMode !== 'memory' && seedMode !== 'store') throw new Error(`--seed is '${seedMode}': use memory or store`);
const files = Math.ceil(cases / perFile);

const scratch = mkdtempSync(join(tmpdir(), 'ci-opt-history-growth-'));
const repo = join(scratch, 'repo');
const store = join(scratch, 'store');
const rssFile = join(scratch, 'rss');
const cli = join(root, 'dist', 'cli', 'index.js');
const measureRss = `data:text/javascript,import {writeFileSync} from 'node:fs';process.on('exit',()=>{const u=process.resourceUsage();writeFileSync(${JSON.stringify(rssFile)},u.maxRSS+' '+(u.userCPUTime+u.systemCPUTime))})`;

function git(...gitArgs) {
  const result = spawnSync('git', gitArgs, { cwd: repo, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${gitArgs.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** A pytest-style JUnit report of `cases` cases in `files` files; `run` changes the durations (a new report). */
function junit(run) {
  const parts = [
    '<?xml version="1.0" encoding="utf-8"?>\n<testsuites><testsuite name="pytest" tests="',
    String(cases),
    '">',
  ];
  for (let i = 0; i < cases; i++) {
    const file = Math.floor(i / perFile);
    const time = (((i * 7919 + run * 104729) % 1000) / 1000).toFixed(3);
    parts.push(
      `<testcase classname="tests.pkg_${file % 100}.test_mod_${file}" name="test_case_${i % perFile}" time="${time}"/>`,
    );
  }
  parts.push('</testsuite></testsuites>\n');
  return parts.join('');
}

function cliRun(cliArgs) {
  const start = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    ['--import', measureRss, cli, ...cliArgs, '--repo', repo, '--store', `dir:${store}`, '--json'],
    {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: { PATH: process.env.PATH, HOME: scratch },
    },
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0)
    throw new Error(`ci-optimizer ${cliArgs.join(' ')} exited ${result.status}: ${result.stderr.slice(-2000)}`);
  const [rssKb, cpuUs] = readFileSync(rssFile, 'utf8').split(' ').map(Number);
  // CPU time (user + system) says what the work costs when the machine is shared; wall time says what a job waits.
  return { ms, cpuS: cpuUs / 1e6, rssMb: rssKb / 1024, output: JSON.parse(result.stdout), stderr: result.stderr };
}

function folderBytes(dir) {
  let total = 0;
  let largest = 0;
  const walk = (folder) => {
    let names = [];
    try {
      names = readdirSync(folder);
    } catch {
      return;
    }
    for (const name of names) {
      const full = join(folder, name);
      const info = statSync(full);
      if (info.isDirectory()) walk(full);
      else {
        total += info.size;
        largest = Math.max(largest, info.size);
      }
    }
  };
  walk(dir);
  return { total, largest };
}

const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);

try {
  mkdirSync(repo, { recursive: true });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'bench@example.com');
  git('config', 'user.name', 'bench');
  writeFileSync(join(repo, 'README.md'), 'bench\n');
  git('add', '.');
  git('commit', '-q', '-m', 'initial');
  const report = join(scratch, 'report.xml');

  console.log(
    `${cases.toLocaleString('en')} cases in ${files.toLocaleString('en')} files, ${runs} recorded runs (seeding: ${seedMode}; the last with dist/cli/index.js test-predictor --mode record)\n`,
  );
  console.log('| after run | store size | largest object | record time | record peak RSS |');
  console.log('|---:|---:|---:|---:|---:|');
  // Runs 1..N-1 go through the core's appendRun (append + compact under the bounds, what record ends in) in a
  // helper process; the last run is a real `--mode record` of the JUnit report, measured, then a predict.
  const seeder = join(root, 'bench', 'history-growth.seed.mts');
  const seedTimes = [];
  let seedRssMb = 0;
  let unbounded = 0;
  const seed = (first, last, mode) => {
    const start = process.hrtime.bigint();
    const seeded = spawnSync(
      process.execPath,
      [
        '--experimental-transform-types',
        '--no-warnings',
        seeder,
        store,
        String(first),
        String(last),
        String(cases),
        String(perFile),
        mode,
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (seeded.status !== 0) throw new Error(`seeding runs ${first}-${last}: ${seeded.stderr.slice(-2000)}`);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const rssMb = Number(seeded.stdout.trim().split('\n').at(-1)) / 1024;
    return { ms, rssMb };
  };
  const row = (run, ms, rssMb, how) => {
    const size = folderBytes(store);
    console.log(
      `| ${run} | ${mb(size.total)} MB | ${mb(size.largest)} MB | ${(ms / 1000).toFixed(1)} s (${how}) | ${rssMb.toFixed(0)} MB |`,
    );
  };
  if (runs > 1) {
    // Run 1 always through appendRun: its size is the growth per run without a bound.
    const first = seed(1, 1, 'store');
    seedTimes.push(first.ms);
    seedRssMb = first.rssMb;
    unbounded = folderBytes(store).total;
    row(1, first.ms, first.rssMb, 'appendRun');
  }
  if (seedMode === 'store') {
    for (let run = 2; run < runs; run++) {
      const next = seed(run, run, 'store');
      seedTimes.push(next.ms);
      seedRssMb = Math.max(seedRssMb, next.rssMb);
      if (run % 10 === 0) row(run, next.ms, next.rssMb, 'appendRun');
    }
  } else if (runs > 2) {
    const rest = seed(2, runs - 1, 'memory');
    seedRssMb = Math.max(seedRssMb, rest.rssMb);
    row(runs - 1, rest.ms, rest.rssMb, `runs 2-${runs - 1} seeded in memory, written once`);
  }
  writeFileSync(report, junit(runs));
  const lastRecord = cliRun([
    'test-predictor',
    '--mode',
    'record',
    '--junit',
    report,
    '--graph',
    'false',
    '--impact-map',
    'false',
    '--full-run',
    'true',
  ]);
  if (lastRecord.output['recorded-cases'] !== cases)
    throw new Error(
      `the last run recorded ${lastRecord.output['recorded-cases']} cases: ${lastRecord.stderr.slice(-1000)}`,
    );
  if (runs === 1) unbounded = folderBytes(store).total;
  {
    const size = folderBytes(store);
    console.log(
      `| ${runs} | ${mb(size.total)} MB | ${mb(size.largest)} MB | ${(lastRecord.ms / 1000).toFixed(1)} s (CLI record) | ${lastRecord.rssMb.toFixed(0)} MB |`,
    );
  }
  const recordTimes = [lastRecord.ms];
  const predict = cliRun([
    'test-predictor',
    '--mode',
    'predict',
    '--graph',
    'false',
    '--impact-map',
    'false',
    '--budget',
    'fraction:0.3',
  ]);
  const final = folderBytes(store);
  console.log('');
  console.log(`| measure | value |`);
  console.log('|---|---:|');
  console.log(`| store after ${runs} runs | ${mb(final.total)} MB |`);
  console.log(
    `| reference: the same runs unbounded (${mb(unbounded)} MB per run × ${runs}) | ${mb(unbounded * runs)} MB |`,
  );
  console.log(`| ratio bounded / unbounded | ${(final.total / (unbounded * runs)).toFixed(3)} |`);
  console.log(
    `| record (CLI, run ${runs}), time (CPU time) | ${(recordTimes[0] / 1000).toFixed(1)} s (${lastRecord.cpuS.toFixed(1)} s) |`,
  );
  console.log(`| record (last), peak RSS | ${lastRecord.rssMb.toFixed(0)} MB |`);
  if (seedTimes.length > 0) {
    const sorted = [...seedTimes].sort((a, b) => a - b);
    console.log(
      `| appendRun (${seedMode === 'store' ? `runs 1-${runs - 1}` : 'run 1'}), median / max time | ${(sorted[Math.floor(sorted.length / 2)] / 1000).toFixed(1)} s / ${(sorted.at(-1) / 1000).toFixed(1)} s |`,
    );
    console.log(`| seeding, peak RSS (largest helper process) | ${seedRssMb.toFixed(0)} MB |`);
  }
  console.log(`| predict, time (CPU time) | ${(predict.ms / 1000).toFixed(1)} s (${predict.cpuS.toFixed(1)} s) |`);
  console.log(`| predict, peak RSS | ${predict.rssMb.toFixed(0)} MB |`);
  console.log(`| predict, test files ordered | ${predict.output['tests-json'].length} |`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
