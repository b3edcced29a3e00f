// test-predictor on the real-world corpus (bench/real-world/): public Python projects nobody here wrote, their own
// pytest suites run once per mutant (one small AST-guided change each). Per project, as a team's CI would:
//   1. every mutant run is recorded in order through the CLI (`ci-optimizer test-predictor --mode record`) from the
//      run's real JUnit report (pytest's), with the diff from the pinned commit to the mutant's commit;
//   2. the history is cut in three consecutive blocks (runs from 50% to 65%, 65% to 80%, 80% to 100% of the labelled
//      runs); each block is predicted by a model trained on every run before it, so every later run is held out
//      exactly once;
//   3. every order is measured on the same held-out runs: the predictor as it runs (the ranking its training chose),
//      the GBDT alone, co-failure per second, failure frequency per second, the import graph, random order (mean of
//      20) and the optimal order (the failing files first): test recall and change recall at 10/20/33/50% of the
//      expected test time (applied by the action's own budget code), APFD, and the share of the run's time spent
//      before the first failure.
//
// Needs CI_OPTIMIZER_CORPUS (the clones and the mutant runs; bench/real-world/README.md says how to make it).
// Usage: node bench/test-predictor-real.mjs [--only-project NAME[,NAME]] [--keep DIR] [--quick]
//   --keep DIR keeps the recorded histories, so a second call evaluates in seconds; --quick: the first 3 projects.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  absentFiles,
  apfdValues,
  caseMetrics,
  caseRuns,
  explainUnreached,
  fileRuns,
  firstFailureShares,
  loadCore,
  pct,
  recallAt,
  trainAndHoldOut,
} from './test-predictor-eval.orders.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpusData = join(root, 'bench', 'real-world');
const bundledCli = join(root, 'dist', 'cli');
let cli = join(bundledCli, 'index.js');
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const corpus = process.env.CI_OPTIMIZER_CORPUS;
const FRACTIONS = [0.1, 0.2, 0.33, 0.5];
const BLOCKS = [
  [0.5, 0.65],
  [0.65, 0.8],
  [0.8, 1],
];

if (!corpus) {
  console.log(
    'test-predictor-real: CI_OPTIMIZER_CORPUS is not set, so there is nothing to measure. Create the corpus as\n' +
      'bench/real-world/README.md says (clones at their pinned commits, then build_corpus.py), then\n' +
      '  CI_OPTIMIZER_CORPUS=DIR npm run bench -- --only test-predictor-real',
  );
  process.exit(0);
}
if (!existsSync(join(bundledCli, 'index.js'))) {
  console.log('test-predictor-real: dist/cli/index.js is missing: run `npm run bundle` first.');
  process.exit(1);
}

const only = flag('--only-project')?.split(',');
const { projects } = JSON.parse(readFileSync(join(corpusData, 'projects.json'), 'utf8'));
const chosen = projects
  .filter((p) => !only || only.includes(p.name))
  .filter((p) => existsSync(join(corpusData, p.name, 'mutants.jsonl')) && existsSync(join(corpus, p.name, 'repo')))
  .slice(0, args.includes('--quick') ? 3 : undefined);

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0)
    throw new Error(`${command} ${commandArgs.slice(0, 3).join(' ')} … failed: ${result.stderr}`);
  return result.stdout;
}

/** Records every mutant run of a project, in order, through the CLI; returns the history's runs. */
async function recordHistory(core, project, dir) {
  const done = join(dir, 'recorded');
  const store = join(dir, 'store');
  const read = () =>
    core.readHistory(new core.DirStore(store), (message) => process.stderr.write(`${project.name}: ${message}\n`));
  if (!existsSync(done)) {
    const repo = join(dir, 'repo');
    if (!existsSync(join(repo, '.git'))) {
      rmSync(repo, { recursive: true, force: true });
      run('git', ['clone', '-q', '--no-checkout', join(corpus, project.name, 'repo'), repo]);
    }
    const mutants = readFileSync(join(corpusData, project.name, 'mutants.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const usable = mutants.filter((m) => m.outcome !== 'timeout' && m.junit && existsSync(join(corpus, m.junit)));
    // Resumes an interrupted recording (runs are recorded in order, one per mutant).
    const already = existsSync(store) ? (await read()).length : 0;
    const started = performance.now();
    for (const mutant of usable.slice(already)) {
      run('git', ['-C', repo, 'checkout', '-q', '--detach', mutant.commit]);
      run(
        process.execPath,
        [
          cli,
          'test-predictor',
          '--mode',
          'record',
          '--repo',
          repo,
          '--base',
          project.commit,
          '--head',
          mutant.commit,
          '--junit',
          join(corpus, mutant.junit),
          '--store',
          `dir:${store}`,
          '--retrain-after',
          '3650d',
          '--json',
        ],
        {
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
        },
      );
    }
    process.stderr.write(
      `${project.name}: ${usable.length - already} runs recorded through the CLI in ${((performance.now() - started) / 1000).toFixed(0)} s${already ? ` (${already} recorded before)` : ''}\n`,
    );
    writeFileSync(done, `${usable.length}\n`);
  }
  return read();
}

/** Raw counts of every order over the three held-out blocks of one project's history (so projects pool). */
function evaluateProject(core, name, runs) {
  const orders = new Map();
  const chosenRankings = [];
  let heldRuns = 0;
  let faultyRuns = 0;
  const random = new core.SeededRandom(17);
  const dataset = core.buildHistoryDataset(runs);
  const replay = core.buildCaseReplay(runs, dataset);
  const absent = absentFiles(runs);
  const granular = new Map();
  const unreached = [];
  for (const [from, to] of BLOCKS) {
    const { outcome, held, trainRuns, cut } = trainAndHoldOut(core, runs, from, to, dataset);
    if (held.data.rows === 0) continue;
    const { rows, cols, values, labels } = held.data;
    heldRuns += new Set(held.runOfRow).size;
    faultyRuns += new Set(held.runOfRow.filter((_, i) => labels[i] === 1)).size;
    const modelScores = outcome.model ? core.scoreHeldOut(outcome.model.model, held) : undefined;
    // Without a model the action ranks with the best simple ranking on the history before the block.
    const fallback = outcome.model ? undefined : core.chooseSimpleRanking(trainRuns, 0.33).chosen;
    chosenRankings.push(outcome.model ? outcome.model.document.ranking.chosen : `no model, ${fallback}`);
    const asPredicted = outcome.model
      ? core.scoreHeldOutAsPredicted(outcome.model, held)
      : core.simpleScores(fallback, values, rows, cols, held.graphPriors, held.graphLifts);
    const simple = (name) => [core.simpleScores(name, values, rows, cols, held.graphPriors, held.graphLifts)];
    const scorers = {
      'test-predictor (as it runs)': [asPredicted],
      'GBDT + graph prior alone': modelScores ? [modelScores] : [],
      'co-failure x graph lift per second': simple('co-failure-graph'),
      'co-failure per second': simple('co-failure'),
      'failure frequency per second': simple('failure-frequency'),
      'import graph (test-filter distance)': simple('import-graph'),
      'random order (mean of 20)': Array.from({ length: 20 }, () =>
        Float64Array.from({ length: rows }, () => random.next()),
      ),
      'optimal (failing files first)': [Float64Array.from(labels, (label) => (label === 1 ? 1 : 1e-6))],
    };
    for (const [order, trials] of Object.entries(scorers)) {
      if (trials.length === 0) continue;
      // Both granularities of the same order on the same runs (random and optimal score cases directly).
      const direct = order.startsWith('random')
        ? () => random.next()
        : order.startsWith('optimal')
          ? (c) => (c.label === 1 ? 1 : 1e-6)
          : undefined;
      const levels = {
        file: trials.map((scores) => fileRuns(core, held, scores, absent)),
        case: trials.map((scores) => caseRuns(core, held, cut, replay, scores, direct, absent)),
      };
      for (const [level, trialRuns] of Object.entries(levels)) {
        const key = `${order} | ${level}`;
        const entry = granular.get(key) ?? {
          counts: FRACTIONS.map(() => ({ caught: 0, failing: 0, caughtRuns: 0, faulty: 0 })),
          apfd: [],
          firstFailure: [],
        };
        FRACTIONS.forEach((fraction, f) => {
          const per = trialRuns.map((r) => caseMetrics(core, r, fraction));
          for (const k of ['caught', 'failing', 'caughtRuns', 'faulty'])
            entry.counts[f][k] += per.reduce((a, e) => a + e[k], 0) / per.length;
          if (f === 2) {
            entry.apfd.push(...per[0].apfd.map((_, k) => per.reduce((a, e) => a + e.apfd[k], 0) / per.length));
            entry.firstFailure.push(
              ...per[0].firstFailure.map((_, k) => per.reduce((a, e) => a + e.firstFailure[k], 0) / per.length),
            );
          }
        });
        granular.set(key, entry);
        if (order.startsWith('optimal'))
          unreached.push(...explainUnreached(core, trialRuns[0], 0.33, runs, `optimal ${level} order`));
      }
      const entry = orders.get(order) ?? {
        counts: FRACTIONS.map(() => ({ caught: 0, failing: 0, caughtRuns: 0, faulty: 0 })),
        apfd: [],
        firstFailure: [],
      };
      FRACTIONS.forEach((fraction, f) => {
        const per = trials.map((scores) => recallAt(core, held, scores, fraction, () => true));
        for (const key of ['caught', 'failing', 'caughtRuns', 'faulty'])
          entry.counts[f][key] += per.reduce((a, e) => a + e[key], 0) / per.length;
      });
      const apfds = trials.map((scores) => apfdValues(core, held, scores));
      const firsts = trials.map((scores) => firstFailureShares(core, held, scores));
      entry.apfd.push(...apfds[0].map((_, k) => apfds.reduce((a, list) => a + list[k], 0) / apfds.length));
      entry.firstFailure.push(...firsts[0].map((_, k) => firsts.reduce((a, list) => a + list[k], 0) / firsts.length));
      orders.set(order, entry);
    }
  }
  return { name, runs: runs.length, heldRuns, faultyRuns, chosenRankings, orders, granular, unreached };
}

function printTable(title, evaluations) {
  console.log(`\n### ${title}`);
  for (const e of evaluations) {
    console.log(
      `- ${e.name}: ${e.runs} recorded runs; held out ${e.heldRuns} (${e.faultyRuns} with failures) in three blocks; rankings chosen at training: ${e.chosenRankings.join(', ')}`,
    );
  }
  const header = [
    'order',
    ...FRACTIONS.map((f) => `change recall @${Math.round(f * 100)}%`),
    ...FRACTIONS.map((f) => `test recall @${Math.round(f * 100)}%`),
    'APFD',
    'time to 1st failure',
  ];
  console.log(`\n| ${header.join(' | ')} |`);
  console.log(`| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
  const names = [...evaluations[0].orders.keys()];
  for (const name of names) {
    const all = evaluations.map((e) => e.orders.get(name)).filter(Boolean);
    if (all.length === 0) continue;
    const sum = (f, key) => all.reduce((a, entry) => a + entry.counts[f][key], 0);
    const change = FRACTIONS.map((_, f) => pct(sum(f, 'caughtRuns') / Math.max(1e-9, sum(f, 'faulty'))));
    const test = FRACTIONS.map((_, f) => pct(sum(f, 'caught') / Math.max(1e-9, sum(f, 'failing'))));
    const mean = (list) => (list.length ? list.reduce((a, b) => a + b, 0) / list.length : NaN);
    const apfd = mean(all.flatMap((entry) => entry.apfd));
    const first = mean(all.flatMap((entry) => entry.firstFailure));
    console.log(`| ${[name, ...change, ...test, apfd.toFixed(3), pct(first)].join(' | ')} |`);
  }
}

/** Both granularities of every order: change recall, failing-file recall at a third, APFDc and time to first failure. */
function printGranularity(title, evaluations) {
  console.log(`\n### ${title}`);
  const header = [
    'order | granularity',
    ...FRACTIONS.map((f) => `change recall @${Math.round(f * 100)}%`),
    'test-file recall @33%',
    'APFDc',
    'time to 1st failure',
  ];
  console.log(`\n| ${header.join(' | ')} |`);
  console.log(`| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
  for (const name of evaluations[0].granular.keys()) {
    const all = evaluations.map((e) => e.granular.get(name)).filter(Boolean);
    const sum = (f, key) => all.reduce((a, entry) => a + entry.counts[f][key], 0);
    const change = FRACTIONS.map((_, f) => pct(sum(f, 'caughtRuns') / Math.max(1e-9, sum(f, 'faulty'))));
    const mean = (list) => (list.length ? list.reduce((a, b) => a + b, 0) / list.length : NaN);
    console.log(
      `| ${[name, ...change, pct(sum(2, 'caught') / Math.max(1e-9, sum(2, 'failing'))), mean(all.flatMap((e) => e.apfd)).toFixed(3), pct(mean(all.flatMap((e) => e.firstFailure)))].join(' | ')} |`,
    );
  }
}

const keep = flag('--keep');
const work = keep ?? mkdtempSync(join(tmpdir(), 'ci-opt-bench-predictor-real-'));
mkdirSync(work, { recursive: true });
try {
  if (chosen.length === 0) {
    console.log(
      'test-predictor-real: no project of bench/real-world/projects.json has both its mutant records and its clone in CI_OPTIMIZER_CORPUS.',
    );
    process.exit(1);
  }
  const core = await loadCore(work);
  // The CLI as it was when the benchmark started (with the shared chunks beside it): a rebuild of dist/ during a long
  // recording does not break it.
  cpSync(dirname(bundledCli), join(work, 'dist'), { recursive: true });
  cli = join(work, 'dist', 'cli', 'index.js');
  const evaluations = [];
  for (const project of chosen) {
    const runs = await recordHistory(core, project, join(work, project.name));
    const evaluation = evaluateProject(core, project.name, runs);
    evaluations.push(evaluation);
    printTable(
      `test-predictor on ${project.name} (real pytest runs of ${project.repo} at ${project.commit.slice(0, 12)})`,
      [evaluation],
    );
    printGranularity(
      `${project.name}: test files or test cases (pytest node ids) as the items ordered, same held-out runs`,
      [evaluation],
    );
    if (evaluation.unreached.length)
      console.log(
        `\nFaulty runs the optimal order cannot reach at 33% of the expected time:\n${evaluation.unreached.join('\n')}`,
      );
  }
  printGranularity(
    `${evaluations.length} public projects pooled: test files or test cases as the items ordered`,
    evaluations,
  );
  printTable(
    `test-predictor on ${evaluations.length} public projects, pooled (sums of runs and files; APFD and time to first failure over every faulty run)`,
    evaluations,
  );
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
