// How long test-predictor's `record` and `predict` take through the CLI (dist/cli/index.js), as a step would, on a
// generated pytest project of a few hundred test files with a 1,000-test JUnit report and 60 recorded runs of
// history; against, measured in the same run, a Node process that only reads and parses that JUnit file with
// fast-xml-parser (the reference of issue 19), one that reads it with the scanner record uses for plain reports (the
// floor of record's own reading) and `node -e 0`. `predict` is timed cold (no graph cache in the store) and warm (the
// graph the records stored, of an earlier tree).
// Every call is a job of its own (its own RUNNER_TEMP), except `record after predict`: the record step of a job whose
// predict step ran before it, as in a workflow, which hands record its change view (view-handoff.ts). `record` records
// a commit the history has no run of (as CI records each pushed commit); `record, a rerun` records a recorded commit
// again with other failures (earlier failures turn flaky, and record reads the whole history).
// Usage: node bench/test-predictor-speed.mjs [--quick] [--keep DIR] [--baseline DIST]
//   --quick: 3 samples instead of 7, 20 runs of history; --keep DIR: build the project, store and report in DIR and
//   leave them there (to profile `record`/`predict` on them); --baseline DIST: a dist/ folder of another revision
//   (e.g. `git archive main dist | tar -x -C OTHER`, then OTHER/dist): its CLI runs the same predictions and a
//   record on copies of the same store, their outputs must be identical to this CLI's (exit 1 when not), and both
//   are timed turn about, each on a copy of the store it recorded one more run into (its own history summary).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let cli = join(root, 'dist', 'cli', 'index.js');
const samples = process.argv.includes('--quick') ? 3 : 7;
const MODULES = 80;
const TEST_FILES = 300;
const CASES = 1000;
const RUNS = process.argv.includes('--quick') ? 20 : 60;
const cpus = (await import('node:os')).cpus().length;

function git(repo, ...args) {
  const result = spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

function makeProject(repo) {
  mkdirSync(join(repo, 'pkg'), { recursive: true });
  mkdirSync(join(repo, 'tests'), { recursive: true });
  writeFileSync(join(repo, 'pytest.ini'), '[pytest]\ntestpaths = tests\n');
  writeFileSync(join(repo, 'pkg', '__init__.py'), '');
  for (let m = 0; m < MODULES; m++) {
    const uses = m > 0 ? `from pkg import mod${m - 1}\n` : '';
    writeFileSync(join(repo, 'pkg', `mod${m}.py`), `${uses}\ndef f${m}(x):\n    return x + ${m}\n`);
  }
  for (let t = 0; t < TEST_FILES; t++) {
    writeFileSync(
      join(repo, 'tests', `test_${t}.py`),
      `from pkg.mod${t % MODULES} import f${t % MODULES}\n\n\ndef test_it():\n    assert f${t % MODULES}(1)\n`,
    );
  }
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'user.email', 'bench@example.invalid');
  git(repo, 'config', 'user.name', 'Bench');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'base');
}

/** A pytest-style JUnit report of CASES test cases spread over the test files; `failing` test files fail. */
function junit(failing) {
  const cases = [];
  for (let i = 0; i < CASES; i++) {
    const file = `tests/test_${i % TEST_FILES}.py`;
    const fail = failing.has(file) ? '<failure message="assert 0">AssertionError</failure>' : '';
    cases.push(
      `<testcase classname="tests.test_${i % TEST_FILES}" name="test_case_${i}" file="${file}" line="4" time="0.0${(i % 9) + 1}">${fail}</testcase>`,
    );
  }
  return `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="${CASES}">${cases.join('')}</testsuite></testsuites>`;
}

// On a shared machine the wall time mostly measures the queue for a core: with GNU time (/usr/bin/time) each call's
// CPU time (user + system, the process and its children) is measured too, and printed beside it.
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const cpuTimes = new Map();

let runnerTemps = 0;
/** A RUNNER_TEMP of its own: a CLI call is a job of its own unless it is given the temp folder of another call. */
function newRunnerTemp() {
  const dir = join(work, 'runner-temp', String(++runnerTemps));
  mkdirSync(dir, { recursive: true });
  return dir;
}

function timed(args, cwd, label, output, runnerTemp = newRunnerTemp()) {
  const cpuFile = join(work, 'cpu.txt');
  const command = gnuTime ? gnuTime : process.execPath;
  const commandArgs = gnuTime ? ['-f', '%U %S', '-o', cpuFile, process.execPath, ...args] : args;
  const start = process.hrtime.bigint();
  const result = spawnSync(command, commandArgs, {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', RUNNER_TEMP: runnerTemp },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.slice(0, 3).join(' ')} failed: ${result.stderr}`);
  if (output) Object.assign(output, { stdout: result.stdout, stderr: result.stderr });
  if (gnuTime && label) {
    const [user, system] = readFileSync(cpuFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    cpuTimes.set(label, [...(cpuTimes.get(label) ?? []), (user + system) * 1000]);
  }
  return ms;
}

/** The predictions compared with --baseline: every budget kind, both granularities, cold start, no graph, shards. */
const VARIANTS = [
  [],
  ['--granularity', 'case'],
  ['--budget', 'fraction:0.2'],
  ['--budget', 'time:10s'],
  ['--budget', 'recall:0.99', '--shards', '4'],
  ['--min-history', '1000'],
  ['--min-history', '1000', '--granularity', 'case'],
  ['--graph', 'false'],
];

/** A CLI's JSON output without what differs from call to call (timings, temp file names). */
function comparable(stdout) {
  const outputs = JSON.parse(stdout);
  for (const key of ['duration-ms', 'metrics', 'tests-file', 'selected-file']) delete outputs[key];
  return JSON.stringify(outputs);
}

/** The newest recorded run (without its recording time) and the safety state (without times) of a dir: store. */
function recordedState(storeDir) {
  const segments = join(storeDir, 'test-predictor', 'history');
  const lines = ['segments', 'pending'].flatMap((part) =>
    existsSync(join(segments, part))
      ? readdirSync(join(segments, part))
          .sort()
          .flatMap((f) =>
            readFileSync(join(segments, part, f), 'utf8')
              .split('\n')
              .filter(Boolean),
          )
      : [],
  );
  const runs = lines.map((line) => JSON.parse(line)).sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  const { time, ...newest } = runs.at(-1);
  const safetyFile = join(storeDir, 'test-predictor', 'safety.json');
  const safety = (existsSync(safetyFile) ? readFileSync(safetyFile, 'utf8') : 'none').replace(
    /"\d{4}-\d\d-\d\dT[\d:.]+Z"/g,
    '"TIME"',
  );
  return JSON.stringify({ runs: runs.map((run) => run.id), newest, safety });
}

/** The CLI call of a `predict` step from `base` to `head` on `store` (a store spec such as `dir:DIR`). */
function predictCommand(cliPath, { repo, base, head, store }, extra = []) {
  return [
    cliPath,
    ...['test-predictor', '--mode', 'predict', '--repo', repo, '--base', base, '--head', head],
    ...['--store', store, '--json', ...extra],
  ];
}

/** The CLI call of a `record` step of `head` against `base` with `report` (the same for the history and the timing). */
function recordCommand(cliPath, { repo, base, head, store, report }) {
  return [
    cliPath,
    ...['test-predictor', '--mode', 'record', '--repo', repo, '--base', base, '--head', head],
    ...['--junit', report, '--store', store, '--retrain-after', '3650d', '--json'],
  ];
}

/**
 * --baseline: the same commands through another build's CLI on fresh copies of the same store (one path, so log
 * lines naming it match): outputs, log lines and what record stores must be identical; then CPU time turn about.
 */
function compareWithBaseline({ repo, base, head, storeDir, report }) {
  const clis = { this: cli, baseline: join(work, 'baseline-dist', 'cli', 'index.js') };
  cpSync(baseline, join(work, 'baseline-dist'), { recursive: true });
  const scratch = join(work, 'store-compare');
  const fresh = () => {
    rmSync(scratch, { recursive: true, force: true });
    cpSync(storeDir, scratch, { recursive: true });
  };
  // Commits the store has no run of: what CI records (the stored summary is all this CLI reads then); `head` has one.
  const [newCommit, nextCommit] = [1, 2].map((m) => {
    git(repo, 'checkout', '-q', '--detach', base);
    writeFileSync(join(repo, 'pkg', `mod${m}.py`), `\ndef f${m}(x):\n    return x * 7\n`);
    git(repo, 'commit', '-q', '-am', `not recorded yet ${m}`);
    return git(repo, 'rev-parse', 'HEAD');
  });
  git(repo, 'checkout', '-q', '--detach', head);
  const reportOf = (failing) => writeFileSync(report, junit(new Set(failing)));
  const at = { repo, base, head, store: `dir:${scratch}`, report };
  const predict = (which, extra) => predictCommand(clis[which], at, extra);
  const record = (which, commit = newCommit) => recordCommand(clis[which], { ...at, head: commit });
  reportOf(['tests/test_7.py', 'tests/test_87.py']);
  const differing = [];
  const outcomes = (which) => {
    const seen = [];
    for (const extra of VARIANTS) {
      fresh();
      const output = {};
      timed(predict(which, extra), repo, undefined, output);
      seen.push({
        name: `predict ${extra.join(' ') || '(defaults)'}`,
        value: `${comparable(output.stdout)}\n${output.stderr}`,
      });
    }
    for (const [commit, kind] of [
      [newCommit, 'a new commit'],
      [head, 'a rerun'],
    ]) {
      for (const afterPredict of [false, true]) {
        fresh();
        const output = {};
        const job = newRunnerTemp();
        if (afterPredict) timed(predictCommand(clis[which], { ...at, head: commit }), repo, undefined, undefined, job);
        timed(record(which, commit), repo, undefined, output, job);
        // And the record after it, of another new commit: from the summary the first one stored.
        const next = {};
        reportOf(['tests/test_5.py']);
        timed(record(which, nextCommit), repo, undefined, next);
        reportOf(['tests/test_7.py', 'tests/test_87.py']);
        seen.push({
          name: `record of ${kind}${afterPredict ? ' after predict (same job)' : ''} and the next`,
          value: `${comparable(output.stdout)}\n${output.stderr}\n${comparable(next.stdout)}\n${next.stderr}\n${recordedState(scratch)}`,
        });
      }
    }
    return seen;
  };
  const mine = outcomes('this');
  const theirs = outcomes('baseline');
  mine.forEach((item, i) => {
    if (item.value !== theirs[i].value) differing.push(item.name);
  });
  // For the timing, each CLI works on a store whose history summary it wrote itself (one record of another report
  // first): the summary names the code that wrote it, so on this CLI's store the other one would read the whole history.
  const own = {};
  for (const which of ['this', 'baseline']) {
    fresh();
    // A report no earlier record has (the record samples above fail one file each): a record of one already stored
    // is a no-op, which left the other CLI's summary in the store.
    writeFileSync(report, junit(new Set(['tests/test_3.py', 'tests/test_299.py'])));
    timed(record(which, head), repo);
    own[which] = join(work, `store-own-${which}`);
    rmSync(own[which], { recursive: true, force: true });
    cpSync(scratch, own[which], { recursive: true });
  }
  writeFileSync(report, junit(new Set(['tests/test_7.py', 'tests/test_87.py'])));
  const freshOwn = (which) => {
    rmSync(scratch, { recursive: true, force: true });
    cpSync(own[which], scratch, { recursive: true });
  };
  for (let k = 0; k < samples * 2; k++) {
    for (const which of ['this', 'baseline']) {
      freshOwn(which);
      timed(predict(which, []), repo, `ab-predict-${which}`);
      freshOwn(which);
      timed(record(which), repo, `ab-record-${which}`);
      freshOwn(which);
      const job = newRunnerTemp();
      timed(predictCommand(clis[which], { ...at, head: newCommit }), repo, undefined, undefined, job);
      timed(record(which), repo, `ab-record-after-predict-${which}`, undefined, job);
      freshOwn(which);
      timed(record(which, head), repo, `ab-record-rerun-${which}`);
    }
  }
  console.log(
    `\n### This CLI against --baseline, same data (each on a store it recorded the last run into), turn about (median of ${samples * 2}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})\n`,
  );
  console.log('| step | CPU time, this | CPU time, baseline | this / baseline |');
  console.log('| --- | ---: | ---: | ---: |');
  const names = {
    predict: 'predict, warm',
    record: 'record (a new commit)',
    'record-after-predict': 'record after predict (same job)',
    'record-rerun': 'record, a rerun of a recorded commit',
  };
  for (const step of Object.keys(names)) {
    const mineCpu = cpu(`ab-${step}-this`);
    const theirCpu = cpu(`ab-${step}-baseline`);
    console.log(
      `| ${names[step]} | ${mineCpu?.toFixed(0) ?? 'n/a'} ms | ${theirCpu?.toFixed(0) ?? 'n/a'} ms | ${mineCpu && theirCpu ? (mineCpu / theirCpu).toFixed(2) : 'n/a'} |`,
    );
  }
  console.log(
    differing.length === 0
      ? `\nOutputs identical to the baseline's: ${VARIANTS.length} predictions (outputs and log lines), and records of a new commit and of a rerun, alone and after a predict of the same job, each followed by a record of another new commit (outputs, log lines, the runs stored and safety state).`
      : `\nOutputs DIFFER from the baseline's in: ${differing.join('; ')}.`,
  );
  if (differing.length > 0) process.exitCode = 1;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const cpu = (label) => (cpuTimes.has(label) ? median(cpuTimes.get(label)) : undefined);

const keepAt = process.argv.indexOf('--keep');
const keep = keepAt >= 0 ? process.argv[keepAt + 1] : undefined;
if (keepAt >= 0 && (!keep || keep.startsWith('--'))) {
  console.error('--keep needs a directory: node bench/test-predictor-speed.mjs --keep DIR');
  process.exit(2);
}
if (keep) mkdirSync(keep, { recursive: true });
const baselineAt = process.argv.indexOf('--baseline');
const baseline = baselineAt >= 0 ? process.argv[baselineAt + 1] : undefined;
if (baselineAt >= 0 && (!baseline || !existsSync(join(baseline, 'cli', 'index.js')))) {
  console.error(
    `--baseline needs a dist/ folder with cli/index.js in it (got ${JSON.stringify(baseline ?? '')}): node bench/test-predictor-speed.mjs --baseline OTHER/dist`,
  );
  process.exit(2);
}
const work = keep ? mkdtempSync(join(keep, 'run-')) : mkdtempSync(join(tmpdir(), 'ci-opt-bench-predictor-speed-'));
try {
  // The CLI as it was at the start (with the shared chunks beside it): a rebuild of dist/ meanwhile does not break the run.
  cpSync(join(root, 'dist'), join(work, 'dist'), { recursive: true });
  cli = join(work, 'dist', 'cli', 'index.js');
  const repo = join(work, 'repo');
  makeProject(repo);
  const base = git(repo, 'rev-parse', 'HEAD');
  const store = `dir:${join(work, 'store')}`;
  const report = join(work, 'report.xml');
  const recordArgs = (head) => recordCommand(cli, { repo, base, head, store, report });
  // History: RUNS commits, each changing one module; its tests fail. All but the last `samples` are recorded; those
  // are the new commits the record samples record (as CI records each pushed commit once).
  const newCommits = [];
  for (let r = 0; r < RUNS; r++) {
    git(repo, 'checkout', '-q', '--detach', base);
    const m = r % MODULES;
    writeFileSync(join(repo, 'pkg', `mod${m}.py`), `\ndef f${m}(x):\n    return x - ${r}\n`);
    git(repo, 'commit', '-q', '-am', `run ${r}`);
    const failing = new Set(
      Array.from({ length: TEST_FILES }, (_, t) => `tests/test_${t}.py`).filter((_, t) => t % MODULES === m),
    );
    writeFileSync(report, junit(failing));
    const head = git(repo, 'rev-parse', 'HEAD');
    if (r < RUNS - samples) {
      timed(recordArgs(head), repo);
    } else newCommits.push(head);
  }
  const head = git(repo, 'rev-parse', 'HEAD');
  const parseOnly = `import { readFileSync } from 'node:fs'; import { XMLParser } from 'fast-xml-parser'; const doc = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(${JSON.stringify(report)}, 'utf8')); if (!doc.testsuites) process.exit(1);`;
  const reference = median(
    Array.from({ length: samples }, () => timed(['--input-type=module', '-e', parseOnly], root, 'reference')),
  );
  // The same with the scanner record reads plain reports with (test-history/junit-scan.ts; fast-xml-parser reads
  // the rest): the floor of record's own JUnit reading.
  const scanner = JSON.stringify(join(work, 'junit-scan.mjs'));
  const { buildSync } = await import('esbuild');
  buildSync({
    entryPoints: [join(root, 'packages', 'core', 'src', 'test-history', 'junit-scan.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: join(work, 'junit-scan.mjs'),
    logLevel: 'error',
  });
  const scanOnly = `import { readFileSync } from 'node:fs'; import { scanJunitXml } from ${scanner}; if (!scanJunitXml(readFileSync(${JSON.stringify(report)}, 'utf8'))?.length) process.exit(1);`;
  const scanReference = median(
    Array.from({ length: samples }, () => timed(['--input-type=module', '-e', scanOnly], root, 'scan')),
  );
  const nodeOnly = median(Array.from({ length: samples }, () => timed(['-e', '0'], root, 'node')));
  // Each record sample records a new commit (the next of newCommits). It is also made, on a copy of the store as it
  // was, the way a job runs it: after the predict step of the same job (same RUNNER_TEMP), which hands its change view
  // to record (view-handoff.ts); and, on another copy, as a rerun of a recorded commit (the last one, with other
  // failures), which makes earlier failures flaky and reads the history.
  const afterPredict = [];
  const rerun = [];
  const copy = join(work, 'store-job');
  const copyStore = () => {
    rmSync(copy, { recursive: true, force: true });
    cpSync(join(work, 'store'), copy, { recursive: true });
  };
  const record = median(
    Array.from({ length: samples }, (_, k) => {
      writeFileSync(report, junit(new Set([`tests/test_${k}.py`])));
      const commit = newCommits[k];
      if (k > 0) {
        copyStore();
        const again = { repo, base, head: newCommits[k - 1], store: `dir:${copy}`, report };
        rerun.push(timed(recordCommand(cli, again), repo, 'record-rerun'));
      }
      copyStore();
      const job = newRunnerTemp();
      const inJob = { repo, base, head: commit, store: `dir:${copy}`, report };
      timed(predictCommand(cli, inJob), repo, undefined, undefined, job);
      afterPredict.push(timed(recordCommand(cli, inJob), repo, 'record-after-predict', undefined, job));
      return timed(recordArgs(commit), repo, 'record');
    }),
  );
  const train = timed(
    [cli, 'test-predictor', '--mode', 'train', '--repo', repo, '--store', store, '--json'],
    repo,
    'train',
  );
  const predictArgs = predictCommand(cli, { repo, base, head, store });
  // Cold: on a copy of the store without test-filter's stored graph (every file is parsed and the graph built).
  // Warm: on the store itself, whose graph the records stored, of an earlier tree (patched to the head: the files
  // changed since are parsed), as for a new commit of a project that records every run.
  const coldStore = join(work, 'store-cold');
  const cold = median(
    Array.from({ length: samples }, () => {
      rmSync(coldStore, { recursive: true, force: true });
      cpSync(join(work, 'store'), coldStore, { recursive: true });
      rmSync(join(coldStore, 'test-filter'), { recursive: true, force: true });
      return timed(predictCommand(cli, { repo, base, head, store: `dir:${coldStore}` }), repo, 'cold');
    }),
  );
  const warm = median(Array.from({ length: samples }, () => timed(predictArgs, repo, 'warm')));
  const caseArgs = [...predictArgs, '--granularity', 'case'];
  const warmCase = median(Array.from({ length: samples }, () => timed(caseArgs, repo, 'warm-case')));
  console.log(
    `\n### test-predictor through the CLI: ${TEST_FILES} test files, ${MODULES} modules, a ${CASES}-case JUnit report, ${RUNS} runs of history (median of ${samples}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus} cores)\n`,
  );
  console.log(
    '| step | wall time | ratio to reading the JUnit file alone | CPU time (user + system) | CPU ratio | target (wall) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | --- |');
  const row = (name, ms, label, target = '') => {
    const c = cpu(label);
    const ref = cpu('reference');
    console.log(
      `| ${name} | ${ms.toFixed(0)} ms | ${(ms / reference).toFixed(2)}x | ${c === undefined ? 'n/a' : `${c.toFixed(0)} ms`} | ${c === undefined || !ref ? 'n/a' : `${(c / ref).toFixed(2)}x`} | ${target} |`,
    );
  };
  row('`node -e 0`', nodeOnly, 'node');
  row('read and parse the JUnit file alone (reference)', reference, 'reference');
  row('read and scan it as record does (junit-scan.ts)', scanReference, 'scan');
  row('record', record, 'record', '< 500 ms');
  row(
    'record after predict in the same job (view handed over)',
    median(afterPredict),
    'record-after-predict',
    '< 500 ms',
  );
  row('record, a rerun of a recorded commit (reads the history)', median(rerun), 'record-rerun');
  row('train', train, 'train');
  row('predict, cold (graph built)', cold, 'cold');
  row('predict, warm', warm, 'warm', '< 300 ms');
  row('predict, warm, --granularity case', warmCase, 'warm-case');
  if (baseline) compareWithBaseline({ repo, base, head, storeDir: join(work, 'store'), report });
  if (keep)
    console.log(`\nKept in ${work}: repo/, store/, report.xml (base ${base}, head ${head}), dist/ (the CLI measured).`);
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
