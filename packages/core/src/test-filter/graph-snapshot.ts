import type {
  DependencyEdge,
  FileSetChange,
  LanguageFacts,
  LinkedSources,
  SourceLanguage,
} from '../languages/index.ts';

/**
 * The linked graph of one tree as stored: every source file with its blob, the files it depends on and the files that
 * depend on it, as indices into `paths` (and into `whys`, the distinct reasons). Parallel arrays in listing order
 * keep the document a few large JSON values instead of one object per file. The facts are a second document
 * (`SnapshotFactsDocument`), read only when a run needs facts of files it did not change.
 */
export interface SnapshotDocument {
  schema: number;
  language: string;
  factsVersion: number;
  /** Names this save: the facts document written with it carries the same id. */
  id: string;
  /** The git tree the graph describes. */
  tree: string;
  /** Options the graph depends on (project folder, configured roots); another value means a rebuild. */
  settings: string;
  /** The test framework's discovery configuration (`TestFramework.loadDiscovery`). */
  discovery: unknown;
  /** Repository paths of the test framework's configuration files read for `discovery` (a change to one means a rebuild). */
  configs: string[];
  linkState: unknown;
  paths: string[];
  blobs: string[];
  /** Per file, one after the other: indices into `paths` of the files it depends on (`dependencyCounts` per file). */
  dependencies: number[];
  dependencyCounts: number[];
  /**
   * Per file, one after the other: who depends on it as [from, why, from, why, ...] (indices into `paths` and `whys`),
   * ordered by `from` (`dependentCounts` pairs per file).
   */
  dependents: number[];
  dependentCounts: number[];
  /** The distinct reasons of the edges (`imports pkg.a (line 3)`). */
  whys: string[];
  tests: string[];
  /** Files with imports computed at run time. */
  dynamic: string[];
  /** Files that do not parse, as [path, line, column]. */
  syntaxErrors: Array<[string, number, number]>;
  /** Files whose facts a scan read without judging their syntax (`syntaxErrors` does not know them). */
  unchecked?: string[];
}

/** The facts of a snapshot's files (one JSON text per file, in the order of the graph's `paths`), stored apart. */
export interface SnapshotFactsDocument {
  schema: number;
  language: string;
  factsVersion: number;
  /** The `id` of the graph document these facts were saved with; any other graph must not use them. */
  graph: string;
  facts: string[];
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
  /** The facts as stored (decoded on first use); neither this nor `facts` while the facts document is unread. */
  text?: string;
  facts?: F;
  /** The file's index in the stored document while its edges are still the stored ones (decoded on first use). */
  stored?: number;
  dependencies?: string[];
  dependents?: string[];
}

interface DecodedEntry<F> extends Entry<F> {
  dependencies: string[];
  dependents: string[];
}

/** Stored edges, decoded per file when a patch or a closure first reaches it. */
interface StoredEdges {
  paths: string[];
  whys: string[];
  dependencies: number[];
  dependents: number[];
  /** Where each file's run starts in `dependencies` / `dependents` (one more entry than files). */
  dependencyStart: Uint32Array;
  dependentStart: Uint32Array;
}

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * In a dependents list ([from, why, ...] ordered by `from`), the index of the first pair whose `from` is after `path`
 * (`orEqual`: not before it). Binary search: a package that everything imports has tens of thousands of dependents.
 */
function pairIndex(list: readonly string[], path: string, orEqual: boolean): number {
  let low = 0;
  let high = list.length / 2;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = byPath(list[2 * middle], path);
    if (order < 0 || (order === 0 && !orEqual)) low = middle + 1;
    else high = middle;
  }
  return 2 * low;
}

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
  /** Files that do not parse (kept apart from the facts, so a selection can report them without reading those). */
  readonly syntaxErrors = new Map<string, { line: number; column: number }>();
  /** Files whose facts came from a scan that does not judge syntax (`LanguageFacts.scanned`): not in `syntaxErrors`. */
  readonly unchecked = new Set<string>();
  linkState: unknown;
  edgeCount = 0;
  /** While set, every file whose facts are asked for is added to it (what a computation over the facts read). */
  factsReads: Set<string> | undefined;
  private sorted = true;
  private order: string[] | undefined;
  private stored: StoredEdges | undefined;
  /** The link over the current files (a patch makes one; building the module index twice is waste). */
  private current: LinkedSources<F> | undefined;
  readonly language: SourceLanguage<F>;
  readonly settings: string;
  readonly discovery: unknown;
  readonly configs: string[];

  constructor(
    language: SourceLanguage<F>,
    settings: string,
    discovery: unknown,
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
    settings: { key: string; discovery: unknown; configs: string[]; roots?: string[]; extraRoots: string[] },
    tree: string,
    files: ReadonlyMap<string, { blob: string; facts: F }>,
    tests: string[],
  ): GraphSnapshot<F> {
    const dynamic = [...files].filter(([, file]) => language.hasDynamicImports(file.facts)).map(([path]) => path);
    const snapshot = new GraphSnapshot<F>(language, settings.key, settings.discovery, settings.configs, {
      tree,
      tests,
      dynamic,
      linkState: undefined,
    });
    for (const [path, file] of files) {
      snapshot.entries.set(path, { blob: file.blob, facts: file.facts, dependencies: [], dependents: [] });
      if (file.facts.syntaxError) snapshot.syntaxErrors.set(path, file.facts.syntaxError);
      if (file.facts.scanned) snapshot.unchecked.add(path);
    }
    snapshot.relinkAll(settings);
    return snapshot;
  }

  /** The snapshot a stored document describes (nothing is decoded until asked for; the facts come later, if needed). */
  static fromDocument<F extends LanguageFacts>(
    language: SourceLanguage<F>,
    document: SnapshotDocument,
  ): GraphSnapshot<F> {
    const snapshot = new GraphSnapshot<F>(language, document.settings, document.discovery, document.configs, {
      tree: document.tree,
      tests: document.tests,
      dynamic: document.dynamic,
      linkState: document.linkState,
    });
    const { paths, blobs, dependencyCounts, dependentCounts } = document;
    const dependencyStart = new Uint32Array(paths.length + 1);
    const dependentStart = new Uint32Array(paths.length + 1);
    for (let i = 0; i < paths.length; i++) {
      snapshot.entries.set(paths[i], { blob: blobs[i], stored: i });
      dependencyStart[i + 1] = dependencyStart[i] + dependencyCounts[i];
      dependentStart[i + 1] = dependentStart[i] + 2 * dependentCounts[i];
    }
    snapshot.stored = {
      paths,
      whys: document.whys,
      dependencies: document.dependencies,
      dependents: document.dependents,
      dependencyStart,
      dependentStart,
    };
    snapshot.edgeCount = document.dependencies.length;
    for (const [path, line, column] of document.syntaxErrors) snapshot.syntaxErrors.set(path, { line, column });
    for (const path of document.unchecked ?? []) snapshot.unchecked.add(path);
    return snapshot;
  }

  /** Source paths in listing order (git lists paths sorted by bytes; files added by a patch are sorted in). */
  orderedPaths(): string[] {
    if (this.sorted) return [...this.entries.keys()];
    return (this.order ??= [...this.entries.keys()].sort(byPath));
  }

  /** The facts of a file; those of an unchanged file are only there once `pendingFacts` was answered. */
  factsOf(path: string): F | undefined {
    const entry = this.entries.get(path);
    if (!entry) return undefined;
    this.factsReads?.add(path);
    if (entry.facts === undefined) entry.facts = decodeFacts<F>(path, entry.text);
    return entry.facts;
  }

  /** Files (path -> blob) whose facts are neither in memory nor read from the facts document yet. */
  pendingFacts(): Map<string, string> {
    const pending = new Map<string, string>();
    for (const [path, entry] of this.entries)
      if (entry.facts === undefined && entry.text === undefined) pending.set(path, entry.blob);
    return pending;
  }

  /** Gives a file its stored facts text, if the file still has the blob they were parsed from. */
  provideStoredFacts(path: string, blob: string, text: string): void {
    const entry = this.entries.get(path);
    if (entry && entry.blob === blob && entry.facts === undefined && entry.text === undefined) entry.text = text;
  }

  /** Gives a file facts parsed in this run. */
  provideFacts(path: string, facts: F): void {
    const entry = this.entries.get(path);
    if (entry) entry.facts = facts;
  }

  /**
   * Replaces the scanned facts of an unchanged file with its full analysis (the same imports, so the links stand):
   * its syntax is then known.
   */
  provideCheckedFacts(path: string, facts: F): void {
    const entry = this.entries.get(path);
    if (!entry || facts.scanned) return;
    entry.facts = facts;
    entry.text = undefined;
    this.unchecked.delete(path);
    if (facts.syntaxError) this.syntaxErrors.set(path, facts.syntaxError);
  }

  blobOf(path: string): string | undefined {
    return this.entries.get(path)?.blob;
  }

  /** Who depends on `path` through imports, as stored. */
  dependentsOf(path: string): DependencyEdge[] {
    const entry = this.entries.get(path);
    if (!entry) return [];
    const flat = this.edgesOf(entry).dependents;
    const edges: DependencyEdge[] = [];
    for (let i = 0; i < flat.length; i += 2) edges.push({ from: flat[i], to: path, why: flat[i + 1] });
    return edges;
  }

  /** The language's view of these files, for dangling imports and dynamic imports (both worked out on demand). */
  link(settings: { roots?: string[]; extraRoots: string[] }, withState = true): LinkedSources<F> {
    if (this.current && withState) return this.current;
    const linked = this.language.link(this.facts, {
      roots: settings.roots,
      extraRoots: settings.extraRoots,
      state: withState ? this.linkState : undefined,
      dynamicFiles: this.dynamic,
      // The framework's discovery decides whether source modules are collected as tests too (pytest's doctest modules).
      doctestModules: (this.discovery as { doctestModules?: boolean } | undefined)?.doctestModules,
    });
    if (withState) this.current = linked;
    return linked;
  }

  /** The tree diff as the language sees it: source files added, deleted and modified relative to this snapshot. */
  changeFor(delta: readonly TreeDelta[]): FileSetChange & { added: string[]; deleted: string[]; modified: string[] } {
    const change = { added: [] as string[], deleted: [] as string[], modified: [] as string[] };
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
    return change;
  }

  /**
   * Moves the snapshot to another tree: `delta` lists the files that differ, `parsed` the new facts of the added and
   * modified source files. Only the files whose imports may resolve differently are linked again. The facts of
   * unchanged files must be there when `language.patchReadsStoredFacts` says so.
   */
  patch(
    tree: string,
    delta: readonly TreeDelta[],
    parsed: ReadonlyMap<string, F>,
    settings: { roots?: string[]; extraRoots: string[] },
    isTestFile: (path: string) => boolean,
  ): { relinked: number | 'all' } {
    const change = this.changeFor(delta);
    this.tree = tree;
    // Nothing the language reads changed: the stored links stand, and the module index is not worth building.
    if (change.added.length + change.deleted.length + change.modified.length === 0) return { relinked: 0 };
    // The earlier facts, decoded only if the language asks (a package's `__all__`).
    const previous = new Map<string, { text?: string; facts?: F }>();
    for (const path of [...change.modified, ...change.deleted]) {
      const entry = this.entries.get(path)!;
      previous.set(path, { text: entry.text, facts: entry.facts });
    }
    const previousFacts = (path: string): F | undefined => {
      const before = previous.get(path);
      if (!before) return undefined;
      return (before.facts ??= decodeFacts<F>(path, before.text));
    };

    // Who depended on a file that goes must be linked again, whatever the language thinks.
    const dependentsOfDeleted = new Set<string>();
    for (const path of change.deleted) {
      const entry = this.edgesOf(this.entries.get(path)!);
      for (let i = 0; i < entry.dependents.length; i += 2) dependentsOfDeleted.add(entry.dependents[i]);
      this.unlink(path);
      this.entries.delete(path);
      this.dynamic.delete(path);
      this.syntaxErrors.delete(path);
      this.unchecked.delete(path);
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
      if (facts.syntaxError) this.syntaxErrors.set(item.path, facts.syntaxError);
      else this.syntaxErrors.delete(item.path);
      if (facts.scanned) this.unchecked.add(item.path);
      else this.unchecked.delete(item.path);
    }
    const gone = new Set(change.deleted);
    const tests = this.tests.filter((test) => !gone.has(test));
    for (const path of change.added) if (isTestFile(path)) tests.push(path);
    this.tests = change.added.length ? tests.sort() : tests;

    const moved = change.added.length + change.deleted.length > 0;
    this.current = undefined;
    const linked = this.link(settings, !moved);
    const affected = linked.affectedBy(change, this.linkState, previousFacts);
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

  /** The entry with its edges decoded from the stored document (once). */
  private edgesOf(entry: Entry<F>): DecodedEntry<F> {
    if (entry.dependencies === undefined || entry.dependents === undefined) {
      const { paths, whys, dependencies, dependents, dependencyStart, dependentStart } = this.stored!;
      const at = entry.stored!;
      const targets: string[] = [];
      for (let i = dependencyStart[at]; i < dependencyStart[at + 1]; i++) targets.push(paths[dependencies[i]]);
      entry.dependencies = targets;
      const decoded: string[] = [];
      for (let i = dependentStart[at]; i < dependentStart[at + 1]; i += 2)
        decoded.push(paths[dependents[i]], whys[dependents[i + 1]]);
      entry.dependents = decoded;
      entry.stored = undefined;
    }
    return entry as DecodedEntry<F>;
  }

  /** Links every file again (facts are kept; every file's facts must be there). */
  relinkAll(settings: { roots?: string[]; extraRoots: string[] }, linked = this.link(settings, false)): void {
    for (const entry of this.entries.values()) {
      entry.dependencies = [];
      entry.dependents = [];
      entry.stored = undefined;
    }
    this.stored = undefined;
    this.edgeCount = 0;
    // Files in listing order, so each file's dependents come out ordered by path as a cold link makes them.
    for (const path of this.orderedPaths()) {
      const entry = this.entries.get(path) as DecodedEntry<F>;
      for (const edge of linked.dependencies(path)) {
        const target = this.entries.get(edge.to) as DecodedEntry<F> | undefined;
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
    const entry = this.edgesOf(this.entries.get(path)!);
    for (const to of entry.dependencies) {
      const stored = this.entries.get(to);
      if (!stored) continue;
      const target = this.edgesOf(stored);
      const at = pairIndex(target.dependents, path, true);
      if (target.dependents[at] === path) {
        target.dependents.splice(at, 2);
        this.edgeCount -= 1;
        continue;
      }
      // Not where the order puts it (paths git orders otherwise than JavaScript compares): look everywhere.
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
    const entry = this.edgesOf(this.entries.get(path)!);
    for (const edge of linked.dependencies(path)) {
      const stored = this.entries.get(edge.to);
      if (!stored) continue;
      entry.dependencies.push(edge.to);
      const list = this.edgesOf(stored).dependents;
      list.splice(pairIndex(list, path, false), 0, path, edge.why);
      this.edgeCount += 1;
    }
  }

  /** The stored form: the graph and its facts, tied by `id` (every file's facts must be there; see `pendingFacts`). */
  toDocuments(schema: number, id: string): { graph: SnapshotDocument; facts: SnapshotFactsDocument } {
    const paths = this.orderedPaths();
    const entries = paths.map((path) => this.edgesOf(this.entries.get(path)!));
    const indexOf = new Map(paths.map((path, i) => [path, i]));
    const whys: string[] = [];
    const whyIndex = new Map<string, number>();
    const whyOf = (why: string) => {
      let at = whyIndex.get(why);
      if (at === undefined) {
        at = whys.push(why) - 1;
        whyIndex.set(why, at);
      }
      return at;
    };
    const graph: SnapshotDocument = {
      schema,
      language: this.language.id,
      factsVersion: this.language.factsVersion,
      id,
      tree: this.tree,
      settings: this.settings,
      discovery: this.discovery,
      configs: this.configs,
      linkState: this.linkState,
      paths,
      blobs: entries.map((entry) => entry.blob),
      dependencies: entries.flatMap((entry) => entry.dependencies.map((to) => indexOf.get(to)!)),
      dependencyCounts: entries.map((entry) => entry.dependencies.length),
      dependents: entries.flatMap((entry) =>
        entry.dependents.map((value, i) => (i % 2 === 0 ? indexOf.get(value)! : whyOf(value))),
      ),
      dependentCounts: entries.map((entry) => entry.dependents.length / 2),
      whys,
      tests: this.tests,
      dynamic: [...this.dynamic].sort(byPath),
      syntaxErrors: [...this.syntaxErrors]
        .sort(([a], [b]) => byPath(a, b))
        .map(([path, at]) => [path, at.line, at.column]),
      unchecked: [...this.unchecked].sort(byPath),
    };
    const facts: SnapshotFactsDocument = {
      schema,
      language: this.language.id,
      factsVersion: this.language.factsVersion,
      graph: id,
      facts: paths.map((path, i) => {
        const entry = entries[i];
        if (entry.text === undefined && entry.facts === undefined)
          throw new Error(`The facts of ${path} were never read (call pendingFacts first).`);
        return (entry.text ??= JSON.stringify(entry.facts));
      }),
    };
    return { graph, facts };
  }
}

/** Facts of an unchanged file were asked for before they were read (the caller fills them in and links every file). */
export class StoredFactsNotLoaded extends Error {}

function decodeFacts<F>(path: string, text: string | undefined): F {
  if (text === undefined)
    throw new StoredFactsNotLoaded(
      `The facts of ${path} are not loaded: GraphSnapshot.pendingFacts had to be filled first.`,
    );
  return JSON.parse(text) as F;
}

/** Whether `counts` are whole numbers, one per file, adding up to `total` (the length of the flat list they cut). */
function countsCut(counts: unknown, files: number, total: number, width: number): boolean {
  if (!Array.isArray(counts) || counts.length !== files) return false;
  const list = counts as number[];
  let sum = 0;
  // `>>> 0` keeps a whole number below 2^32 as it is and changes anything else (fractions, negatives, strings).
  for (let i = 0; i < list.length; i++) {
    const count = list[i];
    if (count >>> 0 !== count) return false;
    sum += count;
  }
  return sum * width === total;
}

/** Whether every item of `list` is a whole number below `limit` (below `oddLimit` at odd positions). */
function indicesBelow(list: number[], limit: number, oddLimit: number): boolean {
  for (let i = 0; i < list.length; i += 2) {
    const n = list[i];
    if (n >>> 0 !== n || n >= limit) return false;
  }
  for (let i = 1; i < list.length; i += 2) {
    const n = list[i];
    if (n >>> 0 !== n || n >= oddLimit) return false;
  }
  return true;
}

/** Checks that a parsed document has the snapshot's shape, indices in range (a damaged one is a rebuild, never a crash). */
export function isSnapshotDocument(value: unknown): value is SnapshotDocument {
  const doc = value as SnapshotDocument;
  if (
    typeof doc !== 'object' ||
    doc === null ||
    typeof doc.tree !== 'string' ||
    typeof doc.settings !== 'string' ||
    typeof doc.id !== 'string'
  )
    return false;
  const arrays = [
    doc.paths,
    doc.blobs,
    doc.dependencies,
    doc.dependents,
    doc.whys,
    doc.tests,
    doc.dynamic,
    doc.configs,
    doc.syntaxErrors,
  ];
  if (!arrays.every(Array.isArray) || doc.blobs.length !== doc.paths.length) return false;
  if (!doc.syntaxErrors.every((item) => Array.isArray(item) && item.length === 3)) return false;
  if (
    doc.unchecked !== undefined &&
    !(Array.isArray(doc.unchecked) && doc.unchecked.every((p) => typeof p === 'string'))
  )
    return false;
  if (typeof doc.discovery !== 'object' || doc.discovery === null) return false;
  const files = doc.paths.length;
  if (
    !countsCut(doc.dependencyCounts, files, doc.dependencies.length, 1) ||
    !countsCut(doc.dependentCounts, files, doc.dependents.length, 2)
  )
    return false;
  return indicesBelow(doc.dependencies, files, files) && indicesBelow(doc.dependents, files, doc.whys.length);
}

/** Checks that a parsed facts document belongs to the graph document `graph` (else its facts must not be used). */
export function isFactsDocumentOf(value: unknown, graph: SnapshotDocument): value is SnapshotFactsDocument {
  const doc = value as SnapshotFactsDocument;
  if (typeof doc !== 'object' || doc === null || doc.graph !== graph.id) return false;
  if (doc.language !== graph.language || doc.factsVersion !== graph.factsVersion || !Array.isArray(doc.facts))
    return false;
  return doc.facts.length === graph.paths.length && doc.facts.every((text) => typeof text === 'string');
}
