import { posix } from 'node:path';
import type { PythonDynamicImport, PythonImport } from './facts.ts';

/** One edge of the dependency graph: the importing file depends on `path` because of the import at `line`. */
export interface ResolvedImport {
  path: string;
  line: number;
  /** What the importer wrote, as Python names it (`payments.ledger`, `..rates`). */
  name: string;
}

/** True for the files the Python layer analyses. */
export function isPythonSourcePath(path: string): boolean {
  return path.endsWith('.py');
}

const dirOf = (path: string) => {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
};
const join = (dir: string, name: string) => (dir === '' ? name : `${dir}/${name}`);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The repository's Python files as Python would find them: which dotted names each file answers to under the import
 * roots, and which files an import statement loads. Resolution errs towards more edges (every root that could
 * provide a name counts), because a missing edge is a skipped test and an extra one only a test run too many.
 */
export class PythonModuleIndex {
  /** Import roots in use: configured ones, or '' + src/ + lib/ + the parent of every top-level package + every folder of plain modules. */
  readonly roots: string[];
  /** Each file with its position in the listing: names that several files answer to keep the listing's order. */
  private readonly files = new Map<string, number>();
  private readonly packageDirs = new Set<string>();
  private nameTable: Map<string, string[]> | undefined;
  private nameOrder: { sorted: string[]; position: Map<string, number>; lists: string[][] } | undefined;
  private probes = 0;

  /**
   * `knownRoots` are the roots an earlier index over the same package folders found (the graph snapshot keeps them),
   * so a warm run skips the walk over every file.
   */
  constructor(
    paths: Iterable<string>,
    options: { roots?: readonly string[]; extraRoots?: readonly string[]; knownRoots?: readonly string[] } = {},
  ) {
    // One pass with plain string tests: a warm run builds this over every file to re-link a few of them.
    for (const path of paths) {
      if (!isPythonSourcePath(path) || this.files.has(path)) continue;
      this.files.set(path, this.files.size);
      if (path === '__init__.py' || path.endsWith('/__init__.py')) this.packageDirs.add(dirOf(path));
    }
    if (options.knownRoots) {
      this.roots = [...options.knownRoots];
      return;
    }
    const roots = options.roots ? this.explicitRoots(options.roots) : this.detectRoots();
    for (const root of options.extraRoots ?? []) roots.add(root);
    this.roots = [...roots].sort();
  }

  /** Dotted name -> files, built on first use: most lookups go through `filesForName`, which does not need it. */
  private get byName(): Map<string, string[]> {
    if (this.nameTable) return this.nameTable;
    const table = new Map<string, string[]>();
    const rootSet = new Set(this.roots);
    for (const path of this.files.keys()) {
      for (const name of this.namesUnder(path, rootSet)) {
        const list = table.get(name);
        if (list) list.push(path);
        else table.set(name, [path]);
      }
    }
    this.nameTable = table;
    return table;
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  /** Every Python file of the repository. */
  allFiles(): IterableIterator<string> {
    return this.files.keys();
  }

  private explicitRoots(configured: readonly string[]): Set<string> {
    const roots = new Set(configured.map((root) => root.replace(/^\.\/?/, '').replace(/\/+$/, '')));
    // pytest (import mode `prepend`) puts the first folder above a test's package on sys.path; tests rely on it
    // to import their helpers, whatever the project's own roots are.
    for (const path of this.files.keys()) if (!this.packageDirs.has(dirOf(path))) roots.add(this.basedir(path));
    return roots;
  }

  private detectRoots(): Set<string> {
    const roots = new Set<string>(['']);
    for (const path of this.files.keys()) {
      const dir = dirOf(path);
      if (dir === 'src' || dir.startsWith('src/')) roots.add('src');
      if (dir === 'lib' || dir.startsWith('lib/')) roots.add('lib');
      roots.add(this.basedir(path));
    }
    return roots;
  }

  /** The first folder above a file that is not a package: where Python (and pytest) start the file's dotted name. */
  basedir(path: string): string {
    let dir = dirOf(path);
    while (dir !== '' && this.packageDirs.has(dir)) dir = dirOf(dir);
    return this.packageDirs.has(dir) ? '' : dir;
  }

  /** The dotted names a file answers to, one per root that contains it. */
  moduleNames(path: string): string[] {
    return this.namesUnder(path, new Set(this.roots));
  }

  private namesUnder(path: string, roots: Set<string>): string[] {
    const names: string[] = [];
    const withoutExt = path.slice(0, -'.py'.length);
    const parts = withoutExt.split('/');
    if (parts[parts.length - 1] === '__init__') parts.pop();
    for (let depth = 0; depth < parts.length; depth++) {
      const root = parts.slice(0, depth).join('/');
      if (!roots.has(root)) continue;
      const rest = parts.slice(depth);
      if (rest.length && rest.every((part) => IDENTIFIER.test(part))) names.push(rest.join('.'));
    }
    return names;
  }

  /** The files that define a dotted module name under any root (a module file and/or a package's `__init__.py`). */
  filesForName(name: string): readonly string[] {
    // Probing every root costs a string test per root; once that adds up to a pass over the files (a full link, a
    // repository with many roots), the table is cheaper. A patch asks few names and never builds it.
    this.probes += this.roots.length;
    if (this.nameTable || this.probes > this.files.size) return this.byName.get(name) ?? [];
    // The inverse of namesUnder: under each root, `a.b` is `a/b.py` or `a/b/__init__.py` (never `a/__init__.py`
    // for `a.__init__`), in the listing's order as the table would give them.
    const parts = name.split('.');
    if (!parts.every((part) => IDENTIFIER.test(part))) return [];
    const rest = parts.join('/');
    const found: string[] = [];
    for (const root of this.roots) {
      const base = join(root, rest);
      if (parts[parts.length - 1] !== '__init__' && this.files.has(`${base}.py`)) found.push(`${base}.py`);
      if (this.files.has(`${base}/__init__.py`)) found.push(`${base}/__init__.py`);
    }
    if (found.length > 1) found.sort((a, b) => this.files.get(a)! - this.files.get(b)!);
    return found;
  }

  /** The `__init__.py` files Python runs before it runs `path` (its enclosing packages, outermost first). */
  packageInitChain(path: string): string[] {
    const chain: string[] = [];
    let dir = dirOf(path);
    const isInit = posix.basename(path) === '__init__.py';
    if (isInit) dir = dirOf(dir);
    while (this.packageDirs.has(dir)) {
      chain.unshift(join(dir, '__init__.py'));
      if (dir === '') break;
      dir = dirOf(dir);
    }
    return chain;
  }

  /** The folder a relative import of `level` dots starts from, or undefined when it climbs above the repository. */
  relativeBase(fromPath: string, level: number): string | undefined {
    let dir = dirOf(fromPath);
    for (let i = 1; i < level; i++) {
      if (dir === '') return undefined;
      dir = dirOf(dir);
    }
    return dir;
  }

  private filesInDir(dir: string, dotted: string): string[] {
    const base = dotted === '' ? dir : join(dir, dotted.replaceAll('.', '/'));
    const out: string[] = [];
    if (dotted !== '' && this.files.has(`${base}.py`)) out.push(`${base}.py`);
    const init = join(base, '__init__.py');
    if (this.files.has(init)) out.push(init);
    return out;
  }

  /**
   * The files an import loads: every package on the dotted path, the module itself, and each imported name that is
   * a submodule (`from pkg import mod`); for a star import, the submodules the package lists in `__all__`.
   */
  resolve(
    fromPath: string,
    imp: PythonImport,
    allOf: (initPath: string) => readonly string[] | undefined,
  ): ResolvedImport[] {
    const out: ResolvedImport[] = [];
    const seen = new Set<string>();
    const label = '.'.repeat(imp.level) + imp.module;
    const add = (path: string, name: string) => {
      if (path === fromPath || seen.has(path)) return;
      seen.add(path);
      out.push({ path, line: imp.line, name });
    };
    const parts = imp.module === '' ? [] : imp.module.split('.');
    let targets: string[] = [];
    if (imp.level === 0) {
      for (let i = 1; i <= parts.length; i++) {
        const prefix = parts.slice(0, i).join('.');
        targets = [...this.filesForName(prefix)];
        for (const path of targets) add(path, prefix);
      }
      this.addNames(
        imp,
        label,
        targets,
        (name) => this.filesForName(name === '' ? imp.module : `${imp.module}.${name}`),
        add,
        allOf,
      );
      return out;
    }
    const base = this.relativeBase(fromPath, imp.level);
    if (base === undefined) return out;
    targets = this.filesInDir(base, '');
    for (const path of targets) add(path, label);
    for (let i = 1; i <= parts.length; i++) {
      targets = this.filesInDir(base, parts.slice(0, i).join('.'));
      for (const path of targets) add(path, label);
    }
    this.addNames(imp, label, targets, (name) => this.filesInDir(base, [...parts, name].join('.')), add, allOf);
    return out;
  }

  private addNames(
    imp: PythonImport,
    label: string,
    targets: readonly string[],
    submodule: (name: string) => readonly string[],
    add: (path: string, name: string) => void,
    allOf: (initPath: string) => readonly string[] | undefined,
  ) {
    for (const name of imp.names ?? []) {
      const names =
        name === '*' ? targets.filter((t) => t.endsWith('__init__.py')).flatMap((init) => allOf(init) ?? []) : [name];
      const separator = label.endsWith('.') || label === '' ? '' : '.';
      for (const sub of names) for (const path of submodule(sub)) add(path, `${label}${separator}${sub}`);
    }
  }

  /**
   * Whether nothing bounds what a computed import may load: no literal prefix, not relative, no `package=`, not
   * anchored to the module's own name, not a parameter (then every module of the repository is a candidate).
   */
  static isUnbounded(dynamic: PythonDynamicImport): boolean {
    return (
      dynamic.level === 0 &&
      dynamic.prefix === '' &&
      dynamic.package === undefined &&
      dynamic.anchor === undefined &&
      !dynamic.loaded
    );
  }

  /**
   * Every file whose module name (under any root) starts with `prefix`, in the name table's order. The names that start
   * with a prefix are one run of the sorted names (found by binary search, not a pass over every name per call: a
   * warm selection asks this for each bounded computed import, some 300 in numpy).
   */
  private filesNamedFrom(prefix: string, out: Set<string>): void {
    const order = (this.nameOrder ??= this.sortedNames());
    const { sorted, position, lists } = order;
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sorted[middle] < prefix) low = middle + 1;
      else high = middle;
    }
    const found: number[] = [];
    for (let i = low; i < sorted.length && sorted[i].startsWith(prefix); i++) found.push(position.get(sorted[i])!);
    found.sort((a, b) => a - b);
    for (const at of found) for (const path of lists[at]) out.add(path);
  }

  /** The name table's names sorted (code unit order), each with its place in the table and the table's lists. */
  private sortedNames(): { sorted: string[]; position: Map<string, number>; lists: string[][] } {
    const position = new Map<string, number>();
    const lists: string[][] = [];
    for (const [name, paths] of this.byName) {
      position.set(name, lists.length);
      lists.push(paths);
    }
    return { sorted: [...position.keys()].sort(), position, lists };
  }

  /**
   * The files a dynamic import with a computed target may load: every module whose name starts with the literal
   * prefix, read relative to the file's package (`level`), to a literal `package=`, or to the module's own `__name__`
   * (all Python files when nothing bounds it).
   */
  resolveDynamic(fromPath: string, dynamic: PythonDynamicImport): string[] {
    if (dynamic.level === 0) {
      if (PythonModuleIndex.isUnbounded(dynamic)) return [...this.files.keys()].filter((path) => path !== fromPath);
      const out = new Set<string>();
      if (dynamic.package !== undefined) {
        // `import_module(name, "pkg.sub")`: the package itself (an empty relative name) and everything below it.
        const base = dynamic.package;
        for (const path of this.filesForName(base)) out.add(path);
        this.filesNamedFrom(base === '' ? dynamic.prefix : `${base}.${dynamic.prefix}`, out);
      } else if (dynamic.anchor === 'module') {
        for (const name of this.moduleNames(fromPath)) this.filesNamedFrom(`${name}${dynamic.prefix}`, out);
      } else {
        this.filesNamedFrom(dynamic.prefix, out);
      }
      out.delete(fromPath);
      return [...out];
    }
    const base = this.relativeBase(fromPath, dynamic.level);
    if (base === undefined) return [];
    const prefixPath = join(base, dynamic.prefix.replaceAll('.', '/'));
    return [...this.files.keys()].filter(
      (path) => path !== fromPath && (base === '' || path.startsWith(`${base}/`)) && path.startsWith(prefixPath),
    );
  }

  /** The files `import_module(name)` with a literal absolute `name` loads: the module and the packages above it. */
  resolveModuleName(name: string): string[] {
    const parts = name.split('.');
    const out: string[] = [];
    for (let i = 1; i <= parts.length; i++)
      for (const path of this.filesForName(parts.slice(0, i).join('.'))) out.push(path);
    return out;
  }

  /**
   * Whether an import, as written, would load one of `paths` (files that no longer exist): a module deleted or renamed
   * while something still imports it.
   */
  wouldLoad(fromPath: string, imp: PythonImport, paths: ReadonlySet<string>): string | undefined {
    const parts = imp.module === '' ? [] : imp.module.split('.');
    const candidates: string[] = [];
    const candidatesFor = (dir: string, dotted: string[]) => {
      const base = join(dir, dotted.join('/'));
      if (dotted.length) candidates.push(`${base}.py`);
      candidates.push(join(base, '__init__.py'));
    };
    const bases =
      imp.level === 0 ? this.roots : [this.relativeBase(fromPath, imp.level)].filter((b) => b !== undefined);
    for (const base of bases) {
      for (let i = imp.level === 0 ? 1 : 0; i <= parts.length; i++) candidatesFor(base, parts.slice(0, i));
      for (const name of imp.names ?? []) if (name !== '*') candidatesFor(base, [...parts, name]);
    }
    return candidates.find((candidate) => paths.has(candidate));
  }
}
