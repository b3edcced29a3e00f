import { readFile } from 'node:fs/promises';
import { InputError, UserError } from '../errors/index.ts';
import type { BenchmarkResult, BenchmarkSet } from './benchmark-types.ts';
import { median } from './statistics.ts';

const GENERIC_HINT = 'a JSON list of {"name", "unit", "value", "range"?, "samples"?, "bigger-is-better"?}';
const PYTEST_HINT = "pytest-benchmark's --benchmark-json output (an object with a 'benchmarks' list)";

/** Reads and parses a benchmark results file (pytest-benchmark JSON or the generic list); UserError when malformed. */
export async function readBenchmarkFile(file: string): Promise<BenchmarkSet> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    // A file that is not there is a usage error: the wrong path was given (or the command wrote elsewhere).
    throw new InputError(`cannot read benchmark results '${file}': ${(error as Error).message}. Check the path.`);
  }
  return parseBenchmarkText(text, file);
}

/** Parses benchmark results from text; `source` names the file in error messages. */
export function parseBenchmarkText(text: string, source: string): BenchmarkSet {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      `Benchmark results '${source}' are not valid JSON (${(error as Error).message}). Expected ${PYTEST_HINT} or ${GENERIC_HINT}.`,
    );
  }
  const kind = detectBenchmarkFormat(data);
  if (kind === 'pytest-benchmark') return parsePytestBenchmark(data as Record<string, unknown>, source);
  if (kind === 'generic') return parseGenericList(data as unknown[], source);
  if (kind === 'profile') {
    throw new InputError(
      `'${source}' is a CPU profile, not benchmark results. Pass it as 'profile' (or 'baseline-profile') instead of 'results'.`,
    );
  }
  throw new InputError(`'${source}' is in an unknown format. Expected ${PYTEST_HINT} or ${GENERIC_HINT}.`);
}

/** Names the format of parsed JSON: a results format, a profile, or unknown. */
export function detectBenchmarkFormat(data: unknown): 'pytest-benchmark' | 'generic' | 'profile' | 'unknown' {
  if (Array.isArray(data)) return 'generic';
  if (data && typeof data === 'object') {
    const record = data as Record<string, unknown>;
    if (Array.isArray(record.benchmarks)) return 'pytest-benchmark';
    if (typeof record.$schema === 'string' && record.$schema.includes('speedscope')) return 'profile';
    if (Array.isArray(record.nodes) && Array.isArray(record.samples)) return 'profile';
  }
  return 'unknown';
}

function parsePytestBenchmark(data: Record<string, unknown>, source: string): BenchmarkSet {
  const entries = data.benchmarks as unknown[];
  const benchmarks = entries.map((entry, index): BenchmarkResult => {
    const where = `${source}: benchmarks[${index}]`;
    if (!entry || typeof entry !== 'object')
      throw new UserError(`${where} is not an object. Re-run pytest with --benchmark-json.`);
    const record = entry as Record<string, unknown>;
    const name = requireString(record.fullname ?? record.name, `${where}.fullname`);
    const label = typeof record.name === 'string' ? record.name : name;
    const stats = record.stats as Record<string, unknown> | undefined;
    if (!stats || typeof stats !== 'object') {
      throw new UserError(
        `${where} ('${name}') has no 'stats' object. The file looks truncated; re-run pytest with --benchmark-json.`,
      );
    }
    const mean = requireNumber(stats.mean, `${where}.stats.mean`);
    const stddev = requireNumber(stats.stddev ?? 0, `${where}.stats.stddev`);
    const rounds = requireNumber(stats.rounds ?? 1, `${where}.stats.rounds`);
    let samples: number[] | undefined;
    if (stats.data !== undefined) {
      if (!Array.isArray(stats.data)) throw new UserError(`${where}.stats.data is not a list of numbers.`);
      samples = stats.data.map((value, i) => requirePositive(value, `${where}.stats.data[${i}]`));
    }
    const value =
      samples && samples.length > 0 ? median(samples) : requireNumber(stats.median ?? mean, `${where}.stats.median`);
    return {
      name,
      label,
      unit: 's',
      biggerIsBetter: false,
      value,
      samples: samples && samples.length > 0 ? samples : undefined,
      summary: { mean, stddev, count: rounds },
      min: typeof stats.min === 'number' && Number.isFinite(stats.min) && stats.min > 0 ? stats.min : undefined,
    };
  });
  return { format: 'pytest-benchmark', source, benchmarks: checkUnique(benchmarks, source) };
}

function parseGenericList(entries: unknown[], source: string): BenchmarkSet {
  const benchmarks = entries.map((entry, index): BenchmarkResult => {
    const where = `${source}: [${index}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new UserError(
        `${where} is not an object. Each entry must be ${GENERIC_HINT.replace('a JSON list of ', '')}.`,
      );
    }
    const record = entry as Record<string, unknown>;
    const name = requireString(record.name, `${where}.name`);
    const unit = requireString(record.unit, `${where}.unit ('${name}')`);
    const bigger = record['bigger-is-better'] ?? record.biggerIsBetter ?? false;
    if (typeof bigger !== 'boolean') {
      throw new UserError(`${where}.bigger-is-better ('${name}') is ${JSON.stringify(bigger)}; use true or false.`);
    }
    let samples: number[] | undefined;
    if (record.samples !== undefined) {
      if (!Array.isArray(record.samples) || record.samples.length === 0) {
        throw new UserError(`${where}.samples ('${name}') must be a non-empty list of numbers.`);
      }
      samples = record.samples.map((value, i) => requireNumber(value, `${where}.samples[${i}] ('${name}')`));
    }
    const value =
      record.value === undefined && samples
        ? median(samples)
        : requireNumber(record.value, `${where}.value ('${name}')`);
    const range =
      record.range === undefined ? undefined : parseRange(record.range, value, `${where}.range ('${name}')`);
    const label = typeof record.label === 'string' && record.label.trim() !== '' ? record.label : name;
    return { name, label, unit, biggerIsBetter: bigger, value, samples, range };
  });
  return { format: 'generic', source, benchmarks: checkUnique(benchmarks, source) };
}

/** Turns `± 1.5`, `+- 3%`, `+/- 0.2` or a number into an absolute half-width. */
function parseRange(raw: unknown, value: number, where: string): number {
  if (typeof raw === 'number' && Number.isFinite(raw)) return Math.abs(raw);
  const match =
    typeof raw === 'string' ? /^\s*(?:±|\+-|\+\/-)?\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(%?)\s*$/i.exec(raw) : null;
  if (!match) {
    throw new UserError(`${where} is ${JSON.stringify(raw)}; use a number or text like '± 1.5' or '± 3%'.`);
  }
  const amount = Number(match[1]);
  return match[2] === '%' ? (Math.abs(value) * amount) / 100 : amount;
}

function checkUnique(benchmarks: BenchmarkResult[], source: string): BenchmarkResult[] {
  const seen = new Set<string>();
  for (const benchmark of benchmarks) {
    if (seen.has(benchmark.name)) {
      throw new UserError(`'${source}' names benchmark '${benchmark.name}' twice. Give every benchmark a unique name.`);
    }
    seen.add(benchmark.name);
  }
  return benchmarks;
}

function requireString(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UserError(`${where} is ${JSON.stringify(value) ?? 'missing'}; expected a non-empty string.`);
  }
  return value;
}

function requireNumber(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new UserError(`${where} is ${JSON.stringify(value) ?? 'missing'}; expected a number.`);
  }
  return value;
}

function requirePositive(value: unknown, where: string): number {
  const number = requireNumber(value, where);
  if (number < 0) throw new UserError(`${where} is ${number}; a duration cannot be negative.`);
  return number;
}
