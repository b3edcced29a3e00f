import { median, type ScoredTest } from './budget.ts';
import type { FlakyLabels } from './flaky.ts';
import { caseKey, changedPaths, type RunRecord } from '../test-history/index.ts';

/**
 * Test-case granularity: the same rankings, with the pytest node ids of each test file as the items that run. The
 * ranking gives each file its probability p of failing (as at file level); the history says which of its cases fail
 * when it does: q, the share of the file's failures in which the case failed (for the changed paths when they broke
 * the file before, else over all its failures, smoothed toward the average share). The k-th case of a file, its
 * cases taken by q per second, gets p times the chance that the cases before it all passed times its q: the expected
 * failing changes it alone catches. Ordered per second (budget.ts), a time box then takes the likeliest cases of
 * many files before the unlikely rest of one, and a failing file longer than the box can still be found by a short
 * failing case.
 */
export const GRANULARITIES = ['file', 'case'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

interface CaseEntry {
  /** Runs in which the case failed for real. */
  failures: number;
  recentDurations: number[];
  /** The run being added when the case last appeared (CaseStats.add), and what it had in that run so far. */
  run: number;
  seconds: number;
  file: string;
  failed: boolean;
}

interface CoFailures {
  runs: number;
  failures: Map<string, number>;
}

const DURATION_WINDOW = 5;
/** Pseudo-failures of the smoothing: toward the average share over all failures, and toward the general share per path. */
const SHARE_PRIOR = 2;
const PATH_PRIOR = 1;
/** The average share before the history has a failing file (a failing file fails about a third of its cases). */
const DEFAULT_SHARE = 0.3;
const isFailure = (outcome: string) => outcome === 'failed' || outcome === 'error';

/** Running per-case statistics over the history, run by run (a row sees only the runs before its own). */
export class CaseStats {
  private readonly cases = new Map<string, CaseEntry>();
  /** Test file -> runs in which it failed (any case, for real). */
  private readonly fileFailures = new Map<string, number>();
  /** Changed path -> failures of cases and of files in runs that changed it. */
  private readonly touchedCases = new Map<string, CoFailures>();
  private readonly touchedFiles = new Map<string, CoFailures>();
  /** Test file -> the case ids of its newest recorded run, in report order. */
  private readonly lastCases = new Map<string, string[]>();
  private shareSum = 0;
  private shareCount = 0;

  /** Only the flaky failures of the labels are read (a stored history summary keeps them without the rest). */
  private readonly flaky?: { flakyFailures: ReadonlySet<string> };
  constructor(flaky?: { flakyFailures: ReadonlySet<string> }) {
    this.flaky = flaky;
  }

  /** Runs added so far (tells a case's first appearance in a run from a repeat). */
  private runs = 0;

  /**
   * Folds one run in: outcomes, durations and co-failures of its cases (retries and unattributed cases skipped). A
   * case reported more than once in a run counts once, with the seconds of all its reports, the file of its last one
   * and a real failure when any of them failed; cases are taken in the order of their first report.
   */
  add(run: RunRecord): void {
    const index = this.runs++;
    const order: string[] = [];
    const entries: CaseEntry[] = [];
    for (const testCase of run.cases) {
      if (testCase.retry || testCase.file === '') continue;
      let entry = this.cases.get(testCase.id);
      if (!entry) {
        entry = { failures: 0, recentDurations: [], run: -1, seconds: 0, file: '', failed: false };
        this.cases.set(testCase.id, entry);
      }
      if (entry.run !== index) {
        entry.run = index;
        entry.seconds = 0;
        entry.failed = false;
        order.push(testCase.id);
        entries.push(entry);
      }
      entry.seconds += testCase.duration;
      entry.file = testCase.file;
      if (!entry.failed && isFailure(testCase.outcome) && !this.flaky?.flakyFailures.has(caseKey(run, testCase)))
        entry.failed = true;
    }
    const failed = new Set<string>();
    const byFile = new Map<string, string[]>();
    const failedFiles = new Map<string, number>();
    entries.forEach((entry, i) => {
      const id = order[i];
      if (entry.failed) {
        failed.add(id);
        entry.failures++;
        failedFiles.set(entry.file, (failedFiles.get(entry.file) ?? 0) + 1);
      }
      entry.recentDurations.push(entry.seconds);
      if (entry.recentDurations.length > DURATION_WINDOW) entry.recentDurations.shift();
      const list = byFile.get(entry.file);
      if (list) list.push(id);
      else byFile.set(entry.file, [id]);
    });
    for (const [file, ids] of byFile) this.lastCases.set(file, ids);
    for (const [file, failing] of failedFiles) {
      this.fileFailures.set(file, (this.fileFailures.get(file) ?? 0) + 1);
      this.shareSum += failing / byFile.get(file)!.length;
      this.shareCount++;
    }
    const paths = changedPaths(run);
    count(this.touchedCases, paths, failed);
    count(this.touchedFiles, paths, new Set(failedFiles.keys()));
  }

  /** The case ids of the file's newest recorded run (undefined when it never ran). */
  casesOf(file: string): readonly string[] | undefined {
    return this.lastCases.get(file);
  }

  /** Expected seconds of a case: the median of its last runs; undefined when it never ran. */
  duration(id: string): number | undefined {
    const entry = this.cases.get(id);
    return entry?.recentDurations.length ? median(entry.recentDurations) : undefined;
  }

  /**
   * q of each case of one file for a change touching `paths`: the share of the file's failures (with one of these
   * paths changed, when there are such) in which the case failed, smoothed.
   */
  shares(file: string, ids: readonly string[], paths: readonly string[]): number[] {
    const average = this.shareCount > 0 ? (this.shareSum + DEFAULT_SHARE) / (this.shareCount + 1) : DEFAULT_SHARE;
    const fileFailures = this.fileFailures.get(file) ?? 0;
    // The changed path that broke this file most often.
    let path: CoFailures | undefined;
    let pathFileFailures = 0;
    for (const changed of paths) {
      const n = this.touchedFiles.get(changed)?.failures.get(file) ?? 0;
      if (n > pathFileFailures) {
        pathFileFailures = n;
        path = this.touchedCases.get(changed);
      }
    }
    return ids.map((id) => {
      const general = ((this.cases.get(id)?.failures ?? 0) + SHARE_PRIOR * average) / (fileFailures + SHARE_PRIOR);
      if (!path) return general;
      return ((path.failures.get(id) ?? 0) + PATH_PRIOR * general) / (pathFileFailures + PATH_PRIOR);
    });
  }
}

function count(table: Map<string, CoFailures>, keys: readonly string[], failed: ReadonlySet<string>): void {
  for (const key of keys) {
    const entry = table.get(key) ?? { runs: 0, failures: new Map<string, number>() };
    entry.runs++;
    for (const id of failed) entry.failures.set(id, (entry.failures.get(id) ?? 0) + 1);
    table.set(key, entry);
  }
}

/**
 * Scores of one file's cases from the file's probability `fileScore` and each case's share `q` and expected seconds:
 * cases by q per second, each scored with the expected failing changes it catches after the ones before it (the
 * chance that they all passed, of which `keep` is not discounted), never more per second than the case before it.
 */
export function caseScores(
  fileScore: number,
  cases: readonly { q: number; duration: number }[],
  keep = KEEP,
): number[] {
  const order = cases
    .map((c, i) => i)
    .sort((a, b) => cases[b].q / seconds(cases[b].duration) - cases[a].q / seconds(cases[a].duration) || a - b);
  const out = new Array<number>(cases.length).fill(0);
  let untouched = 1;
  let rate = Number.POSITIVE_INFINITY;
  for (const i of order) {
    const q = Math.min(1, Math.max(0, cases[i].q));
    rate = Math.min(rate, (fileScore * (keep + (1 - keep) * untouched) * q) / seconds(cases[i].duration));
    out[i] = rate * seconds(cases[i].duration);
    untouched *= 1 - q;
  }
  return out;
}

const seconds = (duration: number) => Math.max(0.01, duration);
/**
 * The share of a case's chance that does not shrink with the cases before it. Taken as independent, the cases
 * after a file's likely ones would keep almost nothing (0.8^50), while a change often breaks one case nobody has
 * seen fail; on the corpus a tenth kept the tail alive (sortedcontainers: a lone failing case went from 96% of the
 * time to inside a third) and still spread the box over files (cachetools).
 */
const KEEP = 0.1;

/**
 * Pytest node ids the predictor passes on: `file::name` or `file::Class[::Class]::name` with Python identifiers and
 * an optional parameter id in brackets. Anything else a report may carry (doctest items, a module that failed at
 * collection, names another runner wrote) is not passed as an id: its file runs whole.
 */
const NODE_ID_TAIL = /^(?:[A-Za-z_][A-Za-z0-9_]*::)*[A-Za-z_][A-Za-z0-9_]*(?:\[[^\n\r\0]*\])?$/;
export function passableNodeId(file: string, id: string): boolean {
  return id.startsWith(`${file}::`) && NODE_ID_TAIL.test(id.slice(file.length + 2)) && id.length <= 4096;
}

/** How the cases of candidate files become run items, and what each item belongs to. */
export interface CaseItems {
  items: ScoredTest[];
  /** Item (node id, or a file run whole) -> its test file. */
  fileOf: Map<string, string>;
  /** Files run whole and why (must-run, no recorded cases, ids that are not plain pytest node ids). */
  wholeFiles: Map<string, string>;
}

/**
 * Expands scored test files into case items: every passable node id of the file's newest recorded run, scored by
 * caseScores; a must-run file (changed, new, failed on the base), a file with no recorded cases or with a case id
 * that is not a plain node id runs whole, as one item with its file score.
 */
export function expandToCases(files: readonly ScoredTest[], stats: CaseStats, paths: readonly string[]): CaseItems {
  const items: ScoredTest[] = [];
  const fileOf = new Map<string, string>();
  const wholeFiles = new Map<string, string>();
  for (const test of files) {
    const ids = stats.casesOf(test.file);
    const why = test.mustRun
      ? test.mustRun
      : !ids || ids.length === 0
        ? 'no recorded cases'
        : ids.some((id) => !passableNodeId(test.file, id))
          ? 'a case id is not a plain pytest node id'
          : undefined;
    if (why !== undefined) {
      items.push(test);
      fileOf.set(test.file, test.file);
      wholeFiles.set(test.file, why);
      continue;
    }
    const known = ids!.map((id) => stats.duration(id)).filter((d): d is number => d !== undefined);
    const fallback = known.length ? median(known) : test.duration / ids!.length;
    const durations = ids!.map((id) => stats.duration(id) ?? fallback);
    const q = stats.shares(test.file, ids!, paths);
    const scores = caseScores(
      test.probability,
      ids!.map((_, i) => ({ q: q[i], duration: durations[i] })),
    );
    ids!.forEach((id, i) => {
      items.push({ file: id, probability: scores[i], duration: durations[i], graphReached: test.graphReached });
      fileOf.set(id, test.file);
    });
  }
  return { items, fileOf, wholeFiles };
}

/**
 * Whether a reported case is the test module itself (pytest reports a module that failed or was skipped at
 * collection as the file, or, in reports read by older versions, as `file::dotted.module`).
 */
function isModuleItem(file: string, id: string): boolean {
  if (id === file) return true;
  const tail = id.startsWith(`${file}::`) ? id.slice(file.length + 2) : '';
  return (
    /^[A-Za-z_][\w.]*$/.test(tail) && tail.includes('.') && `/${file}`.endsWith(`/${tail.split('.').join('/')}.py`)
  );
}

/** One case of a replayed run: what a prediction for that run knew of it, and how it ended. */
export interface ReplayedCase {
  id: string;
  file: string;
  /** Index of the file's row in the file-level dataset (buildHistoryDataset). */
  fileRow: number;
  /** 1 = failed for real. */
  label: number;
  /** Seconds measured in the run, and the seconds a prediction would have expected. */
  duration: number;
  expected: number;
  /** The case's share of its file's failures for this run's change (CaseStats.shares). */
  q: number;
}

/**
 * Replays the history at case level alongside the file-level dataset: for every run that has file rows, its cases
 * with what the runs before it say (the case-level twin of buildHistoryDataset, for evaluations).
 */
export function buildCaseReplay(
  runs: readonly RunRecord[],
  fileRows: { runOfRow: ArrayLike<number>; files: readonly string[]; flaky: FlakyLabels },
): Map<number, ReplayedCase[]> {
  const rowOf = new Map<string, number>();
  for (let i = 0; i < fileRows.files.length; i++) rowOf.set(`${fileRows.runOfRow[i]}\u0000${fileRows.files[i]}`, i);
  const stats = new CaseStats(fileRows.flaky);
  const out = new Map<number, ReplayedCase[]>();
  runs.forEach((run, r) => {
    const paths = changedPaths(run);
    const seen = new Map<string, { file: string; seconds: number; failed: boolean }>();
    for (const testCase of run.cases) {
      if (testCase.retry || testCase.file === '') continue;
      const entry = seen.get(testCase.id) ?? { file: testCase.file, seconds: 0, failed: false };
      entry.seconds += testCase.duration;
      if (isFailure(testCase.outcome) && !fileRows.flaky.flakyFailures.has(caseKey(run, testCase))) entry.failed = true;
      seen.set(testCase.id, entry);
    }
    const byFile = new Map<string, string[]>();
    for (const [id, { file }] of seen) {
      if (!rowOf.has(`${r}\u0000${file}`)) continue;
      const list = byFile.get(file);
      if (list) list.push(id);
      else byFile.set(file, [id]);
    }
    const cases: ReplayedCase[] = [];
    const everyKnown = [...seen.keys()].map((id) => stats.duration(id)).filter((d): d is number => d !== undefined);
    const typical = everyKnown.length ? median(everyKnown) : 0.01;
    for (const [file, ids] of byFile) {
      // As expandToCases: a new case expects the median of its file's known cases.
      const known = ids.map((id) => stats.duration(id)).filter((d): d is number => d !== undefined);
      const fallback = known.length ? median(known) : typical;
      const q = stats.shares(file, ids, paths);
      // A module that failed at collection is reported as the file itself: any of the file's node ids would have
      // collected it and hit the same error, so it costs what the file's cheapest known case costs.
      const cheapest = Math.min(
        ...(stats.casesOf(file) ?? []).map((id) => stats.duration(id) ?? Number.POSITIVE_INFINITY),
      );
      ids.forEach((id, i) => {
        const entry = seen.get(id)!;
        const expected =
          isModuleItem(file, id) && Number.isFinite(cheapest) ? cheapest : (stats.duration(id) ?? fallback);
        cases.push({
          id,
          file,
          fileRow: rowOf.get(`${r}\u0000${file}`)!,
          label: entry.failed ? 1 : 0,
          duration: entry.seconds,
          expected,
          q: q[i],
        });
      });
    }
    if (cases.length > 0) out.set(r, cases);
    stats.add(run);
  });
  return out;
}
