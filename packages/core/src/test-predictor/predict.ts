import { mainReasons, predictRowProbability, type FeatureContribution } from '../model/index.ts';
import { failFastOrder, median, selectForBudget, type Budget, type BudgetSelection, type ScoredTest } from './budget.ts';
import { combineWithGraphPrior, HistoryStats, selectedByTestFilter, summarizeChange, type ChangeContext } from './features.ts';
import { labelFlaky } from './flaky.ts';
import { failedFiles, type RunRecord } from './history.ts';
import { buildShards, type Shard } from './shards.ts';
import type { LoadedModel } from './training.ts';

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
}

/** A slow test case (a `@pytest.mark.slow` candidate). */
export interface SlowTest {
  id: string;
  file: string;
  seconds: number;
}

/** The prediction: order, selection, shards and what to tell the user. */
export interface Prediction {
  coldStart: boolean;
  /** Why the model was not used (cold start). */
  coldStartReason?: string;
  /** Candidates in fail-fast order with their scores. */
  ordered: ScoredTest[];
  selection: BudgetSelection;
  shards: Shard[];
  slowTests: SlowTest[];
  /** Main reasons (largest positive feature contributions) for the top tests. */
  reasons: Map<string, FeatureContribution[]>;
  /** Runs with a known diff in the history. */
  usableRuns: number;
}

const DEFAULT_SECONDS = 1;

/**
 * Scores every candidate and applies the budget. With a model and enough history the model's probabilities are
 * used; otherwise (cold start) the order is must-run, then what the import graph reaches (nearest first), then by
 * historic failure rate, with historic durations for the time budget and the shards.
 */
export function predictTests(request: PredictRequest): Prediction {
  const flaky = labelFlaky(request.history);
  const stats = new HistoryStats(flaky);
  for (const run of request.history) stats.add(run, failedFiles(run, flaky.flakyFailures));
  const usableRuns = request.history.filter((run) => run.changes !== null && run.cases.length > 0).length;

  const known = request.candidates.map((file) => stats.duration(file)).filter((d): d is number => d !== undefined);
  const typical = known.length ? median(known) : DEFAULT_SECONDS;
  const durationOf = (file: string) => stats.duration(file) ?? typical;
  const reachOf = (file: string) => selectedByTestFilter(request.change, file);

  let coldStartReason: string | undefined;
  if (!request.model) coldStartReason = 'no trained model yet';
  else if (usableRuns < request.minHistory) coldStartReason = `the history has ${usableRuns} usable run(s), fewer than min-history (${request.minHistory})`;

  const summary = summarizeChange(request.change.changes);
  const rows = new Map<string, Float64Array>();
  const scored: ScoredTest[] = request.candidates.map((file) => {
    const mustRun = request.mustRun.get(file);
    let probability: number;
    if (coldStartReason === undefined) {
      const row = stats.features(request.change, file, summary);
      rows.set(file, row);
      probability = combineWithGraphPrior(predictRowProbability(request.model!.model, row), stats.graphPrior(request.change, file));
    } else {
      probability = coldStartScore(file, stats, request.change, mustRun !== undefined);
    }
    return { file, probability, duration: durationOf(file), graphReached: reachOf(file), ...(mustRun ? { mustRun } : {}) };
  });
  const ordered = failFastOrder(scored);
  const selection = selectForBudget(ordered, request.budget);
  const byFile = new Map(ordered.map((t) => [t.file, t]));
  const shards = buildShards(selection.selected.map((file) => ({ file, duration: byFile.get(file)!.duration })), request.shards);

  const reasons = new Map<string, FeatureContribution[]>();
  if (coldStartReason === undefined) {
    for (const test of ordered.slice(0, request.explainTop ?? 10)) reasons.set(test.file, mainReasons(request.model!.model, rows.get(test.file)!, 3));
  }
  return {
    coldStart: coldStartReason !== undefined,
    ...(coldStartReason ? { coldStartReason } : {}),
    ordered,
    selection,
    shards,
    slowTests: slowTests(request.history, request.slowThreshold),
    reasons,
    usableRuns,
  };
}

/**
 * A stand-in probability without a model: must-run tests first, then what the graph reaches (nearer is higher),
 * then the historic failure rate. It also drives the cold-start estimated recall.
 */
function coldStartScore(file: string, stats: HistoryStats, change: ChangeContext, mustRun: boolean): number {
  const rate = stats.failureRate(file);
  if (mustRun) return 0.9 + 0.1 * rate;
  const distance = change.reach?.[file];
  // Reached, but the impact map says the test never ran the changed functions: below every selected test.
  if (distance !== undefined && change.mapRemoved?.has(file)) return 0.05 / (1 + distance) + 0.1 * rate;
  if (change.reachAll || distance !== undefined) return 0.5 / (1 + (distance ?? 1)) + 0.1 * rate;
  return 0.05 * rate + (change.reach === null ? 0.01 : 0);
}

/** Test cases whose median duration over their last runs exceeds the threshold, slowest first. */
export function slowTests(history: readonly RunRecord[], thresholdSeconds: number): SlowTest[] {
  const recent = new Map<string, { file: string; seconds: number[] }>();
  for (const run of history.slice(-10)) {
    for (const testCase of run.cases) {
      if (testCase.retry || testCase.outcome === 'skipped') continue;
      const entry = recent.get(testCase.id) ?? { file: testCase.file, seconds: [] };
      entry.seconds.push(testCase.duration);
      recent.set(testCase.id, entry);
    }
  }
  const slow: SlowTest[] = [];
  for (const [id, entry] of recent) {
    const seconds = median(entry.seconds);
    if (seconds > thresholdSeconds) slow.push({ id, file: entry.file, seconds: Math.round(seconds * 1000) / 1000 });
  }
  return slow.sort((a, b) => b.seconds - a.seconds || (a.id < b.id ? -1 : 1));
}
