import type { DependencyEdge, FileSetChange, LanguageFacts, LinkedSources, SourceLanguage } from './language.ts';
import type { PytestDiscovery } from './pytest-config.ts';

/**
 * The linked graph of one tree as stored: every source file with its blob, its facts (JSON text, decoded on demand),
 * the files it depends on and the files that depend on it. Parallel arrays in listing order keep the document a
 * few large JSON values instead of one object per file.
 */
export interface SnapshotDocument {
  schema: number;
  language: string;
  factsVersion: number;
  /** The git tree the graph describes. */
  tree: string;
  /** Options the graph depends on (project folder, configured roots); another value means a rebuild. */
  settings: string;
  discovery: PytestDiscovery;
  /** Repository paths of the pytest configuration files read for `discovery` (a change to one means a rebuild). */
  configs: string[];
  linkState: unknown;
  paths: string[];
  blobs: string[];
  facts: string[];
  /** Per file: the paths it depends on. */
  dependencies: string[][];
  /** Per file: who depends on it, flattened as [from, why, from, why, ...], ordered by `from`. */
  dependents: string[][];
  tests: string[];
  /** Files with imports computed at run time. */
  dynamic: string[];
}

/** One entry of `git diff-tree -r` between the snapshot's tree and the head. */
export interface TreeDelta {
  status: 'added' | 'deleted' | 'modified';
  path: string;
  /** The blob at the head (absent when deleted). */
  blob?: string;
}

interface Entry<F> {
  blob: string;
  text?: string;
  facts?: F;
  dependencies: string[];
  dependents: string[];
}

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Facts of the snapshot's files as a read-only map, decoding each file's JSON the first time it is asked for. */
class LazyFacts<F extends LanguageFacts> implements ReadonlyMap<string, F> {
  private readonly snapshot: GraphSnapshot<F>;
  constructor(snapshot: GraphSnapshot<F>) {
    this.snapshot = snapshot;
  }
  get size(): number {
    return this.snapshot.entries.size;
  }
  get(path: string): F | undefined {
    return this.snapshot.factsOf(path);
  }
  has(path: string): boolean {
    return this.snapshot.entries.has(path);
  }
  keys(): MapIterator<string> {
    return this.snapshot.orderedPaths().values();
  }
  *entries(): MapIterator<[string, F]> {
    for (const path of this.snapshot.orderedPaths()) yield [path, this.get(path)!];
  }
  *values(): MapIterator<F> {
    for (const path of this.snapshot.orderedPaths()) yield this.get(path)!;
  }
  forEach(fn: (value: F, key: string, map: ReadonlyMap<string, F>) => void): void {
    for (const [path, facts] of this.entries()) fn(facts, path, this);
  }
  [Symbol.iterator](): MapIterator<[string, F]> {
    return this.entries();
  }
}

/** The in-memory graph of one tree: built from scratch, loaded from a document, or patched from a tree diff. */
export class GraphSnapshot<F extends LanguageFacts> {
  readonly entries = new Map<string, Entry<F>>();
  readonly facts: ReadonlyMap<string, F> = new LazyFacts(this);
  tree: string;
  tests: string[];
  dynamic: Set<string>;
  linkState: unknown;
  edgeCount = 0;
  private sorted = true;
  private order: string[] | undefined;
  /** The link over the current files (a patch makes one; building the module index twice is waste). */
  private current: LinkedSources<F> | undefined;
  readonly language: SourceLanguage<F>;
  readonly settings: string;
  readonly discovery: PytestDiscovery;
  readonly configs: string[];

  constructor(
    language: SourceLanguage<F>,
    settings: string,
    discovery: PytestDiscovery,
    configs: string[],
    parts: { tree: string; tests: string[]; dynamic: Iterable<string>; linkState: unknown },
  ) {
    this.language = language;
    this.settings = settings;
    this.discovery = discovery;
    this.configs = configs;
    this.tree = parts.tree;
    this.tests = parts.tests;
    this.dynamic = new Set(parts.dynamic);
    this.linkState = parts.linkState;
  }

  /** Links every file from scratch (a cold run, or a change that reaches every file). */
  static build<F extends LanguageFacts>(
    language: SourceLanguage<F>,
    settings: { key: string; discovery: PytestDiscovery; configs: string[]; roots?: string[]; extraRoots: string[] },
    tree: string,
    files: ReadonlyMap<string, { blob: string; facts: F }>,
    tests: string[],
  ): GraphSnapshot<F> {
    const dynamic = [...files].filter(([, file]) => language.hasDynamicImports(file.facts)).map(([path]) => path);
    const snapshot = new GraphSnapshot<F>(language, settings.key, settings.discovery, settings.configs, { tree, tests, dynamic, linkState: undefined });
    for (const [path, file] of files) snapshot.entries.set(path, { blob: file.blob, facts: file.facts, dependencies: [], dependents: [] });
    snapshot.relinkAll(settings);
    return snapshot;
  }

  /** The snapshot a stored document describes (nothing is decoded until asked for). */
  static fromDocument<F extends LanguageFacts>(language: SourceLanguage<F>, document: SnapshotDocument): GraphSnapshot<F> {
    const snapshot = new GraphSnapshot<F>(language, document.settings, document.discovery, document.configs, {
      tree: document.tree,
      tests: document.tests,
      dynamic: document.dynamic,
      linkState: document.linkState,
    });
    const { paths, blobs, facts, dependencies, dependents } = document;
    for (let i = 0; i < paths.length; i++) {
      snapshot.entries.set(paths[i], { blob: blobs[i], text: facts[i], dependencies: dependencies[i], dependents: dependents[i] });
      snapshot.edgeCount += dependencies[i].length;
    }
    return snapshot;
  }

  /** Source paths in listing order (git lists paths sorted by bytes; files added by a patch are sorted in). */
  orderedPaths(): string[] {
    if (this.sorted) return [...this.entries.keys()];
    return (this.order ??= [...this.entries.keys()].sort(byPath));
  }

  factsOf(path: string): F | undefined {
    const entry = this.entries.get(path);
    if (!entry) return undefined;
    if (entry.facts === undefined) entry.facts = JSON.parse(entry.text!) as F;
    return entry.facts;
  }

  blobOf(path: string): string | undefined {
    return this.entries.get(path)?.blob;
  }

  /** Who depends on `path` through imports, as stored. */
  dependentsOf(path: string): DependencyEdge[] {
    const flat = this.entries.get(path)?.dependents;
    if (!flat || flat.length === 0) return [];
    const edges: DependencyEdge[] = [];
    for (let i = 0; i < flat.length; i += 2) edges.push({ from: flat[i], to: path, why: flat[i + 1] });
    return edges;
  }

  /** The language's view of these files, for dangling imports and dynamic imports (both worked out on demand). */
  link(settings: { roots?: string[]; extraRoots: string[] }, withState = true): LinkedSources<F> {
    if (this.current && withState) return this.current;
    return this.language.link(this.facts, {
      roots: settings.roots,
      extraRoots: settings.extraRoots,
      state: withState ? this.linkState : undefined,
      dynamicFiles: this.dynamic,
    });
  }

  /**
   * Moves the snapshot to another tree: `delta` lists the files that differ, `parsed` the new facts of the added and
   * modified source files. Only the files whose imports may resolve differently are linked again.
   */
  patch(
    tree: string,
    delta: readonly TreeDelta[],
    parsed: ReadonlyMap<string, F>,
    settings: { roots?: string[]; extraRoots: string[] },
    isTestFile: (path: string) => boolean,
  ): { relinked: number | 'all' } {
    const change = { added: [] as string[], deleted: [] as string[], modified: [] as string[] };
    const previous = new Map<string, F | undefined>();
    for (const item of delta) {
      if (!this.language.handles(item.path)) continue;
      const had = this.entries.has(item.path);
      if (item.status === 'deleted') {
        if (had) change.deleted.push(item.path);
      } else if (had) {
        change.modified.push(item.path);
      } else {
        change.added.push(item.path);
      }
    }
    for (const path of change.modified) previous.set(path, this.factsOf(path));
    for (const path of change.deleted) previous.set(path, this.factsOf(path));

    // Who depended on a file that goes must be linked again, whatever the language thinks.
    const dependentsOfDeleted = new Set<string>();
    for (const path of change.deleted) {
      const entry = this.entries.get(path)!;
      for (let i = 0; i < entry.dependents.length; i += 2) dependentsOfDeleted.add(entry.dependents[i]);
      this.unlink(path);
      this.entries.delete(path);
      this.dynamic.delete(path);
    }
    for (const item of delta) {
      if (item.status === 'deleted' || !this.language.handles(item.path)) continue;
      const facts = parsed.get(item.path)!;
      const entry = this.entries.get(item.path);
      if (entry) {
        entry.blob = item.blob!;
        entry.facts = facts;
        entry.text = undefined;
      } else {
        this.entries.set(item.path, { blob: item.blob!, facts, dependencies: [], dependents: [] });
        this.sorted = false;
        this.order = undefined;
      }
      if (this.language.hasDynamicImports(facts)) this.dynamic.add(item.path);
      else this.dynamic.delete(item.path);
    }
    const gone = new Set(change.deleted);
    const tests = this.tests.filter((test) => !gone.has(test));
    for (const path of change.added) if (isTestFile(path)) tests.push(path);
    this.tests = change.added.length ? tests.sort() : tests;
    this.tree = tree;

    const moved = change.added.length + change.deleted.length > 0;
    this.current = undefined;
    const linked = this.link(settings, !moved);
    const affected = linked.affectedBy(change, this.linkState, (path) => previous.get(path));
    if (affected === 'all') {
      this.relinkAll(settings, linked);
      return { relinked: 'all' };
    }
    for (const path of dependentsOfDeleted) if (this.entries.has(path)) affected.add(path);
    for (const path of affected) this.unlink(path);
    for (const path of [...affected].sort(byPath)) this.linkFile(path, linked);
    this.linkState = linked.state();
    this.current = linked;
    return { relinked: affected.size };
  }

  /** Links every file again (facts are kept). */
  private relinkAll(settings: { roots?: string[]; extraRoots: string[] }, linked = this.link(settings, false)): void {
    for (const entry of this.entries.values()) {
      entry.dependencies = [];
      entry.dependents = [];
    }
    this.edgeCount = 0;
    // Files in listing order, so each file's dependents come out ordered by path as a cold link makes them.
    for (const path of this.orderedPaths()) {
      const entry = this.entries.get(path)!;
      for (const edge of linked.dependencies(path)) {
        const target = this.entries.get(edge.to);
        if (!target) continue;
        entry.dependencies.push(edge.to);
        target.dependents.push(path, edge.why);
        this.edgeCount += 1;
      }
    }
    this.linkState = linked.state();
    this.current = linked;
  }

  /** Removes the edges out of `path` from the dependents of their targets. */
  private unlink(path: string): void {
    const entry = this.entries.get(path)!;
    for (const to of entry.dependencies) {
      const target = this.entries.get(to);
      if (!target) continue;
      const kept: string[] = [];
      for (let i = 0; i < target.dependents.length; i += 2) {
        if (target.dependents[i] !== path) kept.push(target.dependents[i], target.dependents[i + 1]);
      }
      this.edgeCount -= (target.dependents.length - kept.length) / 2;
      target.dependents = kept;
    }
    entry.dependencies = [];
  }

  /** Adds the edges out of `path`, each in its target's dependents at the place a cold link would put it. */
  private linkFile(path: string, linked: LinkedSources<F>): void {
    const entry = this.entries.get(path)!;
    for (const edge of linked.dependencies(path)) {
      const target = this.entries.get(edge.to);
      if (!target) continue;
      entry.dependencies.push(edge.to);
      const list = target.dependents;
      let at = list.length;
      for (let i = 0; i < list.length; i += 2) {
        if (byPath(list[i], path) > 0) {
          at = i;
          break;
        }
      }
      list.splice(at, 0, path, edge.why);
      this.edgeCount += 1;
    }
  }

  /** The stored form. */
  toDocument(schema: number): SnapshotDocument {
    const paths = this.orderedPaths();
    const entries = paths.map((path) => this.entries.get(path)!);
    return {
      schema,
      language: this.language.id,
      factsVersion: this.language.factsVersion,
      tree: this.tree,
      settings: this.settings,
      discovery: this.discovery,
      configs: this.configs,
      linkState: this.linkState,
      paths,
      blobs: entries.map((entry) => entry.blob),
      facts: entries.map((entry) => (entry.text ??= JSON.stringify(entry.facts))),
      dependencies: entries.map((entry) => entry.dependencies),
      dependents: entries.map((entry) => entry.dependents),
      tests: this.tests,
      dynamic: [...this.dynamic].sort(byPath),
    };
  }
}

/** Cheap checks that a parsed document has the snapshot's shape (a damaged one is a rebuild, never a crash). */
export function isSnapshotDocument(value: unknown): value is SnapshotDocument {
  const doc = value as SnapshotDocument;
  if (typeof doc !== 'object' || doc === null || typeof doc.tree !== 'string' || typeof doc.settings !== 'string') return false;
  const arrays = [doc.paths, doc.blobs, doc.facts, doc.dependencies, doc.dependents];
  if (!arrays.every(Array.isArray) || !Array.isArray(doc.tests) || !Array.isArray(doc.dynamic) || !Array.isArray(doc.configs)) return false;
  return arrays.every((array) => array.length === doc.paths.length) && typeof doc.discovery === 'object' && doc.discovery !== null;
}
