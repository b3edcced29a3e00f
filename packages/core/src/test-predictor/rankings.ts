import { FEATURE_NAMES, type FeatureName } from './features.ts';
import type { Evaluation } from './training.ts';

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
  'co-failure': 'co-failure with the changed files and folders per second of expected test time',
  'failure-frequency': 'recent failure frequency per second of expected test time',
  'import-graph': "test-filter's import-graph distance (nearest first), then failure frequency",
};

/** The ranking a run used and why; stored with the model when chosen at training. */
export interface RankingChoice {
  chosen: RankingName;
  reason: string;
  /** Held-out figures of each ranking on the same runs (the team's own history). */
  heldOut: Partial<Record<RankingName, Evaluation>>;
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

/** The score of a simple ranking for one feature row (from `HistoryStats.features`), in [0, 1]. */
export function simpleScore(ranking: SimpleRanking, values: ArrayLike<number>, offset = 0): number {
  const value = (index: number) => {
    const v = values[offset + index];
    return Number.isNaN(v) ? 0 : v;
  };
  const frequency = value(COLUMNS.decayed);
  switch (ranking) {
    case 'failure-frequency':
      return FLOOR + frequency;
    case 'co-failure':
      // Frequency only breaks ties: alone it favours the files that failed for other changes over cheap ones.
      return Math.min(1, FLOOR + value(COLUMNS.cofail) + 0.3 * value(COLUMNS.cofailDir) + 0.2 * value(COLUMNS.helper) + 0.02 * frequency);
    case 'import-graph': {
      if (values[offset + COLUMNS.reached] !== 1) return FLOOR + 0.05 * frequency;
      // Reached, but the impact map says the test never ran the changed functions: below every kept test.
      const near = 1 / (1 + value(COLUMNS.distance));
      return FLOOR + (values[offset + COLUMNS.kept] === 0 ? 0.05 * near : 0.5 * near) + 0.1 * frequency;
    }
  }
}

/** Scores of a simple ranking for every row of a row-major feature matrix. */
export function simpleScores(ranking: SimpleRanking, values: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) out[i] = simpleScore(ranking, values, i * cols);
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

/**
 * Picks the ranking to run from held-out figures measured on the same runs: the best simple ranking, unless the
 * model beats it (strictly: with little history a tie goes to the ranking that needs no training).
 */
export function chooseRanking(heldOut: Partial<Record<RankingName, Evaluation>>): RankingChoice {
  const simple = SIMPLE_RANKINGS.filter((name) => heldOut[name] && heldOut[name]!.faultyRuns > 0);
  if (simple.length === 0) {
    return { chosen: heldOut.model ? 'model' : 'import-graph', reason: 'no held-out run had a failure to compare the rankings on', heldOut };
  }
  const best = simple.reduce((a, b) => (better(heldOut[b]!, heldOut[a]!) > 0 ? b : a));
  const model = heldOut.model;
  const figure = (e: Evaluation) => `change recall ${pct(e.changeRecall)}, test recall ${pct(e.testRecall)}, APFD ${e.apfd ?? 'n/a'}`;
  const on = `${heldOut[best]!.faultyRuns} held-out run(s) with failures at ${pct(heldOut[best]!.timeFraction)} of test time`;
  if (model && better(model, heldOut[best]!) > 0) {
    return { chosen: 'model', reason: `the model beats ${best} on ${on} (${figure(model)} against ${figure(heldOut[best]!)})`, heldOut };
  }
  const versus = model ? `; the model does not beat it (${figure(model)})` : '';
  return { chosen: best, reason: `${best} ranks best on ${on} (${figure(heldOut[best]!)})${versus}`, heldOut };
}

function pct(value: number | null | undefined): string {
  return value === null || value === undefined ? 'n/a' : `${(value * 100).toFixed(1)}%`;
}
