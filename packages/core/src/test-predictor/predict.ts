import { mainReasons, predictRowProbability, type FeatureContribution } from '../model/index.ts';
import {
  failFastOrder,
  median,
  selectForBudget,
  type Budget,
  type BudgetSelection,
  type ScoredTest,
} from './budget.ts';
import {
  combineWithGraphPrior,
  graphDiscriminates,
  HistoryStats,
  selectedByTestFilter,
  summarizeChange,
  type ChangeContext,
} from './features.ts';
import { labelFlaky, realFailedFiles, type FlakyLabels } from './flaky.ts';
import type { RunRecord } from '../test-history/index.ts';
import { buildShards, type Shard } from './shards.ts';
import { RANKING_DESCRIPTIONS, simpleScore, type RankingChoice } from './rankings.ts';
import { CaseStats, expandToCases, type Granularity } from './cases.ts';
import { chooseSimpleRanking, type LoadedModel } from './training.ts';
import { usableRunsOf, type HistoryFacts } from './history-facts.ts';
import { slowTests, type SlowTest } from './slow-tests.ts';

export { slowTests, type SlowTest };

/** Everything a prediction needs; no git, no store: the command gathers it. */
export interface PredictRequest {
  history: readonly RunRecord[];
  model?: LoadedModel;
  change: ChangeContext;
  /** Candidate test files (repository-relative). */
  candidates: readonly string[];
  /** Test file -> why it must run. */
  mustRun: ReadonlyMap<string, string>;
  budget: Budget;
  /** Runs with a known diff needed before the model is trusted. */
  minHistory: number;
  shards: number;
  /** Seconds above which a test case is listed as slow. */
  slowThreshold: number;
  /** How many top tests get their main reasons computed. */
  explainTop?: number;
  /** Share of test time at which rankings are compared when no trained model chose one (default a third). */
  timeFraction?: number;
  /** What is ordered and selected: test files (default) or their test cases (pytest node ids, see cases.ts). */
  granularity?: Granularity;
  /** labelFlaky(history), when the caller has it already (it is computed otherwise). */
  flaky?: FlakyLabels;
  /** historyStats(history, flaky), when the caller has it already (it is computed otherwise). */
  stats?: HistoryStats;
  /** rankingFor(this request), when the caller has it already (it is computed otherwise). */
  ranking?: RankingChoice;
  /**
   * What the prediction reads from the history, when the caller has it (history-facts.ts): from the stored summary,
   * `history` may be empty, and then the prediction must not need the runs (file granularity, a ranking given or
   * the model usable, a slow-threshold the summary answers).
   */
  facts?: HistoryFacts;
}

/** What the ranking a prediction runs depends on: the history, the model and two settings, not the change. */
type RankingRequest = Pick<PredictRequest, 'history' | 'model' | 'minHistory' | 'timeFraction' | 'facts'>;

/** The per-file statistics of a history (durations, failures, co-failures, graph-distance failures). */
export function historyStats(history: readonly RunRecord[], flaky: FlakyLabels): HistoryStats {
  const stats = new HistoryStats(flaky);
  for (const run of history) stats.add(run, realFailedFiles(flaky, run));
  return stats;
}

/** The prediction: order, selection, shards and what to tell the user. */
export interface Prediction {
  coldStart: boolean;
  /** Why the model was not used (cold start). */
  coldStartReason?: string;
  /** Candidate test files in fail-fast order with their scores. */
  ordered: ScoredTest[];
  granularity: Granularity;
  /**
   * What runs, in fail-fast order: the files of `ordered`, or at case granularity node ids (and files run whole,
   * see `wholeFiles`). `selection` and `shards` are over these items.
   */
  items: ScoredTest[];
  /** Item -> its test file. */
  fileOf: ReadonlyMap<string, string>;
  /** At case granularity: files run whole and why. */
  wholeFiles: ReadonlyMap<string, string>;
  selection: BudgetSelection;
  shards: Shard[];
  slowTests: SlowTest[];
  /** Main reasons (largest positive feature contributions) for the top tests. */
  reasons: Map<string, FeatureContribution[]>;
  /** Runs with a known diff in the history. */
  usableRuns: number;
  /** The ranking that ordered the candidates, and why (held-out figures on the team's own history). */
  ranking: RankingChoice;
}

const DEFAULT_SECONDS = 1;

/** Runs replayed to choose a simple ranking when no trained model chose one (bounds the time of a prediction). */
const REPLAY_RUNS = 100;

/**
 * Scores every candidate and applies the budget. The ranking is the one chosen on the team's own history: the
 * model when it beat the simple rankings on its held-out runs, else the best simple ranking (co-failure, failure
 * frequency or the import graph); every order is per second of expected time (budget.ts).
 */
export function predictTests(request: PredictRequest): Prediction {
  const facts = request.facts;
  let labels = request.flaky;
  const flaky = () => (labels ??= labelFlaky(runsOf(request)));
  const stats = facts?.stats ?? request.stats ?? historyStats(request.history, flaky());
  const usableRuns = facts?.usableRuns ?? usableRunsOf(request.history);

  const known = request.candidates.map((file) => stats.duration(file)).filter((d): d is number => d !== undefined);
  const typical = known.length ? median(known) : DEFAULT_SECONDS;
  const durationOf = (file: string) => stats.duration(file) ?? typical;
  const reachOf = (file: string) => selectedByTestFilter(request.change, file);

  const coldStartReason = coldStartReasonOf(request, usableRuns);
  const ranking = request.ranking ?? chooseRankingFor(request, coldStartReason === undefined);
  const model = ranking.chosen === 'model' ? request.model!.model : undefined;
  const graphPriorApplies = graphDiscriminates(request.change, request.candidates);

  const summary = summarizeChange(request.change.changes);
  const rows = new Map<string, Float64Array>();
  const scored: ScoredTest[] = request.candidates.map((file) => {
    const mustRun = request.mustRun.get(file);
    const row = stats.features(request.change, file, summary);
    rows.set(file, row);
    let probability: number;
    if (model) {
      probability = combineWithGraphPrior(
        predictRowProbability(model, row),
        graphPriorApplies ? stats.graphPrior(request.change, file) : undefined,
      );
    } else {
      const score = simpleScore(
        ranking.chosen as Exclude<typeof ranking.chosen, 'model'>,
        row,
        0,
        graphPriorApplies ? stats.graphPrior(request.change, file) : undefined,
        graphPriorApplies ? stats.graphLift(request.change, file) : undefined,
      );
      probability = mustRun !== undefined ? Math.max(score, 0.9) : score;
    }
    return {
      file,
      probability,
      duration: durationOf(file),
      graphReached: reachOf(file),
      ...(mustRun ? { mustRun } : {}),
    };
  });
  const ordered = failFastOrder(scored);
  const granularity = request.granularity ?? 'file';
  let items = ordered;
  let fileOf: ReadonlyMap<string, string> = new Map(ordered.map((t) => [t.file, t.file]));
  let wholeFiles: ReadonlyMap<string, string> = new Map();
  if (granularity === 'case') {
    // The case statistics read only the flaky failures: a stored summary has them without labelling every run.
    const caseStats = new CaseStats(facts?.flakyFailures && !labels ? { flakyFailures: facts.flakyFailures } : flaky());
    for (const run of runsOf(request)) caseStats.add(run);
    const expanded = expandToCases(ordered, caseStats, summary.paths);
    items = failFastOrder(expanded.items);
    fileOf = expanded.fileOf;
    wholeFiles = expanded.wholeFiles;
  }
  const selection = selectForBudget(items, request.budget);
  if (granularity === 'case') {
    // A reached file is left out only when none of its cases runs.
    const running = new Set(selection.selected.map((item) => fileOf.get(item)!));
    selection.droppedReached = [...new Set(selection.droppedReached.map((item) => fileOf.get(item)!))].filter(
      (file) => !running.has(file),
    );
  }
  const byItem = new Map(items.map((t) => [t.file, t]));
  const shards = buildShards(
    selection.selected.map((file) => ({ file, duration: byItem.get(file)!.duration })),
    request.shards,
  );

  const reasons = new Map<string, FeatureContribution[]>();
  if (model) {
    for (const test of ordered.slice(0, request.explainTop ?? 10))
      reasons.set(test.file, mainReasons(model, rows.get(test.file)!, 3));
  }
  return {
    coldStart: coldStartReason !== undefined,
    ...(coldStartReason ? { coldStartReason } : {}),
    ordered,
    granularity,
    items,
    fileOf,
    wholeFiles,
    selection,
    shards,
    slowTests: facts?.slowTests(request.slowThreshold) ?? slowTests(runsOf(request), request.slowThreshold),
    reasons,
    usableRuns,
    ranking,
  };
}

/**
 * The runs of the request's history, for what only the runs can answer: with facts from a stored summary (and no
 * runs), a caller asked for more than the summary covers, which is a bug, not a reason to predict from nothing.
 */
function runsOf(request: Pick<PredictRequest, 'history' | 'facts'>): readonly RunRecord[] {
  const facts = request.facts;
  if (facts && !facts.history && facts.runs !== request.history.length)
    throw new Error('this prediction needs the runs of the history, and it was given only its summary');
  return facts?.history ?? request.history;
}

/** Why the model is not used (a cold start), or undefined when it is. */
function coldStartReasonOf(request: RankingRequest, usableRuns: number): string | undefined {
  if (!request.model) return 'no trained model yet';
  if (usableRuns < request.minHistory)
    return `the history has ${usableRuns} usable run(s), fewer than min-history (${request.minHistory})`;
  return undefined;
}

/**
 * The ranking predictTests runs for this history, model and settings: the callers work it out while git works (a
 * cold start replays the simple rankings over the history, the largest CPU cost of such a prediction).
 */
export function rankingFor(request: RankingRequest): RankingChoice {
  const usableRuns = request.facts?.usableRuns ?? usableRunsOf(request.history);
  return chooseRankingFor(request, coldStartReasonOf(request, usableRuns) === undefined);
}

/** The ranking to run: the one stored with a usable model, else the best simple ranking on the history itself. */
function chooseRankingFor(request: RankingRequest, modelUsable: boolean): RankingChoice {
  if (modelUsable) {
    const stored = request.model!.document?.ranking;
    if (stored) return stored;
    return {
      chosen: 'model',
      reason:
        'the model carries no comparison with the simple rankings (trained by an older version, or given as a file)',
      heldOut: {},
    };
  }
  const choice = chooseSimpleRanking(runsOf(request).slice(-REPLAY_RUNS), request.timeFraction ?? 1 / 3);
  return choice.chosen === 'model' ? { ...choice, chosen: 'import-graph' } : choice;
}

/** One line on the ranking a prediction ran, for logs and summaries. */
export function describeRanking(choice: RankingChoice): string {
  return `${RANKING_DESCRIPTIONS[choice.chosen]} — ${choice.reason}`;
}
