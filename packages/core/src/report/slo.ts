/** The plan's service-level objectives for CI, each checked against what this run measured. */
export interface SloTargets {
  prPipelineMinutes: number;
  mainPipelineMinutes: number;
  cacheHitRatePercent: number;
  coveragePercent: number;
}

export interface SloResult {
  name: string;
  target: string;
  measured: string;
  /** undefined when this run has nothing to measure it with. */
  passed: boolean | undefined;
}

export interface SloInputs {
  /** 'pr' for pull requests, 'main' for the default branch, 'other' for anything else. */
  kind: 'pr' | 'main' | 'other';
  pipelineMs: number;
  /** Rolling cache hit rate (exact + partial) in percent, undefined without cache data. */
  cacheHitRatePercent?: number;
  coveragePercent?: number;
}

/** Checks each SLO that applies to this run. */
export function evaluateSlos(targets: SloTargets, measured: SloInputs): SloResult[] {
  const minutes = measured.pipelineMs / 60_000;
  const results: SloResult[] = [];
  if (measured.kind !== 'main') {
    results.push({
      name: 'PR pipeline time',
      target: `< ${targets.prPipelineMinutes} min`,
      measured: `${minutes.toFixed(2)} min`,
      passed: measured.kind === 'pr' ? minutes < targets.prPipelineMinutes : undefined,
    });
  }
  if (measured.kind !== 'pr') {
    results.push({
      name: 'main pipeline time',
      target: `< ${targets.mainPipelineMinutes} min`,
      measured: `${minutes.toFixed(2)} min`,
      passed: measured.kind === 'main' ? minutes < targets.mainPipelineMinutes : undefined,
    });
  }
  results.push({
    name: 'cache hit rate',
    target: `> ${targets.cacheHitRatePercent}%`,
    measured:
      measured.cacheHitRatePercent === undefined ? 'no cache data' : `${measured.cacheHitRatePercent.toFixed(1)}%`,
    passed:
      measured.cacheHitRatePercent === undefined
        ? undefined
        : measured.cacheHitRatePercent > targets.cacheHitRatePercent,
  });
  results.push({
    name: 'coverage',
    target: `> ${targets.coveragePercent}%`,
    measured: measured.coveragePercent === undefined ? 'no coverage.xml' : `${measured.coveragePercent.toFixed(1)}%`,
    passed: measured.coveragePercent === undefined ? undefined : measured.coveragePercent > targets.coveragePercent,
  });
  return results;
}
