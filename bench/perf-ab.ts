// Same-job A/B on the benchmark package with no pytest config (test/perf/fixtures/bench_pkg), through the CLI bundle,
// repeated TRIALS times on whatever else the machine is doing: an A/A pull request (a comment-only change) must flag
// nothing, and a pull request where checksum does 2x and horner 1.15x the work must flag both and nothing else.
// Usage: npm run bench -- --only perf-ab   (PERF_AB_TRIALS=5, PERF_AB_RUNS=3 runs a side; PERF_AB_INTERLEAVE=rounds
// (default: each pair of runs in lockstep) or runs (whole runs one after the other); PERF_AB_KEEP=<folder> keeps each
// trial's result files and report there)
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli', 'index.js');
const trials = Number(process.env.PERF_AB_TRIALS ?? 5);
const runs = String(process.env.PERF_AB_RUNS ?? 3);
const interleave = process.env.PERF_AB_INTERLEAVE ?? 'rounds';
const command =
  '/usr/bin/python3 -m pytest -q -p no:cacheprovider bench_pkg --benchmark-only --benchmark-save-data ' +
  '--benchmark-min-rounds=10 --benchmark-json={output}';

function git(dir: string, ...args: string[]): string {
  const run = spawnSync(
    'git',
    ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', '-c', 'commit.gpgsign=false', ...args],
    { cwd: dir, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
  return run.stdout.trim();
}

function trial(
  pr: (source: string) => string,
  id: string,
): {
  verdicts: Record<string, string>;
  reasons: Record<string, string>;
  seconds: number;
  load: string;
  pairs: number;
  hornerPairs: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'perf-ab-bench-'));
  const temp = mkdtempSync(join(tmpdir(), 'perf-ab-runner-'));
  try {
    cpSync(join(root, 'test', 'perf', 'fixtures', 'bench_pkg'), join(dir, 'bench_pkg'), { recursive: true });
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'base');
    const file = join(dir, 'bench_pkg', 'work.py');
    writeFileSync(file, pr(readFileSync(file, 'utf8')));
    git(dir, 'commit', '-q', '-am', 'pr');
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    const started = Date.now();
    const run = spawnSync(
      process.execPath,
      [
        cli,
        'perf-comment',
        '--mode',
        'ab',
        '--ab-runs',
        runs,
        '--ab-interleave',
        interleave,
        '--ab-command',
        command,
        '--comment',
        'never',
        '--json',
      ],
      {
        cwd: dir,
        env: { ...process.env, RUNNER_TEMP: temp },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    if (run.status !== 0) throw new Error(`perf-comment failed: ${run.stderr}`);
    const report = JSON.parse(run.stdout) as {
      benchmarks: { label: string; verdict: string; change?: number; reason: string; pairChanges?: number[] }[];
    };
    // Pairs run (ab-extra-runs adds up to 2 when one pair goes the other way), and horner's pair changes.
    const pairs = Math.max(0, ...report.benchmarks.map((b) => b.pairChanges?.length ?? 0));
    const horner = report.benchmarks.find((b) => b.label === 'test_horner')?.pairChanges ?? [];
    const verdicts = Object.fromEntries(
      report.benchmarks.map((b) => [
        b.label.replace('test_', ''),
        `${b.verdict} ${b.change === undefined ? '' : (b.change * 100).toFixed(1) + '%'}`,
      ]),
    );
    if (process.env.PERF_AB_KEEP) {
      cpSync(join(temp, 'ci-optimizer', 'perf-ab', 'results'), join(process.env.PERF_AB_KEEP, id), { recursive: true });
      writeFileSync(join(process.env.PERF_AB_KEEP, id, 'report.json'), run.stdout);
    }
    const reasons = Object.fromEntries(report.benchmarks.map((b) => [b.label.replace('test_', ''), b.reason]));
    const hornerPairs = horner.map((c) => `${(c * 100).toFixed(1)}%`).join(', ');
    return { verdicts, reasons, seconds: (Date.now() - started) / 1000, load, pairs, hornerPairs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(temp, { recursive: true, force: true });
  }
}

const aa = (source: string) => source.replace('"""Five small', '"""(A/A: a comment-only change) Five small');
const slower = (source: string) =>
  source
    .replace('CHECKSUM_SIZE = 20000', 'CHECKSUM_SIZE = 40000')
    .replace('HORNER_SIZE = 20000', 'HORNER_SIZE = 23000');
const names = ['checksum', 'horner', 'running_max', 'digit_sum', 'moving_sum'];
console.log(
  `Same-job A/B, ${runs} runs a side, ab-interleave ${interleave}, ${trials} trials (CLI bundle, real pytest-benchmark)\n`,
);
console.log(`| trial | PR | load (1 min) | seconds | pairs | ${names.join(' | ')} | horner pairs | as expected |`);
console.log(`|---:|---|---:|---:|---:|${names.map(() => '---').join('|')}|---|---|`);
let good = 0;
const notes: string[] = [];
for (let i = 1; i <= trials; i++) {
  for (const [kind, change, expected] of [
    ['A/A', aa, new Set<string>()],
    ['2x + 1.15x', slower, new Set(['checksum', 'horner'])],
  ] as const) {
    const result = trial(change, `trial-${i}-${kind === 'A/A' ? 'aa' : 'pr'}`);
    const flagged = names.filter((n) => /^(regression|improvement)/.test(result.verdicts[n] ?? ''));
    const ok =
      flagged.length === expected.size &&
      flagged.every((n) => expected.has(n) && result.verdicts[n].startsWith('regression'));
    if (ok) good++;
    else
      for (const n of names.filter((n) => expected.has(n) !== flagged.includes(n)))
        notes.push(`trial ${i} ${kind}, ${n}: ${result.reasons[n]}`);
    console.log(
      `| ${i} | ${kind} | ${result.load} | ${result.seconds.toFixed(0)} | ${result.pairs} | ${names.map((n) => result.verdicts[n] ?? '—').join(' | ')} | ${result.hornerPairs} | ${ok ? 'yes' : '**no**'} |`,
    );
  }
}
console.log(`\n${good} of ${trials * 2} trials as expected.`);
for (const note of notes) console.log(`- ${note}`);
