/** What every language layer reports about one file (the rest is the language's own business). */
export interface LanguageFacts {
  syntaxError?: { line: number; column: number };
  /** Short string literals that may name a data file. */
  strings: string[];
  /** Why the file could not be analysed at all (its facts are then the safe fallback the language chose). */
  unparsed?: string;
  /**
   * The facts come from `SourceLanguage.scan`: what the graph is linked from is exact, but whether the file parses was
   * not judged (`syntaxError` is unknown until `analyze` reads the file).
   */
  scanned?: true;
}

/** `from` depends on `to`: a change to `to` can change what `from` does. */
export interface DependencyEdge {
  from: string;
  to: string;
  /** Why, for the explanation chain (`imports payments.ledger (line 3)`). */
  why: string;
  /** True for an edge guessed from an import computed at run time. */
  dynamic?: boolean;
}

/** A computed import: `from` may load any file for which `mayLoad` is true. */
export interface DynamicDependency {
  from: string;
  line: number;
  /** The call as written. */
  text: string;
  mayLoad(path: string): boolean;
  /**
   * The files `mayLoad` answers true for, when the language can list them: the selection then looks a bounded call up
   * by the file it may load instead of asking it about every file the closure reaches.
   */
  targets?(): ReadonlySet<string>;
  /**
   * False when nothing bounds what the call loads (every file is a candidate): only such a call, reached by a change,
   * makes `dynamic-imports: run-all` run everything. A bounded one is an edge like an import.
   */
  bounded: boolean;
  /**
   * Hook for the impact map: the function around the call (`file`, qualified name). Tests the map saw executing it are
   * the evidence an unbounded call can be narrowed to (not used yet by the selection).
   */
  scope?: { file: string; qualifiedName: string };
  /**
   * The name is a parameter of the function around the call: what loads is what its callers pass. The selection finds
   * the callers (`attributeToCallers`) and replaces this call with one bounded call per caller, or an unbounded one
   * naming the caller nothing bounds.
   */
  callers?: { function: string; parameter: string; position: number; passedOnly: boolean };
}

/** What a call site passes for a module name: whole names, literal starts, or nothing known. */
export interface NameEvidence {
  literals: readonly string[];
  prefixes: ReadonlyArray<{ prefix: string; level: number; anchor?: 'module' }>;
}

/** A file that is gone but still imported as written somewhere. */
export interface DanglingImport {
  importer: string;
  line: number;
  missing: string;
}

/** How the set of files changed since an earlier link (for patching a stored graph instead of linking again). */
export interface FileSetChange {
  added: readonly string[];
  deleted: readonly string[];
  modified: readonly string[];
}

/** The files of one language, linked into dependencies. */
export interface LinkedSources<F extends LanguageFacts = LanguageFacts> {
  dependencies(path: string): DependencyEdge[];
  readonly dynamic: DynamicDependency[];
  /** Imports that would load one of `gone` (deleted or renamed-away files). */
  danglingImports(gone: ReadonlySet<string>): DanglingImport[];
  /**
   * The dependencies `facts` would have as the facts of a file at `path` that is not among the linked files (a doctest
   * text file's examples, read at selection time).
   */
  dependenciesOfFacts?(path: string, facts: F): DependencyEdge[];
  /** The files a computed import in `from` may load when its name is bounded by `evidence`. */
  filesNamed?(from: string, evidence: NameEvidence): Set<string>;
  /** JSON-serialisable, language-owned state that lets a later link of a similar file set skip whole-repository work. */
  state(): unknown;
  /**
   * The files whose dependencies may differ from those of the earlier link that had `previousState` and `previousFacts`
   * (this link being over the files after `change`); 'all' when the change reaches every file (new import roots,
   * packages appearing). Errs towards more files: re-linking a file too many only costs time.
   */
  affectedBy(
    change: FileSetChange,
    previousState: unknown,
    previousFacts: (path: string) => F | undefined,
  ): Set<string> | 'all';
}

/**
 * A language the test filter understands. Python is the first; a JS/TS layer plugs in the same way (its own facts,
 * module resolution and test discovery stay inside it).
 */
/**
 * Answers about file contents that the engine keeps between runs (in its store), by blob id and question, for work a
 * language would otherwise redo on every run (parsing the same callers again). A question names its own version; an
 * answer read back is untrusted data: the language checks its shape and treats anything else as no answer.
 */
export interface BlobAnswers {
  /** The blob of a file at the head, when the engine knows it. */
  blobOf(path: string): string | undefined;
  /** The head's files of the language, in git's listing order, when the engine knows them all (with their blobs). */
  files?(): readonly string[] | undefined;
  /** The text of a blob the engine has already read (the files of the change), else undefined; never reads. */
  textOf?(blob: string): string | undefined;
  /**
   * Whether the graph the next run starts from (the stored one) has the file's blob at the head. An answer about a blob
   * it lacks (a file this run patched without storing the graph again) need not be kept: the next run has that text at
   * hand again, and keeping it would make this run write the answers document. Without it, every answer is kept.
   */
  storedGraphHas?(path: string): boolean;
  get(blob: string, question: string): unknown;
  set(blob: string, question: string, answer: unknown): void;
}

/**
 * What `attributeToCallers` read (filled in as it goes): `names`, the function names whose callers it searched the head's
 * files for (as words); `files`, the files whose text it read for their calls. Another file can change its answer only
 * by gaining one of the names.
 */
export interface AttributionInputs {
  names: Set<string>;
  files: Set<string>;
}

export interface SourceLanguage<F extends LanguageFacts = LanguageFacts> {
  id: string;
  /** Bumped when `analyze` changes, so cached facts of an older version are not reused. */
  factsVersion: number;
  handles(path: string): boolean;
  /**
   * Loads what `analyze` needs (a grammar compiled from WebAssembly); awaited once before the first `analyze`. `files`:
   * a build of the whole graph follows, reading this many of the language's files (a language may load differently
   * for many; the first call decides).
   */
  prepare?(files?: number): Promise<void>;
  /** Parses one file; never runs it. */
  analyze(source: string): F;
  /**
   * The facts the graph is linked from, read without a full parse (a cold build), marked `scanned`; undefined when the
   * file needs `analyze`. Requires `prepare`, unless `options.parser` is false: then the scan never parses (a file it
   * would have to parse a piece of is undefined, left to `analyze`).
   */
  scan?(source: string, options?: { parser?: boolean }): F | undefined;
  /**
   * The facts of many files, each exactly what `analyze` gives, in order: a language may spread the work over the
   * machine's cores (a build of the whole graph). Without it, the engine calls `analyze` for each file.
   */
  analyzeMany?(sources: readonly string[]): Promise<F[]>;
  /**
   * Said before the engine reads the blobs of about `files` sources it will give `analyzeMany` (a cold build): a language
   * may start its worker threads now, so that their start overlaps the reading.
   */
  willAnalyzeMany?(files: number): void;
  /** Facts of the code examples of a doctest text file (`>>>` lines), when the language has doctests. */
  analyzeDoctestText?(text: string): F;
  /**
   * Bounds the computed imports whose module name is a parameter (`call.callers`) by what the function's callers at
   * `head` pass; a caller nothing bounds makes the call unbounded (run-all naming it). `read`, when given, hears what
   * the answer depends on besides the link's file set: the names searched for (a file that gains one may be a new
   * caller) and the files whose text was searched for calls.
   */
  attributeToCallers?(
    repoDir: string,
    head: string,
    calls: readonly DynamicDependency[],
    linked: LinkedSources<F>,
    answers?: BlobAnswers,
    read?: AttributionInputs,
  ): Promise<DynamicDependency[]>;
  /**
   * Links every file's facts (path -> facts) into dependencies. `state` is `LinkedSources.state()` of an earlier link
   * over the same folders, to start from; `dynamicFiles`, when given, are the only files with dynamic imports. Work is done on demand, so a caller that asks about few files pays little.
   */
  link(
    facts: ReadonlyMap<string, F>,
    options: {
      roots?: string[];
      extraRoots?: string[];
      state?: unknown;
      dynamicFiles?: Iterable<string>;
      doctestModules?: boolean;
    },
  ): LinkedSources<F>;
  /** True when the file imports something computed at run time (the graph snapshot lists these files). */
  hasDynamicImports(facts: F): boolean;
  /**
   * Whether re-linking after `change` (with `changed`, the new facts of the added and modified files) reads facts of
   * files it did not change. When false, a stored graph is patched without reading the stored facts.
   */
  patchReadsStoredFacts(change: FileSetChange, changed: ReadonlyMap<string, F>): boolean;
}

/** Which files a test framework collects as tests, under one discovery configuration. */
export interface TestMatcher {
  /** True when the framework (run in the project folder with no arguments) collects `path` (repository-relative). */
  isTestFile(path: string): boolean;
  /**
   * True for a source file that is a test only for the examples embedded in it (pytest's `--doctest-modules`): its
   * body changes still narrow through the impact map, and it stays selected itself.
   */
  isDoctestFile?(path: string): boolean;
  /** The path relative to the project folder, or undefined when the file lies outside it. */
  relative(path: string): string | undefined;
}

/** Dependencies the framework adds by its own rules, not by imports (pytest: a conftest's fixtures reach the tests below it). */
export interface ImplicitDependencies {
  /** How many such edges there are (for the graph's statistics). */
  readonly edgeCount: number;
  /** The files that depend on `path` by the framework's rules, in the order of the test files. */
  dependentsOf(path: string): DependencyEdge[];
}

/**
 * A test framework the test filter understands: how it finds its configuration and its test files, what it adds to the
 * import graph, and which files make every test run. `D` is its discovery configuration: plain JSON (it is stored with
 * the graph, so a later run that reuses the graph does not read the configuration again).
 */
export interface TestFramework<D = unknown> {
  id: string;
  /** The configuration files that decide discovery, relative to the project folder (a change to one rebuilds the graph). */
  configFiles: readonly string[];
  /** Reads the discovery configuration the way the framework does; `read` gives a file of `configFiles` (undefined: absent). */
  loadDiscovery(read: (name: string) => Promise<string | undefined>): Promise<D>;
  matcher(discovery: D, projectDir: string): TestMatcher;
  /** Folders (repository-relative, '' for the root) the framework puts on the import path, besides the language's own roots. */
  importRoots(discovery: D, projectDir: string): string[];
  /** The framework's own edges over the source files and test files of a tree. */
  implicitDependencies(
    sourceFiles: Iterable<string>,
    testFiles: readonly string[],
    projectDir: string,
  ): ImplicitDependencies;
  /** Why a change to `path` reaches every test by the framework's rules (pytest: the root conftest.py), else undefined. */
  runsEverything(path: string, matcher: TestMatcher): string | undefined;
  /** Files (globs) whose change can alter how every test runs: packaging, dependency pins, the framework's configuration. */
  runAllOn: readonly string[];
  /** One sentence for the error when discovery finds no test file: what the framework looks for and where. */
  discoveryHint: string;
}

/**
 * A language pack: one language and the test framework that runs its tests. The selection engine (test-filter,
 * impact-map) takes a pack and knows nothing of any particular language; docs/adding-a-language.md says how to add one.
 */
export interface LanguagePack<F extends LanguageFacts = LanguageFacts, D = unknown> {
  id: string;
  /** The language's name in messages ("is not Python"). */
  name: string;
  language: SourceLanguage<F>;
  framework: TestFramework<D>;
  /** What the impact map needs (per-test coverage, code units); a pack without it selects by the import graph only. */
  impact?: ImpactMapSupport;
}

/** Per-test coverage as the coverage tool recorded it: measured file -> context -> executed lines (sorted). */
export interface CoverageContexts {
  /** The file format read (`coverage-json`, `coverage-sqlite`), for the map's provenance. */
  format: string;
  /** The tool and version that wrote it (`coverage.py 7.4.0`). */
  tool: string;
  files: Map<string, Map<string, number[]>>;
  /** Distinct contexts seen, the empty one (import and collection time) included. */
  contextCount: number;
  /** Entries the reader could not use, by reason (a malformed line entry, an arc without lines...). */
  skipped: Map<string, number>;
}

/** A recorded test context: which test (a path, or a dotted name to resolve) and the phase it ran in. */
export interface ParsedContext {
  /** Test path as recorded (relative to the framework's root folder), or a dotted test function name. */
  test: string;
  dotted: boolean;
  phase: 'setup' | 'run' | 'teardown';
}

/** A unit of the impact map: a function or method; lines go to the innermost unit whose body holds them. */
export interface CodeUnit {
  qualifiedName: string;
}

/** A source file cut into units, as the impact map attributes coverage lines to them. */
export interface ModuleUnits<U extends CodeUnit = CodeUnit> {
  units: U[];
  syntaxError?: { line: number };
  /** The index in `units` of the innermost unit whose body holds `line`; -1 for module level. */
  unitAt(line: number): number;
}

/** Units whose results are kept between calls (caches, memo tables): a change to a member selects `reach`'s executors. */
export interface SharedStateGroup {
  /** The cached or memoising unit whose results later callers reuse without running it. */
  root: number;
  why: string;
  /** Units whose change is covered by this group: the root and the units it reaches. */
  members: number[];
  /** Units whose executors are selected when a member changes: the root's module and every caller of the root. */
  reach: number[];
}

/** What changed in one source file between two versions, as the impact map can use it. */
export interface UnitChange {
  /** Units whose body changed and nothing else about them. */
  changedBodies: string[];
  /** Why the change cannot be narrowed to unit bodies (module-level code, a signature...); empty when it can. */
  moduleLevel: string[];
}

/**
 * Which statements of a changed unit changed: the old version's line ranges (1-based, inclusive) that coverage may
 * have recorded for them, or why the change counts for the whole unit.
 */
export type StatementChange = { lines: Array<[number, number]> } | { whole: string };

/**
 * The impact map's view of a language and its coverage tool: how per-test coverage is read and named, how a file is
 * cut into units, which state is shared between tests, and how two versions of a file compare unit by unit.
 */
export interface ImpactMapSupport<U extends CodeUnit = CodeUnit> {
  /** Reads a per-test coverage file in any format the coverage tool writes. */
  readCoverage(path: string): Promise<CoverageContexts>;
  /** Parses one recorded context; undefined for the context of code run outside any test. */
  parseTestContext(context: string): ParsedContext | undefined;
  /** The file a dotted module name is read from, without a folder prefix (`tests.test_a` -> `tests/test_a.py`). */
  moduleFile(dotted: readonly string[]): string;
  /** How to record per-test contexts, for the error when the coverage names no test. */
  contextHint: string;
  /** How to record complete per-test data, for the error when every line was recorded for one test only. */
  firstHitOnlyHint?: string;
  /** Files whose set-up may be shared by all tests below them (pytest: conftest.py). */
  isSharedSetupFile(path: string): boolean;
  /** Of those files (path -> source), the folders whose tests share set-up across test files. */
  sharedSetupScopes(files: ReadonlyMap<string, string>): string[];
  /** Loads what `shapeModule` needs (a grammar), once. */
  prepare(): Promise<void>;
  shapeModule(source: string): ModuleUnits<U>;
  /** For the files of a tree: a file's importable names, shortest first. */
  moduleNames(paths: Iterable<string>): (path: string) => string[];
  /** Units whose results are kept between calls, and who is reached when one changes (ids as in `units`). */
  sharedStateGroups(
    units: ReadonlyArray<{ id: number; module: number; unit: U }>,
    moduleUnits: readonly number[][],
  ): SharedStateGroup[];
  /**
   * Compares two versions of a file unit by unit. `kept`: the old version's blob and the run's kept answers, where the
   * language may keep what it made of that version (the impact map's commit is the same on every pull request).
   */
  compareVersions(before: string, after: string, kept?: { blob: string; answers: BlobAnswers }): UnitChange;
  /**
   * For units `compareVersions` found with a changed body: which of their statements changed, so only the tests that
   * ran one of them are kept (after `prepare`; `kept` as for `compareVersions`). Absent: a changed unit always counts
   * whole.
   */
  changedStatements?(
    before: string,
    after: string,
    units: readonly string[],
    kept?: { blob: string; answers: BlobAnswers },
  ): Map<string, StatementChange>;
  /**
   * For a change `compareVersions` could not narrow (module-level code): the units and test files that read the names
   * it gave new values, or why they cannot be told (then the static selection decides). Absent: never narrowed.
   */
  readersOfChange?(path: string, before: string, after: string, search: ReaderSearch): Promise<ChangeReaders | string>;
}

/** Where `readersOfChange` reads the head's files, and which are tests. */
export interface ReaderSearch {
  /** Repository paths of the head's source files and test files. */
  files: readonly string[];
  /** Their texts (read once for every changed file that needs them). */
  read: () => Promise<ReadonlyMap<string, string>>;
  /** A test file (a module that is a test only for its doctests counts as both source and test). */
  isTest: (path: string) => boolean;
  /** A source file of the language (a doctest module, a conftest, any module). */
  isSource: (path: string) => boolean;
  /** A module the impact map measured (its units are known; any other module reading a name is followed by its importers). */
  measured: (path: string) => boolean;
  /** The test files (repository paths) that may import a file (its static closure), or why every test may. */
  importersOf: (path: string) => Promise<readonly string[] | string>;
}

/** What reads the names a module-level change gave new values: units of the map, and test files that name them. */
export interface ChangeReaders {
  /** Repository path of a measured module -> qualified names of its units that read a name (or whose default changed). */
  units: Map<string, Set<string>>;
  /** Test file (repository path) -> the name it mentions. */
  tests: Map<string, string>;
  /** Every name followed (the changed ones and those derived from them). */
  names: string[];
}
