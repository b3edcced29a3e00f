import { posix } from 'node:path';
import { changedPaths, type ChangeRecord, type RunRecord } from '../test-history/index.ts';
import { isFlakyCase, runKey, type FlakyLabels } from './flaky.ts';
import { median } from './budget.ts';
import { isCount, isRecord, isSeconds } from './json-checks.ts';

/**
 * The model's features, in column order, per (change, test file) pair (after Machalica et al., "Predictive Test
 * Selection", Meta 2019). The names are part of the model file: a model is only scored with its own list.
 */
export const FEATURE_NAMES = [
  'fail_rate_10',
  'fail_rate_50',
  'fail_rate_all',
  'runs_since_failure',
  'cofail_rate_max',
  'cofail_count',
  'graph_distance',
  'graph_reached',
  'test_file_changed',
  'helper_changed',
  'shared_path_tokens',
  'change_files',
  'change_lines',
  'share_source',
  'share_tests',
  'share_config',
  'share_docs',
  'test_duration',
  'test_age',
  'flaky_rate',
  'impact_map_kept',
  'fail_rate_decayed',
  'cofail_dir_rate',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

/** The change being judged: its files and the graph's reach (test file -> distance), as recorded or computed. */
export interface ChangeContext {
  changes: readonly ChangeRecord[];
  /** null when no import graph is available; `all` when the graph selected every test. */
  reach: Readonly<Record<string, number>> | null;
  reachAll?: boolean;
  /** Reached test files the impact map removed (they never ran the changed functions); undefined: no map used. */
  mapRemoved?: ReadonlySet<string>;
}

/** The change context of a recorded run. */
export function changeOfRun(run: RunRecord): ChangeContext {
  return {
    changes: run.changes ?? [],
    reach: run.reach,
    ...(run.reachAll ? { reachAll: true } : {}),
    ...(run.mapRemoved ? { mapRemoved: new Set(run.mapRemoved) } : {}),
  };
}

/** Whether test-filter runs the file for this change: reached by the import graph and not removed by the impact map. */
export function selectedByTestFilter(change: ChangeContext, file: string): boolean {
  if (change.reachAll) return true;
  if (change.reach === null || !(file in change.reach)) return false;
  return !change.mapRemoved?.has(file);
}

interface FileStats {
  /** 1 = a real failure, 0 = ran without one; one entry per run of the file, oldest first. */
  outcomes: number[];
  /** Failures weighted by recency (each run of the file multiplies the old weight by DECAY), and the runs likewise. */
  decayedFailures: number;
  decayedRuns: number;
  failures: number;
  lastFailure: number;
  firstSeenRun: number;
  recentDurations: number[];
  /** The median of recentDurations, once asked (a prediction asks it of every file three times); reset when they change. */
  typicalDuration?: number;
  flaky: number;
}

/** Changed path (or folder) -> runs that touched it, and test file -> real failures in those runs. */
interface CoFailureEntry {
  runs: number;
  failures: Map<string, number>;
}

/** [changed path, runs, [test file, failures][]]. */
type CoFailureSnapshot = [string, number, [string, number][]];

/**
 * HistoryStats as JSON data: per file [file, outcomes ('0'/'1' per run), decayedFailures, decayedRuns, failures,
 * lastFailure, firstSeenRun, recentDurations, flaky]; the co-failure tables; per distance bucket [key, failures, rows].
 */
export interface HistoryStatsSnapshot {
  runCount: number;
  files: [string, string, number, number, number, number, number, number[], number][];
  touched: CoFailureSnapshot[];
  touchedDirs: CoFailureSnapshot[];
  byDistance: [string, number, number][];
}

const DURATION_WINDOW = 5;
/** Per run of a file, older outcomes keep this share of their weight (a half-life of about 10 runs). */
const DECAY = 0.933;
/** Distances from this many hops on share one bucket of the graph prior (few tests sit that far). */
const FAR_BUCKET = 4;
const CONFIG_FILE = /(^|\/)(\.github\/|Dockerfile|Makefile)|\.(ya?ml|toml|ini|cfg|json|lock|txt)$/i;
const DOC_FILE = /(^|\/)(docs?)\/|\.(md|rst|adoc)$/i;
const SOURCE_FILE = /\.(py|pyi|[cm]?[jt]sx?|go|rs|java|kt|rb|c|cc|cpp|h|hpp|cs|swift|php|scala)$/i;
const IGNORED_TOKENS = new Set([
  '',
  'py',
  'ts',
  'js',
  'src',
  'lib',
  'tests',
  'test',
  'spec',
  'init',
  '__init__',
  'index',
  'main',
]);

/**
 * Running statistics over the history, updated run by run, so that a training row only sees the runs before it
 * (the same view a prediction has).
 */
export class HistoryStats {
  private readonly files = new Map<string, FileStats>();
  /** Changed path -> runs that touched it, and test file -> real failures in those runs. */
  private readonly touched = new Map<string, CoFailureEntry>();
  /** The same per folder of a changed path: a change next to the last one that broke a test is evidence too. */
  private readonly touchedDirs = new Map<string, CoFailureEntry>();
  /**
   * Graph distance bucket ('1'..'4', '0' for a changed test, 'out' when not reached, 'map-removed' when reached but
   * removed by the impact map) -> real failures and rows.
   */
  private readonly byDistance = new Map<string, { failures: number; rows: number }>();
  /** graphBaseRate(), once asked (a prediction asks it of every file); reset when a run is folded in. */
  private baseRate: number | undefined;
  runCount = 0;

  private readonly flaky?: FlakyLabels;
  constructor(flaky?: FlakyLabels) {
    this.flaky = flaky;
  }

  /** Test files seen in the history so far. */
  knownFiles(): string[] {
    return [...this.files.keys()];
  }

  /**
   * Expected duration (seconds) of a test file: the median over its last runs, so one run a fault sent into a long
   * loop (a hang until the timeout) does not make the file look slow for the next ones; undefined when it never ran.
   */
  duration(file: string): number | undefined {
    const stats = this.files.get(file);
    if (!stats || stats.recentDurations.length === 0) return undefined;
    stats.typicalDuration ??= median(stats.recentDurations);
    return stats.typicalDuration;
  }

  /** Real failures of the file weighted toward its recent runs (0 when it never ran). */
  decayedFailureRate(file: string): number {
    const stats = this.files.get(file);
    return stats && stats.decayedRuns > 0 ? stats.decayedFailures / stats.decayedRuns : 0;
  }

  /** Real failures over all runs of the file / its runs (0 when it never ran). */
  failureRate(file: string): number {
    const stats = this.files.get(file);
    return stats?.outcomes.length ? stats.failures / stats.outcomes.length : 0;
  }

  /**
   * Folds one run in: outcomes, durations, co-failures and flaky counts. `failed` are its real failed files; `flaky`
   * the labels of a history that has this run (default: the labels these statistics were made with).
   */
  add(run: RunRecord, failed: ReadonlySet<string>, flaky: FlakyLabels | undefined = this.flaky): void {
    const durations = new Map<string, number>();
    const flakyHere = new Map<string, number>();
    const runHasFlaky = flaky ? flaky.flakyRuns.has(runKey(run)) : false;
    for (const testCase of run.cases) {
      if (testCase.file === '' || testCase.retry) continue;
      durations.set(testCase.file, (durations.get(testCase.file) ?? 0) + testCase.duration);
      if (runHasFlaky && isFlakyCase(flaky!, run, testCase, true))
        flakyHere.set(testCase.file, (flakyHere.get(testCase.file) ?? 0) + 1);
    }
    for (const [file, duration] of durations) {
      let stats = this.files.get(file);
      if (!stats) {
        stats = {
          outcomes: [],
          decayedFailures: 0,
          decayedRuns: 0,
          failures: 0,
          lastFailure: -1,
          firstSeenRun: this.runCount,
          recentDurations: [],
          flaky: 0,
        };
        this.files.set(file, stats);
      }
      const fail = failed.has(file) ? 1 : 0;
      stats.outcomes.push(fail);
      stats.decayedFailures = stats.decayedFailures * DECAY + fail;
      stats.decayedRuns = stats.decayedRuns * DECAY + 1;
      if (fail) {
        stats.failures++;
        stats.lastFailure = stats.outcomes.length - 1;
      }
      stats.recentDurations.push(duration);
      if (stats.recentDurations.length > DURATION_WINDOW) stats.recentDurations.shift();
      stats.typicalDuration = undefined;
      stats.flaky += flakyHere.get(file) ?? 0;
    }
    if (run.changes !== null && run.reach !== null && !run.reachAll) {
      const removed = run.mapRemoved ? new Set(run.mapRemoved) : undefined;
      for (const file of durations.keys()) {
        const key = distanceBucket(run.reach, removed, file);
        const entry = this.byDistance.get(key) ?? { failures: 0, rows: 0 };
        entry.rows++;
        if (failed.has(file)) entry.failures++;
        this.byDistance.set(key, entry);
      }
    }
    this.baseRate = undefined;
    const paths = changedPaths(run);
    countCoFailures(this.touched, paths, failed);
    countCoFailures(this.touchedDirs, [...new Set(paths.map((path) => posix.dirname(path)))], failed);
    this.runCount++;
  }

  /** The statistics as JSON data (history-summary.ts stores them); fromSnapshot gives them back. */
  toSnapshot(): HistoryStatsSnapshot {
    const table = (map: Map<string, CoFailureEntry>): CoFailureSnapshot[] =>
      [...map].map(([key, entry]) => [key, entry.runs, [...entry.failures]]);
    return {
      runCount: this.runCount,
      files: [...this.files].map(([file, s]) => [
        file,
        s.outcomes.join(''),
        s.decayedFailures,
        s.decayedRuns,
        s.failures,
        s.lastFailure,
        s.firstSeenRun,
        [...s.recentDurations],
        s.flaky,
      ]),
      touched: table(this.touched),
      touchedDirs: table(this.touchedDirs),
      byDistance: [...this.byDistance].map(([key, entry]) => [key, entry.failures, entry.rows]),
    };
  }

  /**
   * Statistics from a snapshot, or undefined when it is not one (a stored summary is untrusted input: every field
   * is checked, and one that is off makes the whole snapshot unusable). Without flaky labels: add() needs them given.
   */
  static fromSnapshot(value: unknown): HistoryStats | undefined {
    if (!isRecord(value) || !isCount(value.runCount)) return undefined;
    const { files, touched, touchedDirs, byDistance } = value;
    if (!Array.isArray(files) || !Array.isArray(byDistance)) return undefined;
    const stats = new HistoryStats();
    stats.runCount = value.runCount;
    for (const item of files) {
      const entry = fileStatsOf(item, stats.runCount);
      if (!entry || stats.files.has(entry[0])) return undefined;
      stats.files.set(entry[0], entry[1]);
    }
    if (!readCoFailures(touched, stats.touched) || !readCoFailures(touchedDirs, stats.touchedDirs)) return undefined;
    for (const item of byDistance) {
      if (!Array.isArray(item) || item.length !== 3) return undefined;
      const [key, failures, rows] = item as unknown[];
      if (typeof key !== 'string' || !isCount(failures) || !isCount(rows) || failures > rows) return undefined;
      if (stats.byDistance.has(key)) return undefined;
      stats.byDistance.set(key, { failures, rows });
    }
    return stats;
  }

  /**
   * The graph prior: how often, in this history, a test file at the same import-graph distance from the change failed
   * for real (smoothed toward the rate over all distances). A one-feature model that needs little history; undefined
   * without a graph or when the graph selected everything.
   */
  graphPrior(change: ChangeContext, file: string): number | undefined {
    if (change.reach === null || change.reachAll) return undefined;
    const overall = this.graphBaseRate();
    const entry = this.byDistance.get(distanceBucket(change.reach, change.mapRemoved, file)) ?? {
      failures: 0,
      rows: 0,
    };
    return (entry.failures + overall) / (entry.rows + 1);
  }

  /**
   * How many times likelier than the history's average test a test at this import-graph distance failed: the graph
   * prior over the rate at every distance (a likelihood ratio, the factor Bayes' rule applies to other evidence).
   * Undefined without a graph, when the graph selected everything, or before any failure.
   */
  graphLift(change: ChangeContext, file: string): number | undefined {
    const prior = this.graphPrior(change, file);
    const overall = this.graphBaseRate();
    return prior === undefined || overall <= 0 ? undefined : prior / overall;
  }

  /** Real failures over rows at every graph distance so far (0 before any). */
  private graphBaseRate(): number {
    if (this.baseRate !== undefined) return this.baseRate;
    let failures = 0;
    let rows = 0;
    for (const entry of this.byDistance.values()) {
      failures += entry.failures;
      rows += entry.rows;
    }
    this.baseRate = rows > 0 ? failures / rows : 0;
    return this.baseRate;
  }

  /** The feature row of one (change, test file) pair, in FEATURE_NAMES order; NaN marks a missing value. */
  features(change: ChangeContext, file: string, summary = summarizeChange(change.changes)): Float64Array {
    const row = new Float64Array(FEATURE_NAMES.length);
    const stats = this.files.get(file);
    const runs = stats?.outcomes.length ?? 0;
    const rate = (window: number) => {
      if (!stats || runs === 0) return NaN;
      const from = Math.max(0, runs - window);
      let sum = 0;
      for (let i = from; i < runs; i++) sum += stats.outcomes[i];
      return sum / (runs - from);
    };
    row[0] = rate(10);
    row[1] = rate(50);
    row[2] = rate(Number.POSITIVE_INFINITY);
    row[3] = stats && stats.lastFailure >= 0 ? runs - 1 - stats.lastFailure : NaN;

    let cofailMax = 0;
    let cofailCount = 0;
    let sharedTokens = 0;
    let testChanged = 0;
    let helperChanged = 0;
    const fileTokens = tokens(file);
    const fileDir = posix.dirname(file);
    summary.paths.forEach((path, index) => {
      const entry = this.touched.get(path);
      if (entry) {
        const fails = entry.failures.get(file) ?? 0;
        cofailCount += fails;
        cofailMax = Math.max(cofailMax, fails / (entry.runs + 1));
      }
      if (path === file) testChanged = 1;
      else if (helperFor(summary.helperFolders[index], fileDir)) helperChanged = 1;
    });
    for (const pathTokens of summary.pathTokens) {
      let shared = 0;
      for (const token of pathTokens) if (fileTokens.has(token)) shared++;
      sharedTokens = Math.max(sharedTokens, shared);
    }
    row[4] = cofailMax;
    row[5] = cofailCount;
    if (change.reach === null) {
      row[6] = NaN;
      row[7] = NaN;
    } else {
      const distance = change.reach[file];
      row[6] = distance ?? NaN;
      row[7] = change.reachAll || distance !== undefined ? 1 : 0;
    }
    row[8] = testChanged;
    row[9] = helperChanged;
    row[10] = sharedTokens;
    row[11] = summary.files;
    row[12] = summary.lines;
    row[13] = summary.shareSource;
    row[14] = summary.shareTests;
    row[15] = summary.shareConfig;
    row[16] = summary.shareDocs;
    row[17] = this.duration(file) ?? NaN;
    row[18] = stats ? this.runCount - stats.firstSeenRun : 0;
    row[19] = stats && runs ? stats.flaky / runs : NaN;
    // What test-filter runs with its impact map: 1 kept, 0 left out (not reached, or reached without running the
    // changed functions); missing without a graph, a map or when everything runs.
    row[20] =
      change.reach === null || change.reachAll || change.mapRemoved === undefined
        ? NaN
        : row[7] === 1 && !change.mapRemoved.has(file)
          ? 1
          : 0;
    row[21] = stats && runs ? stats.decayedFailures / stats.decayedRuns : NaN;
    let dirRate = 0;
    for (const dir of summary.dirs) {
      const entry = this.touchedDirs.get(dir);
      if (entry) dirRate = Math.max(dirRate, (entry.failures.get(file) ?? 0) / (entry.runs + 1));
    }
    row[22] = dirRate;
    return row;
  }
}

/** Per-change numbers shared by every test file's row. */
export interface ChangeSummary {
  paths: string[];
  /** The path tokens of each of `paths`, and their folders (each once): what every test file's row compares. */
  pathTokens: Set<string>[];
  /** For each of `paths`, the folders (with a trailing `/`) of the tests it is a helper of (`helperFolders`). */
  helperFolders: (string[] | undefined)[];
  dirs: Set<string>;
  files: number;
  lines: number;
  shareSource: number;
  shareTests: number;
  shareConfig: number;
  shareDocs: number;
}

/** Size and file-type mix of a change. */
export function summarizeChange(changes: readonly ChangeRecord[]): ChangeSummary {
  const paths = changedPaths({ changes: [...changes] });
  const n = Math.max(1, changes.length);
  const share = (test: (path: string) => boolean) => changes.filter((c) => test(c.path)).length / n;
  return {
    paths,
    pathTokens: paths.map(tokens),
    helperFolders: paths.map(helperFolders),
    dirs: new Set(paths.map((path) => posix.dirname(path))),
    files: changes.length,
    lines: changes.reduce((sum, c) => sum + c.added + c.removed, 0),
    shareSource: share((p) => SOURCE_FILE.test(p) && !looksLikeTest(p)),
    shareTests: share(looksLikeTest),
    shareConfig: share((p) => CONFIG_FILE.test(p)),
    shareDocs: share((p) => DOC_FILE.test(p)),
  };
}

/** A test file or test helper by its path (used for the change mix only; selection uses the runner's discovery). */
export function looksLikeTest(path: string): boolean {
  return (
    /(^|\/)(tests?|__tests__|spec)\//.test(path) ||
    /(^|\/)(test_[^/]*|[^/]*_test\.py|[^/]*\.(test|spec)\.[cm]?[jt]sx?)$/.test(path) ||
    posix.basename(path) === 'conftest.py'
  );
}

/**
 * A changed non-test file is a helper of the tests in its folder or below one of its parents (conftest.py, helpers,
 * fixtures): the folders (each with a trailing `/`, '' for the root: every test) a test's folder must be or be
 * below; undefined when `path` is no helper. Worked out once per change, asked for every test file (`helperFor`).
 */
function helperFolders(path: string): string[] | undefined {
  const dir = posix.dirname(path);
  const asFolder = (folder: string) => (folder === '.' ? '' : `${folder}/`);
  if (posix.basename(path) === 'conftest.py') return [asFolder(dir)];
  if (!looksLikeTest(path)) return undefined;
  if (/(^|\/)test_[^/]*$|\.(test|spec)\.[cm]?[jt]sx?$/.test(path)) return undefined;
  // Helpers live beside the tests that use them (tests/helpers/ for tests/orders/test_x.py): the helper's folder
  // or its parent must be on the test's path.
  const parent = posix.dirname(dir);
  return parent === '.' ? [asFolder(dir)] : [asFolder(dir), asFolder(parent)];
}

/** Whether a test in folder `testDir` is below one of a helper's `folders` (or in it). */
function helperFor(folders: readonly string[] | undefined, testDir: string): boolean {
  if (!folders) return false;
  const below = `${testDir}/`;
  return folders.some((folder) => below.startsWith(folder));
}

function countCoFailures(
  table: Map<string, CoFailureEntry>,
  keys: readonly string[],
  failed: ReadonlySet<string>,
): void {
  for (const key of keys) {
    const entry = table.get(key) ?? { runs: 0, failures: new Map<string, number>() };
    entry.runs++;
    for (const file of failed) entry.failures.set(file, (entry.failures.get(file) ?? 0) + 1);
    table.set(key, entry);
  }
}

/**
 * Whether the import graph tells the candidates apart for this change: on real packages a module often reaches
 * every test at the same distance, and a prior that is the same for every test only blurs the ranking.
 */
export function graphDiscriminates(change: ChangeContext, files: readonly string[]): boolean {
  if (change.reach === null || change.reachAll) return false;
  const buckets = new Set<string>();
  for (const file of files) {
    buckets.add(distanceBucket(change.reach, change.mapRemoved, file));
    if (buckets.size > 1) return true;
  }
  return false;
}

function distanceBucket(
  reach: Readonly<Record<string, number>>,
  mapRemoved: ReadonlySet<string> | undefined,
  file: string,
): string {
  const distance = reach[file];
  if (distance === undefined) return 'out';
  if (mapRemoved?.has(file)) return 'map-removed';
  return String(Math.min(FAR_BUCKET, distance));
}

/**
 * The score the predictor orders by: the GBDT's probability averaged with the graph prior (an ensemble of the two).
 * With a short history the trees under-use the graph distance, while the prior (one number per distance, from the
 * user's own runs) is already reliable; with a long history both agree. Without a graph the model stands alone.
 */
export function combineWithGraphPrior(probability: number, prior: number | undefined): number {
  return prior === undefined || Number.isNaN(prior) ? probability : (probability + prior) / 2;
}

function tokens(path: string): Set<string> {
  const out = new Set<string>();
  for (const raw of path
    .toLowerCase()
    .replace(/\.[a-z0-9]+$/, '')
    .split(/[/_.\-\s]+/)) {
    if (!IGNORED_TOKENS.has(raw) && raw.length > 1) out.add(raw);
  }
  return out;
}

/** One file's entry of a snapshot as [file, FileStats], or undefined when any part of it is off. */
function fileStatsOf(item: unknown, runCount: number): [string, FileStats] | undefined {
  if (!Array.isArray(item) || item.length !== 9) return undefined;
  const [file, outcomes, decayedFailures, decayedRuns, failures, lastFailure, firstSeenRun, durations, flaky] =
    item as unknown[];
  if (typeof file !== 'string' || typeof outcomes !== 'string') return undefined;
  const runs = outcomes.length;
  const outcomeList = outcomesOf(outcomes);
  if (!outcomeList) return undefined;
  let ones = 0;
  let last = -1;
  for (let i = 0; i < runs; i++) {
    if (outcomeList[i] === 1) {
      ones++;
      last = i;
    }
  }
  if (!isSeconds(decayedFailures) || !isSeconds(decayedRuns) || decayedFailures > decayedRuns) return undefined;
  if (failures !== ones || lastFailure !== last || !isCount(firstSeenRun) || firstSeenRun + runs > runCount)
    return undefined;
  if (!Array.isArray(durations) || durations.length > DURATION_WINDOW || durations.length > runs) return undefined;
  if (!durations.every(isSeconds) || !isCount(flaky)) return undefined;
  return [
    file,
    {
      outcomes: outcomeList,
      decayedFailures,
      decayedRuns,
      failures: ones,
      lastFailure: last,
      firstSeenRun,
      recentDurations: [...durations],
      flaky,
    },
  ];
}

/** A snapshot's outcomes ('0'/'1' per run) as numbers, or undefined when another character is among them. */
function outcomesOf(text: string): number[] | undefined {
  const list = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 48 && code !== 49) return undefined;
    list[i] = code - 48;
  }
  return list;
}

/** Fills `into` from a snapshot's co-failure table; false when the table is not one. */
function readCoFailures(value: unknown, into: Map<string, CoFailureEntry>): boolean {
  if (!Array.isArray(value)) return false;
  for (const item of value) {
    if (!Array.isArray(item) || item.length !== 3) return false;
    const [key, runs, failures] = item as unknown[];
    if (typeof key !== 'string' || !isCount(runs) || !Array.isArray(failures) || into.has(key)) return false;
    const byFile = new Map<string, number>();
    for (const pair of failures) {
      if (!Array.isArray(pair) || pair.length !== 2) return false;
      const [file, count] = pair as unknown[];
      if (typeof file !== 'string' || !isCount(count) || count > runs || byFile.has(file)) return false;
      byFile.set(file, count);
    }
    into.set(key, { runs, failures: byFile });
  }
  return true;
}
