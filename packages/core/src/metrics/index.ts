import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Metrics } from '../contract/index.ts';

/** One step's record in `metrics.jsonl` and its `metrics` output (docs/architecture.md#runner-contract). */
export interface MetricsRecord {
  action: string;
  version: string;
  'duration-ms': number;
  phases: Record<string, number>;
  counters: Record<string, number>;
  /** `main` or `post`. */
  step?: string;
  outcome?: 'success' | 'failure';
  /** ISO time the step started. */
  started?: string;
  /** The job the record came from, when report gathers several jobs. */
  job?: string;
}

/**
 * Milliseconds of a monotonic clock. Not `performance.now()`: Node builds the `performance` global on first use, which
 * loads its perf_hooks modules (1.5-4 ms of a step's start on a small runner) for a clock `process.hrtime` gives as well.
 */
function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Collects phase timings and counters for one step. */
export class MetricsRecorder implements Metrics {
  readonly phases: Record<string, number> = {};
  readonly counters: Record<string, number> = {};
  private readonly startedAt = nowMs();
  readonly startedIso = new Date().toISOString();

  async phase<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const start = nowMs();
    try {
      return await fn();
    } finally {
      this.phases[name] = (this.phases[name] ?? 0) + Math.round(nowMs() - start);
    }
  }

  /** Sets a counter; a value that is not a finite number (NaN from bad data) is left out, never written. */
  count(name: string, value: number): void {
    if (Number.isFinite(value)) this.counters[name] = value;
  }

  add(name: string, delta: number): void {
    if (Number.isFinite(delta)) this.counters[name] = (this.counters[name] ?? 0) + delta;
  }

  /** Milliseconds since the recorder was made (the step's start). */
  elapsedMs(): number {
    return Math.round(nowMs() - this.startedAt);
  }

  toRecord(action: string, version: string, extra: Partial<MetricsRecord> = {}): MetricsRecord {
    return {
      action,
      version,
      'duration-ms': this.elapsedMs(),
      phases: { ...this.phases },
      counters: { ...this.counters },
      started: this.startedIso,
      ...extra,
    };
  }
}

/** The job-wide metrics file that `report` gathers: `$RUNNER_TEMP/ci-optimizer/metrics.jsonl`. */
export function jobMetricsPath(runnerTemp: string): string {
  return join(runnerTemp, 'ci-optimizer', 'metrics.jsonl');
}

/** Appends one record as one line (a single small append, so concurrent steps never interleave lines). */
export function appendJobMetrics(runnerTemp: string, record: MetricsRecord): void {
  appendMetricsRecord(jobMetricsPath(runnerTemp), record);
}

/** Appends one record to a metrics file (the job's, or the command line's), creating its folder. */
export function appendMetricsRecord(path: string, record: MetricsRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(record)}\n`);
}

export { COUNTERS } from './well-known.ts';
