import { readFile } from 'node:fs/promises';
import { minimatch } from 'minimatch';
import { isUserError } from '../errors/index.ts';
import { resolveDiffRange } from '../git/index.ts';
import { COUNTERS } from '../metrics/index.ts';
import type { CommandContext, Outputs } from '../contract/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { discoverTests, SelectionSession, withTestsFiles } from '../test-filter/index.ts';
import { assertProjectDir, loadLanguagePack } from './test-filter.ts';
import type { FirstSettings } from './test-predictor-settings.ts';
import { UserError } from '../errors/index.ts';
import {
  type Budget,
  type ChangeView,
  describeRanking,
  findJunitFiles,
  formatBudget,
  GRANULARITIES,
  type Granularity,
  labelFlaky,
  realFailedFiles,
  type LoadedModel,
  type ParseModelOptions,
  nextSafetyState,
  parseBudget,
  parseModel,
  type Prediction,
  predictTests,
  junitRunOf,
  readJunitReports,
  readModel,
  readSafetyState,
  renderPredictSummary,
  renderRecordSummary,
  renderTrainSummary,
  type FlakyLabels,
  type HistoryStats,
  type RankingChoice,
  rankingFor,
  historyStats,
  type RetrainResult,
  retrainWithRollback,
  type SafetyState,
  shardMatrix,
  type TrainSettings,
  updateSafetyState,
  viewChange,
  filesParse,
  anyViewHandoff,
  readViewHandoff,
  saveViewHandoff,
  viewHandoffSlot,
  type ViewHandoffSlot,
  factsOfHistory,
  recentTotalsOf,
  storedSummaryOf,
  type HistoryFacts,
  readSummaryDocument,
  summaryFactsOf,
  storeHistorySummary,
  SLOW_FLOOR,
  readRecordSummary,
  summaryWithRuns,
  storeAdvancedSummary,
  type RecordSummary,
  type StoredSummary,
  flakyIdsOf,
  readNeeded,
  tailHasRun,
  tailHasCommit,
  auditedRuns,
} from '../test-predictor/index.ts';
import {
  appendRun,
  appendRunSegment,
  HISTORY_SCHEMA,
  readHistory,
  STORE_KEYS,
  type RunRecord,
} from '../test-history/index.ts';

/** Settings every mode shares, read once: the first ones (read before the mode) and the rest. */
interface Settings extends FirstSettings {
  store: Store;
  budget: Budget;
  graph: boolean;
  impactMap: boolean;
  granularity: Granularity;
}

function readSettings(ctx: CommandContext, first: FirstSettings): Settings {
  return {
    ...first,
    store: openStore(ctx.inputs.string('store'), first.repoDir),
    budget: parseBudget(ctx.inputs.string('budget')),
    graph: ctx.inputs.boolean('graph'),
    impactMap: ctx.inputs.boolean('impact-map'),
    granularity: ctx.inputs.isSet('granularity') ? ctx.inputs.enum('granularity', GRANULARITIES) : 'file',
  };
}

/** The share of test time the held-out recall is measured at: the budget's own share, else a third. */
function evaluationFraction(budget: Budget, recentTotals: () => number[]): number {
  if (budget.kind === 'fraction') return budget.fraction;
  if (budget.kind === 'time') {
    const totals = recentTotals();
    const mean = totals.length ? totals.reduce((a, b) => a + b, 0) / totals.length : 0;
    return mean > 0 ? Math.min(1, budget.seconds / mean) : 0.33;
  }
  return 0.33;
}

function trainSettings(ctx: CommandContext, budget: Budget, history: readonly RunRecord[]): TrainSettings {
  return {
    holdout: 0.2,
    timeBudgetMs: ctx.inputs.duration('train-time-budget'),
    timeFraction: evaluationFraction(budget, () => recentTotalsOf(history)),
  };
}

async function describeChange(
  ctx: CommandContext,
  s: Settings,
  onHead?: (head: string) => void,
): Promise<{ view: ChangeView; commit: string; base: string | null; rangeNote?: string }> {
  const jobTemp = ctx.run.env.RUNNER_TEMP;
  // The language pack loads (compiles) while git answers the range questions; in a record step of a job whose
  // predict step left a change view, only when none is handed over (it is needed to work the view out).
  const pack = s.mode === 'record' && jobTemp && anyViewHandoff(jobTemp) ? undefined : loadLanguagePack();
  pack?.catch(() => {}); // taken below, or dropped when the range is wrong
  // The view's object reader (one `git cat-file --batch` process, kept for the view) also answers the range's questions
  // on commits: one git process fewer. Not in a record step handed its view (nothing is read then).
  const session = pack ? new SelectionSession() : undefined;
  try {
    const range = await resolveDiffRange({
      repoDir: s.repoDir,
      eventName: ctx.run.eventName,
      payload: ctx.run.eventPayload,
      base: ctx.inputs.optionalString('base'),
      head: ctx.inputs.optionalString('head'),
      ...(session ? { objects: session.reader(s.repoDir) } : {}),
    });
    // A fetch made the objects the view reads newer than the reader's process: the view starts another.
    if (range.fetchSteps.length > 0) session?.close();
    await assertProjectDir(s.repoDir, s.projectDir, range.head);
    onHead?.(range.head);
    const described = {
      commit: range.head,
      base: range.base ?? null,
      ...(range.fallbackReason ? { rangeNote: range.fallbackReason } : {}),
    };
    // predict hands its view to the record step of the same job (view-handoff.ts); record takes it when it is there.
    // Only in the runner's own temp folder, which lives and dies with the job: outside Actions the fallback temp
    // folder is shared with whoever else uses the machine, and what is read there would decide what is recorded.
    const handoff = jobTemp
      ? viewHandoffSlot(jobTemp, {
          repoDir: s.repoDir,
          head: range.head,
          base: described.base,
          fallbackReason: range.fallbackReason ?? null,
          graph: s.graph,
          impactMap: s.impactMap,
          filterOptions: s.filterOptions,
          store: s.store.description,
        })
      : undefined;
    const handed = handoff && s.mode === 'record' ? await takeViewHandoff(handoff, s, range.head) : undefined;
    const warnings: string[] = [];
    const view =
      handed?.view ??
      (await viewChange({
        pack: await (pack ?? loadLanguagePack()),
        repoDir: s.repoDir,
        range,
        options: s.filterOptions,
        graph: s.graph,
        cache: s.store,
        ...(s.impactMap ? { impactMapStore: s.store } : {}),
        warn: (m) => {
          warnings.push(m);
          ctx.log.warning(m);
        },
        ...(session ? { session } : {}),
        // A ranking needs the reach, which the changed files' scans give without the parser; record stores
        // test-filter's own (it judges the syntax predict did not, below).
        scanPatch: s.mode === 'predict',
      }));
    // What working the view out warned about still applies to it (a graph that could not be read: no reach).
    for (const message of handed?.warnings ?? [])
      ctx.log.warning(`The change view of this job's predict step: ${message}`);
    if (handoff && s.mode === 'predict') await saveViewHandoff(handoff, view, warnings);
    if (view.mapNote) ctx.log.info(`Impact map: ${view.mapNote}`);
    return { view, ...described };
  } finally {
    session?.close();
  }
}

/**
 * The change view this job's predict step handed over, when record can store it: the changed files whose syntax
 * predict did not judge (it patched the graph with their scans) are parsed first, and when one does not parse the view
 * is not used (test-filter runs every test for it: record works the view out itself, as without a hand-off).
 */
async function takeViewHandoff(
  slot: ViewHandoffSlot,
  s: Settings,
  head: string,
): Promise<{ view: ChangeView; warnings: string[] } | undefined> {
  const handed = await readViewHandoff(slot);
  const unjudged = handed?.view.syntaxUnjudged ?? [];
  if (unjudged.length === 0) return handed;
  // A fault reading them is no reason to fail the step: record works the view out itself (and meets it there).
  const parse = filesParse(await loadLanguagePack(), s.repoDir, head, unjudged).catch(() => false);
  return (await parse) ? handed : undefined;
}

/** The model predict or record uses (the given file, else the stored one); `options`: how its trees are read. */
async function loadModel(
  ctx: CommandContext,
  s: Settings,
  warn: (message: string) => void = (m) => ctx.log.warning(m),
  options: ParseModelOptions = {},
): Promise<LoadedModel | undefined> {
  const file = ctx.inputs.path('model-file');
  if (file) {
    try {
      return parseModel(await readFile(file, 'utf8'), file, options);
    } catch (error) {
      warn(`model-file ${file} cannot be used (${(error as Error).message}); using the stored model.`);
    }
  }
  return readModel(s.store, STORE_KEYS.model, warn, options);
}

/**
 * A store read started now, while the diff is worked out (git runs in processes of its own meanwhile), and taken
 * later: its warnings are held until then, so the log keeps the order of reading one thing after the other. A read
 * whose step stops before taking it is dropped with its warnings. `value` is the read itself, for work that only
 * needs what was read (its warnings stay held).
 */
interface Ahead<T> {
  take: (ctx: CommandContext) => Promise<T>;
  value: Promise<T>;
}

function readAhead<T>(read: (warn: (message: string) => void) => Promise<T>): Ahead<T> {
  const held: string[] = [];
  const value = read((m) => held.push(m));
  value.catch(() => {}); // taken (and thrown) by the caller, or dropped
  const take = async (ctx: CommandContext) => {
    try {
      return await value;
    } finally {
      for (const message of held.splice(0)) ctx.log.warning(message);
    }
  };
  return { take, value };
}

/**
 * The ranking the prediction will run, worked out as soon as the history, the model and the budget are known (while
 * git works); undefined when that fails, and predictTests works it out (and throws) where it did before.
 */
function rankingAhead(
  ctx: CommandContext,
  ahead: Promise<[{ facts: HistoryFacts }, LoadedModel | undefined, Budget]>,
): Promise<RankingChoice | undefined> {
  return ahead
    .then(
      ([{ facts }, model, budget]) =>
        rankingFor({
          history: facts.history ?? [],
          facts,
          model,
          minHistory: ctx.inputs.int('min-history', { min: 0 }),
          timeFraction: evaluationFraction(budget, facts.recentTotals),
        }),
      () => undefined,
    )
    .catch(() => undefined);
}

/** Must-run tests: changed or new test files, tests that failed on the base, `always-run` globs. */
function mustRunTests(
  ctx: CommandContext,
  s: Settings,
  view: ChangeView,
  base: string | null,
  candidates: string[],
  facts: HistoryFacts,
): Map<string, string> {
  const must = new Map<string, string>();
  const changed = new Map((view.changes ?? []).filter((c) => c.status !== 'deleted').map((c) => [c.path, c.status]));
  const seen = facts.filesSeen(candidates);
  const failedOnBase = base ? facts.failedOn(base) : new Set<string>();
  const globs = ctx.inputs.lines('always-run');
  for (const file of candidates) {
    if (changed.has(file)) must.set(file, `test file ${changed.get(file)}`);
    else if (facts.runs > 0 && !seen.has(file)) must.set(file, 'new test file');
    else if (failedOnBase.has(file)) must.set(file, 'failed on the base');
    else if (globs.some((g) => minimatch(displayPath(s, file), g, { dot: true }) || minimatch(file, g, { dot: true })))
      must.set(file, 'always-run');
  }
  return must;
}

/** Nothing to order at all: a wrong project-dir or repository, never "every test runs" with an empty list. */
function noTestFilesError(s: Settings): UserError {
  return new UserError(
    `test-predictor found no test file: pytest's discovery finds none in ${s.projectDir === '' ? 'the repository' : `'${s.projectDir}'`} ` +
      `(${s.repoDir}) and the history in the store names none. Check 'project-dir' (the folder pytest runs in) and 'store', ` +
      "or pass the test files in 'candidates'.",
  );
}

function displayPath(s: Settings, path: string): string {
  return s.projectDir && path.startsWith(`${s.projectDir}/`) ? path.slice(s.projectDir.length + 1) : path;
}

function repoPath(s: Settings, path: string): string {
  const clean = path.replace(/^\.\//, '');
  return s.projectDir && !clean.startsWith(`${s.projectDir}/`) ? `${s.projectDir}/${clean}` : clean;
}

/** The `candidates` input: a JSON array (test-filter's tests-json) or a newline/comma list of project paths. */
function candidateInput(ctx: CommandContext): string[] | undefined {
  const raw = ctx.inputs.string('candidates');
  if (raw === '') return undefined;
  if (raw.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      throw new UserError(
        `Input 'candidates' starts with '[' but is not a JSON array (${(error as Error).message}). Pass test-filter's tests-json output, or a newline-separated list.`,
      );
    }
    if (!Array.isArray(parsed) || parsed.some((item) => typeof item !== 'string')) {
      throw new UserError(`Input 'candidates' must be a JSON array of test file paths, e.g. ["tests/test_a.py"].`);
    }
    return parsed as string[];
  }
  return ctx.inputs.list('candidates');
}

/**
 * What a prediction derives from the history alone: per-file statistics, the facts it reads, the flaky failures,
 * and the flaky labels when they were worked out (not when the history's stored summary gave the rest).
 */
interface HistoryDerived {
  stats: HistoryStats;
  facts: HistoryFacts;
  flakyFailures: ReadonlySet<string>;
  flaky?: FlakyLabels;
}

function deriveFromHistory(history: readonly RunRecord[]): HistoryDerived & { flaky: FlakyLabels } {
  const flaky = labelFlaky(history);
  const stats = historyStats(history, flaky);
  return { flaky, stats, facts: factsOfHistory(history, flaky, stats), flakyFailures: flaky.flakyFailures };
}

/** What record read of the history ahead: the history itself, or only its stored summary (record may not need more). */
type RecordAhead =
  | { history: readonly RunRecord[]; derived: HistoryDerived; facts: HistoryFacts; summary?: undefined }
  | { history?: undefined; derived: HistoryDerived; facts: HistoryFacts; summary: RecordSummary };

/**
 * The history read ahead (readAhead) for record, and what a prediction derives from it alone. First the history's
 * stored summary: when it describes the log as listed now, it is all that is read here (a record of a new commit
 * needs nothing more: readNeeded); else the history, with what a prediction derives from it worked out as soon as it
 * is read (the CPU work runs while git and test-filter's selection wait on git processes), or taken from the summary
 * when it names exactly the segments read (history-summary.ts).
 */
function readHistoryAhead(s: Settings) {
  return readAhead(async (warn): Promise<RecordAhead> => {
    const { text, summary } = await readRecordSummary(s.store);
    if (summary) return { summary, derived: derivedOfSummary(summary.facts), facts: summary.facts };
    const history = await readHistory(s.store, warn);
    const stored = storedSummaryOf(s.store, history, text);
    const derived: HistoryDerived = stored ? derivedOfSummary(stored) : deriveFromHistory(history);
    return { history, derived, facts: derived.facts };
  });
}

function derivedOfSummary(stored: StoredSummary): HistoryDerived {
  return { stats: stored.stats, facts: stored, flakyFailures: stored.flakyFailures };
}

/**
 * The history when record read only its summary ahead: read now (or taken from a read started `early`), with the summary's facts (and the runs attached)
 * when it still describes what was read, else worked out from it.
 */
async function readHistoryLate(
  ctx: CommandContext,
  s: Settings,
  summary: RecordSummary,
  early?: Ahead<RunRecord[]>,
): Promise<{ history: readonly RunRecord[]; derived: HistoryDerived; fromSummary: boolean }> {
  const history = early ? await early.take(ctx) : await readHistory(s.store, (m) => ctx.log.warning(m));
  const stored = summaryWithRuns(s.store, history, summary);
  return {
    history,
    derived: stored ? derivedOfSummary(stored) : deriveFromHistory(history),
    fromSummary: stored !== undefined,
  };
}

/**
 * What predict reads from the history, ahead: the summary record stored beside it (history-summary.ts) when it
 * describes the history now and answers all this prediction asks (file granularity, a model the history is long
 * enough for, a slow-threshold it covers); else the history itself, with its statistics and flaky failures from the
 * summary when that names exactly the segments read (as readHistoryAhead), else worked out from the runs.
 */
function readFactsAhead(ctx: CommandContext, s: Settings, model: Promise<LoadedModel | undefined>) {
  // A wrong input is reported where the prediction reads it, as without a summary: here it only means no summary.
  const setting = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch {
      return undefined;
    }
  };
  const threshold = setting(() => ctx.inputs.duration('slow-threshold') / 1000);
  const summaryServes = s.granularity === 'file' && threshold !== undefined && threshold >= SLOW_FLOOR;
  return readAhead(async (warn): Promise<{ facts: HistoryFacts; flaky?: FlakyLabels }> => {
    // Read once: the facts when the summary serves, else what the history read below is checked against.
    const document = readSummaryDocument(s.store);
    if (summaryServes) {
      const [facts, loaded] = await Promise.all([document.then(summaryFactsOf), model.catch(() => undefined)]);
      const minHistory = setting(() => ctx.inputs.int('min-history', { min: 0 }));
      if (facts && loaded && minHistory !== undefined && facts.usableRuns >= minHistory) return { facts };
    }
    const history = await readHistory(s.store, warn);
    const stored = storedSummaryOf(s.store, history, (await document).text);
    if (stored) return { facts: stored };
    const derived = deriveFromHistory(history);
    return { facts: derived.facts, flaky: derived.flaky };
  });
}

/** Predicts for the current change; shared by predict and by record's audit (which passes the history before the run). */
function predictFor(
  ctx: CommandContext,
  s: Settings,
  view: ChangeView,
  base: string | null,
  facts: HistoryFacts,
  model: LoadedModel | undefined,
  budget: Budget,
  candidatesOverride?: string[],
  granularity: Granularity = 'file',
  flaky?: FlakyLabels,
  ranking?: RankingChoice,
): { prediction: Prediction; candidates: string[] } {
  // An explicit candidate list is the answer even when empty (test-filter selected nothing for a docs change).
  let candidates = candidatesOverride ?? view.testFiles;
  if (candidatesOverride === undefined && candidates.length === 0) {
    // Not a pytest project (or nothing collected): the test files of the recent history that are still known.
    candidates = facts.recentFiles();
    if (candidates.length === 0) throw noTestFilesError(s);
  }
  const mustRun = mustRunTests(ctx, s, view, base, candidates, facts);
  const prediction = predictTests({
    history: facts.history ?? [],
    facts,
    ...(flaky ? { flaky } : {}),
    ...(ranking ? { ranking } : {}),
    model,
    change: {
      changes: view.changes ?? [],
      reach: view.reach,
      reachAll: view.reachAll || view.changes === null,
      ...(view.mapRemoved ? { mapRemoved: new Set(view.mapRemoved) } : {}),
    },
    candidates,
    mustRun,
    budget,
    minHistory: ctx.inputs.int('min-history', { min: 0 }),
    shards: ctx.inputs.int('shards', { min: 1, max: 256 }),
    slowThreshold: ctx.inputs.duration('slow-threshold') / 1000,
    explainTop: ctx.inputs.int('top', { min: 0 }),
    timeFraction: evaluationFraction(budget, facts.recentTotals),
    granularity,
  });
  return { prediction, candidates };
}

async function runPredict(ctx: CommandContext, s: Settings): Promise<Outputs> {
  // A model whose stored ranking is a simple one: the prediction runs that ranking, its trees are not converted.
  const loadModelAhead = readAhead((warn) => loadModel(ctx, s, warn, { treesWhenUsed: true }));
  const historyAhead = readFactsAhead(ctx, s, loadModelAhead.value);
  const readSafetyAhead = readAhead((warn) => readSafetyState(s.store, warn));
  const budgetOf = (safety: SafetyState | undefined): Budget =>
    (safety?.selectionEnabled ?? true) ? s.budget : { kind: 'all' };
  const rankingNext = rankingAhead(
    ctx,
    Promise.all([historyAhead.value, loadModelAhead.value, readSafetyAhead.value.then(budgetOf)]),
  );
  const { view, base, rangeNote } = await ctx.metrics.phase('diff', () => describeChange(ctx, s));
  if (rangeNote) ctx.log.warning(`test-predictor: ${rangeNote}; every test is treated as reachable.`);
  const { facts, flaky } = await ctx.metrics.phase('history', () => historyAhead.take(ctx));
  const model = await ctx.metrics.phase('model', () => loadModelAhead.take(ctx));
  const safety = await readSafetyAhead.take(ctx);
  const ranking = await rankingNext;
  const enabled = safety?.selectionEnabled ?? true;
  const budget = budgetOf(safety);
  if (!enabled) ctx.log.warning(`test-predictor runs every test: ${safety!.reason}.`);
  const override = candidateInput(ctx)?.map((p) => repoPath(s, p));
  const { prediction } = await ctx.metrics.phase('predict', async () =>
    predictFor(ctx, s, view, base, facts, model, budget, override, s.granularity, flaky, ranking),
  );
  if (prediction.coldStart) ctx.log.notice(`test-predictor: no usable model (${prediction.coldStartReason}).`);
  ctx.log.info(`test-predictor ranking: ${describeRanking(prediction.ranking)}.`);
  const sel = prediction.selection;
  ctx.summary.append(
    renderPredictSummary({
      prediction,
      budget,
      model,
      safety,
      display: (f) => displayPath(s, f),
      top: ctx.inputs.int('top', { min: 0 }),
      now: new Date(),
      ...(view.mapNote ? { impactMap: { note: view.mapNote, removed: view.mapRemoved?.length ?? null } } : {}),
    }),
  );
  // Counted in test files at either granularity (a file counts when any of its cases runs).
  const selectedFiles = new Set(sel.selected.map((item) => prediction.fileOf.get(item) ?? item)).size;
  ctx.metrics.count(COUNTERS.testsSelected, selectedFiles);
  // The total is every test file (not only the candidates), so the report compares against the whole suite.
  const allTests = Math.max(view.testFiles.length, prediction.ordered.length);
  ctx.metrics.count(COUNTERS.testsTotal, allTests);
  ctx.metrics.count(COUNTERS.testTimeSavedMs, Math.round((sel.totalSeconds - sel.selectedSeconds) * 1000));
  const runAll = allTests > 0 && selectedFiles >= allTests && sel.selected.length === prediction.items.length;
  ctx.metrics.count(COUNTERS.runAll, runAll ? 1 : 0);
  return predictOutputs(s, prediction, enabled, safety, runAll);
}

function predictOutputs(
  s: Settings,
  prediction: Prediction,
  enabled: boolean,
  safety: SafetyState | undefined,
  runAll: boolean,
): Outputs {
  const show = (f: string) => displayPath(s, f);
  const sel = prediction.selection;
  return {
    tests: prediction.items.map((t) => show(t.file)),
    'tests-json': prediction.items.map((t) => show(t.file)),
    selected: sel.selected.map(show),
    'selected-json': sel.selected.map(show),
    probabilities: Object.fromEntries(
      prediction.ordered.map((t) => [show(t.file), Math.round(t.probability * 1e6) / 1e6]),
    ),
    shards: shardMatrix(prediction.shards.map((shard) => ({ ...shard, tests: shard.tests.map(show) }))).include,
    'shard-count': prediction.shards.length,
    'slow-tests': prediction.slowTests.map((t) => show(t.id)),
    'estimated-recall': Math.round(sel.estimatedRecall * 10_000) / 10_000,
    // As in test-filter and test-plan: every test file of the suite runs. (Up to 0.1 it meant "every candidate
    // is selected", which all-candidates-selected now says.)
    'run-all': runAll,
    'all-candidates-selected': sel.selected.length === prediction.items.length,
    'cold-start': prediction.coldStart,
    ranking: prediction.ranking.chosen,
    granularity: prediction.granularity,
    'selection-enabled': enabled,
    'miss-rate': safety?.missRate.predictorRate ?? null,
  };
}

async function runRecord(ctx: CommandContext, s: Settings): Promise<Outputs> {
  const patterns = ctx.inputs.lines('junit');
  if (patterns.length === 0)
    throw new UserError(
      `Input 'junit' is empty; mode: record needs the JUnit XML files of the run (e.g. 'junit: reports/*.xml').`,
    );
  const junitFiles = await findJunitFiles(patterns, s.repoDir);
  if (junitFiles.length === 0) {
    ctx.log.warning(
      `test-predictor: no JUnit file matches ${patterns.map((p) => `'${p}'`).join(', ')}; nothing recorded. Did the test step write --junitxml there?`,
    );
    return nothingRecorded();
  }
  // The reports are read and parsed while git works out the diff; their cases are tied to the test files after.
  const reports = readJunitReports(junitFiles);
  reports.catch(() => {}); // taken below, or dropped when the diff fails
  const historyAhead = readHistoryAhead(s);
  const loadModelAhead = readAhead((warn) => loadModel(ctx, s, warn));
  // The ranking of the audit's prediction (from the history before this run).
  const rankingNext = rankingAhead(ctx, Promise.all([historyAhead.value, loadModelAhead.value, s.budget]));
  // A rerun of a recorded commit reads the history: started as soon as the commit is known, while the view is worked out.
  let early: Ahead<RunRecord[]> | undefined;
  const readEarly = (head: string) =>
    historyAhead.value.then(
      (ahead) => {
        if (ahead.summary && tailHasCommit(ahead.summary.document.tail, head))
          early = readAhead((warn) => readHistory(s.store, warn));
      },
      () => {},
    );
  const { view, commit, base } = await ctx.metrics.phase('diff', () => describeChange(ctx, s, readEarly));
  const where = { knownFiles: new Set(view.testFiles), projectDir: s.projectDir, repoRoot: s.repoDir };
  const junit = await ctx.metrics.phase('junit', async () => junitRunOf(await reports, where));
  for (const bad of junit.skipped) {
    ctx.log.warning(`test-predictor: the JUnit file ${bad.file} is skipped: ${bad.reason}`);
  }
  if (junit.files.length === 0) {
    ctx.log.warning(`test-predictor: none of the ${junitFiles.length} JUnit file(s) could be read; nothing recorded.`);
    return nothingRecorded();
  }
  if (junit.unattributed > 0) {
    ctx.log.warning(
      `${junit.unattributed} test case(s) in the JUnit files name no test file; they are kept but not attributed (jest-junit: set addFileAttribute: "true").`,
    );
  }
  const ahead = await ctx.metrics.phase('history', () => historyAhead.take(ctx));
  if (
    ahead.summary
      ? tailHasRun(ahead.summary.document.tail, junit.digest)
      : ahead.history.some((run) => run.id === junit.digest)
  ) {
    ctx.log.notice(
      `test-predictor: these JUnit files are already recorded in ${s.store.description} (run ${junit.digest.slice(0, 26)}…); ` +
        'recording the same reports again is a no-op, the history is unchanged.',
    );
    return {
      'recorded-cases': 0,
      'failed-tests': [],
      'flaky-tests': [],
      'full-run': false,
      'selection-enabled': true,
      'miss-rate': null,
      'test-filter-miss-rate': null,
      'model-status': 'kept',
    };
  }
  const model = await loadModelAhead.take(ctx);

  const ranFiles = new Set(junit.cases.filter((c) => c.file !== '').map((c) => c.file));
  const fullInput = ctx.inputs.enum('full-run', ['auto', 'true', 'false'] as const);
  const full = fullInput === 'true' || (fullInput === 'auto' && isFullRun(ctx, view, ranFiles));

  const record: RunRecord = {
    schema: HISTORY_SCHEMA,
    id: junit.digest,
    time: new Date().toISOString(),
    commit,
    base,
    event: ctx.run.eventName,
    full,
    changes: view.changes,
    reach: view.reach,
    ...(view.reachAll ? { reachAll: true } : {}),
    ...(view.mapRemoved ? { mapRemoved: view.mapRemoved } : {}),
    cases: junit.cases,
  };
  // A run of a new commit is appended after the stored summary's runs without reading them (history-tail.ts).
  const inPlace = ahead.summary && !whyReadHistory(ctx, ahead.summary, record, model) ? ahead.summary : undefined;
  const late =
    ahead.summary && !inPlace
      ? await ctx.metrics.phase('history', () => readHistoryLate(ctx, s, ahead.summary, early))
      : undefined;
  const { history, derived } = late ?? ahead;
  const withRun = history ? [...history, record] : undefined;
  // In place, the labels of the run alone: the runs before keep theirs (no run of the commit, nor of its base when
  // that matters, is among them).
  const flaky = labelFlaky(withRun ?? [record]);
  const flakyIdsSeen = inPlace ? new Set([...flaky.flakyIds, ...flakyIdsOf(derived.flakyFailures)]) : flaky.flakyIds;
  const failed = [...realFailedFiles(flaky, record)].sort();
  const flakyIds = [
    ...new Set(
      record.cases
        .filter((c) => flakyIdsSeen.has(c.id) && (c.outcome === 'failed' || c.outcome === 'error'))
        .map((c) => c.id),
    ),
  ].sort();

  // What the predictor would have said for this diff, from the history before this run.
  const candidates = [...new Set([...view.testFiles, ...ranFiles])].sort();
  const { prediction } = predictFor(
    ctx,
    s,
    view,
    base,
    derived.facts,
    model,
    s.budget,
    candidates,
    'file',
    derived.flaky,
    // Worked out from the facts read ahead: not when the history read since no longer matched them.
    late && !late.fromSummary ? undefined : await rankingNext,
  );
  const ranks = new Map(prediction.ordered.map((t, i) => [t.file, { rank: i + 1, probability: t.probability }]));
  const risky = prediction.ordered.filter((t) => t.probability >= 0.5).map((t) => t.file);
  record.predictedRisky = risky.slice(0, 50);
  if (full && view.changes !== null) {
    const selected = new Set(prediction.selection.selected);
    record.audit = {
      failedFiles: failed,
      missedByTestFilter:
        view.reach === null
          ? null
          : view.reachAll
            ? []
            : failed.filter((f) => !(f in view.reach!) || view.mapRemoved?.includes(f)),
      missedByPredictor: failed.filter((f) => !selected.has(f)),
      budget: formatBudget(s.budget),
    };
  }
  const historyLimit = ctx.inputs.int('history-limit', { min: 10 });
  // The summary is stored while the safety state is worked out; a store fault only costs the next prediction (or
  // record) a read of the history.
  let summarised: Promise<void> | undefined;
  if (inPlace) {
    const segment = await ctx.metrics.phase('append', () => appendRunSegment(s.store, record));
    summarised = storeAdvancedSummary(s.store, inPlace, record, flaky, derived.stats, segment);
  } else {
    const appended = await ctx.metrics.phase('append', () => appendRun(s.store, record, historyLimit, history));
    if (appended.outcome === 'exists')
      ctx.log.notice(
        `test-predictor: these JUnit files are already recorded in ${s.store.description}; the history is unchanged.`,
      );
    if (appended.outcome === 'added') summarised = storeHistorySummary(s.store, appended, withRun!, flaky, derived);
  }

  let safety: SafetyState | undefined;
  const reset = ctx.inputs.boolean('reset-safety');
  if (full || reset) {
    const options = {
      window: ctx.inputs.int('miss-window', { min: 1 }),
      maxMissRate: ctx.inputs.number('max-miss-rate', { min: 0, max: 1 }),
      reset,
      now: record.time,
    };
    // A conditional write: a reset another job stored meanwhile is read again and kept.
    safety = await updateSafetyState(
      s.store,
      (previous) => nextSafetyState(previous, withRun ?? [...auditedRuns(inPlace!.document.tail), record], options),
      (m) => ctx.log.warning(m),
    );
    if (!safety.selectionEnabled) ctx.log.warning(`test-predictor selection is off: ${safety.reason}.`);
  } else {
    safety = await readSafetyState(s.store, (m) => ctx.log.warning(m));
  }

  let retrain: RetrainResult | undefined;
  if (withRun && retrainDue(ctx, model, ctx.inputs.duration('retrain-after'))) {
    retrain = await ctx.metrics.phase('train', () =>
      retrainWithRollback(s.store, withRun, trainSettings(ctx, s.budget, withRun), maxDrop(ctx), (m) =>
        ctx.log.warning(m),
      ),
    );
    ctx.log.info(
      `test-predictor retraining (model ${model ? 'older than retrain-after' : 'absent'}): ${retrain.status}, ${retrain.reason}.`,
    );
  }

  await summarised;
  ctx.summary.append(
    renderRecordSummary({
      commit,
      cases: record.cases.length,
      failed,
      flaky: flakyIds,
      risky,
      ranks,
      candidates: prediction.ordered.length,
      full,
      safety,
      retrain,
      display: (f) => displayPath(s, f),
    }),
  );
  ctx.metrics.count('recorded-cases', record.cases.length);
  ctx.metrics.count(COUNTERS.predictedFailures, risky.length);
  ctx.metrics.count(COUNTERS.actualFailures, failed.length);
  ctx.metrics.count(COUNTERS.predictedFailuresCaught, failed.filter((f) => risky.includes(f)).length);
  return {
    'recorded-cases': record.cases.length,
    'failed-tests': failed.map((f) => displayPath(s, f)),
    'flaky-tests': flakyIds.map((id) => displayPath(s, id)),
    'full-run': full,
    'selection-enabled': safety?.selectionEnabled ?? true,
    'miss-rate': safety?.missRate.predictorRate ?? null,
    'test-filter-miss-rate': safety?.missRate.testFilterRate ?? null,
    'model-status': retrain?.status ?? 'kept',
  };
}

/** Whether record retrains: no model-file given, and the model is older than retrain-after (or absent). */
function retrainDue(ctx: CommandContext, model: LoadedModel | undefined, retrainAfterMs: number): boolean {
  const age = model?.document ? Date.now() - Date.parse(model.document.trainedAt) : Number.POSITIVE_INFINITY;
  return !ctx.inputs.isSet('model-file') && age > retrainAfterMs;
}

/**
 * Why this record reads the history rather than append after its stored summary's runs in place: what readNeeded
 * says (history-tail.ts), or the audit's prediction needs the runs (no usable model, a slow-threshold below the
 * summary's floor), or retraining is due. A setting that is wrong means a read: the error is reported where it was.
 */
function whyReadHistory(
  ctx: CommandContext,
  summary: RecordSummary,
  record: RunRecord,
  model: LoadedModel | undefined,
): string | undefined {
  const keepRuns = settingOrUndefined(() => ctx.inputs.int('history-limit', { min: 10 }));
  const minHistory = settingOrUndefined(() => ctx.inputs.int('min-history', { min: 0 }));
  const threshold = settingOrUndefined(() => ctx.inputs.duration('slow-threshold') / 1000);
  const retrainAfter = settingOrUndefined(() => ctx.inputs.duration('retrain-after'));
  if (keepRuns === undefined || minHistory === undefined || threshold === undefined || retrainAfter === undefined)
    return 'a setting is not valid';
  if (!model || summary.facts.usableRuns < minHistory || threshold < SLOW_FLOOR)
    return "the audit's prediction needs the runs";
  if (retrainDue(ctx, model, retrainAfter)) return 'the model is due for retraining';
  return readNeeded(summary.document.tail, record, keepRuns, summary.segments.length);
}

/** A setting's value, or undefined when it is not valid (its error is reported where the setting is used). */
function settingOrUndefined<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** A full run: every test file pytest collects at head ran, or the event is a schedule or a push to the default branch. */
function isFullRun(ctx: CommandContext, view: ChangeView, ran: ReadonlySet<string>): boolean {
  if (ctx.run.eventName === 'schedule') return true;
  const payload = ctx.run.eventPayload as { ref?: string; repository?: { default_branch?: string } };
  if (
    ctx.run.eventName === 'push' &&
    payload.repository?.default_branch &&
    payload.ref === `refs/heads/${payload.repository.default_branch}`
  )
    return true;
  return view.testFiles.length > 0 && view.testFiles.every((file) => ran.has(file));
}

function maxDrop(ctx: CommandContext): number {
  return ctx.inputs.number('max-drop', { min: 0, max: 100 }) / 100;
}

async function runTrain(ctx: CommandContext, s: Settings): Promise<Outputs> {
  const history = await ctx.metrics.phase('history', () => readHistory(s.store, (m) => ctx.log.warning(m)));
  const result = await ctx.metrics.phase('train', () =>
    retrainWithRollback(s.store, history, trainSettings(ctx, s.budget, history), maxDrop(ctx), (m) =>
      ctx.log.warning(m),
    ),
  );
  if (result.status === 'skipped') ctx.log.notice(`test-predictor did not train: ${result.reason}.`);
  ctx.summary.append(renderTrainSummary(result, result.active, new Date()));
  const e = result.status === 'installed' ? result.candidate : undefined;
  return {
    'model-status': result.status,
    'model-reason': result.reason,
    'model-recall': e?.testRecall ?? result.current?.testRecall ?? null,
    'model-auc': e?.auc ?? result.current?.auc ?? null,
    'training-ms': Math.round(result.trainingMs),
    'training-rows': result.active?.document?.rows ?? 0,
  };
}

/** Runs the mode test-predictor's first settings name (`test-predictor.ts` reads them before loading this module). */
export async function runTestPredictor(ctx: CommandContext, first: FirstSettings): Promise<Outputs> {
  const s = readSettings(ctx, first);
  if (s.mode === 'train') return runTrain(ctx, s);
  const outputs = await recordOrPredict(ctx, s);
  if (s.mode === 'record') return outputs;
  return withTestsFiles(ctx.run.runnerTemp, 'test-predictor', outputs, {
    'tests-file': 'tests',
    'selected-file': 'selected',
  });
}

/** record or predict; a fault that is not the user's warns (record: not recorded; predict: every test runs). */
async function recordOrPredict(ctx: CommandContext, s: Settings): Promise<Outputs> {
  try {
    return s.mode === 'record' ? await runRecord(ctx, s) : await runPredict(ctx, s);
  } catch (error) {
    if (isUserError(error)) throw error;
    // An optimisation must not fail the job (docs/architecture.md#runner-contract): report, and for predict fall back
    // to running everything.
    ctx.log.warning(
      `test-predictor ${s.mode} failed (${(error as Error).message}); ${s.mode === 'predict' ? 'every test runs' : 'this run is not recorded'}.`,
    );
    if (s.mode === 'record')
      return {
        'recorded-cases': 0,
        'failed-tests': [],
        'flaky-tests': [],
        'full-run': false,
        'model-status': 'skipped',
      };
    return fallbackOutputs(ctx, s);
  }
}

/** Every candidate we can still list, unordered, in one shard: the safe answer when prediction broke. */
async function fallbackOutputs(ctx: CommandContext, s: Settings): Promise<Outputs> {
  let files: string[] = [];
  try {
    files = (
      await discoverTests(
        (
          await loadLanguagePack()
        ).framework,
        s.repoDir,
        ctx.inputs.optionalString('head') ?? 'HEAD',
        s.projectDir,
      )
    ).tests;
  } catch {
    files = [];
  }
  const show = files.map((f) => displayPath(s, f));
  return {
    tests: show,
    'tests-json': show,
    selected: show,
    'selected-json': show,
    probabilities: {},
    shards: show.length ? shardMatrix([{ index: 1, tests: show, seconds: 0 }]).include : [],
    'shard-count': show.length ? 1 : 0,
    'slow-tests': [],
    'estimated-recall': 1,
    'run-all': true,
    'all-candidates-selected': true,
    'cold-start': true,
    'selection-enabled': true,
    'miss-rate': null,
  };
}

/** The outputs of a record step that found nothing to record (no JUnit file, or none readable). */
function nothingRecorded(): Outputs {
  return {
    'recorded-cases': 0,
    'failed-tests': [],
    'flaky-tests': [],
    'full-run': false,
    'selection-enabled': true,
    'miss-rate': null,
    'test-filter-miss-rate': null,
    'model-status': 'skipped',
  };
}
