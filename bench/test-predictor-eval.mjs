// Evaluation of test-predictor on a history made by real mutation runs of examples/python-service: every commit
// mutates one or two source modules of a clean base (an operator or a constant), pytest runs for real (the
// `slow`-marked tests are deselected to keep the run in minutes), and the run is recorded through the CLI
// (`ci-optimizer test-predictor --mode record`). The model trains on the first 70% of the runs and is evaluated on
// the rest: test-file recall and change recall at 10/20/33/50% of test time and APFD, against three baselines
// measured on the same runs: random order, test-filter's selection alone, and ordering by historic failure rate.
// Then the training time of the whole pipeline (features + two fits) on generated histories of 10k and 100k rows.
//
// Usage: node bench/test-predictor-eval.mjs [--quick] [--runs N] [--seed N] [--keep DIR] [--no-train-sizes]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const quick = args.includes('--quick');
const runCount = Number(flag('--runs', quick ? 16 : 48));
const seed = Number(flag('--seed', 7));
const keep = flag('--keep', undefined);
const FRACTIONS = [0.1, 0.2, 0.33, 0.5];
const PYTHON = '/usr/bin/python3';
const example = join(root, 'examples', 'python-service');
const cli = join(root, 'dist', 'cli', 'index.js');

if (!existsSync(join(example, 'pytest.ini'))) {
  console.log('examples/python-service is not there yet; nothing to evaluate.');
  process.exit(0);
}
if (!existsSync(cli)) {
  console.log('dist/cli/index.js is missing: run `npm run bundle -- cli` first.');
  process.exit(1);
}

/** The core's test-predictor and model faces, bundled with esbuild (the core is TypeScript). */
async function loadCore(dir) {
  const out = join(dir, 'core.mjs');
  await build({
    absWorkingDir: root,
    stdin: {
      contents: [
        "export * from './packages/core/src/test-predictor/index.ts';",
        "export { SeededRandom, predictProbabilities } from './packages/core/src/model/index.ts';",
        "export { syntheticHistory } from './test/test-predictor/synthetic-history.ts';",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return import(pathToFileURL(out).href);
}

function git(repo, ...gitArgs) {
  return execFileSync('git', gitArgs, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

const MUTATIONS = [
  [/ \+ /, ' - '],
  [/ - /, ' + '],
  [/ \* /, ' + '],
  [/ < /, ' <= '],
  [/ > /, ' >= '],
  [/ <= /, ' < '],
  [/ >= /, ' > '],
  [/ == /, ' != '],
  [/ != /, ' == '],
  [/\bTrue\b/, 'False'],
  [/\bFalse\b/, 'True'],
  [/\band\b/, 'or'],
  [/\b(\d+)\b/, (m) => String(Number(m) + 1)],
];

/** Applies one random operator or constant mutation to a code line of `text`; undefined when none applies. */
function mutate(text, random) {
  const lines = text.split('\n');
  const candidates = [];
  let inDoc = false;
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    const quotes = (trimmed.match(/"""|'''/g) ?? []).length;
    if (inDoc || trimmed.startsWith('#') || trimmed.startsWith('"""') || trimmed.startsWith("'''") || trimmed.startsWith('import ') || trimmed.startsWith('from ')) {
      if (quotes % 2 === 1) inDoc = !inDoc;
      return;
    }
    MUTATIONS.forEach(([pattern], m) => {
      if (pattern.test(line.replace(/(["']).*?\1/g, '""'))) candidates.push([i, m]);
    });
  });
  if (candidates.length === 0) return undefined;
  const [lineIndex, m] = candidates[Math.floor(random.next() * candidates.length)];
  const [pattern, replacement] = MUTATIONS[m];
  lines[lineIndex] = lines[lineIndex].replace(pattern, replacement);
  return lines.join('\n');
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

/** Copies the example into a git repo and records `runCount` real mutation runs through the CLI. */
function generateHistory(repo, storeDir, core) {
  rmSync(repo, { recursive: true, force: true });
  cpSync(example, repo, { recursive: true, filter: (src) => !/__pycache__|\.pytest_cache|\.ci-optimizer/.test(src) });
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'user.name', 'Bench');
  git(repo, 'config', 'user.email', 'bench@example.invalid');
  git(repo, 'config', 'commit.gpgsign', 'false');
  writeFileSync(join(repo, '.gitignore'), '__pycache__/\n.pytest_cache/\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'clean base');
  const modules = walk(join(repo, 'src')).filter((f) => f.endsWith('.py') && !f.endsWith('__init__.py')).map((f) => relative(repo, f)).sort();
  const random = new core.SeededRandom(seed);
  const reports = join(tmp, 'reports');
  mkdirSync(reports, { recursive: true });
  for (let run = 0; run < runCount; run++) {
    git(repo, 'checkout', '-q', '--detach', 'main');
    const count = random.next() < 0.3 ? 2 : 1;
    const touched = [];
    for (let k = 0; k < count * 4 && touched.length < count; k++) {
      const module = modules[Math.floor(random.next() * modules.length)];
      if (touched.includes(module)) continue;
      const mutated = mutate(readFileSync(join(repo, module), 'utf8'), random);
      if (mutated === undefined) continue;
      writeFileSync(join(repo, module), mutated);
      touched.push(module);
    }
    git(repo, 'commit', '-q', '-am', `mutate ${touched.join(', ')}`);
    const report = join(reports, `run-${run}.xml`);
    spawnSync(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-m', 'not slow', `--junitxml=${report}`], {
      cwd: repo,
      stdio: 'ignore',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      timeout: 120_000,
    });
    const record = spawnSync(process.execPath, [cli, 'test-predictor', '--mode', 'record', '--repo', repo, '--base', 'main', '--head', 'HEAD', '--junit', report, '--store', `dir:${storeDir}`, '--retrain-after', '3650d', '--json'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    });
    if (record.status !== 0) throw new Error(`record failed for run ${run}: ${record.stderr}`);
    const out = JSON.parse(record.stdout);
    process.stderr.write(`run ${run + 1}/${runCount}: ${touched.join(', ')} -> ${out['failed-tests'].length} failing file(s)\n`);
  }
}

/** Average percentage of faults detected for one ordered run (file level). */
function apfd(order, failing) {
  const n = order.length;
  const m = failing.size;
  if (m === 0 || n === 0) return null;
  let sum = 0;
  order.forEach((file, i) => {
    if (failing.has(file)) sum += i + 1;
  });
  return 1 - sum / (n * m) + 1 / (2 * n);
}

function evaluate(core, runs) {
  const dataset = core.buildHistoryDataset(runs);
  const labelled = dataset.labelledRuns;
  const cutRun = labelled[Math.floor(labelled.length * 0.7)];
  const trainRuns = runs.slice(0, cutRun);
  const started = performance.now();
  const outcome = core.trainFromHistory(trainRuns, { holdout: 0.2, timeBudgetMs: 120_000, timeFraction: 0.33 });
  const trainMs = performance.now() - started;
  let cut = 0;
  while (cut < dataset.data.rows && dataset.runOfRow[cut] < cutRun) cut++;
  const rows = Array.from({ length: dataset.data.rows - cut }, (_, i) => cut + i);
  const cols = dataset.data.cols;
  const held = {
    data: {
      ...dataset.data,
      rows: rows.length,
      values: dataset.data.values.slice(cut * cols),
      labels: dataset.data.labels.slice(cut),
    },
    runOfRow: dataset.runOfRow.slice(cut),
    files: dataset.files.slice(cut),
    durations: dataset.durations.slice(cut),
  };
  const feature = (name) => core.FEATURE_NAMES.indexOf(name);
  const at = (i, name) => held.data.values[i * cols + feature(name)];
  const random = new core.SeededRandom(seed + 1);
  const scorers = {
    'test-predictor (GBDT)': () => (outcome.model ? core.predictProbabilities(outcome.model.model, held.data) : new Float64Array(rows.length)),
    'random order (mean of 20)': null,
    'test-filter selection alone': () =>
      Float64Array.from(rows, (_, i) => (at(i, 'graph_reached') === 1 ? 1 / (1 + (Number.isNaN(at(i, 'graph_distance')) ? 0 : at(i, 'graph_distance'))) : -1)),
    'historic failure rate': () => Float64Array.from(rows, (_, i) => (Number.isNaN(at(i, 'fail_rate_all')) ? 0 : at(i, 'fail_rate_all'))),
  };
  const table = [];
  for (const [name, make] of Object.entries(scorers)) {
    const trials = make ? [make()] : Array.from({ length: 20 }, () => Float64Array.from(rows, () => random.next()));
    // test-filter alone never runs what its graph does not reach: those rows are not eligible at any budget.
    const eligible = name.startsWith('test-filter') ? (score) => score >= 0 : () => true;
    const figures = FRACTIONS.map((fraction) => {
      const per = trials.map((scores) => recallAt(held, scores, fraction, eligible));
      return { testRecall: per.reduce((a, e) => a + e.testRecall, 0) / per.length, changeRecall: per.reduce((a, e) => a + e.changeRecall, 0) / per.length };
    });
    const apfds = trials.map((scores) => meanApfd(held, scores));
    table.push({ name, figures, apfd: apfds.reduce((a, b) => a + b, 0) / apfds.length });
  }
  const faulty = new Set(held.runOfRow.filter((_, i) => held.data.labels[i] === 1)).size;
  const failures = held.data.labels.reduce((a, b) => a + b, 0);
  const runsHeld = new Set(held.runOfRow).size;
  console.log(`\n### test-predictor evaluation: ${runs.length} real mutation runs of examples/python-service`);
  console.log(`Trained on the first ${trainRuns.length} runs (${outcome.model?.document?.rows ?? 0} rows, ${(trainMs / 1000).toFixed(1)} s); evaluated on the last ${runsHeld} runs (${faulty} with failures, ${failures} failing test files).\n`);
  const header = ['order', ...FRACTIONS.map((f) => `test recall @${Math.round(f * 100)}%`), ...FRACTIONS.map((f) => `change recall @${Math.round(f * 100)}%`), 'APFD'];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
  const pct = (v) => `${(v * 100).toFixed(1)}%`;
  for (const row of table) {
    console.log(`| ${[row.name, ...row.figures.map((f) => pct(f.testRecall)), ...row.figures.map((f) => pct(f.changeRecall)), row.apfd.toFixed(3)].join(' | ')} |`);
  }
  const model = table[0];
  const ref = table[1];
  console.log(`\nRatio to random order at 33% of test time: test recall ${(model.figures[2].testRecall / Math.max(1e-9, ref.figures[2].testRecall)).toFixed(2)}x, APFD ${(model.apfd / ref.apfd).toFixed(2)}x.`);
  console.log(`Targets: change recall >= 99% at <= 33% of test time -> ${pct(model.figures[2].changeRecall)}; test-file FNR < 5% at 50% -> ${pct(1 - model.figures[3].testRecall)}.`);
}

/**
 * Recall when each held-out run spends `fraction` of its test time in score order (first fit: a file that does not
 * fit is skipped, cheaper ones may still fit), only on eligible rows.
 */
function recallAt(held, scores, fraction, eligible) {
  const byRun = new Map();
  held.runOfRow.forEach((run, i) => {
    if (!byRun.has(run)) byRun.set(run, []);
    byRun.get(run).push(i);
  });
  let failing = 0;
  let caught = 0;
  let faulty = 0;
  let caughtRuns = 0;
  for (const rows of byRun.values()) {
    const total = rows.reduce((sum, i) => sum + held.durations[i], 0);
    const box = fraction * total * (1 + 1e-12);
    let spent = 0;
    const chosen = new Set();
    for (const i of [...rows].sort((a, b) => scores[b] - scores[a] || held.durations[a] - held.durations[b])) {
      if (!eligible(scores[i]) || spent + held.durations[i] > box) continue;
      spent += held.durations[i];
      chosen.add(i);
    }
    const bad = rows.filter((i) => held.data.labels[i] === 1);
    const hits = bad.filter((i) => chosen.has(i)).length;
    failing += bad.length;
    caught += hits;
    if (bad.length > 0) {
      faulty++;
      if (hits > 0) caughtRuns++;
    }
  }
  return { testRecall: failing ? caught / failing : 1, changeRecall: faulty ? caughtRuns / faulty : 1 };
}

function meanApfd(held, scores) {
  const byRun = new Map();
  held.runOfRow.forEach((run, i) => {
    if (!byRun.has(run)) byRun.set(run, []);
    byRun.get(run).push(i);
  });
  const values = [];
  for (const rows of byRun.values()) {
    const order = [...rows].sort((a, b) => scores[b] - scores[a] || held.durations[a] - held.durations[b]).map((i) => held.files[i]);
    const failing = new Set(rows.filter((i) => held.data.labels[i] === 1).map((i) => held.files[i]));
    const value = apfd(order, failing);
    if (value !== null) values.push(value);
  }
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

function trainingTimes(core) {
  console.log('\n### test-predictor training time (features + held-out fit + final fit, one thread)\n');
  console.log('| rows | runs | training | rounds | stopped by | held-out AUC |');
  console.log('| ---: | ---: | ---: | ---: | --- | ---: |');
  for (const rows of quick ? [10_000] : [10_000, 100_000]) {
    const runs = core.syntheticHistory({ runs: Math.ceil(rows / 24), seed: 11 });
    const started = performance.now();
    const outcome = core.trainFromHistory(runs, { holdout: 0.2, timeBudgetMs: 600_000, timeFraction: 0.33 });
    const ms = performance.now() - started;
    const doc = outcome.model.document;
    console.log(`| ${doc.rows} | ${runs.length} | ${(ms / 1000).toFixed(1)} s | ${doc.training.rounds} | ${doc.training.stoppedBy} | ${doc.evaluation?.auc ?? 'n/a'} |`);
  }
}

// Runs last, so every constant above is initialised.
const tmp = keep ?? mkdtempSync(join(tmpdir(), 'ci-opt-bench-predictor-'));
mkdirSync(tmp, { recursive: true });
try {
  const core = await loadCore(tmp);
  const repo = join(tmp, 'repo');
  const storeDir = join(tmp, 'store');
  if (!existsSync(join(storeDir, 'test-predictor', 'test_history.json'))) {
    const started = performance.now();
    generateHistory(repo, storeDir, core);
    console.log(`History: ${runCount} real mutation runs recorded in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  }
  const runs = readFileSync(join(storeDir, 'test-predictor', 'test_history.json'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  evaluate(core, runs);
  if (!args.includes('--no-train-sizes')) trainingTimes(core);
} finally {
  if (!keep) rmSync(tmp, { recursive: true, force: true });
}
