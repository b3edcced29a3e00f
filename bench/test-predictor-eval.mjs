// Evaluation of test-predictor on a history made by real mutation runs of examples/python-service: every commit
// mutates one or two source modules of a clean base (an operator or a constant), pytest runs for real (the
// `slow`-marked tests are deselected to keep the run in minutes), and the run is recorded through the CLI
// (`ci-optimizer test-predictor --mode record`). The model trains on the first 70% of the runs and is evaluated on
// the rest: test-file recall and change recall at 10/20/33/50% of test time and APFD, against the GBDT without the
// graph prior and three baselines measured on the same runs: random order, test-filter's selection alone, and
// ordering by historic failure rate. Budgets are shares of the expected test time (each file's historic duration
// before the run, what the action selects with), applied by the action's own budget code: a fault that makes a test
// slow (a loop that no longer ends) cannot be known before the run. The measured share of time is printed beside it.
// Then the training time of the whole pipeline (features + two fits) on generated histories of 10k and 100k rows.
//
// Usage (96 runs by default, 16 with --quick): node bench/test-predictor-eval.mjs [--quick] [--runs N] [--seeds N,N,...]
//   [--keep DIR] [--no-train-sizes]. Several seeds make several histories (one folder each under DIR), each evaluated
//   alone, then pooled: sums of caught and failing files / runs over every history, APFD over every faulty run.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apfdValues, explainMisses, loadCore, pct, recallAt, trainAndHoldOut } from './test-predictor-eval.orders.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const quick = args.includes('--quick');
const runCount = Number(flag('--runs', quick ? 16 : 96));
const seeds = String(flag('--seeds', flag('--seed', '7')))
  .split(',')
  .map(Number);
const keep = flag('--keep', undefined);
const FRACTIONS = [0.1, 0.2, 0.33, 0.5];
const PYTHON = '/usr/bin/python3';
const example = join(root, 'examples', 'python-service');
let cli = join(root, 'dist', 'cli', 'index.js');

if (!existsSync(join(example, 'pytest.ini'))) {
  console.log('examples/python-service is not there yet; nothing to evaluate.');
  process.exit(0);
}
if (!existsSync(cli)) {
  console.log('dist/cli/index.js is missing: run `npm run bundle -- cli` first.');
  process.exit(1);
}

function git(repo, ...gitArgs) {
  return execFileSync('git', gitArgs, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** @type {[RegExp, string | ((m: string) => string)][]} */
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
    if (
      inDoc ||
      trimmed.startsWith('#') ||
      trimmed.startsWith('"""') ||
      trimmed.startsWith("'''") ||
      trimmed.startsWith('import ') ||
      trimmed.startsWith('from ')
    ) {
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
function generateHistory(core, repo, storeDir, historySeed, work) {
  rmSync(repo, { recursive: true, force: true });
  cpSync(example, repo, { recursive: true, filter: (src) => !/__pycache__|\.pytest_cache|\.ci-optimizer/.test(src) });
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'user.name', 'Bench');
  git(repo, 'config', 'user.email', 'bench@example.invalid');
  git(repo, 'config', 'commit.gpgsign', 'false');
  writeFileSync(join(repo, '.gitignore'), '__pycache__/\n.pytest_cache/\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'clean base');
  // test-filter's impact map, learned once on the clean base from real per-test coverage (as `mode: learn` does on
  // the default branch); every record below reads it from the same store.
  mkdirSync(work, { recursive: true });
  const coverageFile = join(work, 'base.coverage');
  spawnSync(
    PYTHON,
    [
      '-m',
      'pytest',
      '-q',
      '-p',
      'no:cacheprovider',
      '-m',
      'not slow',
      '--cov=src',
      '--cov-context=test',
      '--cov-report=',
    ],
    {
      cwd: repo,
      stdio: 'ignore',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', COVERAGE_FILE: coverageFile },
      timeout: 600_000,
    },
  );
  const learn = spawnSync(
    process.execPath,
    [
      cli,
      'test-filter',
      '--mode',
      'learn',
      '--repo',
      repo,
      '--coverage',
      coverageFile,
      '--store',
      `dir:${storeDir}`,
      '--json',
    ],
    {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    },
  );
  if (learn.status !== 0) throw new Error(`test-filter --mode learn failed: ${learn.stderr}`);
  process.stderr.write(
    `impact map learned on the clean base: ${JSON.parse(learn.stdout)['map-test-files']} test files\n`,
  );
  const modules = walk(join(repo, 'src'))
    .filter((f) => f.endsWith('.py') && !f.endsWith('__init__.py'))
    .map((f) => relative(repo, f))
    .sort();
  const random = new core.SeededRandom(historySeed);
  const reports = join(work, 'reports');
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
    const record = spawnSync(
      process.execPath,
      [
        cli,
        'test-predictor',
        '--mode',
        'record',
        '--repo',
        repo,
        '--base',
        'main',
        '--head',
        'HEAD',
        '--junit',
        report,
        '--store',
        `dir:${storeDir}`,
        '--retrain-after',
        '3650d',
        '--json',
      ],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      },
    );
    if (record.status !== 0) throw new Error(`record failed for run ${run}: ${record.stderr}`);
    const out = JSON.parse(record.stdout);
    process.stderr.write(
      `run ${run + 1}/${runCount}: ${touched.join(', ')} -> ${out['failed-tests'].length} failing file(s)\n`,
    );
  }
}

/**
 * Every order of the table on one history, as raw counts (so several histories pool): test-predictor with and
 * without test-filter's impact map (the history without it is the same runs with the map's removals taken out, the
 * model retrained), the GBDT alone, and the baselines.
 */
function evaluate(core, runs, seedOfHistory) {
  const withMap = trainAndHoldOut(core, runs);
  const hasMap = runs.some((run) => run.mapRemoved !== undefined);
  const noMap = hasMap
    ? trainAndHoldOut(
        core,
        runs.map(({ mapRemoved, ...run }) => run),
      )
    : withMap;
  const { held, outcome } = withMap;
  const rows = held.data.rows;
  const cols = held.data.cols;
  const feature = (name) => core.FEATURE_NAMES.indexOf(name);
  const at = (i, name) => held.data.values[i * cols + feature(name)];
  const random = new core.SeededRandom(seedOfHistory + 1);
  const simple = (name) => core.simpleScores(name, held.data.values, rows, cols, held.graphPriors, held.graphLifts);
  const distanceScore = (i) => 1 / (1 + (Number.isNaN(at(i, 'graph_distance')) ? 0 : at(i, 'graph_distance')));
  const scorers = {
    'test-predictor (chosen ranking, impact map)': () => core.scoreHeldOutAsPredicted(outcome.model, held),
    'test-predictor without the impact map': () => core.scoreHeldOutAsPredicted(noMap.outcome.model, noMap.held),
    'GBDT + graph prior (impact map)': () => core.scoreHeldOut(outcome.model.model, held),
    'co-failure x graph lift per second': () => simple('co-failure-graph'),
    'co-failure per second': () => simple('co-failure'),
    'failure frequency per second': () => simple('failure-frequency'),
    'import graph per second': () => simple('import-graph'),
    'GBDT alone (impact map)': () => core.predictProbabilities(outcome.model.model, held.data),
    'random order (mean of 20)': null,
    'test-filter with the impact map alone': () =>
      Float64Array.from({ length: rows }, (_, i) =>
        at(i, 'graph_reached') === 1 && at(i, 'impact_map_kept') !== 0 ? distanceScore(i) : -1,
      ),
    'test-filter static graph alone': () =>
      Float64Array.from({ length: rows }, (_, i) => (at(i, 'graph_reached') === 1 ? distanceScore(i) : -1)),
    'historic failure rate': () =>
      Float64Array.from({ length: rows }, (_, i) =>
        Number.isNaN(at(i, 'fail_rate_all')) ? 0 : at(i, 'fail_rate_all'),
      ),
  };
  if (!hasMap) {
    delete scorers['test-predictor without the impact map'];
    delete scorers['test-filter with the impact map alone'];
  }
  const results = [];
  const misses = [];
  process.stderr.write(
    `ranking chosen at training (seed ${seedOfHistory}): ${outcome.model.document.ranking?.chosen} — ${outcome.model.document.ranking?.reason}\n`,
  );
  for (const [name, make] of Object.entries(scorers)) {
    const trials = make
      ? [make()]
      : Array.from({ length: 20 }, () => Float64Array.from({ length: rows }, () => random.next()));
    // test-filter alone never runs what it does not select: those rows are not eligible at any budget.
    const eligible = name.startsWith('test-filter') ? (score) => score >= 0 : () => true;
    const counts = FRACTIONS.map((fraction) => {
      const per = trials.map((scores) => recallAt(core, held, scores, fraction, eligible));
      const mean = (key) => per.reduce((a, e) => a + e[key], 0) / per.length;
      return {
        caught: mean('caught'),
        failing: mean('failing'),
        caughtRuns: mean('caughtRuns'),
        faulty: mean('faulty'),
        spentShare: mean('spentShare'),
      };
    });
    const apfds = trials.map((scores) => apfdValues(core, held, scores));
    results.push({ name, counts, apfd: apfds.flat(), trials: apfds.length });
    if (name.startsWith('test-predictor ('))
      misses.push(
        ...explainMisses(core, held, runs, name, trials[0], eligible, 0.33, 'change'),
        ...explainMisses(core, held, runs, name, trials[0], eligible, 0.5, 'file'),
      );
  }
  const faulty = new Set(held.runOfRow.filter((_, i) => held.data.labels[i] === 1)).size;
  const failures = held.data.labels.reduce((a, b) => a + b, 0);
  const runsHeld = new Set(held.runOfRow).size;
  return {
    seed: seedOfHistory,
    runs: runs.length,
    header: `seed ${seedOfHistory}: ${runs.length} runs; trained on the first ${withMap.trainRuns.length} (${outcome.model?.document?.rows ?? 0} rows, ${(withMap.trainMs / 1000).toFixed(1)} s); evaluated on the last ${runsHeld} (${faulty} with failures, ${failures} failing test files)`,
    results,
    misses,
  };
}

/** Prints one table (one history, or several pooled: sums of the counts, APFD over every faulty run). */
function printTable(title, evaluations) {
  console.log(`\n### ${title}`);
  for (const e of evaluations) console.log(`- ${e.header}`);
  console.log(
    "\nBudgets are shares of the expected test time (the median of each file's last 5 runs before the run, as the action selects); " +
      '"measured @33%" is the share of the run\'s real test time the 33% selection took (a fault can make a test slow).\n',
  );
  const header = [
    'order',
    ...FRACTIONS.map((f) => `test recall @${Math.round(f * 100)}%`),
    ...FRACTIONS.map((f) => `change recall @${Math.round(f * 100)}%`),
    'APFD',
    'measured @33%',
  ];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
  const rows = evaluations[0].results.map((first, k) => {
    const all = evaluations.map((e) => e.results[k]);
    const figures = FRACTIONS.map((_, f) => {
      const sum = (key) => all.reduce((a, r) => a + r.counts[f][key], 0);
      return {
        testRecall: sum('caught') / Math.max(1e-9, sum('failing')),
        changeRecall: sum('caughtRuns') / Math.max(1e-9, sum('faulty')),
        spentShare: sum('spentShare') / all.length,
      };
    });
    const apfds = all.flatMap((r) => r.apfd);
    return { name: first.name, figures, apfd: apfds.reduce((a, b) => a + b, 0) / Math.max(1, apfds.length) };
  });
  for (const row of rows) {
    console.log(
      `| ${[row.name, ...row.figures.map((f) => pct(f.testRecall)), ...row.figures.map((f) => pct(f.changeRecall)), row.apfd.toFixed(3), pct(row.figures[2].spentShare)].join(' | ')} |`,
    );
  }
  const model = rows[0];
  const ref = rows.find((row) => row.name.startsWith('random'));
  console.log(
    `\nRatio to random order at 33% of test time: test recall ${(model.figures[2].testRecall / Math.max(1e-9, ref.figures[2].testRecall)).toFixed(2)}x, APFD ${(model.apfd / ref.apfd).toFixed(2)}x.`,
  );
  console.log(
    `Targets: change recall >= 99% at <= 33% of test time -> ${pct(model.figures[2].changeRecall)}; test-file FNR < 5% at 50% -> ${pct(1 - model.figures[3].testRecall)}.`,
  );
  const misses = evaluations.flatMap((e) => e.misses.map((line) => `${line} [seed ${e.seed}]`));
  if (misses.length)
    console.log(
      `\nWhat test-predictor missed (faulty runs with every failing file left out at 33%; failing files left out at 50%):\n${misses.join('\n')}`,
    );
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
    console.log(
      `| ${doc.rows} | ${runs.length} | ${(ms / 1000).toFixed(1)} s | ${doc.training.rounds} | ${doc.training.stoppedBy} | ${doc.evaluation?.auc ?? 'n/a'} |`,
    );
  }
}

// Runs last, so every constant above is initialised.
const tmp = keep ?? mkdtempSync(join(tmpdir(), 'ci-opt-bench-predictor-'));
mkdirSync(tmp, { recursive: true });
try {
  const core = await loadCore(tmp);
  // The CLI as it was at the start (with the shared chunks beside it): a rebuild of dist/ during the hour of
  // recording does not break it.
  cpSync(join(root, 'dist'), join(tmp, 'dist'), { recursive: true });
  cli = join(tmp, 'dist', 'cli', 'index.js');
  const evaluations = [];
  for (const historySeed of seeds) {
    // One folder per history; a single seed keeps the layout of earlier versions (repo/ and store/ at the top).
    const dir = seeds.length === 1 ? tmp : join(tmp, `seed-${historySeed}`);
    const repo = join(dir, 'repo');
    const storeDir = join(dir, 'store');
    // `recorded` marks a finished history (record writes a record log; older versions a test_history.json).
    if (!existsSync(join(dir, 'recorded')) && !existsSync(join(storeDir, 'test-predictor', 'test_history.json'))) {
      const started = performance.now();
      generateHistory(core, repo, storeDir, historySeed, join(dir, 'work'));
      writeFileSync(join(dir, 'recorded'), `${runCount}\n`);
      console.log(
        `History (seed ${historySeed}): ${runCount} real mutation runs recorded in ${((performance.now() - started) / 1000).toFixed(0)} s.`,
      );
    }
    const runs = await core.readHistory(new core.DirStore(storeDir), (message) => process.stderr.write(`${message}\n`));
    const evaluation = evaluate(core, runs, historySeed);
    evaluations.push(evaluation);
    if (seeds.length > 1) printTable(`test-predictor evaluation, history of seed ${historySeed}`, [evaluation]);
  }
  printTable(
    seeds.length > 1
      ? `test-predictor evaluation: ${seeds.length} histories pooled (real mutation runs of examples/python-service)`
      : `test-predictor evaluation: ${evaluations[0].runs} real mutation runs of examples/python-service`,
    evaluations,
  );
  if (!args.includes('--no-train-sizes')) trainingTimes(core);
} finally {
  if (!keep) rmSync(tmp, { recursive: true, force: true });
}
