import {
  averagePrecision,
  checkFeatureNames,
  labelledDataset,
  modelFromXgboostJson,
  modelFromXgboostValue,
  modelToXgboostJson,
  predictProbabilities,
  rocAuc,
  selectRows,
  splitNewest,
  trainGbdt,
  withAttributes,
  type GbdtModel,
  type GbdtParams,
  type LabelledDataset,
  type StopReason,
} from '../model/index.ts';
import { NewerSchemaError, writeJsonDocument, type Store } from '../store/index.ts';
import { failFastOrder, median, selectForBudget, type ScoredTest } from './budget.ts';
import {
  changeOfRun,
  combineWithGraphPrior,
  FEATURE_NAMES,
  graphDiscriminates,
  HistoryStats,
  summarizeChange,
} from './features.ts';
import { SIMPLE_RANKINGS, simpleScores, type RankingChoice, type RankingName } from './rankings.ts';
import { chooseRanking, withoutOutcomes } from './ranking-choice.ts';
import { labelFlaky, realFailedFiles, type FlakyLabels } from './flaky.ts';
import type { RunRecord } from '../test-history/index.ts';

/** Schema of the model document this version writes. */
export const MODEL_SCHEMA = 1;

import type { Evaluation, RunOutcomes } from './evaluation.ts';

export type { Evaluation, RunOutcomes };

/** The stored model: an XGBoost model plus what it was trained on and how it did (docs/architecture.md#stores: `schema`). */
export interface ModelDocument {
  schema: number;
  trainedAt: string;
  window: { runs: number; from: string; to: string; firstCommit: string; lastCommit: string };
  rows: number;
  positives: number;
  features: string[];
  evaluation: Evaluation | null;
  training: { ms: number; rounds: number; stoppedBy: StopReason; params: Partial<GbdtParams> };
  /** The ranking predictions run with, chosen on the held-out runs (absent in documents of older versions: the model). */
  ranking?: RankingChoice;
  /** The XGBoost JSON model (Booster.save_model format): `jq .xgboost model.json > xgb.json` loads in XGBoost. */
  xgboost: unknown;
}

/** A model ready to score, with its document (absent for a bare XGBoost file given by the user). */
export interface LoadedModel {
  model: GbdtModel;
  document?: ModelDocument;
  source: string;
}

/** Training rows replayed from the history: each row sees only the runs before its own. */
export interface HistoryDataset {
  data: LabelledDataset;
  /** Index into the runs of each row's run. */
  runOfRow: Int32Array;
  /** Test file and measured duration (seconds, in that run) of each row. */
  files: string[];
  durations: Float64Array;
  /**
   * The duration a prediction for that run would have expected (the median of the file's last runs before it, or the
   * run's typical file when the file is new): budgets are applied on these, as the action does, because a fault can
   * make a test slow (a loop that no longer ends) and a selection cannot know that before the run.
   */
  expectedDurations: Float64Array;
  /** The graph prior of each row before its run (NaN without a graph): see HistoryStats.graphPrior. */
  graphPriors: Float64Array;
  /** The graph lift of each row before its run (NaN without a graph): see HistoryStats.graphLift. */
  graphLifts: Float64Array;
  /** Runs that produced rows, in order. */
  labelledRuns: number[];
  flaky: FlakyLabels;
}

/** Replays the history oldest first into (change, test file) rows with their real-failure labels. */
export function buildHistoryDataset(runs: readonly RunRecord[]): HistoryDataset {
  const flaky = labelFlaky(runs);
  const stats = new HistoryStats(flaky);
  const cols = FEATURE_NAMES.length;
  let values = new Float32Array(1024 * cols);
  const labels: number[] = [];
  const runOfRow: number[] = [];
  const files: string[] = [];
  const durations: number[] = [];
  const expectedDurations: number[] = [];
  const graphPriors: number[] = [];
  const graphLifts: number[] = [];
  const labelledRuns: number[] = [];
  const durationColumn = FEATURE_NAMES.indexOf('test_duration');
  runs.forEach((run, r) => {
    const failed = realFailedFiles(flaky, run);
    if (run.changes !== null) {
      const ran = new Map<string, number>();
      for (const testCase of run.cases) {
        if (testCase.file !== '' && !testCase.retry)
          ran.set(testCase.file, (ran.get(testCase.file) ?? 0) + testCase.duration);
      }
      if (ran.size > 0) labelledRuns.push(r);
      const summary = summarizeChange(run.changes);
      const change = changeOfRun(run);
      const firstRow = labels.length;
      const discriminates = graphDiscriminates(change, [...ran.keys()]);
      for (const [file, seconds] of [...ran].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const row = stats.features(change, file, summary);
        const at = labels.length * cols;
        if (at + cols > values.length) {
          const grown = new Float32Array(values.length * 2);
          grown.set(values);
          values = grown;
        }
        values.set(row, at);
        labels.push(failed.has(file) ? 1 : 0);
        runOfRow.push(r);
        files.push(file);
        durations.push(seconds);
        expectedDurations.push(row[durationColumn]);
        graphPriors.push(discriminates ? (stats.graphPrior(change, file) ?? NaN) : NaN);
        graphLifts.push(discriminates ? (stats.graphLift(change, file) ?? NaN) : NaN);
      }
      // New files get the run's typical expected duration, as a prediction does (predict.ts).
      const known = expectedDurations.slice(firstRow).filter((d) => !Number.isNaN(d));
      const typical = known.length ? median(known) : 1;
      for (let i = firstRow; i < expectedDurations.length; i++)
        if (Number.isNaN(expectedDurations[i])) expectedDurations[i] = typical;
    }
    stats.add(run, failed);
  });
  const rows = labels.length;
  const data = labelledDataset(
    { values: values.slice(0, rows * cols), rows, cols, featureNames: [...FEATURE_NAMES] },
    labels,
  );
  return {
    data,
    runOfRow: Int32Array.from(runOfRow),
    files,
    durations: Float64Array.from(durations),
    expectedDurations: Float64Array.from(expectedDurations),
    graphPriors: Float64Array.from(graphPriors),
    graphLifts: Float64Array.from(graphLifts),
    labelledRuns,
    flaky,
  };
}

/** Training settings the action exposes. */
export interface TrainSettings {
  /** Share of the newest labelled runs held out for the evaluation. */
  holdout: number;
  /** Wall-clock budget of the whole training (both fits). */
  timeBudgetMs: number;
  /** Share of test time the recall figures are taken at. */
  timeFraction: number;
  seed?: number;
  /** The clock for the model's training time (tests fix it for byte-identical models). */
  now?: () => Date;
}

/** Held-out rows grouped by run, with what a prediction would have known of each file's duration. */
export interface HeldOutRuns {
  data: LabelledDataset;
  runOfRow: Int32Array;
  files: string[];
  /** Measured seconds in the run. */
  durations: Float64Array;
  /** Seconds a prediction would have expected; budgets use these when given (see HistoryDataset). */
  expectedDurations?: Float64Array;
  /** Graph priors of the rows; when given, scores combine them with the model as a prediction does. */
  graphPriors?: Float64Array;
  /** Graph lifts of the rows, for the rankings that weigh evidence by them. */
  graphLifts?: Float64Array;
}

/** The outcome of training; `model` is undefined when the history cannot support one (too few runs or failures). */
export interface TrainOutcome {
  model?: LoadedModel;
  skippedReason?: string;
  evaluation?: Evaluation;
  /** Rows and runs of the held-out part, for comparing other models on the same data. */
  heldOut?: HeldOutRuns;
}

/** Parameters for rare, skewed failure labels: shallow trees, shrinkage, early stopping on the newest runs. */
function trainingParams(data: LabelledDataset, settings: TrainSettings, budgetMs: number): Partial<GbdtParams> {
  let positives = 0;
  for (let i = 0; i < data.rows; i++) positives += data.labels[i];
  const negatives = data.rows - positives;
  return {
    numRounds: 300,
    eta: 0.1,
    maxDepth: 5,
    minChildWeight: 1,
    lambda: 1,
    colsampleByTree: 0.8,
    maxBin: 64,
    // Failures are rare; weighting them up (capped) keeps the trees from ignoring them.
    scalePosWeight: positives > 0 ? Math.min(50, Math.max(1, negatives / positives)) : 1,
    seed: settings.seed ?? 0,
    evalMetric: 'logloss',
    earlyStoppingRounds: 25,
    timeBudgetMs: Math.max(1, budgetMs),
  };
}

/**
 * Trains on the history: fits on the older runs with early stopping, evaluates on the newest `holdout` share, then
 * refits on every run with the chosen number of trees so the model knows the newest failures.
 */
export function trainFromHistory(runs: readonly RunRecord[], settings: TrainSettings): TrainOutcome {
  const started = performance.now();
  const dataset = buildHistoryDataset(runs);
  const { data, labelledRuns } = dataset;
  const positives = count(data.labels);
  if (labelledRuns.length < 5 || positives < 2) {
    return {
      skippedReason: `the history has ${labelledRuns.length} run(s) with a known diff and ${positives} real failure(s); training needs at least 5 runs and 2 failures`,
    };
  }
  const heldRuns = Math.max(1, Math.round(labelledRuns.length * settings.holdout));
  const firstHeldRun = labelledRuns[labelledRuns.length - heldRuns];
  let cut = 0;
  while (cut < data.rows && dataset.runOfRow[cut] < firstHeldRun) cut++;
  const trainIdx = range(0, cut);
  const heldIdx = range(cut, data.rows);
  const trainPart = selectRows(data, trainIdx);
  const heldOut = {
    data: selectRows(data, heldIdx),
    runOfRow: dataset.runOfRow.slice(cut),
    files: dataset.files.slice(cut),
    durations: dataset.durations.slice(cut),
    expectedDurations: dataset.expectedDurations.slice(cut),
    graphPriors: dataset.graphPriors.slice(cut),
    graphLifts: dataset.graphLifts.slice(cut),
  };

  let evaluation: Evaluation | undefined;
  let rounds: number | undefined;
  let stoppedBy: StopReason = 'rounds';
  if (count(trainPart.labels) >= 1 && trainPart.rows >= 10) {
    const { train, validation } = splitNewest(trainPart, 0.15);
    const fit = trainGbdt(
      train,
      trainingParams(train, settings, settings.timeBudgetMs / 2),
      count(validation.labels) > 0 ? { validation } : {},
    );
    rounds = fit.bestIteration + 1;
    stoppedBy = fit.stoppedBy;
    evaluation = evaluateModel(fit.model, heldOut, settings.timeFraction);
  }
  const remaining = Math.max(1, settings.timeBudgetMs - (performance.now() - started));
  const finalParams = {
    ...trainingParams(data, settings, remaining),
    ...(rounds ? { numRounds: rounds } : {}),
    earlyStoppingRounds: 0,
  };
  const final = trainGbdt(data, finalParams);
  if (final.stoppedBy === 'time-budget') stoppedBy = 'time-budget';

  const first = runs[labelledRuns[0]];
  const last = runs[labelledRuns[labelledRuns.length - 1]];
  const document: ModelDocument = {
    schema: MODEL_SCHEMA,
    trainedAt: (settings.now?.() ?? new Date()).toISOString(),
    window: {
      runs: labelledRuns.length,
      from: first.time,
      to: last.time,
      firstCommit: first.commit,
      lastCommit: last.commit,
    },
    rows: data.rows,
    positives,
    features: [...FEATURE_NAMES],
    evaluation: evaluation ? withoutOutcomes({ model: evaluation }).model! : null,
    ranking: chooseRanking(
      { ...evaluateSimpleRankings(heldOut, settings.timeFraction), ...(evaluation ? { model: evaluation } : {}) },
      evaluateSimpleRankings(wholeHistory(dataset), settings.timeFraction),
    ),
    training: {
      ms: Math.round(performance.now() - started),
      rounds: final.model.trees.length,
      stoppedBy,
      params: { ...finalParams, timeBudgetMs: undefined } as Partial<GbdtParams>,
    },
    xgboost: null,
  };
  const model = withAttributes(final.model, {
    'ci_optimizer:trained_at': document.trainedAt,
    'ci_optimizer:window': `${document.window.from}..${document.window.to} (${document.window.runs} runs)`,
    'ci_optimizer:rows': String(data.rows),
  });
  document.xgboost = JSON.parse(modelToXgboostJson(model));
  return { model: { model, document, source: 'trained now' }, evaluation, heldOut };
}

/** Held-out figures of every simple ranking on the same rows. */
export function evaluateSimpleRankings(
  heldOut: HeldOutRuns,
  timeFraction: number,
): Partial<Record<RankingName, Evaluation>> {
  const { values, rows, cols } = heldOut.data;
  return Object.fromEntries(
    SIMPLE_RANKINGS.map((name) => [
      name,
      evaluateScores(
        simpleScores(name, values, rows, cols, heldOut.graphPriors, heldOut.graphLifts),
        heldOut,
        timeFraction,
      ),
    ]),
  );
}

/** Every replayed row as held-out rows: each row's features come from the runs before its own. */
function wholeHistory(dataset: HistoryDataset): HeldOutRuns {
  return {
    data: dataset.data,
    runOfRow: dataset.runOfRow,
    files: dataset.files,
    durations: dataset.durations,
    expectedDurations: dataset.expectedDurations,
    graphPriors: dataset.graphPriors,
    graphLifts: dataset.graphLifts,
  };
}

/** Chooses a simple ranking on the whole history without a model (see wholeHistory). */
export function chooseSimpleRanking(runs: readonly RunRecord[], timeFraction: number): RankingChoice {
  const replay = evaluateSimpleRankings(wholeHistory(buildHistoryDataset(runs)), timeFraction);
  return chooseRanking({}, replay);
}

/** Held-out figures of any model on rows grouped by run. */
export function evaluateModel(model: GbdtModel, heldOut: HeldOutRuns, timeFraction: number): Evaluation {
  return evaluateScores(scoreHeldOut(model, heldOut), heldOut, timeFraction);
}

/** The predictor's scores for held-out rows: the model's probabilities combined with the rows' graph priors. */
export function scoreHeldOut(model: GbdtModel, heldOut: HeldOutRuns): Float64Array {
  const probabilities = predictProbabilities(model, heldOut.data);
  const priors = heldOut.graphPriors;
  return priors
    ? Float64Array.from(probabilities, (p, i) => combineWithGraphPrior(p, priors[i]))
    : Float64Array.from(probabilities);
}

/** The predictor's scores for held-out rows: the ranking its document chose, the model's where none is recorded. */
export function scoreHeldOutAsPredicted(model: LoadedModel, heldOut: HeldOutRuns): Float64Array {
  const chosen = model.document?.ranking?.chosen;
  if (chosen && chosen !== 'model')
    return simpleScores(
      chosen,
      heldOut.data.values,
      heldOut.data.rows,
      heldOut.data.cols,
      heldOut.graphPriors,
      heldOut.graphLifts,
    );
  return scoreHeldOut(model.model, heldOut);
}

/** Held-out figures of any scores (model or baseline) on rows grouped by run. */
export function evaluateScores(scores: ArrayLike<number>, heldOut: HeldOutRuns, timeFraction: number): Evaluation {
  const { labels } = heldOut.data;
  const positives = count(labels);
  const byRun = new Map<number, number[]>();
  heldOut.runOfRow.forEach((run, i) => {
    const rows = byRun.get(run);
    if (rows) rows.push(i);
    else byRun.set(run, [i]);
  });
  let caught = 0;
  const outcomes: RunOutcomes = { caught: [], apfd: [] };
  for (const rows of byRun.values()) {
    const tests = heldOutTests(heldOut, rows, scores);
    const selected = new Set(selectForBudget(tests, { kind: 'fraction', fraction: timeFraction }).selected);
    const failing = rows.filter((i) => labels[i] === 1);
    const hits = failing.filter((i) => selected.has(heldOut.files[i])).length;
    caught += hits;
    if (failing.length > 0) {
      outcomes.caught.push(hits > 0 ? 1 : 0);
      outcomes.apfd.push(
        timeWeightedApfd(
          failFastOrder(tests),
          new Map(rows.map((i) => [heldOut.files[i], heldOut.durations[i]])),
          new Set(failing.map((i) => heldOut.files[i])),
        ),
      );
    }
  }
  const faultyRuns = outcomes.caught.length;
  const caughtRuns = outcomes.caught.reduce((a, b) => a + b, 0);
  const apfdSum = outcomes.apfd.reduce((a, b) => a + b, 0);
  const both = positives > 0 && positives < labels.length;
  return {
    runs: byRun.size,
    rows: labels.length,
    failures: positives,
    faultyRuns,
    auc: both ? round(rocAuc(scores, labels)) : null,
    prAuc: both ? round(averagePrecision(scores, labels)) : null,
    timeFraction,
    testRecall: positives > 0 ? round(caught / positives) : null,
    changeRecall: faultyRuns > 0 ? round(caughtRuns / faultyRuns) : null,
    apfd: faultyRuns > 0 ? round(apfdSum / faultyRuns) : null,
    outcomes,
  };
}

/**
 * APFDc (Elbaum et al. 2001) with every failing file one fault of equal severity: for each fault, the share of the
 * run's time still ahead when the file that reveals it has half run; 1 is every failure at the very start.
 */
export function timeWeightedApfd(
  order: readonly ScoredTest[],
  seconds: ReadonlyMap<string, number>,
  failing: ReadonlySet<string>,
): number {
  const times = order.map((t) => Math.max(0, seconds.get(t.file) ?? t.duration));
  const total = times.reduce((a, b) => a + b, 0);
  if (failing.size === 0) return 1;
  if (total <= 0) return 0.5;
  let before = 0;
  let sum = 0;
  order.forEach((test, i) => {
    if (failing.has(test.file)) sum += total - before - times[i] / 2;
    before += times[i];
  });
  return sum / (total * failing.size);
}

/**
 * The held-out rows of one run as the action's budget sees them: expected durations, graph reach from the recorded
 * features, and a changed test file as must-run.
 */
export function heldOutTests(heldOut: HeldOutRuns, rows: readonly number[], scores: ArrayLike<number>): ScoredTest[] {
  const { values, cols } = heldOut.data;
  const reached = FEATURE_NAMES.indexOf('graph_reached');
  const kept = FEATURE_NAMES.indexOf('impact_map_kept');
  const changed = FEATURE_NAMES.indexOf('test_file_changed');
  return rows.map((i) => ({
    file: heldOut.files[i],
    probability: scores[i],
    duration: (heldOut.expectedDurations ?? heldOut.durations)[i],
    // What test-filter runs: reached by the graph, and not removed by the impact map when one was used.
    graphReached: values[i * cols + reached] === 1 && values[i * cols + kept] !== 0,
    ...(values[i * cols + changed] === 1 ? { mustRun: 'the test file changed' } : {}),
  }));
}

/**
 * Reads the stored model (or a bare XGBoost JSON model); undefined when there is none. A model whose features are
 * not ours, or a file that cannot be read, is reported through `warn` and ignored (cold start, never a failure).
 */
export async function readModel(
  store: Store,
  key: string,
  warn: (message: string) => void,
  options: ParseModelOptions = {},
): Promise<LoadedModel | undefined> {
  const where = `${store.description}/${key}`;
  try {
    const raw = await store.read(key);
    if (raw === undefined) return undefined;
    return parseModel(raw.toString('utf8'), where, options);
  } catch (error) {
    if (error instanceof NewerSchemaError) warn(error.message);
    else warn(`The model ${where} cannot be used (${(error as Error).message}); predicting without it.`);
    return undefined;
  }
}

/** How parseModel reads the trees. */
export interface ParseModelOptions {
  /**
   * Only when used, for a model document whose stored ranking is a simple one and that names its features (a
   * prediction runs that ranking and never reads the trees): their conversion to scoring arrays, which is also where
   * a damaged tree is found, is left to the first read of `model`. The features are still checked at once.
   */
  treesWhenUsed?: boolean;
}

/** Parses a model document or a bare XGBoost model and checks its features against FEATURE_NAMES. */
export function parseModel(text: string, source: string, options: ParseModelOptions = {}): LoadedModel {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  let document: ModelDocument | undefined;
  // The XGBoost part as parsed (a document without one is read as the text `undefined`, which says it is no JSON).
  let xgboost: unknown = parsed;
  if ('schema' in parsed) {
    if (typeof parsed.schema !== 'number' || parsed.schema > MODEL_SCHEMA) {
      throw new NewerSchemaError(
        `${source} has schema ${String(parsed.schema)}, newer than this version reads (up to ${MODEL_SCHEMA}); upgrade the action or retrain with mode: train.`,
      );
    }
    document = parsed as unknown as ModelDocument;
    xgboost = document.xgboost;
  }
  const convert = () =>
    xgboost === undefined
      ? modelFromXgboostJson(JSON.stringify(xgboost), source)
      : modelFromXgboostValue(xgboost, source);
  const named =
    options.treesWhenUsed && document?.ranking && document.ranking.chosen !== 'model' && namedFeatures(xgboost);
  if (named) {
    checkFeatureNames({ featureNames: named }, FEATURE_NAMES, source);
    let converted: GbdtModel | undefined;
    return {
      get model() {
        converted ??= convert();
        return converted;
      },
      document,
      source,
    };
  }
  const model = convert();
  checkFeatureNames(model, FEATURE_NAMES, source);
  return { model, document, source };
}

/** The feature names an XGBoost model's learner lists (as modelFromXgboostValue reads them), or undefined. */
function namedFeatures(xgboost: unknown): string[] | undefined {
  const learner =
    typeof xgboost === 'object' && xgboost !== null ? (xgboost as { learner?: unknown }).learner : undefined;
  const names =
    typeof learner === 'object' && learner !== null
      ? (learner as { feature_names?: unknown }).feature_names
      : undefined;
  return Array.isArray(names) && names.length > 0 ? names.map(String) : undefined;
}

/** Writes a model document atomically. */
export async function writeModel(store: Store, key: string, model: LoadedModel): Promise<void> {
  if (!model.document) throw new Error('only models with a document are stored');
  await writeJsonDocument(store, key, model.document);
}

function count(labels: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < labels.length; i++) n += labels[i];
  return n;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
