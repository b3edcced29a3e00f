// Records cross-run calibration data on this machine: test/perf/fixtures/bench_pkg unchanged (A/A) and a PR copy
// (checksum 2x, horner 1.15x the work) run with pytest-benchmark alternately, one iteration every PERF_AA_PERIOD
// seconds (default 90), the order of the two runs inside an iteration alternating. Writes the raw JSON of every run
// and, after each iteration, a fixture in the shape of test/perf/fixtures/aa-runs.json (run ids NN-a, PR ids pr-NN).
// Usage: PERF_AA_OUT=<folder> [PERF_AA_ITERATIONS=40] [PERF_AA_PERIOD=90] node_modules/.bin/node bench/perf-aa-calibration.record.ts
// Split a recording into a tuning and a held-out file by time afterwards (PERF_AA_SPLIT=<ISO time>; runs before it
// go to fixture-tuning.json, the rest to fixture-heldout.json).
// PERF_AA_CONFIRM=<re-runs> (e.g. 2) records "PR jobs" for confirmation re-runs instead: each iteration one run of the
// unchanged package (the default branch's history, NN-a), then an A/A job and a PR job in alternating order, each a
// judged run followed at once by <re-runs> re-runs of the same side in the same process chain (what perf-comment's
// confirm-runs does in the PR's job). The fixture gets `jobs`: {kind: aa|pr, judged, confirm: [...]}.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface RecordedRun {
  id: string;
  at: string;
  load: number;
  benchmarks: Record<string, number>;
  medians: Record<string, number>;
}

const out = process.env.PERF_AA_OUT;
if (!out) {
  console.error('PERF_AA_OUT is not set: give the folder for the raw runs and the fixture (outside the repository).');
  process.exit(2);
}
const iterations = Number(process.env.PERF_AA_ITERATIONS ?? 40);
const confirmRuns = Number(process.env.PERF_AA_CONFIRM ?? 0);
const period = Number(process.env.PERF_AA_PERIOD ?? 90);
const python = process.env.PERF_AA_PYTHON ?? '/usr/bin/python3';
const pkg = fileURLToPath(new URL('../test/perf/fixtures/bench_pkg', import.meta.url));
const command = (side: string, json: string) => [
  '-m',
  'pytest',
  '-q',
  '-p',
  'no:cacheprovider',
  'pkg',
  `--rootdir=${side}`,
  '--benchmark-only',
  '--benchmark-save-data',
  '--benchmark-max-time=0.2',
  '--benchmark-min-rounds=10',
  `--benchmark-json=${json}`,
];

function readRun(file: string, id: string, load: number): RecordedRun {
  const data = JSON.parse(readFileSync(file, 'utf8')) as {
    datetime: string;
    benchmarks: { fullname: string; stats: { data: number[]; median: number } }[];
  };
  const name = (b: { fullname: string }) => `pkg/${b.fullname.replace(/^.*?test_bench\.py/, 'test_bench.py')}`;
  return {
    id,
    at: data.datetime,
    load,
    benchmarks: Object.fromEntries(data.benchmarks.map((b) => [name(b), Math.min(...b.stats.data)])),
    medians: Object.fromEntries(data.benchmarks.map((b) => [name(b), b.stats.median])),
  };
}

interface RecordedJob {
  kind: 'aa' | 'pr';
  judged: RecordedRun;
  confirm: RecordedRun[];
}

function writeFixture(file: string, runs: RecordedRun[], pr: RecordedRun[], note: string, jobs?: RecordedJob[]) {
  writeFileSync(
    file,
    JSON.stringify(
      {
        description:
          "A/A run-level data recorded on the project's shared 2-core development machine while other work kept it busy, by " +
          'bench/perf-aa-calibration.record.ts: test/perf/fixtures/bench_pkg (unchanged) and a PR copy (checksum 2x, horner 1.15x the work) ' +
          `run alternately, one of each per iteration. ${note} Values: each run's fastest round in seconds (medians: ` +
          "pytest-benchmark's stats.median); load: the 1-minute load average when the run started.",
        command:
          'python3 -m pytest -q -p no:cacheprovider pkg --rootdir=SIDE --benchmark-only --benchmark-save-data --benchmark-max-time=0.2 --benchmark-min-rounds=10 --benchmark-json=RUN.json',
        runs,
        pr,
        ...(jobs ? { jobs } : {}),
      },
      null,
      1,
    ) + '\n',
  );
}

const split = process.env.PERF_AA_SPLIT;
if (split) {
  const data = JSON.parse(readFileSync(join(out, 'fixture.json'), 'utf8')) as {
    runs: RecordedRun[];
    pr: RecordedRun[];
  };
  const before = (run: RecordedRun) => run.at < split;
  writeFixture(
    join(out, 'fixture-tuning.json'),
    data.runs.filter(before),
    data.pr.filter(before),
    `Run under nice -n 10 (the shared machine's rule for heavy commands), iterations ~60 s apart. Tuning part: runs before ${split}.`,
  );
  writeFixture(
    join(out, 'fixture-heldout.json'),
    data.runs.filter((r) => !before(r)),
    data.pr.filter((r) => !before(r)),
    `Run under nice -n 10 (the shared machine's rule for heavy commands), iterations ~60 s apart. Held-out part: runs from ${split} on, not looked at while the rule was chosen.`,
  );
  console.log(`split at ${split}`);
  process.exit(0);
}

const sides = { a: join(out, 'side-a'), pr: join(out, 'side-pr') };
for (const [kind, side] of Object.entries(sides)) {
  mkdirSync(side, { recursive: true });
  cpSync(pkg, join(side, 'pkg'), { recursive: true });
  if (kind === 'pr') {
    const work = join(side, 'pkg', 'work.py');
    writeFileSync(
      work,
      readFileSync(work, 'utf8')
        .replace('CHECKSUM_SIZE = 20000', 'CHECKSUM_SIZE = 40000')
        .replace('HORNER_SIZE = 20000', 'HORNER_SIZE = 23000'),
    );
  }
}
mkdirSync(join(out, 'raw'), { recursive: true });
const start = readdirSync(join(out, 'raw')).filter((f) => f.startsWith('run-')).length;
const runs: RecordedRun[] = [];
const pr: RecordedRun[] = [];
const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/** One run of `kind` written to raw/<file>.json, or undefined (logged) when it failed. */
function runOnce(kind: 'a' | 'pr', file: string, id: string): RecordedRun | undefined {
  const load = loadavg()[0];
  const json = join(out!, 'raw', `${file}.json`);
  try {
    execFileSync(python, command(sides[kind], json), {
      cwd: sides[kind],
      stdio: 'ignore',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    const run = readRun(json, id, Number(load.toFixed(2)));
    console.log(`${new Date().toISOString()} ${run.id} load ${load.toFixed(2)}`);
    return run;
  } catch (error) {
    console.log(`${new Date().toISOString()} ${id} failed: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

if (confirmRuns > 0) {
  const jobs: RecordedJob[] = [];
  for (let i = start; i < start + iterations; i++) {
    const began = Date.now();
    const id = String(i + 1).padStart(2, '0');
    const history = runOnce('a', `run-${id}-a`, `${id}-a`);
    if (history) runs.push(history);
    const order: ('aa' | 'pr')[] = i % 2 === 0 ? ['aa', 'pr'] : ['pr', 'aa'];
    for (const kind of order) {
      const side = kind === 'aa' ? 'a' : 'pr';
      const judged = runOnce(side, `${kind}-${id}`, `${kind}-${id}`);
      if (!judged) continue;
      const confirm: RecordedRun[] = [];
      for (let c = 1; c <= confirmRuns; c++) {
        const again = runOnce(side, `${kind}-${id}-c${c}`, `${kind}-${id}-c${c}`);
        if (again) confirm.push(again);
      }
      jobs.push({ kind, judged, confirm });
    }
    writeFixture(
      join(out, 'fixture.json'),
      runs,
      jobs.filter((job) => job.kind === 'pr').map((job) => job.judged),
      `Confirmation recording: every ~${period} s one run of the unchanged package (the history), then an A/A job and a PR job ` +
        `(alternating order), each a judged run followed at once by ${confirmRuns} re-runs of the same code (jobs[].confirm).`,
      jobs,
    );
    await sleep(Math.max(5, period - (Date.now() - began) / 1000));
  }
  process.exit(0);
}

for (let i = start; i < start + iterations; i++) {
  const began = Date.now();
  const id = String(i + 1).padStart(2, '0');
  const order: ('a' | 'pr')[] = i % 2 === 0 ? ['a', 'pr'] : ['pr', 'a'];
  for (const kind of order) {
    const file = join(out, 'raw', kind === 'a' ? `run-${id}-a.json` : `pr-${id}.json`);
    const load = loadavg()[0];
    try {
      execFileSync(python, command(sides[kind], file), {
        cwd: sides[kind],
        stdio: 'ignore',
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      });
      const run = readRun(file, kind === 'a' ? `${id}-a` : `pr-${id}`, Number(load.toFixed(2)));
      (kind === 'a' ? runs : pr).push(run);
      console.log(`${new Date().toISOString()} ${run.id} load ${load.toFixed(2)}`);
    } catch (error) {
      console.log(`${new Date().toISOString()} ${id} ${kind} failed: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  writeFixture(join(out, 'fixture.json'), runs, pr, `Iterations every ~${period} s.`);
  await sleep(Math.max(5, period - (Date.now() - began) / 1000));
}
