import { UserError } from '../errors/index.ts';

/** A user rule: a change to a file matching `from` selects the test files matching `to`. */
export interface MapRule {
  from: string;
  to: string[];
}

/** What to do with a changed file that no rule, import or string literal explains. */
export type UnknownFilePolicy = 'run-all' | 'ignore';
/** What to do when a change reaches tests through an import whose target is computed at run time. */
export type DynamicImportPolicy = 'run-all' | 'widen';

/** The typed `test-filter:` section of `.github/ci-optimizer.yml` (every field optional there). */
export interface TestFilterOptions {
  /** The project inside the repository (where its test framework runs and its config lives); '' for the root. */
  projectDir: string;
  /** Import roots relative to the repository root; undefined = detect (root, src/, lib/, package parents). */
  roots?: string[];
  /** Test globs that are always selected. */
  alwaysRun: string[];
  /** Extra globs whose change runs every test (added to the built-in triggers). */
  runAllOn: string[];
  /** Extra globs of files that select nothing on their own (added to the built-in list). */
  ignore: string[];
  map: MapRule[];
  maxChangedFiles: number;
  unknownFiles: UnknownFilePolicy;
  dynamicImports: DynamicImportPolicy;
  /** Path filters for job routing: name -> globs (a leading `!` excludes). */
  filters: Record<string, string[]>;
  /** The config file itself (a change to it runs everything). */
  configPath: string;
}

export const DEFAULT_CONFIG_PATH = '.github/ci-optimizer.yml';
export const DEFAULT_MAX_CHANGED_FILES = 200;

/**
 * CI configuration: a change can alter how every test runs, in any language. The language pack adds its own
 * (packaging, dependency pins, the test framework's configuration: `TestFramework.runAllOn`), matched first.
 */
export const BUILTIN_RUN_ALL_ON: readonly string[] = ['.github/**'];

/** Files that cannot change what a test does unless a test names them (docs, prose, images, licences). */
export const BUILTIN_IGNORE: readonly string[] = [
  'docs/**',
  'doc/**',
  '**/*.md',
  '**/*.rst',
  '**/*.txt.license',
  '**/*.png',
  '**/*.jpg',
  '**/*.jpeg',
  '**/*.gif',
  '**/*.svg',
  '**/*.ico',
  '**/*.webp',
  '**/LICENSE*',
  '**/LICENCE*',
  '**/COPYING*',
  '**/NOTICE*',
  '**/AUTHORS*',
  '**/CHANGELOG*',
  '**/CODEOWNERS',
  '**/.gitignore',
  '**/.gitattributes',
  '**/.editorconfig',
  '**/py.typed',
];

const globList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

/** JSON schema of the `test-filter:` section, for the config loader. */
export const testFilterConfigSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'test-filter section of .github/ci-optimizer.yml',
  type: 'object',
  additionalProperties: false,
  properties: {
    'project-dir': {
      type: 'string',
      description: 'The Python project inside the repository (pytest config, test paths).',
    },
    roots: { ...globList, description: 'Import roots (folders on sys.path), relative to the repository root.' },
    'always-run': { ...globList, description: 'Test files (globs) selected on every run.' },
    'run-all-on': { ...globList, description: 'Globs whose change runs every test, added to the built-in triggers.' },
    ignore: { ...globList, description: 'Globs of files that select nothing, added to the built-in list.' },
    map: {
      description: "Explicit rules: 'src/payments/** -> tests/payments/**' strings, or a map glob -> glob(s).",
      oneOf: [
        { type: 'array', items: { type: 'string', pattern: '->' } },
        {
          type: 'object',
          additionalProperties: { oneOf: [{ type: 'string', minLength: 1 }, globList] },
        },
      ],
    },
    'max-changed-files': { type: 'integer', minimum: 1, description: 'More changed files than this runs every test.' },
    'unknown-files': { enum: ['run-all', 'ignore'], description: 'What a changed file no rule explains does.' },
    'dynamic-imports': {
      enum: ['run-all', 'widen'],
      description: 'Unbounded computed imports reached by a change: run all, or select their importers.',
    },
    filters: {
      type: 'object',
      description: 'Path filters: name -> globs; one boolean output per name.',
      additionalProperties: { oneOf: [{ type: 'string' }, globList] },
    },
  },
} as const;

function stringList(value: unknown, field: string, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string')
    return value
      .split(/[\n,]/)
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
    return value.map((s) => s.trim()).filter(Boolean);
  throw new UserError(
    `${where}: '${field}' must be a list of globs, got ${JSON.stringify(value)}. Write it as a YAML list of strings.`,
  );
}

/** Parses `map` rules from either form (`"a/** -> b/**"` strings or a glob -> glob(s) map). */
export function parseMapRules(value: unknown, where: string): MapRule[] {
  if (value === undefined || value === null) return [];
  const fromLine = (line: string): MapRule => {
    const [from, to, extra] = line.split('->').map((s) => s.trim());
    if (!from || !to || extra !== undefined) {
      throw new UserError(
        `${where}: map rule '${line}' must read 'SOURCE-GLOB -> TEST-GLOB', e.g. 'src/payments/** -> tests/payments/**'.`,
      );
    }
    return { from, to: [to] };
  };
  if (typeof value === 'string')
    return value
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(fromLine);
  if (Array.isArray(value)) return value.map((line) => fromLine(String(line)));
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).map(([from, to]) => ({
      from,
      to: stringList(to, `map.${from}`, where),
    }));
  }
  throw new UserError(`${where}: 'map' must be a list of 'SOURCE -> TESTS' rules or a map of glob -> globs.`);
}

/** Parses the `filters` input or config value (YAML text or an object) into name -> globs. */
export function parseFilters(
  value: unknown,
  where: string,
  parseYaml: (text: string) => unknown,
): Record<string, string[]> {
  if (value === undefined || value === null || value === '') return {};
  const parsed = typeof value === 'string' ? parseYaml(value) : value;
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UserError(
      `${where}: 'filters' must be a YAML map of name -> globs, e.g. "docker:\\n  - Dockerfile\\n  - src/**".`,
    );
  }
  const filters: Record<string, string[]> = {};
  for (const [name, globs] of Object.entries(parsed as Record<string, unknown>)) {
    if (!/^[A-Za-z0-9_-]+$/.test(name)) {
      throw new UserError(
        `${where}: filter name '${name}' must use letters, digits, '-' or '_' (it becomes an output name).`,
      );
    }
    filters[name] = stringList(globs, `filters.${name}`, where);
  }
  return filters;
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[], fallback: T, where: string): T {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`${where}: '${field}' is ${JSON.stringify(value)}; use one of ${allowed.join(', ')}.`);
}

/** Turns the config section (already schema-checked, or raw) into typed options with defaults filled in. */
export function resolveTestFilterOptions(
  section: Record<string, unknown> = {},
  where = DEFAULT_CONFIG_PATH,
  parseYaml: (text: string) => unknown = () => {
    throw new UserError(`${where}: 'filters' must be a map, not text.`);
  },
): TestFilterOptions {
  const maxChanged = section['max-changed-files'] ?? DEFAULT_MAX_CHANGED_FILES;
  if (typeof maxChanged !== 'number' || !Number.isInteger(maxChanged) || maxChanged < 1) {
    throw new UserError(
      `${where}: 'max-changed-files' is ${JSON.stringify(maxChanged)}; use a whole number of at least 1.`,
    );
  }
  const projectDir = String(section['project-dir'] ?? '')
    .replace(/^\.\/?/, '')
    .replace(/\/+$/, '');
  const roots =
    section.roots === undefined
      ? undefined
      : stringList(section.roots, 'roots', where).map((r) => r.replace(/^\.\/?/, '').replace(/\/+$/, ''));
  return {
    projectDir,
    roots,
    alwaysRun: stringList(section['always-run'], 'always-run', where),
    runAllOn: stringList(section['run-all-on'], 'run-all-on', where),
    ignore: stringList(section.ignore, 'ignore', where),
    map: parseMapRules(section.map, where),
    maxChangedFiles: maxChanged,
    unknownFiles: oneOf(section['unknown-files'], 'unknown-files', ['run-all', 'ignore'] as const, 'run-all', where),
    dynamicImports: oneOf(
      section['dynamic-imports'],
      'dynamic-imports',
      ['run-all', 'widen'] as const,
      'run-all',
      where,
    ),
    filters: parseFilters(section.filters, where, parseYaml),
    configPath: DEFAULT_CONFIG_PATH,
  };
}
