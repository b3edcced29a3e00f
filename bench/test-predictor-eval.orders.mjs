// The orders of the test-predictor evaluations (bench/test-predictor-eval.mjs on the example, bench/test-predictor-
// real.mjs on the public projects): held-out rows grouped by run, selections at a share of the expected test time
// by the action's own budget code, recall, APFD, and where an order missed.
import { join } from 'node:path';
import { importCoreBundle } from './core.bundle.mjs';

/** The core's test-predictor and model faces, bundled with esbuild (the core is TypeScript). */
export function loadCore(dir) {
  return importCoreBundle(
    [
      "export * from './packages/core/src/test-predictor/index.ts';",
      "export { SeededRandom, predictProbabilities } from './packages/core/src/model/index.ts';",
      "export { DirStore } from './packages/core/src/store/index.ts';",
      "export { syntheticHistory } from './test/test-predictor/synthetic-history.ts';",
    ],
    join(dir, 'core.mjs'),
  );
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
export function trainAndHoldOut(core, runs, share = 0.7, endShare = 1, dataset = core.buildHistoryDataset(runs)) {
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
    graphLifts: dataset.graphLifts.slice(cut, end),
  };
  return { outcome, held, trainRuns, trainMs, dataset, cut };
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
    spentShare +=
      picked.reduce((sum, i) => sum + held.durations[i], 0) /
      Math.max(
        1e-12,
        rows.reduce((sum, i) => sum + held.durations[i], 0),
      );
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
      const graph =
        hops === undefined
          ? 'graph does not reach it'
          : `graph reaches it (${hops} hop(s))${removed.has(held.files[i]) ? ', impact map removed it' : ''}`;
      lines.push(
        `- ${kind === 'change' ? `change missed @${Math.round(fraction * 100)}%` : `file missed @${Math.round(fraction * 100)}%`}: run ${run + 1} (${changed}) -> ` +
          `${held.files[i]} ranked ${rank}/${order.length}, ${graph}, expected ${pct(held.expectedDurations[i] / expectedTotal)} of the suite's time`,
      );
    }
  }
  return lines;
}

/**
 * Test-case granularity of one held-out block: every held-out run's cases (from core.buildCaseReplay) as the items
 * the budget orders, scored by core.caseScores from their file's score (or by `direct`, a score per case: random,
 * optimal). A must-run file's cases are all must-run (the action runs such a file whole). Returns per run: the scored items, and which item belongs to which file and failed.
 */
export function caseRuns(core, held, cut, replay, fileScores, direct, absent = new Map()) {
  const out = [];
  for (const [run, rows] of rowsByRun(held)) {
    const cases = replay.get(run);
    if (!cases) continue;
    const fileTests = new Map(core.heldOutTests(held, rows, fileScores).map((t) => [t.file, t]));
    const byFile = new Map();
    for (const c of cases) {
      if (!fileTests.has(c.file) || c.fileRow - cut < 0 || c.fileRow - cut >= held.data.rows) continue;
      if (!byFile.has(c.file)) byFile.set(c.file, []);
      byFile.get(c.file).push(c);
    }
    const items = [];
    const meta = new Map();
    for (const [file, list] of byFile) {
      const test = fileTests.get(file);
      const scores = direct
        ? list.map(direct)
        : core.caseScores(
            test.probability,
            list.map((c) => ({ q: c.q, duration: c.expected })),
          );
      list.forEach((c, k) => {
        items.push({
          file: c.id,
          probability: scores[k],
          duration: c.expected,
          graphReached: test.graphReached,
          ...(test.mustRun ? { mustRun: test.mustRun } : {}),
        });
        meta.set(c.id, { file, label: c.label, measured: c.duration });
      });
    }
    padAbsent(items, meta, absent.get(run));
    out.push({ run, items, meta });
  }
  return out;
}

/**
 * Test files the suite had before a run that did not run in it (pytest stopped at a collection error), with their
 * expected seconds: a prediction before the run would have had them, so they count in the time box (last in every
 * order, never failing: an unknown outcome counts as a pass, which can only lower recall).
 */
export function absentFiles(runs) {
  const recent = new Map();
  const out = new Map();
  runs.forEach((run, r) => {
    const ran = new Map();
    for (const c of run.cases) if (!c.retry && c.file !== '') ran.set(c.file, (ran.get(c.file) ?? 0) + c.duration);
    const missing = [...recent]
      .filter(([file]) => !ran.has(file))
      .map(([file, list]) => [file, [...list].sort((a, b) => a - b)[list.length >> 1]]);
    if (missing.length && ran.size < recent.size / 2) out.set(r, missing);
    for (const [file, seconds] of ran) recent.set(file, [...(recent.get(file) ?? []), seconds].slice(-5));
  });
  return out;
}

function padAbsent(items, meta, missing) {
  for (const [file, seconds] of missing ?? []) {
    const id = `\u0000absent:${file}`;
    items.push({ file: id, probability: 0, duration: seconds, graphReached: false });
    meta.set(id, { file, label: 0, measured: 0 });
  }
}

/** The same shape as caseRuns at file level (items are the held-out test files), so caseMetrics compares both. */
export function fileRuns(core, held, scores, absent = new Map()) {
  const out = [];
  for (const [run, rows] of rowsByRun(held)) {
    const items = core.heldOutTests(held, rows, scores);
    const meta = new Map(
      rows.map((i) => [
        held.files[i],
        { file: held.files[i], label: held.data.labels[i], measured: held.durations[i] },
      ]),
    );
    padAbsent(items, meta, absent.get(run));
    out.push({ run, items, meta });
  }
  return out;
}

/** Recall, APFD (each failing file one fault, found at its first failing case) and time to first failure at case level. */
export function caseMetrics(core, runs, fraction) {
  let failing = 0;
  let caught = 0;
  let faulty = 0;
  let caughtRuns = 0;
  const apfd = [];
  const firstFailure = [];
  for (const { items, meta } of runs) {
    const badFiles = new Set([...meta.values()].filter((m) => m.label === 1).map((m) => m.file));
    if (badFiles.size === 0) continue;
    const total = items.reduce((sum, t) => sum + t.duration, 0);
    const chosen = core.selectForBudget(items, { kind: 'time', seconds: fraction * total * (1 + 1e-12) }).selected;
    const hitFiles = new Set(
      chosen
        .map((id) => meta.get(id))
        .filter((m) => m.label === 1)
        .map((m) => m.file),
    );
    failing += badFiles.size;
    caught += hitFiles.size;
    faulty++;
    if (hitFiles.size > 0) caughtRuns++;
    const order = core.failFastOrder(items);
    const measuredTotal = order.reduce((sum, t) => sum + meta.get(t.file).measured, 0);
    let before = 0;
    let sum = 0;
    let first;
    const found = new Set();
    for (const t of order) {
      const m = meta.get(t.file);
      if (m.label === 1 && !found.has(m.file)) {
        found.add(m.file);
        sum += measuredTotal - before - m.measured / 2;
        first ??= before + m.measured;
      }
      before += m.measured;
    }
    apfd.push(measuredTotal > 0 ? sum / (measuredTotal * badFiles.size) : 0.5);
    firstFailure.push(measuredTotal > 0 ? first / measuredTotal : 0);
  }
  return { caught, failing, caughtRuns, faulty, apfd, firstFailure };
}

/**
 * Why an order (the optimal one) leaves a faulty run out at `fraction`: for every run with no failing item selected,
 * each failing file with the cheapest failing item's expected share of the run's expected time (the box is that
 * share of it), and its measured share.
 */
export function explainUnreached(core, levelRuns, fraction, records, label) {
  const lines = [];
  for (const { run, items, meta } of levelRuns) {
    const bad = items.filter((t) => meta.get(t.file).label === 1);
    if (bad.length === 0) continue;
    const total = items.reduce((sum, t) => sum + t.duration, 0);
    const chosen = new Set(
      core.selectForBudget(items, { kind: 'time', seconds: fraction * total * (1 + 1e-12) }).selected,
    );
    if (bad.some((t) => chosen.has(t.file))) continue;
    const measuredTotal = items.reduce((sum, t) => sum + meta.get(t.file).measured, 0);
    const must = items.filter((t) => t.mustRun).reduce((sum, t) => sum + t.duration, 0);
    const cheapest = new Map();
    for (const t of bad) {
      const file = meta.get(t.file).file;
      if (!cheapest.has(file) || t.duration < cheapest.get(file).duration) cheapest.set(file, t);
    }
    const changed = (records[run].changes ?? []).map((c) => c.path).join(', ');
    const parts = [...cheapest].map(
      ([file, t]) =>
        `${file}${t.file === file ? '' : ` (cheapest failing case ${t.file.slice(file.length + 2)})`}: expected ${pct(t.duration / total)}, measured ${pct(meta.get(t.file).measured / Math.max(1e-12, measuredTotal))} of the run`,
    );
    lines.push(
      `- ${label} misses run ${run + 1} (${changed}) @${Math.round(fraction * 100)}%${must > 0 ? ` (must-run files take ${pct(must / total)})` : ''}: ${parts.join('; ')}`,
    );
  }
  return lines;
}

export const pct = (v) => `${(v * 100).toFixed(1)}%`;
