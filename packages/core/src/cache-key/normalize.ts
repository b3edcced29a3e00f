import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { canonicalToml, readTomlStatements } from './toml-statements.ts';

/**
 * How a dependency file is reduced before hashing, so that edits that cannot change what gets installed (comments,
 * blank lines, indentation, key order in JSON/YAML) do not change the cache key. Each format keeps every byte that
 * can matter; when a file cannot be parsed we fall back to the line form, which is always safe.
 */
export type NormalForm =
  | 'requirements'
  | 'pyproject-deps'
  | 'toml'
  | 'json'
  | 'npm-lock'
  | 'yaml'
  | 'yarn-classic'
  | 'go-sum'
  | 'go-mod'
  | 'xml'
  | 'c-comments'
  | 'properties'
  | 'lines';

/** The normal form used for a file, from its name (and, for yarn.lock, its first lines). */
export function normalFormOf(path: string, content: string): NormalForm {
  const name = basename(path).toLowerCase();
  if (name === 'pyproject.toml') return 'pyproject-deps';
  if (name === 'pipfile.lock') return 'json';
  if (name.endsWith('.toml') || name === 'pipfile' || isTomlLock(name)) return 'toml';
  if (name === 'package-lock.json' || name === 'npm-shrinkwrap.json') return 'npm-lock';
  if (name.endsWith('.json')) return 'json';
  if (name === 'yarn.lock') return isYarnBerryLock(content) ? 'yaml' : 'yarn-classic';
  if (name.endsWith('.yaml') || name.endsWith('.yml')) return 'yaml';
  if (name === 'go.sum' || name === 'go.work.sum') return 'go-sum';
  if (name === 'go.mod' || name === 'go.work') return 'go-mod';
  if (name.endsWith('.xml')) return 'xml';
  if (name.endsWith('.gradle') || name.endsWith('.gradle.kts') || name.endsWith('.kts')) return 'c-comments';
  if (name.endsWith('.properties') || name.endsWith('.lockfile')) return 'properties';
  if (name.endsWith('.txt') || name.endsWith('.in')) return 'requirements';
  return 'lines';
}

/** True for a Yarn 2+ ("berry") lockfile, which is YAML with a `__metadata` entry; classic has its own format. */
export function isYarnBerryLock(content: string): boolean {
  return /^__metadata:/m.test(content);
}

function isTomlLock(name: string): boolean {
  return ['poetry.lock', 'uv.lock', 'pdm.lock', 'cargo.lock', 'pylock.toml'].includes(name);
}

/** Reduces a dependency file to the text that is hashed; never throws (falls back to the line form). */
export function normalizeDependencyFile(path: string, content: string): { form: NormalForm; text: string } {
  const form = normalFormOf(path, content);
  try {
    return { form, text: normalizeAs(form, content) };
  } catch {
    return { form: 'lines', text: normalizeLines(content) };
  }
}

function normalizeAs(form: NormalForm, content: string): string {
  switch (form) {
    case 'requirements':
      return normalizeRequirements(content);
    case 'pyproject-deps':
      return pyprojectDependencyText(content);
    case 'toml':
      return canonicalToml(content);
    case 'json':
      return canonicalJson(JSON.parse(content));
    case 'npm-lock':
      return canonicalJson(withoutProjectVersion(JSON.parse(content)));
    case 'yaml':
      return canonicalJson(parseYaml(content));
    case 'yarn-classic':
      return normalizeLines(content, /^\s*#/);
    case 'go-sum':
      return normalizeLines(content).split('\n').sort().join('\n');
    case 'go-mod':
      return normalizeLines(stripLineComments(content, '//'));
    case 'xml':
      return normalizeXml(content);
    case 'c-comments':
      return normalizeLines(stripCComments(content));
    case 'properties':
      return normalizeLines(content, /^\s*[#!]/);
    case 'lines':
      return normalizeLines(content);
  }
}

/** Trims each line, collapses runs of blanks, drops empty lines and lines matching `comment`. */
export function normalizeLines(content: string, comment?: RegExp): string {
  return content
    .split(/\r?\n/)
    .filter((line) => comment === undefined || !comment.test(line))
    .map((line) => line.trim().replace(/[ \t]+/g, ' '))
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * pip's own rules: a `#` at the start of a line or after whitespace starts a comment; a trailing backslash joins
 * lines. Requirement order is kept (pip resolves in file order for some options).
 */
export function normalizeRequirements(content: string): string {
  const joined = content.replace(/\\\r?\n/g, ' ');
  return normalizeLines(
    joined
      .split(/\r?\n/)
      .map((line) => line.replace(/(^|\s)#.*$/, ''))
      .join('\n'),
  );
}

/** The parts of a pyproject.toml that decide what gets installed; tool settings and metadata are left out. */
export function pyprojectDependencyText(content: string): string {
  return readTomlStatements(content)
    .filter((statement) => isDependencyPath(statement.path))
    .map((statement) => `${statement.path}=${statement.value}`)
    .join('\n');
}

const DEPENDENCY_PATHS: RegExp[] = [
  /^project\.(dependencies|requires-python)$/,
  /^project\.optional-dependencies(\.|$)/,
  /^build-system\.requires$/,
  /^dependency-groups(\.|$)/,
  /^tool\.poetry\.(dependencies|dev-dependencies|extras|source)(\.|\[|$)/,
  /^tool\.poetry\.group\.[^.]+\.dependencies(\.|$)/,
  /^tool\.pdm\.dev-dependencies(\.|$)/,
  /^tool\.uv\.(sources|index|dev-dependencies|constraint-dependencies|override-dependencies)(\.|\[|$)/,
];

function isDependencyPath(path: string): boolean {
  return DEPENDENCY_PATHS.some((pattern) => pattern.test(path));
}

/** True when a pyproject.toml declares anything installable (so pip can own it). */
export function pyprojectDeclaresDependencies(content: string): boolean {
  try {
    // requires-python alone installs nothing; it is hashed only alongside real dependencies.
    return readTomlStatements(content).some(
      (statement) => statement.path !== 'project.requires-python' && isDependencyPath(statement.path),
    );
  } catch {
    return false;
  }
}

/** JSON with object keys sorted at every level: key order and formatting never change the hash. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

/** The project's own version is in package-lock.json twice; releasing does not change a single dependency. */
function withoutProjectVersion(lock: unknown): unknown {
  if (lock === null || typeof lock !== 'object' || Array.isArray(lock)) return lock;
  const copy = { ...(lock as Record<string, unknown>) };
  delete copy.version;
  const packages = copy.packages;
  if (packages !== null && typeof packages === 'object' && !Array.isArray(packages)) {
    const root = (packages as Record<string, unknown>)[''];
    if (root !== null && typeof root === 'object') {
      const rootCopy = { ...(root as Record<string, unknown>) };
      delete rootCopy.version;
      copy.packages = { ...(packages as Record<string, unknown>), '': rootCopy };
    }
  }
  return copy;
}

function normalizeXml(content: string): string {
  return content
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/>\s+</g, '><')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Removes `// ...` comments outside double-quoted strings (go.mod has no other string form). */
function stripLineComments(content: string, marker: string): string {
  return content
    .split(/\r?\n/)
    .map((line) => {
      let inString = false;
      for (let i = 0; i < line.length; i += 1) {
        if (line[i] === '"' && line[i - 1] !== '\\') inString = !inString;
        if (!inString && line.startsWith(marker, i)) return line.slice(0, i);
      }
      return line;
    })
    .join('\n');
}

/** Removes `//` and `/* *\/` comments outside string literals (Gradle's Groovy and Kotlin scripts). */
function stripCComments(content: string): string {
  let out = '';
  let i = 0;
  while (i < content.length) {
    const char = content[i];
    if (char === '"' || char === "'") {
      const start = i;
      i += 1;
      while (i < content.length && content[i] !== char && content[i] !== '\n') {
        i += content[i] === '\\' ? 2 : 1;
      }
      i += 1;
      out += content.slice(start, i);
      continue;
    }
    if (content.startsWith('//', i)) {
      const newline = content.indexOf('\n', i);
      i = newline < 0 ? content.length : newline;
      continue;
    }
    if (content.startsWith('/*', i)) {
      const close = content.indexOf('*/', i + 2);
      i = close < 0 ? content.length : close + 2;
      out += ' ';
      continue;
    }
    out += char;
    i += 1;
  }
  return out;
}
