import { existsSync, readFileSync } from 'node:fs';
import type { MetricsRecord } from '../metrics/index.ts';

export interface JobMetrics {
  records: MetricsRecord[];
  /** Malformed lines: 1-based line number and what is wrong. */
  malformed: { line: number; reason: string }[];
  /** False when the file does not exist (no ci-optimizer step ran before in this job). */
  found: boolean;
}

/** Reads the job's metrics.jsonl; malformed lines are set aside with their line numbers, the rest kept. */
export function readJobMetrics(path: string): JobMetrics {
  if (!existsSync(path)) return { records: [], malformed: [], found: false };
  const records: MetricsRecord[] = [];
  const malformed: { line: number; reason: string }[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      if (text.trim() === '') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        malformed.push({ line: index + 1, reason: `not JSON: ${(error as Error).message}` });
        return;
      }
      const problem = recordProblem(parsed);
      if (problem) malformed.push({ line: index + 1, reason: problem });
      else records.push(parsed as MetricsRecord);
    });
  return { records, malformed, found: true };
}

function recordProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const record = value as Partial<MetricsRecord>;
  if (typeof record.action !== 'string' || record.action === '') return "missing 'action'";
  if (typeof record['duration-ms'] !== 'number' || !Number.isFinite(record['duration-ms'])) return "missing or non-numeric 'duration-ms'";
  if (record.phases !== undefined && (typeof record.phases !== 'object' || record.phases === null)) return "'phases' is not an object";
  if (record.counters !== undefined && (typeof record.counters !== 'object' || record.counters === null)) return "'counters' is not an object";
  return undefined;
}
