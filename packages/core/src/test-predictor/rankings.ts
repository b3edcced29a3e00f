import { FEATURE_NAMES, type FeatureName } from './features.ts';
import type { Evaluation } from './evaluation.ts';

/**
 * The orders the predictor can run. Every one is cost-aware: the budget code ranks by score per expected second
 * (budget.ts), so a ranking only says how likely a test file is to fail.
 * - `model`: the GBDT (with the graph prior where the graph tells tests apart);
 * - `co-failure`: how often the file failed when the same files (or folders) changed, then its failure rate;
 * - `failure-frequency`: the file's failure rate, recent runs weighing more;
 * - `import-graph`: what test-filter's import graph reaches, nearest first (the order for a team with no history).
 */
export const RANKINGS = ['model', 'co-failure', 'failure-frequency', 'import-graph'] as const;
export type RankingName = (typeof RANKINGS)[number];
export type SimpleRanking = Exclude<RankingName, 'model'>;
export const SIMPLE_RANKINGS: readonly SimpleRanking[] = ['co-failure', 'failure-frequency', 'import-graph'];

/** What a ranking means, for summaries. */
export const RANKING_DESCRIPTIONS: Record<RankingName, string> = {
  model: 'the trained model (GBDT) per second of expected test time',
  'co-failure':
    'co-failure with the changed files and folders (and the import graph where it tells tests apart) per second of expected test time',
  'failure-frequency': 'recent failure frequency per second of expected test time',
  'import-graph': "test-filter's import-graph distance (nearest first), then failure frequency",
};

/** The ranking a run used and why; stored with the model when chosen at training. */
export interface RankingChoice {
  chosen: RankingName;
  reason: string;
  /** Figures of each ranking on the same newest held-out runs (the only runs the model can be judged on). */
  heldOut: Partial<Record<RankingName, Evaluation>>;
  /**
   * Figures of the simple rankings replayed over the whole history (each run scored from the runs before it only),
   * which is where the best simple ranking is chosen: more runs than the held-out slice, so a steadier choice.
   */
  replay?: Partial<Record<SimpleRanking, Evaluation>>;
}

const column = (name: FeatureName) => FEATURE_NAMES.indexOf(name);
const COLUMNS = {
  decayed: column('fail_rate_decayed'),
  cofail: column('cofail_rate_max'),
  cofailDir: column('cofail_dir_rate'),
  helper: column('helper_changed'),
  distance: column('graph_distance'),
  reached: column('graph_reached'),
  kept: column('impact_map_kept'),
};

/**
 * The prior every file gets: one failure in a hundred runs. Files with no evidence still order by their cost, and a
 * file that failed once for another change does not outrank a cheap one by orders of magnitude.
 */
const FLOOR = 0.01;

/**
 * The score of a simple ranking for one feature row (from `HistoryStats.features`), in [0, 1]. `graphPrior` is the
 * history's failure rate of tests at this row's import-graph distance (HistoryStats.graphPrior), given only where
 * the graph tells the candidates apart: co-failure adds it, so on a package where each module has its own tests a
 * change to a module nobody changed before still ranks its tests first (a folder's co-failure alone favours every
 * test that failed for any module in a flat package).
 */
export function simpleScore(
  ranking: SimpleRanking,
  values: ArrayLike<number>,
  offset = 0,
  graphPrior?: number,
): number {
  const value = (index: number) => {
    const v = values[offset + index];
    return Number.isNaN(v) ? 0 : v;
  };
  const frequency = value(COLUMNS.decayed);
  switch (ranking) {
    case 'failure-frequency':
      return FLOOR + frequency;
    case 'co-failure': {
      // Frequency only breaks ties: alone it favours the files that failed for other changes over cheap ones.
      // The import graph breaks ties among files with no history evidence (it is uniform where it reaches all alike).
      const near = values[offset + COLUMNS.reached] === 1 ? FLOOR / (1 + value(COLUMNS.distance)) : 0;
      // Not for a test the impact map says never ran the changed functions: the map's fifth below says it all.
      const kept = values[offset + COLUMNS.kept];
      const prior = graphPrior === undefined || Number.isNaN(graphPrior) || kept === 0 ? 0 : graphPrior;
      const score =
        FLOOR +
        near +
        prior +
        value(COLUMNS.cofail) +
        0.3 * value(COLUMNS.cofailDir) +
        0.2 * value(COLUMNS.helper) +
        0.02 * frequency;
      // test-filter's impact map, when there is one: a test that ran the changed functions gains, one that never did
      // (reached by imports only) keeps a fifth.
      return Math.min(1, kept === 1 ? score + 0.05 : kept === 0 ? score / 5 : score);
    }
    case 'import-graph': {
      if (values[offset + COLUMNS.reached] !== 1) return FLOOR + 0.05 * frequency;
      // Reached, but the impact map says the test never ran the changed functions: below every kept test.
      const near = 1 / (1 + value(COLUMNS.distance));
      return FLOOR + (values[offset + COLUMNS.kept] === 0 ? 0.05 * near : 0.5 * near) + 0.1 * frequency;
    }
  }
}

/** Scores of a simple ranking for every row of a row-major feature matrix (graph priors per row, NaN for none). */
export function simpleScores(
  ranking: SimpleRanking,
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  graphPriors?: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) out[i] = simpleScore(ranking, values, i * cols, graphPriors?.[i]);
  return out;
}

/** Orders evaluations: change recall at the time share first, then test recall, then time-weighted APFD. */
function better(a: Evaluation, b: Evaluation): number {
  const keys: (keyof Evaluation)[] = ['changeRecall', 'testRecall', 'apfd'];
  for (const key of keys) {
    const x = (a[key] as number | null | undefined) ?? -1;
    const y = (b[key] as number | null | undefined) ?? -1;
    if (Math.abs(x - y) > 1e-9) return x - y;
  }
  return 0;
}

/** The ranking that runs unless another one clearly wins: the strongest simple ranking on real projects. */
const DEFAULT_RANKING: SimpleRanking = 'co-failure';
/** Faulty runs a challenger must catch beyond the default (a win of one run on a few dozen is noise). */
const MARGIN_RUNS = 2;
/** With the same change recall, the test recall a challenger must add. */
const MARGIN_TEST_RECALL = 0.05;

/** Whether `challenger` clearly beats `incumbent` on the same runs: by `marginRuns` faulty runs caught, or as many and more failing files. */
function clearlyBetter(challenger: Evaluation, incumbent: Evaluation, marginRuns: number): boolean {
  const caught = (e: Evaluation) => Math.round((e.changeRecall ?? 0) * e.faultyRuns);
  const gain = caught(challenger) - caught(incumbent);
  if (gain >= marginRuns) return true;
  return (
    gain >= 0 &&
    (challenger.changeRecall ?? 0) >= (incumbent.changeRecall ?? 0) - 1e-9 &&
    (challenger.testRecall ?? 0) >= (incumbent.testRecall ?? 0) + MARGIN_TEST_RECALL
  );
}

/**
 * Picks the ranking to run: co-failure, unless another simple ranking clearly beats it on the replayed history (or on
 * the held-out runs when no replay is given); then the model if it clearly beats that ranking on the same held-out
 * runs (a tie goes to the ranking that needs no training).
 */
export function chooseRanking(
  heldOut: Partial<Record<RankingName, Evaluation>>,
  replay?: Partial<Record<SimpleRanking, Evaluation>>,
): RankingChoice {
  const basis: Partial<Record<RankingName, Evaluation>> = replay ?? heldOut;
  const simple = SIMPLE_RANKINGS.filter((name) => basis[name] && basis[name]!.faultyRuns > 0);
  const extra = replay ? { replay } : {};
  if (simple.length === 0) {
    return {
      chosen: heldOut.model ? 'model' : 'import-graph',
      reason: 'no run had a failure to compare the rankings on',
      heldOut,
      ...extra,
    };
  }
  // The default stays unless the best other ranking clearly beats it: short histories make close calls noise.
  const challenger = simple
    .filter((name) => name !== DEFAULT_RANKING)
    .reduce<SimpleRanking | undefined>(
      (a, b) => (a === undefined || better(basis[b]!, basis[a]!) > 0 ? b : a),
      undefined,
    );
  const best = !simple.includes(DEFAULT_RANKING)
    ? challenger!
    : challenger && clearlyBetter(basis[challenger]!, basis[DEFAULT_RANKING]!, MARGIN_RUNS)
      ? challenger
      : DEFAULT_RANKING;
  const figure = (e: Evaluation) =>
    `change recall ${pct(e.changeRecall)}, test recall ${pct(e.testRecall)}, APFD ${e.apfd ?? 'n/a'}`;
  const where = (e: Evaluation) =>
    `${e.faultyRuns} ${replay ? 'replayed' : 'held-out'} run(s) with failures at ${pct(e.timeFraction)} of test time`;
  const close = best === DEFAULT_RANKING && challenger && better(basis[challenger]!, basis[best]!) > 0;
  const bestReason =
    `${best} ranks best on ${where(basis[best]!)} (${figure(basis[best]!)})` +
    (close
      ? ` — ${challenger} is ahead by less than ${MARGIN_RUNS} run(s) (${figure(basis[challenger!]!)}), too little to switch`
      : '');
  const model = heldOut.model;
  const rival = heldOut[best];
  if (model && rival && clearlyBetter(model, rival, 1) && better(model, rival) > 0) {
    return {
      chosen: 'model',
      reason: `${bestReason}, and the model beats it on the newest ${model.runs} held-out run(s) (${figure(model)} against ${figure(rival)})`,
      heldOut,
      ...extra,
    };
  }
  const versus =
    model && rival
      ? `; the model does not beat it on the newest ${model.runs} held-out run(s) (${figure(model)} against ${figure(rival)})`
      : '';
  return { chosen: best, reason: `${bestReason}${versus}`, heldOut, ...extra };
}

function pct(value: number | null | undefined): string {
  return value === null || value === undefined ? 'n/a' : `${(value * 100).toFixed(1)}%`;
}
