import { InputError } from '../errors/index.ts';
import type { Store } from '../store/index.ts';
import { readBaselineRuns, runStatistics, type RunStatistic } from './baseline-history.ts';
import { alignBenchmarkNames, normalizeBenchmarkNames, requireCommonBenchmarks } from './benchmark-names.ts';
import { selectBaseline } from './baseline-store.ts';
import { compareInstructionCounts } from './compare-instructions.ts';
import { canCompareRunPairs, compareRunPairs } from './compare-run-pairs.ts';
import { compareWithHistory, DEFAULT_MIN_HISTORY_RUNS, type HistoryCompareOptions } from './compare-with-history.ts';
import { benchmarksToConfirm, confirmWithReruns, unconfirmed } from './confirm-with-reruns.ts';
import type { Measure } from './measure-instructions.ts';
import type { BenchmarkSet } from './benchmark-types.ts';
import { compareBenchmarks, type Comparison } from './compare-benchmarks.ts';
import { mergeBenchmarkRuns } from './merge-runs.ts';
import { readBenchmarkFile } from './parse-benchmarks.ts';
import { readProfileFile, type CpuProfile } from './parse-profiles.ts';
import { summarizeProfile, type ProfileReport } from './profile-summary.ts';
import type { BaselineDescription } from './render-comment.ts';

export interface PerfReportOptions {
  /** PR result files; several files (repeated runs) are pooled. */
  resultFiles: readonly string[];
  /** Explicit baseline files (same-job A/B or a file given by hand); when empty the store is asked. */
  baselineFiles?: readonly string[];
  profileFile?: string;
  baselineProfileFile?: string;
  store?: Store;
  /** Merge base first, then its older first-parent ancestors (see baselineCandidates). */
  candidates?: readonly string[];
  maxBaselineAgeMs?: number;
  /** True when the baseline was measured in the same job (drift hits both sides, so no drift correction). */
  sameJob?: boolean;
  /** Same-job runs made in lockstep (ab-interleave: rounds): one deviant pair may be set aside (compare-run-pairs.ts). */
  lockstep?: boolean;
  alpha?: number;
  minChange?: number;
  ignore?: readonly string[];
  topN?: number;
  /** `auto`: on for stored baselines, off for same-job A/B. */
  driftCorrection?: 'auto' | 'on' | 'off';
  now?: number;
  /** Stored baselines: the run history (baseline-runs/) the PR run is judged against; see compare-with-history.ts. */
  historyStore?: Store;
  historySize?: number;
  minHistoryRuns?: number;
  /** Checkout roots the result files were produced in: benchmark names are made relative to them. */
  currentRoot?: string;
  baselineRoot?: string;
  /** Same-job A/B: base and PR must share benchmark names (else a UserError says why). */
  requireCommon?: boolean;
  measure?: Measure;
  /** How a usage error names the input behind a file (same-job A/B: the command that should have written it). */
  inputWords?: (input: string, file: string) => string;
  /** Cross-run verdicts: confirm flags by re-running the flagged benchmarks in this job (confirm-with-reruns.ts). */
  confirm?: ConfirmRuns;
}

/** How the job re-runs flagged benchmarks: `runs` re-runs; `rerun` missing when there is no benchmark command. */
export interface ConfirmRuns {
  runs: number;
  /** Re-runs the named benchmarks `runs` times; resolves to the result files, one a re-run. */
  rerun?: (names: readonly string[], runs: number) => Promise<string[]>;
  /** A re-run that failed (command, timeout, unreadable results): the verdicts stay one-stage, the log says why. */
  onFailure?: (error: unknown) => void;
}

/** Everything the comment, the summary and the outputs are made from. */
export interface PerfReport {
  comparison: Comparison;
  baseline: BaselineDescription;
  profile?: ProfileReport;
}

/** Reads the inputs, finds the baseline, compares and summarises profiles. */
export async function buildPerfReport(options: PerfReportOptions): Promise<PerfReport> {
  if (options.resultFiles.length === 0)
    throw new InputError("Input 'results' is empty. Point it at the benchmark results file(s) of this run.");
  // A file that is missing or of the wrong kind is a usage error of the input that named it.
  const readRuns = async (files: readonly string[], input: string, root?: string) => {
    const sets = await Promise.all(
      files.map((file) =>
        readBenchmarkFile(file).catch((error: unknown) => {
          if (error instanceof InputError)
            throw new InputError(
              `${options.inputWords?.(input, file) ?? `Input '${input}' has value '${file}'`}: ${error.message}`,
            );
          throw error;
        }),
      ),
    );
    return root ? sets.map((set) => normalizeBenchmarkNames(set, root)) : sets;
  };
  const currentRuns = await readRuns(options.resultFiles, 'results', options.currentRoot);
  const current = mergeBenchmarkRuns(currentRuns);
  const measure =
    options.measure ??
    (current.benchmarks.length > 0 && current.benchmarks.every((b) => b.unit === 'instructions')
      ? 'instructions'
      : 'time');
  let baselineSet: BenchmarkSet | undefined;
  let baselineProfile: CpuProfile | undefined;
  let description: BaselineDescription;
  let comparison: Comparison | undefined;
  const statistics = { alpha: options.alpha, minChange: options.minChange, ignore: options.ignore };
  if (options.baselineFiles && options.baselineFiles.length > 0) {
    const baselineRuns = await readRuns(options.baselineFiles, 'baseline', options.baselineRoot);
    baselineSet = mergeBenchmarkRuns(baselineRuns);
    if (options.requireCommon) requireCommonBenchmarks(baselineSet, current, 'Same-job A/B');
    if (options.sameJob && measure === 'time' && canCompareRunPairs(baselineRuns, currentRuns)) {
      // Runs alternated base/PR: each pair of adjacent runs is one piece of evidence (compare-run-pairs.ts).
      comparison = compareRunPairs(baselineRuns, currentRuns, {
        ...statistics,
        driftCorrection: options.driftCorrection === 'on',
        setAsideDeviantPair: options.lockstep === true,
      });
    }
    description = {
      kind: options.sameJob
        ? 'same-job A/B (base commit measured in this job, runs alternated)'
        : `file ${options.baselineFiles.join(', ')}`,
    };
  } else if (options.store) {
    const history = options.historyStore
      ? await readBaselineRuns(options.historyStore, { limit: options.historySize, commits: options.candidates })
      : { runs: [], skipped: 0 };
    const selected = await selectBaseline(options.store, options.candidates ?? [], {
      maxAgeMs: options.maxBaselineAgeMs,
      now: options.now,
    });
    if (history.runs.length > 0 || selected) {
      // The run is the unit of evidence across jobs: judge against the history of runs; a store from before the
      // history was kept has one run, the selected baseline.
      const runs =
        history.runs.length > 0 ? history.runs.map((run) => run.benchmarks) : [runStatistics(selected!.record.results)];
      const newest = history.runs[0];
      const ageMs = newest ? Math.max(0, (options.now ?? Date.now()) - Date.parse(newest.createdAt)) : selected!.ageMs;
      baselineProfile = selected?.record.profile;
      description = {
        kind: `the last ${runs.length} baseline run${runs.length === 1 ? '' : 's'} of the default branch`,
        commit: newest?.commit ?? selected!.record.commit,
        ageMs,
        stale: options.maxBaselineAgeMs !== undefined && ageMs > options.maxBaselineAgeMs,
      };
      const drift = options.driftCorrection ?? 'auto';
      if (measure === 'instructions') {
        // Counts do not move with the machine: the newest run is the baseline.
        baselineSet = {
          format: 'generic',
          source: description.kind,
          benchmarks: Object.entries(runs[0]).map(([name, stat]) => ({ name, label: name, ...stat })),
        };
      } else
        comparison = await judgeAgainstHistory(runs, current, options, {
          ...statistics,
          driftCorrection: drift !== 'off',
          minRuns: options.minHistoryRuns ?? DEFAULT_MIN_HISTORY_RUNS,
        });
    } else {
      description = {
        kind: 'none found (no baseline stored for the merge base or its ancestors; push to the default branch with mode store-baseline)',
      };
    }
  } else {
    description = { kind: 'none given' };
  }
  if (!comparison) {
    const baseline = baselineSet ?? { format: current.format, source: 'no baseline', benchmarks: [] };
    if (measure === 'instructions') {
      comparison = compareInstructionCounts(baseline, current, statistics);
    } else {
      const drift = options.driftCorrection ?? 'auto';
      comparison = compareBenchmarks(baseline, current, {
        ...statistics,
        driftCorrection: drift === 'on' || (drift === 'auto' && !options.sameJob),
      });
    }
  }
  let profile: ProfileReport | undefined;
  if (options.profileFile) {
    const readProfile = (file: string, input: string) =>
      readProfileFile(file).catch((error: unknown) => {
        throw error instanceof InputError
          ? new InputError(`Input '${input}' has value '${file}': ${error.message}`)
          : error;
      });
    const currentProfile = await readProfile(options.profileFile, 'profile');
    if (options.baselineProfileFile)
      baselineProfile = await readProfile(options.baselineProfileFile, 'baseline-profile');
    profile = summarizeProfile(currentProfile, baselineProfile, options.topN ?? 3);
  }
  return { comparison, baseline: description, profile };
}

/**
 * A PR run against the history: one stage when no confirmation was asked for; otherwise the flagged benchmarks are
 * re-run in this job and a flag stands only when it persists (confirm-with-reruns.ts).
 */
async function judgeAgainstHistory(
  history: readonly Record<string, RunStatistic>[],
  current: BenchmarkSet,
  options: PerfReportOptions,
  rule: HistoryCompareOptions,
): Promise<Comparison> {
  const confirm = options.confirm;
  if (!confirm) return compareWithHistory(history, current, rule);
  if (confirm.runs <= 0) return unconfirmed(history, current, rule, 'disabled');
  if (!confirm.rerun) return unconfirmed(history, current, rule, 'no-command');
  const flagged = benchmarksToConfirm(history, current, rule);
  if (flagged.length === 0) return confirmWithReruns(history, current, [], rule);
  try {
    const files = await confirm.rerun(flagged, confirm.runs);
    const reruns = await Promise.all(files.map(readBenchmarkFile));
    const named = reruns.map((set) =>
      alignBenchmarkNames(options.currentRoot ? normalizeBenchmarkNames(set, options.currentRoot) : set, flagged),
    );
    return confirmWithReruns(history, current, named, rule);
  } catch (error) {
    confirm.onFailure?.(error);
    return unconfirmed(history, current, rule, 'failed');
  }
}

/** The typed outputs (and the CLI's --json): names of benchmarks per verdict plus the overall verdict. */
export function perfOutputs(report: PerfReport): Record<string, unknown> {
  const names = (verdict: string) =>
    report.comparison.benchmarks.filter((b) => b.verdict === verdict).map((b) => b.name);
  const regressions = report.comparison.benchmarks
    .filter((b) => b.verdict === 'regression' && !b.ignored)
    .map((b) => b.name);
  return {
    verdict: report.comparison.verdict,
    regressions,
    improvements: names('improvement'),
    unchanged: names('unchanged'),
    inconclusive: names('inconclusive'),
    'not-comparable': names('not-comparable'),
    'ignored-regressions': report.comparison.benchmarks
      .filter((b) => b.verdict === 'regression' && b.ignored)
      .map((b) => b.name),
    drift: report.comparison.drift ?? null,
    baseline: report.baseline,
    benchmarks: report.comparison.benchmarks,
    'top-functions': report.profile?.topSelf ?? [],
  };
}

/** Whether to post: `always`; `on-change` when something changed or an earlier comment must be corrected; `never`. */
export function shouldComment(
  mode: 'always' | 'on-change' | 'never',
  report: PerfReport,
  commentExists: boolean,
): boolean {
  if (mode === 'never') return false;
  if (mode === 'always' || commentExists) return true;
  return report.comparison.verdict === 'regression' || report.comparison.verdict === 'improvement';
}
