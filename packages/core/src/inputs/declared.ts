import type { Inputs } from './typed-inputs.ts';

/**
 * The type of one input, as its command reads it. action.yml cannot say it (the runner rejects unknown keys in an
 * input's definition), so the types live here, next to the reader, and the runtime checks every declared input
 * before a step does any work: a bad value never leaves a half-done step behind (a run appended, a comment printed).
 */
export type InputType =
  | { kind: 'boolean' }
  | { kind: 'int'; min?: number; max?: number }
  | { kind: 'number'; min?: number; max?: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'duration' }
  | { kind: 'size' };

/** Input name -> type, for one action. Inputs not listed are free text (paths, globs, keys, YAML). */
export type InputTypes = Record<string, InputType & { optional?: boolean }>;

const bool = { kind: 'boolean' } as const;
const duration = { kind: 'duration' } as const;
const int = (min?: number, max?: number) => ({ kind: 'int', min, max }) as const;
const number = (min?: number, max?: number) => ({ kind: 'number', min, max }) as const;
const oneOf = (...values: string[]) => ({ kind: 'enum', values }) as const;
/** Empty means "not set" for these (the command then does without). */
const optional = <T extends InputType>(type: T) => ({ ...type, optional: true });

const S3_CONNECTION: InputTypes = {
  'force-path-style': optional(bool),
  'max-attempts': int(1, 20),
  'connect-timeout': duration,
  'idle-timeout': duration,
  'first-byte-timeout': optional(duration),
};

const S3_ENTRY: InputTypes = {
  ...S3_CONNECTION,
  enableCrossOsArchive: bool,
  compression: oneOf('auto', 'zstd', 'gzip'),
};

/** The declared input types of every action, by the action's name (its folder under actions/). */
export const DECLARED_INPUT_TYPES: Record<string, InputTypes> = {
  'cache-key': {
    'store-required': bool,
    rotate: oneOf('none', 'daily', 'weekly', 'monthly'),
    'probe-runtimes': bool,
    'cache-hit': optional(bool),
    'record-restore': bool,
    'hit-rate-window': int(1),
    'hit-rate-target': number(0, 100),
  },
  'perf-comment': {
    'store-required': bool,
    mode: oneOf('compare', 'ab', 'store-baseline', 'post'),
    'ab-runs': optional(int(1, 20)),
    'ab-interleave': oneOf('rounds', 'runs'),
    'ab-extra-runs': int(0, 10),
    alpha: number(1e-6, 0.5),
    'drift-correction': oneOf('auto', 'on', 'off'),
    'max-baseline-age': duration,
    'fail-on-regression': bool,
    comment: oneOf('always', 'on-change', 'never'),
    'top-functions': int(0, 50),
    'pr-number': int(0),
    measure: oneOf('time', 'instructions'),
    'history-size': int(2, 1000),
    'min-history-runs': int(2, 1000),
    'confirm-runs': int(0, 10),
    'confirm-timeout': duration,
  },
  report: {
    'store-required': bool,
    record: bool,
    trend: bool,
    'price-per-minute': number(0),
    'slo-pr-minutes': number(0),
    'slo-main-minutes': number(0),
    'slo-cache-hit-rate': number(0, 100),
    'slo-coverage': number(0, 100),
  },
  's3-cache': {
    ...S3_ENTRY,
    'save-untrusted': bool,
    'fail-on-cache-miss': bool,
    'lookup-only': bool,
    'save-always': bool,
    'restore-timeout': duration,
    'save-timeout': duration,
    'prune-max-age': optional(duration),
    'prune-max-total-size': optional({ kind: 'size' }),
  },
  's3-cache/restore': { ...S3_ENTRY, 'fail-on-cache-miss': bool, 'lookup-only': bool, 'restore-timeout': duration },
  's3-cache/save': {
    ...S3_ENTRY,
    'save-untrusted': bool,
    'save-timeout': duration,
    'prune-max-age': optional(duration),
    'prune-max-total-size': optional({ kind: 'size' }),
  },
  's3-cache/prune': {
    ...S3_CONNECTION,
    'max-age': optional(duration),
    'max-total-size': optional({ kind: 'size' }),
    'dry-run': bool,
  },
  'test-filter': {
    'store-required': bool,
    'max-changed-files': int(1),
    'unknown-files': oneOf('run-all', 'ignore'),
    'dynamic-imports': oneOf('run-all', 'widen'),
    mode: oneOf('select', 'learn'),
    'max-map-age': duration,
    'max-map-distance': int(0),
  },
  'test-predictor': {
    'store-required': bool,
    mode: oneOf('record', 'train', 'predict'),
    granularity: oneOf('file', 'case'),
    'full-run': oneOf('auto', 'true', 'false'),
    shards: int(1, 256),
    'slow-threshold': duration,
    graph: bool,
    'impact-map': bool,
    'min-history': int(0),
    'retrain-after': duration,
    'max-drop': number(0, 100),
    'train-time-budget': duration,
    'max-miss-rate': number(0, 1),
    'miss-window': int(1),
    'reset-safety': bool,
    'history-limit': int(10),
    top: int(0),
  },
  'test-plan': {
    'store-required': bool,
    'max-changed-files': int(1),
    shards: int(1, 256),
  },
};

/** The declared types of an action's inputs ({} for an action without declarations). */
export function declaredInputTypes(action: string): InputTypes {
  return DECLARED_INPUT_TYPES[action] ?? {};
}

/**
 * Reads every declared input once, so that a bad value fails the step before it does anything. Throws the
 * InputError of the first bad value (it names the input, the value and the accepted forms).
 */
export function validateDeclaredInputs(inputs: Inputs, types: InputTypes): void {
  for (const [name, type] of Object.entries(types)) {
    if (type.optional && inputs.raw(name).trim() === '') continue;
    switch (type.kind) {
      case 'boolean':
        inputs.boolean(name);
        break;
      case 'int':
        inputs.int(name, { min: type.min, max: type.max });
        break;
      case 'number':
        inputs.number(name, { min: type.min, max: type.max });
        break;
      case 'enum':
        inputs.enum(name, type.values);
        break;
      case 'duration':
        inputs.duration(name);
        break;
      case 'size':
        inputs.size(name);
        break;
    }
  }
}

/** True when the input is declared boolean: a bare `--flag` on the command line means `true` only for these. */
export function isBooleanInput(action: string, name: string): boolean {
  return declaredInputTypes(action)[name]?.kind === 'boolean';
}
