import { parse } from 'yaml';
import { UserError } from '../errors/index.ts';

export interface InputMetadata {
  description: string;
  required: boolean;
  default?: string;
  deprecationMessage?: string;
}

export interface OutputMetadata {
  description: string;
}

/** What an action.yml declares: the single source of truth for input names, defaults and descriptions. */
export interface ActionMetadata {
  name: string;
  description: string;
  inputs: Record<string, InputMetadata>;
  outputs: Record<string, OutputMetadata>;
  runs: { using: string; main?: string; post?: string; 'post-if'?: string };
  branding?: { icon?: string; color?: string };
}

/**
 * An action.yml as the bundles embed it: parsed to plain data at build time (scripts/bundle.mjs), so an action does
 * not load a YAML parser to start; `source` (`actions/<name>/action.yml`) names it in errors.
 */
export interface ActionYml {
  readonly source: string;
  readonly data: unknown;
}

/** Parses the text of an action.yml; `source` names it in errors. */
export function parseActionMetadata(text: string, source = 'action.yml'): ActionMetadata {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new UserError(`${source} is not valid YAML: ${(error as Error).message}`);
  }
  return actionMetadata({ source, data: raw });
}

/** The metadata of an action.yml already parsed to plain data (what the bundles embed). */
export function actionMetadata(yml: ActionYml): ActionMetadata {
  const { source, data: raw } = yml;
  if (!isRecord(raw)) throw new UserError(`${source} must be a YAML map with 'name', 'description' and 'runs'.`);
  const inputs: Record<string, InputMetadata> = {};
  for (const [name, value] of Object.entries(asRecord(raw.inputs))) {
    const input = asRecord(value);
    inputs[name] = {
      description: String(input.description ?? ''),
      required: input.required === true || input.required === 'true',
      default: input.default === undefined || input.default === null ? undefined : String(input.default),
      deprecationMessage: input.deprecationMessage === undefined ? undefined : String(input.deprecationMessage),
    };
  }
  const outputs: Record<string, OutputMetadata> = {};
  for (const [name, value] of Object.entries(asRecord(raw.outputs))) {
    outputs[name] = { description: String(asRecord(value).description ?? '') };
  }
  const runs = asRecord(raw.runs);
  return {
    name: String(raw.name ?? ''),
    description: String(raw.description ?? ''),
    inputs,
    outputs,
    runs: {
      using: String(runs.using ?? ''),
      main: runs.main === undefined ? undefined : String(runs.main),
      post: runs.post === undefined ? undefined : String(runs.post),
      'post-if': runs['post-if'] === undefined ? undefined : String(runs['post-if']),
    },
    branding: isRecord(raw.branding) ? (raw.branding as ActionMetadata['branding']) : undefined,
  };
}

/** The defaults of every input that has one (name -> text). */
export function inputDefaults(metadata: ActionMetadata): Record<string, string> {
  const defaults: Record<string, string> = {};
  for (const [name, input] of Object.entries(metadata.inputs)) {
    if (input.default !== undefined) defaults[name] = input.default;
  }
  return defaults;
}

/** The environment variable the runner sets for an input (docs/architecture.md#runner-contract: upper-cased, spaces to `_`). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}
