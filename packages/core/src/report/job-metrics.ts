import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { MetricsRecord } from '../metrics/index.ts';

export interface JobMetrics {
  records: MetricsRecord[];
  /** Malformed lines: the file, the 1-based line number and what is wrong. */
  malformed: { file: string; line: number; reason: string }[];
  /** Files that were read (none: no ci-optimizer step ran before in this job). */
  files: string[];
}

/** Reads the job's metrics.jsonl; malformed lines are set aside with their line numbers, the rest kept. */
export function readJobMetrics(path: string): JobMetrics {
  if (!existsSync(path)) return { records: [], malformed: [], files: [] };
  return { ...parseMetricsText(readFileSync(path, 'utf8'), path), files: [path] };
}

/**
 * Reads every `*.jsonl` below a folder: other jobs' metrics files, downloaded from their artifacts by
 * actions/download-artifact. Each record is tagged with the job it came from (the file's folder).
 */
export function readMetricsFolder(folder: string): JobMetrics {
  const result: JobMetrics = { records: [], malformed: [], files: [] };
  if (!existsSync(folder)) return result;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.jsonl')) {
        const parsed = parseMetricsText(readFileSync(full, 'utf8'), full);
        const job = relative(folder, dir) || name.replace(/\.jsonl$/, '');
        result.records.push(...parsed.records.map((record) => ({ ...record, job: record.job ?? job })));
        result.malformed.push(...parsed.malformed);
        result.files.push(full);
      }
    }
  };
  walk(folder);
  return result;
}

function parseMetricsText(text: string, file: string): Omit<JobMetrics, 'files'> {
  const records: MetricsRecord[] = [];
  const malformed: JobMetrics['malformed'] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      malformed.push({ file, line: index + 1, reason: `not JSON: ${(error as Error).message}` });
      return;
    }
    const problem = recordProblem(parsed);
    if (problem) malformed.push({ file, line: index + 1, reason: problem });
    else records.push(parsed as MetricsRecord);
  });
  return { records, malformed };
}

/** Larger numbers are no measurement (a millisecond count of 30,000 years); they are refused with the line. */
const MAX_NUMBER = 1e15;

function recordProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const record = value as Partial<MetricsRecord>;
  if (typeof record.action !== 'string' || record.action === '') return "missing 'action'";
  if (typeof record['duration-ms'] !== 'number' || !Number.isFinite(record['duration-ms']))
    return "missing or non-numeric 'duration-ms'";
  if (record['duration-ms'] < 0 || record['duration-ms'] > MAX_NUMBER) return "'duration-ms' is out of range";
  for (const field of ['phases', 'counters'] as const) {
    const value = record[field] as unknown;
    if (value === undefined) continue;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `'${field}' is not an object`;
    for (const [name, number] of Object.entries(value)) {
      // JSON.parse turns 1e999 into Infinity; every number that reaches the report is finite and in range.
      if (typeof number !== 'number' || !Number.isFinite(number) || Math.abs(number) > MAX_NUMBER) {
        return `'${field}.${name.slice(0, 80)}' is not a finite number`;
      }
    }
  }
  return undefined;
}
