import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { RuntimeName } from './ecosystems.ts';
import { readTomlStatements } from './toml-statements.ts';

const execFileAsync = promisify(execFile);

/** The runtime version that goes into a key, and where it came from. */
export interface RuntimeVersion {
  runtime: RuntimeName;
  /** The key segment: `cpython3.11`, `pypy3.10`, `cpython3.13t`, `node20`, `go1.22`, `rust1.78`, `java21`. */
  segment: string;
  /** The version as found (`3.11.7`, `v20.11.1`, `>=3.10`). */
  version: string;
  /** `interpreter (python3)`, `input python-version`, `.python-version`, ... */
  source: string;
  /**
   * False when only a range (or nothing) was found: the key then cannot keep two interpreter versions apart, and
   * the caller warns.
   */
  exact: boolean;
}

export interface RuntimeSources {
  /** The project folder (absolute); version files are looked for here and in each parent up to `root`. */
  dir: string;
  /** The workspace root (absolute); the search stops here. */
  root: string;
  /** Versions given as inputs (`python-version`, `node-version`, ...). */
  inputs?: Partial<Record<RuntimeName, string>>;
  /** Ask the real interpreter (`python -c`, `node --version`, ...). Off in tests that pin versions. */
  probe?: boolean;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

interface Parsed {
  segment: string;
  exact: boolean;
}

/**
 * Finds the runtime version for a key. Order: the real interpreter on PATH (what will actually run), then an
 * input (a matrix value is more specific than a file in the repository), then version files from the project
 * folder up to the root: `.python-version`, `.tool-versions`, `.nvmrc`, ..., `requires-python`.
 */
export async function resolveRuntimeVersion(runtime: RuntimeName, sources: RuntimeSources): Promise<RuntimeVersion> {
  if (sources.probe !== false) {
    const probed = await probeRuntime(runtime, sources.env ?? process.env, sources.platform ?? process.platform);
    if (probed) return probed;
  }
  const input = sources.inputs?.[runtime]?.trim();
  if (input) {
    const parsed = parseRuntimeVersion(runtime, input);
    if (parsed) return { runtime, ...parsed, version: input, source: `input ${runtime}-version` };
  }
  const fromFile = versionFromFiles(runtime, sources.dir, sources.root);
  if (fromFile) return fromFile;
  return { runtime, segment: `${runtime}_unknown`, version: '', source: 'not found', exact: false };
}

/** Parses a version as users write it (`3.11.7`, `pypy3.10`, `v20`, `go1.22.3`, `1.8.0_392`) into a key segment. */
export function parseRuntimeVersion(runtime: RuntimeName, text: string): Parsed | undefined {
  const value = text.trim().toLowerCase();
  if (value === '' || value === 'system') return undefined;
  switch (runtime) {
    case 'python':
      return parsePythonVersion(value);
    case 'node': {
      const match = /^v?(\d+)(\.|$)/.exec(value.replace(/^node(js)?[-@]?/, ''));
      if (match) return { segment: `node${match[1]}`, exact: true };
      return { segment: `node_${sanitizeVersion(value)}`, exact: false };
    }
    case 'go': {
      const match = /^(?:go)?(\d+)\.(\d+)/.exec(value);
      if (match) return { segment: `go${match[1]}.${match[2]}`, exact: true };
      return { segment: `go_${sanitizeVersion(value)}`, exact: false };
    }
    case 'rust': {
      const match = /^(?:rustc\s+)?(\d+)\.(\d+)/.exec(value);
      if (match) return { segment: `rust${match[1]}.${match[2]}`, exact: true };
      return { segment: `rust_${sanitizeVersion(value)}`, exact: false };
    }
    case 'java': {
      const match = /(?:^|[^\d.])(1\.(\d+)|\d+)(?:[._+-]|$)/.exec(`-${value}`);
      if (match) return { segment: `java${match[2] ?? match[1]}`, exact: true };
      return { segment: `java_${sanitizeVersion(value)}`, exact: false };
    }
  }
}

/** `3.11.7` -> cpython3.11; `pypy3.10-7.3.12` -> pypy3.10; `3.13t` -> cpython3.13t; `>=3.11,<3.12` -> cpython3.11. */
export function parsePythonVersion(text: string): Parsed | undefined {
  const value = text
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, '');
  if (value === '' || value === 'system') return undefined;
  if (/[<>=~!^*]/.test(value)) return parsePythonSpecifier(value);
  const impl = /^(pypy|graalpy)/.exec(value)?.[1] ?? 'cpython';
  const match = /(\d+)\.(\d+)(?:\.\d+)?(?:(?:a|b|rc)\d+)?(t)?(?![\d.])/.exec(value);
  if (!match) return { segment: `${impl}_${sanitizeVersion(value)}`, exact: false };
  return { segment: `${impl}${match[1]}.${match[2]}${match[3] ?? ''}`, exact: true };
}

/** A PEP 440 specifier pins a minor only in a few shapes; anything wider is kept but marked inexact. */
function parsePythonSpecifier(spec: string): Parsed {
  const clauses = spec.split(',').map((clause) => clause.trim().replace(/\s+/g, ''));
  for (const clause of clauses) {
    const pinned = /^(?:==|~=)(\d+)\.(\d+)(?:\.[\d*]+)?$/.exec(clause);
    if (pinned && (clause.startsWith('==') || clause.split('.').length === 3)) {
      return { segment: `cpython${pinned[1]}.${pinned[2]}`, exact: true };
    }
  }
  const lower = clauses.map((c) => /^>=(\d+)\.(\d+)(?:\.0)?$/.exec(c)).find((m) => m !== null);
  const upper = clauses.map((c) => /^<(\d+)\.(\d+)(?:\.0)?$/.exec(c)).find((m) => m !== null);
  if (lower && upper && lower[1] === upper[1] && Number(upper[2]) === Number(lower[2]) + 1) {
    return { segment: `cpython${lower[1]}.${lower[2]}`, exact: true };
  }
  return { segment: `python_${sanitizeVersion(spec)}`, exact: false };
}

function sanitizeVersion(value: string): string {
  return value
    .replace(/>=/g, 'ge')
    .replace(/<=/g, 'le')
    .replace(/==/g, 'eq')
    .replace(/~=/g, 'compat')
    .replace(/</g, 'lt')
    .replace(/>/g, 'gt')
    .replace(/[^a-z0-9.]+/gi, '_')
    .slice(0, 40);
}

/** Asks the interpreter or toolchain on PATH for its version; undefined when it is not installed. */
export async function probeRuntime(
  runtime: RuntimeName,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): Promise<RuntimeVersion | undefined> {
  for (const [command, args] of probeCommands(runtime, env, platform)) {
    const output = await runQuietly(command, args, env);
    if (output === undefined) continue;
    const parsed = parseProbeOutput(runtime, output);
    if (parsed) return { runtime, ...parsed, source: `interpreter (${command})` };
  }
  return undefined;
}

const PYTHON_PROBE =
  'import platform,sys,sysconfig;' +
  "print(platform.python_implementation(),'%d.%d'%sys.version_info[:2],platform.python_version()," +
  "'t' if sysconfig.get_config_var('Py_GIL_DISABLED') else '')";

function probeCommands(runtime: RuntimeName, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): [string, string[]][] {
  switch (runtime) {
    case 'python': {
      const commands: [string, string[]][] = [];
      // setup-python exports pythonLocation; its interpreter is the one the job's pip will run under.
      const location = env.pythonLocation ?? env.Python_ROOT_DIR;
      if (location) {
        const binary = platform === 'win32' ? join(location, 'python.exe') : join(location, 'bin', 'python3');
        commands.push([binary, ['-c', PYTHON_PROBE]]);
      }
      if (platform !== 'win32') commands.push(['python3', ['-c', PYTHON_PROBE]]);
      commands.push(['python', ['-c', PYTHON_PROBE]]);
      return commands;
    }
    case 'node':
      return [['node', ['--version']]];
    case 'go':
      return [['go', ['env', 'GOVERSION']]];
    case 'rust':
      return [['rustc', ['--version']]];
    case 'java':
      return [['java', ['-version']]];
  }
}

/** Turns a probe's output into a segment and version; exported for tests of the parsing rules. */
export function parseProbeOutput(runtime: RuntimeName, output: string): (Parsed & { version: string }) | undefined {
  const text = output.trim();
  if (runtime === 'python') {
    const [impl, minor, full, threaded] = text.split(/\s+/);
    if (!impl || !/^\d+\.\d+$/.test(minor ?? '')) return undefined;
    return {
      segment: `${impl.toLowerCase()}${minor}${threaded === 't' ? 't' : ''}`,
      version: full ?? minor,
      exact: true,
    };
  }
  if (runtime === 'java') {
    const match = /version "([^"]+)"/.exec(text);
    const parsed = match ? parseRuntimeVersion('java', match[1]) : undefined;
    return parsed?.exact ? { ...parsed, version: match![1] } : undefined;
  }
  const version = runtime === 'rust' ? (text.split(/\s+/)[1] ?? '') : text;
  const parsed = parseRuntimeVersion(runtime, version);
  return parsed?.exact ? { ...parsed, version } : undefined;
}

async function runQuietly(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { env, timeout: 10_000, windowsHide: true });
    // `java -version` writes to stderr.
    return `${stdout}\n${stderr}`;
  } catch {
    return undefined;
  }
}

type FileReader = (dir: string) => { version: string; source: string } | undefined;

const VERSION_FILES: Record<RuntimeName, FileReader[]> = {
  python: [
    (dir) => firstLine(dir, '.python-version'),
    (dir) => toolVersions(dir, ['python']),
    (dir) => requiresPython(dir),
  ],
  node: [
    (dir) => firstLine(dir, '.nvmrc'),
    (dir) => firstLine(dir, '.node-version'),
    (dir) => toolVersions(dir, ['nodejs', 'node']),
    (dir) => engineNode(dir),
  ],
  go: [(dir) => toolVersions(dir, ['golang', 'go']), (dir) => goModVersion(dir)],
  rust: [(dir) => rustToolchain(dir), (dir) => toolVersions(dir, ['rust'])],
  java: [(dir) => firstLine(dir, '.java-version'), (dir) => toolVersions(dir, ['java']), (dir) => sdkmanJava(dir)],
};

/** Looks for version files in `dir` and each parent up to `root`; the nearest file wins, as pyenv and nvm do. */
function versionFromFiles(runtime: RuntimeName, dir: string, root: string): RuntimeVersion | undefined {
  const top = resolve(root);
  let current = resolve(dir);
  for (;;) {
    for (const reader of VERSION_FILES[runtime]) {
      const found = reader(current);
      if (!found) continue;
      const parsed = parseRuntimeVersion(runtime, found.version);
      if (!parsed) continue;
      const where = relative(top, join(current, found.source)) || found.source;
      return { runtime, ...parsed, version: found.version, source: where.split('\\').join('/') };
    }
    if (current === top || relative(top, current).startsWith('..')) return undefined;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function firstLine(dir: string, name: string): { version: string; source: string } | undefined {
  const text = readText(join(dir, name));
  if (text === undefined) return undefined;
  const line = text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*$/, '').trim())
    .find((l) => l !== '');
  return line ? { version: line, source: name } : undefined;
}

function toolVersions(dir: string, tools: string[]): { version: string; source: string } | undefined {
  const text = readText(join(dir, '.tool-versions'));
  if (text === undefined) return undefined;
  for (const line of text.split(/\r?\n/)) {
    const [tool, version] = line.replace(/#.*$/, '').trim().split(/\s+/);
    if (tool && version && tools.includes(tool)) return { version, source: '.tool-versions' };
  }
  return undefined;
}

function requiresPython(dir: string): { version: string; source: string } | undefined {
  const text = readText(join(dir, 'pyproject.toml'));
  if (text === undefined) return undefined;
  const statement = readTomlStatements(text).find((s) => s.path === 'project.requires-python');
  if (!statement) return undefined;
  return { version: statement.value.replace(/^["']|["']$/g, ''), source: 'pyproject.toml requires-python' };
}

function engineNode(dir: string): { version: string; source: string } | undefined {
  const text = readText(join(dir, 'package.json'));
  if (text === undefined) return undefined;
  try {
    const engines = (JSON.parse(text) as { engines?: { node?: unknown } }).engines;
    if (typeof engines?.node === 'string') return { version: engines.node, source: 'package.json engines.node' };
  } catch {
    return undefined;
  }
  return undefined;
}

function goModVersion(dir: string): { version: string; source: string } | undefined {
  const text = readText(join(dir, 'go.mod'));
  if (text === undefined) return undefined;
  const toolchain = /^toolchain\s+(go\S+)/m.exec(text);
  if (toolchain) return { version: toolchain[1], source: 'go.mod toolchain' };
  const directive = /^go\s+(\d+\.\d+\S*)/m.exec(text);
  return directive ? { version: directive[1], source: 'go.mod go' } : undefined;
}

function rustToolchain(dir: string): { version: string; source: string } | undefined {
  const toml = readText(join(dir, 'rust-toolchain.toml'));
  if (toml !== undefined) {
    const channel = readTomlStatements(toml).find((s) => s.path === 'toolchain.channel');
    if (channel) return { version: channel.value.replace(/^["']|["']$/g, ''), source: 'rust-toolchain.toml' };
  }
  return firstLine(dir, 'rust-toolchain');
}

function sdkmanJava(dir: string): { version: string; source: string } | undefined {
  const text = readText(join(dir, '.sdkmanrc'));
  const match = text === undefined ? null : /^java\s*=\s*(\S+)/m.exec(text);
  return match ? { version: match[1], source: '.sdkmanrc' } : undefined;
}
