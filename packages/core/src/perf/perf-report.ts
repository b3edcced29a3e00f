import { UserError } from '../errors/index.ts';
import { selectBaseline, type PerfStore } from './baseline-store.ts';
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
  store?: PerfStore;
  /** Merge base first, then its older first-parent ancestors (see baselineCandidates). */
  candidates?: readonly string[];
  maxBaselineAgeMs?: number;
  /** True when the baseline was measured in the same job (drift hits both sides, so no drift correction). */
  sameJob?: boolean;
  alpha?: number;
  minChange?: number;
  ignore?: readonly string[];
  topN?: number;
  /** `auto`: on for stored baselines, off for same-job A/B. */
  driftCorrection?: 'auto' | 'on' | 'off';
  now?: number;
}

/** Everything the comment, the summary and the outputs are made from. */
export interface PerfReport {
  comparison: Comparison;
  baseline: BaselineDescription;
  profile?: ProfileReport;
}

/** Reads the inputs, finds the baseline, compares and summarises profiles. */
export async function buildPerfReport(options: PerfReportOptions): Promise<PerfReport> {
  if (options.resultFiles.length === 0) throw new UserError("Input 'results' is empty. Point it at the benchmark results file(s) of this run.");
  const current = mergeBenchmarkRuns(await Promise.all(options.resultFiles.map(readBenchmarkFile)));
  let baselineSet: BenchmarkSet | undefined;
  let baselineProfile: CpuProfile | undefined;
  let description: BaselineDescription;
  if (options.baselineFiles && options.baselineFiles.length > 0) {
    baselineSet = mergeBenchmarkRuns(await Promise.all(options.baselineFiles.map(readBenchmarkFile)));
    description = { kind: options.sameJob ? 'same-job A/B (base commit measured in this job, runs alternated)' : `file ${options.baselineFiles.join(', ')}` };
  } else if (options.store) {
    const selected = await selectBaseline(options.store, options.candidates ?? [], { maxAgeMs: options.maxBaselineAgeMs, now: options.now });
    if (selected) {
      baselineSet = selected.record.results;
      baselineProfile = selected.record.profile;
      description = { kind: selected.kind, commit: selected.record.commit, ageMs: selected.ageMs, stale: selected.stale };
    } else {
      description = { kind: 'none found (no baseline stored for the merge base or its ancestors; push to the default branch with mode store-baseline)' };
    }
  } else {
    description = { kind: 'none given' };
  }
  const drift = options.driftCorrection ?? 'auto';
  const comparison = compareBenchmarks(baselineSet ?? { format: current.format, source: 'no baseline', benchmarks: [] }, current, {
    alpha: options.alpha,
    minChange: options.minChange,
    ignore: options.ignore,
    driftCorrection: drift === 'on' || (drift === 'auto' && !options.sameJob),
  });
  let profile: ProfileReport | undefined;
  if (options.profileFile) {
    const currentProfile = await readProfileFile(options.profileFile);
    if (options.baselineProfileFile) baselineProfile = await readProfileFile(options.baselineProfileFile);
    profile = summarizeProfile(currentProfile, baselineProfile, options.topN ?? 3);
  }
  return { comparison, baseline: description, profile };
}

/** The typed outputs (and the CLI's --json): names of benchmarks per verdict plus the overall verdict. */
export function perfOutputs(report: PerfReport): Record<string, unknown> {
  const names = (verdict: string) => report.comparison.benchmarks.filter((b) => b.verdict === verdict).map((b) => b.name);
  const regressions = report.comparison.benchmarks.filter((b) => b.verdict === 'regression' && !b.ignored).map((b) => b.name);
  return {
    verdict: report.comparison.verdict,
    regressions,
    improvements: names('improvement'),
    unchanged: names('unchanged'),
    inconclusive: names('inconclusive'),
    'not-comparable': names('not-comparable'),
    'ignored-regressions': report.comparison.benchmarks.filter((b) => b.verdict === 'regression' && b.ignored).map((b) => b.name),
    drift: report.comparison.drift ?? null,
    baseline: report.baseline,
    benchmarks: report.comparison.benchmarks,
    'top-functions': report.profile?.topSelf ?? [],
  };
}

/** Whether to post: `always`; `on-change` when something changed or an earlier comment must be corrected; `never`. */
export function shouldComment(mode: 'always' | 'on-change' | 'never', report: PerfReport, commentExists: boolean): boolean {
  if (mode === 'never') return false;
  if (mode === 'always' || commentExists) return true;
  return report.comparison.verdict === 'regression' || report.comparison.verdict === 'improvement';
}
