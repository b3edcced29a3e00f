import { FEATURE_NAMES, type FeatureName } from './features.ts';
import type { Evaluation } from './evaluation.ts';

/**
 * The orders the predictor can run. Every one is cost-aware: the budget code ranks by score per expected second
 * (budget.ts), so a ranking only says how likely a test file is to fail.
 * - `model`: the GBDT (with the graph prior where the graph tells tests apart);
 * - `co-failure-graph`: co-failure's evidence, multiplied (in odds, Bayes' rule) by how much likelier than average
 *   tests at the file's import-graph distance failed in this history: where the graph tells tests apart it weighs
 *   as much as it predicted, where it does not (every test at one distance) it changes nothing;
 * - `co-failure`: how often the file failed when the same files (or folders) changed, then its failure rate;
 * - `failure-frequency`: the file's failure rate, recent runs weighing more;
 * - `import-graph`: what test-filter's import graph reaches, nearest first (the order for a team with no history).
 */
export const RANKINGS = ['model', 'co-failure-graph', 'co-failure', 'failure-frequency', 'import-graph'] as const;
export type RankingName = (typeof RANKINGS)[number];
export type SimpleRanking = Exclude<RankingName, 'model'>;
export const SIMPLE_RANKINGS: readonly SimpleRanking[] = [
  'co-failure-graph',
  'co-failure',
  'failure-frequency',
  'import-graph',
];

/** What a ranking means, for summaries. */
export const RANKING_DESCRIPTIONS: Record<RankingName, string> = {
  model: 'the trained model (GBDT) per second of expected test time',
  'co-failure-graph':
    "co-failure with the changed files and folders, weighed by how often tests at the same import-graph distance failed in the team's history, per second of expected test time",
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
 * history's failure rate of tests at this row's import-graph distance (HistoryStats.graphPrior) and `graphLift` that
 * rate over the rate at every distance (HistoryStats.graphLift), given only where the graph tells the candidates
 * apart. Co-failure adds the prior, so on a package where each module has its own tests a change to a module nobody
 * changed before still ranks its tests first (a folder's co-failure alone favours every test that failed for any
 * module in a flat package); co-failure-graph multiplies its odds by the lift.
 */
export function simpleScore(
  ranking: SimpleRanking,
  values: ArrayLike<number>,
  offset = 0,
  graphPrior?: number,
  graphLift?: number,
): number {
  const value = (index: number) => {
    const v = values[offset + index];
    return Number.isNaN(v) ? 0 : v;
  };
  const frequency = value(COLUMNS.decayed);
  switch (ranking) {
    case 'failure-frequency':
      return FLOOR + frequency;
    case 'co-failure-graph': {
      // The evidence of the history without the graph, as odds; the graph's lift is the likelihood ratio of the
      // row's distance bucket (the impact map's removed tests are a bucket of their own).
      const evidence = Math.min(MAX_EVIDENCE, graphTieBreak(values, offset) + coFailureEvidence(value, frequency));
      const lift = graphLift === undefined || !(graphLift >= 0) ? 1 : graphLift;
      const odds = (evidence / (1 - evidence)) * lift;
      return odds / (1 + odds);
    }
    case 'co-failure': {
      const near = graphTieBreak(values, offset);
      // Not for a test the impact map says never ran the changed functions: the map's fifth below says it all.
      const kept = values[offset + COLUMNS.kept];
      const prior = graphPrior === undefined || Number.isNaN(graphPrior) || kept === 0 ? 0 : graphPrior;
      const score = near + prior + coFailureEvidence(value, frequency);
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

/**
 * The import graph breaks ties among files with no history evidence, nearest first (a fraction of the floor, so any
 * failure in the history outweighs it; uniform where the graph reaches every file alike).
 */
function graphTieBreak(values: ArrayLike<number>, offset: number): number {
  const distance = values[offset + COLUMNS.distance];
  return values[offset + COLUMNS.reached] === 1 ? FLOOR / (1 + (Number.isNaN(distance) ? 0 : distance)) : 0;
}

/** Evidence above this counts as this much (odds stay finite). */
const MAX_EVIDENCE = 0.99;

/**
 * What the history says of a test for this change, graph aside: the floor, its co-failure with the changed files, a
 * third of that with their folders, a changed helper of its folder; frequency only breaks ties (alone it favours the
 * files that failed for other changes over cheap ones).
 */
function coFailureEvidence(value: (index: number) => number, frequency: number): number {
  return (
    FLOOR + value(COLUMNS.cofail) + 0.3 * value(COLUMNS.cofailDir) + 0.2 * value(COLUMNS.helper) + 0.02 * frequency
  );
}

/** Scores of a simple ranking for every row of a row-major feature matrix (graph priors and lifts per row, NaN for none). */
export function simpleScores(
  ranking: SimpleRanking,
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  graphPriors?: ArrayLike<number>,
  graphLifts?: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) out[i] = simpleScore(ranking, values, i * cols, graphPriors?.[i], graphLifts?.[i]);
  return out;
}
