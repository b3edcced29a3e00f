import { isAbsolute, resolve } from 'node:path';
import { InputError } from '../errors/index.ts';

/** Where input values come from: what the user gave, the action.yml defaults, and the config file's section. */
export interface InputValues {
  /** Values as given: INPUT_* for actions (the runner already filled in defaults), flags for the CLI. */
  given: Record<string, string | undefined>;
  /** `action.yml` defaults (name -> default text). */
  defaults?: Record<string, string>;
  /** The action's section of `.github/ci-optimizer.yml`; used where an input is empty or left at its default. */
  config?: Record<string, unknown>;
  /** The folder relative paths are resolved against (the workspace). */
  baseDir?: string;
}

export interface NumberBounds {
  min?: number;
  max?: number;
}

const TRUE = new Set(['true']);
const FALSE = new Set(['false']);

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/**
 * Typed access to an action's inputs. Every error names the input, the value and the accepted forms.
 * Precedence: a value the user gave (that differs from the action.yml default) > the config file > the default.
 */
export class Inputs {
  private readonly values: InputValues;
  constructor(values: InputValues) {
    this.values = values;
  }

  /** The raw text of an input after applying the precedence rules ('' when nothing is set). */
  raw(name: string): string {
    const given = this.values.given[name];
    const fallback = this.values.defaults?.[name];
    if (given !== undefined && given !== '' && given !== fallback) return given;
    const fromConfig = this.values.config?.[name];
    if (fromConfig !== undefined && fromConfig !== null) return configToText(fromConfig);
    if (given !== undefined && given !== '') return given;
    return fallback ?? '';
  }

  /** True when the user gave a value or the config file sets one (not only the default). */
  isSet(name: string): boolean {
    const given = this.values.given[name];
    if (given !== undefined && given !== '' && given !== this.values.defaults?.[name]) return true;
    const fromConfig = this.values.config?.[name];
    return fromConfig !== undefined && fromConfig !== null;
  }

  /** The config file's value for `name` as it was written (a list, a map, ...), or undefined. */
  configValue(name: string): unknown {
    return this.values.config?.[name];
  }

  string(name: string, options: { required?: boolean } = {}): string {
    const value = this.raw(name).trim();
    if (options.required && value === '') {
      throw new InputError(`Input '${name}' is required but empty. Set it in the step's 'with:' block.`);
    }
    return value;
  }

  /** The value, or undefined when empty. */
  optionalString(name: string): string | undefined {
    const value = this.raw(name).trim();
    return value === '' ? undefined : value;
  }

  boolean(name: string): boolean {
    const value = this.raw(name).trim();
    const lower = value.toLowerCase();
    if (TRUE.has(lower)) return true;
    if (FALSE.has(lower) || value === '') return false;
    throw new InputError(`Input '${name}' has value '${value}', which is not a boolean. Use 'true' or 'false'.`);
  }

  int(name: string, bounds: NumberBounds = {}): number {
    const value = this.raw(name).trim();
    if (!/^[+-]?\d+$/.test(value)) {
      throw new InputError(`Input '${name}' has value '${value}', which is not a whole number. Use digits, e.g. '10'.`);
    }
    return checkBounds(name, value, Number.parseInt(value, 10), bounds);
  }

  number(name: string, bounds: NumberBounds = {}): number {
    const value = this.raw(name).trim();
    const parsed = Number(value);
    if (value === '' || !Number.isFinite(parsed)) {
      throw new InputError(`Input '${name}' has value '${value}', which is not a number. Use e.g. '0.05' or '10'.`);
    }
    return checkBounds(name, value, parsed, bounds);
  }

  /** A list separated by newlines or commas; items trimmed, empty items dropped. */
  list(name: string): string[] {
    return splitList(this.raw(name), /[\n,]/);
  }

  /** A list separated by newlines only (for values that may contain commas, like paths and globs). */
  lines(name: string): string[] {
    return splitList(this.raw(name), /\n/);
  }

  enum<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.raw(name).trim();
    const match = allowed.find((option) => option.toLowerCase() === value.toLowerCase());
    if (match === undefined) {
      throw new InputError(
        `Input '${name}' has value '${value}', which is not one of: ${allowed.map((a) => `'${a}'`).join(', ')}.`,
      );
    }
    return match;
  }

  /** A path resolved against the workspace (absolute paths and `~` are kept as given). Empty -> ''. */
  path(name: string): string {
    const value = this.raw(name).trim();
    if (value === '') return '';
    return resolvePath(value, this.values.baseDir ?? process.cwd());
  }

  /** A duration in milliseconds: `500ms`, `45s`, `30m`, `2h`, `7d`, `1w`; a bare number means seconds. */
  duration(name: string): number {
    const value = this.raw(name).trim();
    const parsed = parseDuration(value);
    if (parsed === undefined) {
      throw new InputError(
        `Input '${name}' has value '${value}', which is not a duration. Use a number with a unit: ` +
          `'500ms', '45s', '30m', '2h', '7d' or '1w'.`,
      );
    }
    return parsed;
  }

  /** A size in bytes: `512MB`, `10GB`, `1GiB`; a bare number means bytes. */
  size(name: string): number {
    const value = this.raw(name).trim();
    const parsed = parseSize(value);
    if (parsed === undefined) {
      throw new InputError(
        `Input '${name}' has value '${value}', which is not a size. Use a number with a unit: '500MB', '10GB', '1GiB'.`,
      );
    }
    return parsed;
  }
}

/** Parses `7d`, `30m`, `1.5h`, `500ms`, `45` (seconds) into milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 's').toLowerCase();
  return Math.round(Number(match[1]) * DURATION_UNITS[unit]);
}

/** Parses `10GB`, `512MiB`, `100` (bytes) into bytes; undefined when malformed. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 'b').toLowerCase();
  return Math.round(Number(match[1]) * SIZE_UNITS[unit]);
}

function splitList(text: string, separator: RegExp): string[] {
  return text
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function checkBounds(name: string, text: string, value: number, bounds: NumberBounds): number {
  if (bounds.min !== undefined && value < bounds.min) {
    throw new InputError(`Input '${name}' has value '${text}', below the minimum ${bounds.min}.`);
  }
  if (bounds.max !== undefined && value > bounds.max) {
    throw new InputError(`Input '${name}' has value '${text}', above the maximum ${bounds.max}.`);
  }
  return value;
}

function configToText(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join('\n');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function resolvePath(value: string, baseDir: string): string {
  if (value === '~' || value.startsWith('~/')) {
    return resolve(process.env.HOME ?? '', value.slice(2));
  }
  return isAbsolute(value) ? value : resolve(baseDir, value);
}
