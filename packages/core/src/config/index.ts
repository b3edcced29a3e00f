import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject } from 'ajv';
import { LineCounter, parseDocument, isMap, type Document } from 'yaml';
import { UserError } from '../errors/index.ts';
import { compileSchema } from './schema.ts';

export { compileSchema, compiledSchemas, schemaProblemChecker } from './schema.ts';

/** Where the shared config file lives, relative to the repository root (first match wins). */
export const CONFIG_FILES = ['.github/ci-optimizer.yml', '.github/ci-optimizer.yaml'];

/** The sections the config file may have: one per action. */
export const CONFIG_SECTIONS = ['cache-key', 's3-cache', 'test-filter', 'test-predictor', 'perf-comment', 'report'];

/** A JSON schema (draft 2020-12 subset that ajv understands) for one action's section. */
export type SectionSchema = Record<string, unknown>;

export interface ConfigSection {
  /** The section's values keyed by input name; {} when the file or the section is absent. */
  values: Record<string, unknown>;
  /** The config file's path relative to the repository, when there is one. */
  file?: string;
}

/**
 * Loads one action's section of `.github/ci-optimizer.yml`, validated against `schema`.
 * Errors name the file, line and key. An absent file or section gives an empty section.
 */
export function loadConfigSection(repoDir: string, section: string, schema?: SectionSchema): ConfigSection {
  const file = CONFIG_FILES.find((candidate) => existsSync(join(repoDir, candidate)));
  if (!file) return { values: {} };
  const text = readFileSync(join(repoDir, file), 'utf8');
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    const error = document.errors[0];
    const { line, col } = lineCounter.linePos(error.pos[0]);
    throw new UserError(`${file}:${line}:${col}: not valid YAML: ${error.message.split('\n')[0]}`);
  }
  if (document.contents === null) return { values: {}, file };
  if (!isMap(document.contents)) {
    throw new UserError(`${file}:1: the config must be a map of action names (${CONFIG_SECTIONS.join(', ')}).`);
  }
  const data = document.toJS() as Record<string, unknown>;
  for (const key of Object.keys(data)) {
    if (!CONFIG_SECTIONS.includes(key)) {
      const line = lineOf(document, lineCounter, [key]);
      throw new UserError(
        `${file}:${line}: unknown section '${key}'. The sections are: ${CONFIG_SECTIONS.join(', ')}.`,
      );
    }
  }
  const values = data[section];
  if (values === undefined || values === null) return { values: {}, file };
  if (typeof values !== 'object' || Array.isArray(values)) {
    const line = lineOf(document, lineCounter, [section]);
    throw new UserError(`${file}:${line}: section '${section}' must be a map of input names to values.`);
  }
  if (schema) validateSection(file, section, values, schema, document, lineCounter);
  return { values: values as Record<string, unknown>, file };
}

function validateSection(
  file: string,
  section: string,
  values: unknown,
  schema: SectionSchema,
  document: Document,
  lineCounter: LineCounter,
): void {
  const validate = compileSchema(schema);
  if (validate(values)) return;
  const error = validate.errors?.[0] as ErrorObject;
  const path = error.instancePath
    .split('/')
    .filter((part) => part !== '')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const keyPath = [section, ...path];
  if (error.keyword === 'additionalProperties') {
    const extra = String(error.params.additionalProperty);
    const line = lineOf(document, lineCounter, [...keyPath, extra]);
    const known = Object.keys((schema.properties as Record<string, unknown>) ?? {});
    throw new UserError(
      `${file}:${line}: unknown key '${[...keyPath, extra].join('.')}'. Known keys of '${section}': ${known.join(', ')}.`,
    );
  }
  const line = lineOf(document, lineCounter, keyPath);
  const value = document.getIn(keyPath);
  const shown = value === undefined ? '' : ` (got ${JSON.stringify(toPlain(value))})`;
  throw new UserError(`${file}:${line}: '${keyPath.join('.')}' ${error.message}${shown}.`);
}

function lineOf(document: Document, lineCounter: LineCounter, path: string[]): number {
  // Prefer the key's own line (the pair's key node); fall back to the value node, then to the parent.
  for (let depth = path.length; depth > 0; depth--) {
    const parent = depth > 1 ? document.getIn(path.slice(0, depth - 1), true) : document.contents;
    if (isMap(parent)) {
      const pair = parent.items.find(
        (item) => String((item.key as { value?: unknown })?.value ?? item.key) === path[depth - 1],
      );
      const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
      if (range) return lineCounter.linePos(range[0]).line;
    }
    const node = document.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lineCounter.linePos(node.range[0]).line;
  }
  return 1;
}

function toPlain(value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'toJSON' in value
    ? (value as { toJSON(): unknown }).toJSON()
    : value;
}
