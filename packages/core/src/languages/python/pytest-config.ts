import { minimatch } from 'minimatch';
import { posix } from 'node:path';

/** How pytest finds test files in a project (the parts of its configuration that decide discovery). */
export interface PytestDiscovery {
  /** The file the settings came from ('' when pytest's defaults apply). */
  configFile: string;
  /** Folders or globs relative to the project; empty = the whole project. */
  testpaths: string[];
  /** Basename patterns of test modules. */
  pythonFiles: string[];
  /** Folder name patterns pytest does not descend into. */
  norecursedirs: string[];
  /** `--ignore=PATH` and `--ignore-glob=GLOB` from addopts, relative to the project. */
  ignore: string[];
  ignoreGlobs: string[];
  /** `pythonpath` folders (pytest puts them on sys.path), relative to the project. */
  pythonpath: string[];
  /**
   * `--doctest-modules` in addopts: pytest collects every `.py` module it walks (also `__init__.py` and `conftest.py`;
   * not `__main__.py` nor a `setup.py`) as a doctest module, so each is a test file. Absent in graphs stored before.
   */
  doctestModules?: boolean;
  /**
   * Patterns of doctest text files (`--doctest-glob`, default `test*.txt`); empty when `-p no:doctest` turns the
   * doctest plugin off. Absent in graphs stored before (then the default applies).
   */
  doctestGlobs?: string[];
}

export const PYTEST_DEFAULTS = {
  pythonFiles: ['test_*.py', '*_test.py'],
  doctestGlobs: ['test*.txt'],
  norecursedirs: ['*.egg', '.*', '_darcs', 'build', 'CVS', 'dist', 'node_modules', 'venv', '{arch}'],
} as const;

/** Splits an ini "args" value the way pytest does (shell-like words). */
function splitArgs(value: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const match of value.matchAll(pattern)) words.push(match[1] ?? match[2] ?? match[3]);
  return words;
}

/** Reads one section of an ini file (continuation lines are indented), or undefined when it is absent. */
export function readIniSection(text: string, section: string): Record<string, string> | undefined {
  let inSection = false;
  let found = false;
  let key: string | undefined;
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(line)) continue;
    const header = /^\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      inSection = header[1].trim() === section;
      found ||= inSection;
      key = undefined;
      continue;
    }
    if (!inSection) continue;
    if (/^\s+\S/.test(line) && key) {
      values[key] += `\n${line.trim()}`;
      continue;
    }
    const pair = /^([A-Za-z0-9_.-]+)\s*[=:]\s*(.*)$/.exec(line);
    if (pair) {
      key = pair[1];
      values[key] = pair[2].trim();
    }
  }
  return found ? values : undefined;
}

/**
 * Reads one table of a TOML file into strings and string lists. Only what pytest's discovery keys use is understood
 * (strings, arrays of strings over several lines); other values are kept as their text.
 */
export function readTomlTable(text: string, table: string): Record<string, string | string[]> | undefined {
  const lines = text.split(/\r?\n/);
  const values: Record<string, string | string[]> = {};
  let inTable = false;
  let found = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/^\s+/, '');
    const header = /^\[\s*([^\]\s]+)\s*\]/.exec(line);
    if (header && !line.startsWith('[[')) {
      inTable = header[1] === table;
      found ||= inTable;
      continue;
    }
    if (!inTable) continue;
    const pair = /^([A-Za-z0-9_.-]+|"[^"]+")\s*=\s*(.*)$/.exec(line);
    if (!pair) continue;
    const key = pair[1].replace(/^"|"$/g, '');
    let value = pair[2];
    if (value.startsWith('[')) {
      while (!/\]\s*(#.*)?$/.test(stripTomlStrings(value)) && i + 1 < lines.length) value += `\n${lines[++i]}`;
      values[key] = [...value.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)].map((m) => m[1] ?? m[2]);
    } else {
      const string = /^"((?:[^"\\]|\\.)*)"|^'([^']*)'/.exec(value);
      values[key] = string ? (string[1] ?? string[2]) : value.replace(/\s+#.*$/, '').trim();
    }
  }
  return found ? values : undefined;
}

function stripTomlStrings(value: string): string {
  return value.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""');
}

const asList = (value: string | string[] | undefined): string[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : splitArgs(value);

/**
 * Finds the project's pytest configuration the way pytest does (pytest.ini, then pyproject.toml with a pytest table,
 * then tox.ini, then setup.cfg), reading files through `read` (relative to the project folder).
 */
export async function loadPytestDiscovery(
  read: (path: string) => Promise<string | undefined>,
): Promise<PytestDiscovery> {
  const candidates: Array<[string, (text: string) => Record<string, string | string[]> | undefined]> = [
    ['pytest.ini', (text) => readIniSection(text, 'pytest') ?? {}],
    ['.pytest.ini', (text) => readIniSection(text, 'pytest') ?? {}],
    ['pyproject.toml', (text) => readTomlTable(text, 'tool.pytest.ini_options') ?? readTomlTable(text, 'tool.pytest')],
    ['tox.ini', (text) => readIniSection(text, 'pytest')],
    ['setup.cfg', (text) => readIniSection(text, 'tool:pytest')],
  ];
  for (const [file, parse] of candidates) {
    const text = await read(file);
    if (text === undefined) continue;
    const settings = parse(text);
    if (!settings) continue;
    const addopts = asList(settings.addopts) ?? [];
    const optionValues = (flag: string) =>
      addopts.flatMap((word, i) =>
        word.startsWith(`${flag}=`)
          ? [word.slice(flag.length + 1)]
          : word === flag && addopts[i + 1]
            ? [addopts[i + 1]]
            : [],
      );
    const clean = (p: string) => p.replace(/^\.\/?/, '').replace(/\/+$/, '');
    const doctest = doctestSettings(addopts, optionValues);
    return {
      ...doctest,
      ignore: optionValues('--ignore').map(clean),
      ignoreGlobs: optionValues('--ignore-glob').map(clean),
      pythonpath: (asList(settings.pythonpath) ?? []).map(clean),
      configFile: file,
      testpaths: (asList(settings.testpaths) ?? [])
        .map((p) => p.replace(/^\.\/?/, '').replace(/\/+$/, ''))
        .filter(Boolean),
      pythonFiles: asList(settings.python_files) ?? [...PYTEST_DEFAULTS.pythonFiles],
      norecursedirs: asList(settings.norecursedirs) ?? [...PYTEST_DEFAULTS.norecursedirs],
    };
  }
  return {
    ignore: [],
    ignoreGlobs: [],
    pythonpath: [],
    configFile: '',
    testpaths: [],
    pythonFiles: [...PYTEST_DEFAULTS.pythonFiles],
    norecursedirs: [...PYTEST_DEFAULTS.norecursedirs],
    doctestModules: false,
    doctestGlobs: [...PYTEST_DEFAULTS.doctestGlobs],
  };
}

/**
 * What addopts says about pytest's doctest plugin: `--doctest-modules`, each `--doctest-glob` (appended; the default
 * `test*.txt` only when none is given) and `-p no:doctest` (the plugin is off: no doctest is collected at all, and
 * pytest rejects `--doctest-modules`).
 */
function doctestSettings(
  addopts: string[],
  optionValues: (flag: string) => string[],
): { doctestModules: boolean; doctestGlobs: string[] } {
  const disabled = addopts.some(
    (word, i) =>
      word === '-pno:doctest' || word === '-p=no:doctest' || (word === '-p' && addopts[i + 1] === 'no:doctest'),
  );
  if (disabled) return { doctestModules: false, doctestGlobs: [] };
  const globs = optionValues('--doctest-glob');
  return {
    doctestModules: addopts.includes('--doctest-modules'),
    doctestGlobs: globs.length ? globs : [...PYTEST_DEFAULTS.doctestGlobs],
  };
}

const GLOB_OPTIONS = { dot: true, nocomment: true, nonegate: true } as const;

/** Decides which files pytest collects as test modules under a discovery configuration. */
export class PytestTestMatcher {
  private readonly discovery: PytestDiscovery;
  /** The project folder relative to the repository root ('' for the root). */
  private readonly projectDir: string;

  constructor(discovery: PytestDiscovery, projectDir: string) {
    this.discovery = discovery;
    this.projectDir = projectDir;
  }

  /** The path relative to the project folder, or undefined when the file lies outside it. */
  relative(path: string): string | undefined {
    if (this.projectDir === '') return path;
    return path.startsWith(`${this.projectDir}/`) ? path.slice(this.projectDir.length + 1) : undefined;
  }

  /** True when pytest (run in the project folder with no arguments) collects `path` (repository-relative). */
  isTestFile(path: string): boolean {
    const rel = this.relative(path);
    if (rel === undefined) return false;
    const name = posix.basename(rel);
    if (rel.endsWith('.py')) {
      if (!this.isDoctestModule(name) && !this.isPythonTestModule(rel, name)) return false;
    } else if (!this.isDoctestText(rel, name)) {
      return false;
    }
    return this.isWalked(rel);
  }

  /** True for a test file pytest collects as doctests only (a module that is no `test_*.py`, or a text file). */
  isDoctestFile(path: string): boolean {
    const rel = this.relative(path);
    if (rel === undefined) return false;
    const name = posix.basename(rel);
    return this.isTestFile(path) && (rel.endsWith('.py') ? !this.isPythonTestModule(rel, name) : true);
  }

  private isPythonTestModule(rel: string, name: string): boolean {
    if (name === 'conftest.py' || name === '__init__.py') return false;
    return this.discovery.pythonFiles.some((pattern) => fnmatch(pattern.includes('/') ? rel : name, pattern));
  }

  /**
   * pytest's doctest plugin with `--doctest-modules` collects every `.py` it walks except `__main__.py` and a
   * `setup.py` that mentions setuptools or distutils (taken here as every `setup.py`: the content is not read).
   */
  private isDoctestModule(name: string): boolean {
    return this.discovery.doctestModules === true && name !== '__main__.py' && name !== 'setup.py';
  }

  /** A doctest text file: its name (or, for a pattern with a slash, its path) matches a `--doctest-glob`. */
  private isDoctestText(rel: string, name: string): boolean {
    const globs = this.discovery.doctestGlobs ?? PYTEST_DEFAULTS.doctestGlobs;
    // pytest's fnmatch_ex: a pattern without a slash matches the name, one with a slash the absolute path ("*/" added).
    return globs.some((glob) =>
      glob.includes('/')
        ? pythonFnmatch(`/${rel}`, glob.startsWith('/') ? glob : `*/${glob}`)
        : pythonFnmatch(name, glob),
    );
  }

  /** Whether pytest's walk reaches the file: under testpaths, not ignored, no folder below the start in norecursedirs. */
  private isWalked(rel: string): boolean {
    const { testpaths, ignore, ignoreGlobs } = this.discovery;
    if (ignore.some((p) => rel === p || rel.startsWith(`${p}/`))) return false;
    if (ignoreGlobs.some((glob) => minimatch(rel, glob, GLOB_OPTIONS))) return false;
    let start = 0;
    if (testpaths.length) {
      const root = testpaths.find(
        (tp) =>
          rel === tp ||
          rel.startsWith(`${tp}/`) ||
          minimatch(rel, `${tp}/**`, GLOB_OPTIONS) ||
          minimatch(rel, tp, GLOB_OPTIONS),
      );
      if (root === undefined) return false;
      start = rel === root ? 0 : root.split('/').length;
    }
    // norecursedirs applies to folders pytest walks into, below the starting point.
    const folders = rel.split('/').slice(0, -1);
    return !folders
      .slice(start)
      .some((folder) => this.discovery.norecursedirs.some((pattern) => fnmatch(folder, pattern)));
  }

  /** True for the project's root conftest.py (applies to every test). */
  isRootConftest(path: string): boolean {
    return this.relative(path) === 'conftest.py';
  }
}

/**
 * Python's `fnmatch.fnmatch` exactly, case-sensitive as on Linux runners: `*` and `?` also match `/` (pytest matches
 * doctest globs with a slash against the whole path).
 */
export function pythonFnmatch(name: string, pattern: string): boolean {
  let compiled = fnmatchPatterns.get(pattern);
  if (!compiled) {
    compiled = translateFnmatch(pattern);
    // The patterns come from the project's configuration: a few, but bounded all the same.
    if (fnmatchPatterns.size >= 256) fnmatchPatterns.clear();
    fnmatchPatterns.set(pattern, compiled);
  }
  return compiled.test(name);
}

/** Compiled `pythonFnmatch` patterns (every file of a tree is matched against the same few). */
const fnmatchPatterns = new Map<string, RegExp>();

/** Python's `fnmatch.translate`, as a RegExp. */
function translateFnmatch(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      // As Python's fnmatch.translate: `[!...]` negates, a `]` right after `[` or `[!` is a member, no `]` is literal.
      let j = i + 1;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      const close = pattern.indexOf(']', j);
      if (close === -1) source += '\\[';
      else {
        const members = pattern.slice(i + 1, close);
        const negated = members.startsWith('!');
        const escaped = (negated ? members.slice(1) : members).replace(/[\\\]^]/g, '\\$&');
        source += `[${negated ? '^' : ''}${escaped}]`;
        i = close;
      }
    } else source += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/** Python's fnmatch (`*`, `?`, `[seq]`), case-sensitive as on Linux runners. */
export function fnmatch(name: string, pattern: string): boolean {
  return minimatch(name, pattern, { ...GLOB_OPTIONS, noglobstar: true, nobrace: true, noext: true });
}
