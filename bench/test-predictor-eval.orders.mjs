// The orders of the test-predictor evaluations (bench/test-predictor-eval.mjs on the example, bench/test-predictor-
// real.mjs on the public projects): held-out rows grouped by run, selections at a share of the expected test time
// by the action's own budget code, recall, APFD, and where an order missed.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The core's test-predictor and model faces, bundled with esbuild (the core is TypeScript). */
export async function loadCore(dir) {
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

/**
 * Trains on the labelled runs before `share` of them; returns the model and the held-out rows of the runs from there
 * up to `endShare` (the rest of the history by default).
 */
export function trainAndHoldOut(core, runs, share = 0.7, endShare = 1) {
  const dataset = core.buildHistoryDataset(runs);
  const labelled = dataset.labelledRuns;
  const cutRun = labelled[Math.floor(labelled.length * share)];
  const endRun = endShare >= 1 ? runs.length : labelled[Math.floor(labelled.length * endShare)];
  const trainRuns = runs.slice(0, cutRun);
  const started = performance.now();
  const outcome = core.trainFromHistory(trainRuns, { holdout: 0.2, timeBudgetMs: 120_000, timeFraction: 0.33 });
  const trainMs = performance.now() - started;
  let cut = 0;
  while (cut < dataset.data.rows && dataset.runOfRow[cut] < cutRun) cut++;
  let end = cut;
  while (end < dataset.data.rows && dataset.runOfRow[end] < endRun) end++;
  const cols = dataset.data.cols;
  const held = {
    data: {
      ...dataset.data,
      rows: end - cut,
      values: dataset.data.values.slice(cut * cols, end * cols),
      labels: dataset.data.labels.slice(cut, end),
    },
    runOfRow: dataset.runOfRow.slice(cut, end),
    files: dataset.files.slice(cut, end),
    durations: dataset.durations.slice(cut, end),
    expectedDurations: dataset.expectedDurations.slice(cut, end),
    graphPriors: dataset.graphPriors.slice(cut, end),
  };
  return { outcome, held, trainRuns, trainMs };
}

/**
 * Time to the first failure of every faulty held-out run in the order the scores give: the share of the run's
 * measured test time spent before the first failing file has run.
 */
export function firstFailureShares(core, held, scores) {
  const values = [];
  for (const rows of rowsByRun(held).values()) {
    const failing = new Set(rows.filter((i) => held.data.labels[i] === 1).map((i) => held.files[i]));
    if (failing.size === 0) continue;
    const measured = new Map(rows.map((i) => [held.files[i], held.durations[i]]));
    const order = core.failFastOrder(core.heldOutTests(held, rows, scores));
    const total = order.reduce((sum, t) => sum + measured.get(t.file), 0);
    let spent = 0;
    for (const test of order) {
      spent += measured.get(test.file);
      if (failing.has(test.file)) break;
    }
    values.push(total > 0 ? spent / total : 0);
  }
  return values;
}

/** Held-out rows grouped by run, in run order. */
export function rowsByRun(held) {
  const byRun = new Map();
  held.runOfRow.forEach((run, i) => {
    if (!byRun.has(run)) byRun.set(run, []);
    byRun.get(run).push(i);
  });
  return byRun;
}

/**
 * The selection of one held-out run at `fraction` of its expected test time, made by the action's own budget code
 * (must-run first, then first fit in fail-fast order on the durations a prediction knows before the run). Only
 * eligible rows may be chosen (test-filter alone never runs what its graph does not reach), but the box is always a
 * share of the whole suite's expected time.
 */
export function selectRun(core, held, rows, scores, fraction, eligible) {
  const tests = core.heldOutTests(held, rows, scores);
  const total = tests.reduce((sum, t) => sum + t.duration, 0);
  const candidates = tests.filter((t, k) => eligible(scores[rows[k]]));
  return new Set(core.selectForBudget(candidates, { kind: 'time', seconds: fraction * total * (1 + 1e-12) }).selected);
}

/** Failing files and faulty runs, and how many of them the selection at `fraction` of the expected time catches. */
export function recallAt(core, held, scores, fraction, eligible) {
  let failing = 0;
  let caught = 0;
  let faulty = 0;
  let caughtRuns = 0;
  let spentShare = 0;
  const byRun = rowsByRun(held);
  for (const rows of byRun.values()) {
    const chosen = selectRun(core, held, rows, scores, fraction, eligible);
    const picked = rows.filter((i) => chosen.has(held.files[i]));
    spentShare += picked.reduce((sum, i) => sum + held.durations[i], 0) / Math.max(1e-12, rows.reduce((sum, i) => sum + held.durations[i], 0));
    const bad = rows.filter((i) => held.data.labels[i] === 1);
    const hits = bad.filter((i) => chosen.has(held.files[i])).length;
    failing += bad.length;
    caught += hits;
    if (bad.length > 0) {
      faulty++;
      if (hits > 0) caughtRuns++;
    }
  }
  return { caught, failing, caughtRuns, faulty, spentShare: spentShare / byRun.size };
}

/** APFD of every faulty held-out run, in the action's fail-fast order. */
export function apfdValues(core, held, scores) {
  const values = [];
  for (const rows of rowsByRun(held).values()) {
    const order = core.failFastOrder(core.heldOutTests(held, rows, scores)).map((t) => t.file);
    const failing = new Set(rows.filter((i) => held.data.labels[i] === 1).map((i) => held.files[i]));
    const value = apfd(order, failing);
    if (value !== null) values.push(value);
  }
  return values;
}

/**
 * Where the failing files an order misses sit in it: `change` lists faulty runs with every failing file left out at
 * `fraction`, `file` every failing file left out at `fraction`.
 */
export function explainMisses(core, held, runs, name, scores, eligible, fraction, kind) {
  const lines = [];
  for (const [run, rows] of rowsByRun(held)) {
    const bad = rows.filter((i) => held.data.labels[i] === 1);
    if (bad.length === 0) continue;
    const chosen = selectRun(core, held, rows, scores, fraction, eligible);
    const missed = bad.filter((i) => !chosen.has(held.files[i]));
    if (missed.length === 0 || (kind === 'change' && missed.length < bad.length)) continue;
    const order = core.failFastOrder(core.heldOutTests(held, rows, scores));
    const expectedTotal = order.reduce((sum, t) => sum + t.duration, 0);
    const changed = (runs[run].changes ?? []).map((c) => c.path).join(', ');
    const removed = new Set(runs[run].mapRemoved ?? []);
    for (const i of missed) {
      const rank = order.findIndex((t) => t.file === held.files[i]) + 1;
      const hops = runs[run].reach?.[held.files[i]];
      const graph = hops === undefined ? 'graph does not reach it' : `graph reaches it (${hops} hop(s))${removed.has(held.files[i]) ? ', impact map removed it' : ''}`;
      lines.push(
        `- ${kind === 'change' ? `change missed @${Math.round(fraction * 100)}%` : `file missed @${Math.round(fraction * 100)}%`}: run ${run + 1} (${changed}) -> ` +
          `${held.files[i]} ranked ${rank}/${order.length}, ${graph}, expected ${pct(held.expectedDurations[i] / expectedTotal)} of the suite's time`,
      );
    }
  }
  return lines;
}

export const pct = (v) => `${(v * 100).toFixed(1)}%`;
