import { StoredBlobAnswers } from './blob-answers.ts';
import { filesMentioning } from './data-files.ts';
import { discoverTests } from './discover-tests.ts';
import { dynamicDependents } from './dynamic-edges.ts';
import { reachedDoctestFiles, type ReachedDoctestFile } from './doctest-files.ts';
import { readAndScan } from './scan-while-reading.ts';
import { type ChangedFile, diffTreesThroughReader, GitObjectReader } from '../git/index.ts';
import { type Closure, DependencyGraph, formatChain } from './graph.ts';
import {
  loadGraphCache,
  saveDynamicCalls,
  saveGraphCache,
  type GraphCacheStore,
  type LoadedGraphCache,
} from './graph-cache.ts';
import { GraphSnapshot, StoredFactsNotLoaded, type TreeDelta } from './graph-snapshot.ts';
import { evaluatePathFilters, firstMatchingGlob, matchesGlob } from './globs.ts';
import { dynamicCallsStillApply, encodeDynamicCalls } from './stored-dynamic-calls.ts';
import type {
  AttributionInputs,
  DynamicDependency,
  LanguageFacts,
  LanguagePack,
  LinkedSources,
  SourceLanguage,
  TestFramework,
  TestMatcher,
} from '../languages/index.ts';
import { BUILTIN_IGNORE, BUILTIN_RUN_ALL_ON, type TestFilterOptions } from './options.ts';

/** What the selection needs: the head commit, the changes (undefined when the base is unknown) and the rules. */
export interface SelectTestsRequest {
  /** The language and test framework of the project (the engine knows no language of its own). */
  pack: LanguagePack;
  repoDir: string;
  /** The commit whose tests run (any revision git understands). */
  head: string;
  /** The tree of `head`, when the caller knows it already (the range's first git round): it is not asked again. */
  headTree?: string;
  /** Changed files base..head; undefined when the base could not be found (then every test runs). */
  changes: readonly ChangedFile[] | undefined;
  /** Why the base is unknown, for the reason text. */
  baseProblem?: string;
  options: TestFilterOptions;
  cache?: GraphCacheStore;
  /** Historic duration per test file (seconds), for the reduction by time. */
  durations?: ReadonlyMap<string, number>;
  warn?: (message: string) => void;
  /** Times a phase (`graph`, `select`); the action passes its metrics. */
  phase?: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
  /**
   * Evidence that bounds a computed import nothing in the source bounds (the impact map: the tests it saw executing
   * the function around the call). With evidence, a change the call may load selects those tests instead of every test.
   */
  boundUnboundedImport?: (call: DynamicDependency) => UnboundedImportEvidence | undefined;
  /**
   * Shared by the selections of one run (the static selection and the impact map's selections of some of its changes):
   * the head's graph is loaded, patched and parsed once for all of them.
   */
  session?: SelectionSession;
  /**
   * How a patch of the stored graph reads the files it reads again: 'parse' (default) analyses them in full, so a
   * changed file that does not parse makes every test run; 'scan' takes the language's scan without the parser
   * (`SourceLanguage.scan`: the same imports), loads the parser only for the files the scan cannot read, and judges the
   * syntax of no changed file that way (`TestSelection.syntaxUnjudged` lists them). For a caller whose answer is a
   * ranking rather than a selection (test-predictor's predict); a graph built whole is read as always.
   */
  patchFacts?: 'parse' | 'scan';
}

/**
 * The repository opened by the first selection of a run, for the later ones that ask about the same head with the same
 * rules, store and language (anything else opens the repository again), and one git object reader for all of the run's
 * reads. One object per run (a later commit, a new store content or other options need a new session); whoever makes
 * one calls `close` when the run is done, which ends its git processes.
 */
export class SelectionSession {
  private opened: { request: SelectTestsRequest; view: Promise<RepositoryView<LanguageFacts>> } | undefined;
  private readonly readers = new Map<string, GitObjectReader>();

  /** Whether `request` asks about what the opened repository answers (same repository, head, rules, store, pack). */
  isOpen(request: SelectTestsRequest): boolean {
    const first = this.opened?.request;
    return (
      first !== undefined &&
      first.repoDir === request.repoDir &&
      first.head === request.head &&
      first.options === request.options &&
      first.pack === request.pack &&
      first.cache === request.cache
    );
  }

  /** The session's object reader of `repoDir` (one `git cat-file --batch` process until `close`). */
  reader(repoDir: string): GitObjectReader {
    let reader = this.readers.get(repoDir);
    if (!reader) {
      reader = new GitObjectReader(repoDir);
      this.readers.set(repoDir, reader);
    }
    return reader;
  }

  /** The opened repository when `request` can reuse it, else opens it and keeps it for later selections. */
  view(
    request: SelectTestsRequest,
    open: () => Promise<RepositoryView<LanguageFacts>>,
  ): Promise<RepositoryView<LanguageFacts>> {
    if (this.isOpen(request)) return this.opened!.view;
    const view = open();
    const opened = { request, view };
    this.opened = opened;
    // A failed open is not kept: the next selection tries again.
    view.catch(() => {
      if (this.opened === opened) this.opened = undefined;
    });
    return view;
  }

  /**
   * The answers kept in the opened repository's store (one document per run, shared by its selections), when `request`
   * asks about the opened repository and it has a store; the caller saves them when done.
   */
  async answers(request: SelectTestsRequest, warn: (message: string) => void): Promise<StoredBlobAnswers | undefined> {
    if (!this.isOpen(request)) return undefined;
    const view = await this.opened!.view.catch(() => undefined);
    return view?.blobAnswers(warn);
  }

  /** Ends the git processes of the session (a later read would start another). */
  close(): void {
    for (const reader of this.readers.values()) reader.close();
    this.readers.clear();
  }
}

/** The test files (repository paths) an unbounded computed import can affect, and why. */
export interface UnboundedImportEvidence {
  tests: readonly string[];
  why: string;
}

/** The outcome, shaped for the action's outputs and the summary. */
export interface TestSelection {
  runAll: boolean;
  /** Why every test runs (empty when the selection is partial). */
  reasons: string[];
  /**
   * True when every reason to run everything is a computed import nothing bounds (`dynamic-imports: run-all`): the
   * impact map's evidence (`boundUnboundedImport`) may narrow it.
   */
  runAllForUnboundedImports?: boolean;
  /** Selected test files, relative to the project folder (every test file when runAll). */
  tests: string[];
  totalCount: number;
  /** Share of test time (or of test files, without durations) that is skipped, 0..1. */
  reduction: number;
  reductionBasis: 'duration' | 'count';
  /** Test (project-relative) -> why it was selected, as a readable chain from a changed file. */
  explanations: Record<string, string>;
  /**
   * Selected test (project-relative) -> import hops from the nearest changed file: 0 when the test itself changed,
   * 1 for a direct import, a data file it names or a map/always-run rule. Empty when every test runs.
   */
  distances?: Record<string, number>;
  changedFiles: ChangedFile[];
  /** Path filter name -> whether a changed file matches it. */
  filters: Record<string, boolean>;
  /**
   * With `patchFacts: 'scan'`: the changed files (repository paths) whose syntax was not judged (their facts are a
   * scan's); one of them that does not parse would have made every test run. Absent otherwise.
   */
  syntaxUnjudged?: string[];
  /** `parsedFiles`: read from their blobs this run; `scannedFiles`: of those, read by the language's scan only. */
  stats: { sourceFiles: number; parsedFiles: number; scannedFiles: number; cachedFiles: number; edges: number };
}

const noPhase = <T>(_name: string, fn: () => Promise<T>) => fn();
const MAX_LISTED_REASONS = 20;

const STATUS_TEXT: Record<ChangedFile['status'], string> = {
  added: 'added',
  modified: 'modified',
  deleted: 'deleted',
  renamed: 'renamed',
  copied: 'copied',
  'type-changed': 'type changed',
};

/** Beyond this many differing files, listing the head's tree and linking it whole is about as cheap as patching. */
const PATCH_LIMIT = 5_000;
/** A patched graph is stored again once this many files had to be parsed for it (small patches are redone instead). */
const SAVE_AFTER_PARSED = 50;
/** Changed files whose contents are read before the graph asks for them (a larger change is read when it does). */
const EARLY_READS = 200;

/** How the graph of the head is obtained: patched from the stored graph of another tree, or built from the listing. */
type GraphPlan<F extends LanguageFacts> =
  | { kind: 'patch'; tree: string; snapshot: GraphSnapshot<F>; delta: TreeDelta[] }
  | { kind: 'build'; tree: string | undefined; files: Map<string, string> };

/** The head commit's test discovery and test files, and (on demand) the parsed and linked dependency graph. */
class RepositoryView<F extends LanguageFacts> {
  graph: DependencyGraph | undefined;
  snapshot: GraphSnapshot<F> | undefined;
  parsed = 0;
  scanned = 0;
  cached = 0;

  readonly request: SelectTestsRequest;
  readonly objects: GitObjectReader;
  readonly language: SourceLanguage<F>;
  readonly framework: TestFramework;
  readonly discovery: unknown;
  readonly matcher: TestMatcher;
  readonly testFiles: string[];
  readonly cache: LoadedGraphCache<F>;
  readonly plan: GraphPlan<F>;
  readonly settings: { key: string; discovery: unknown; configs: string[]; roots?: string[]; extraRoots: string[] };

  constructor(
    parts: Pick<
      RepositoryView<F>,
      | 'request'
      | 'objects'
      | 'language'
      | 'framework'
      | 'discovery'
      | 'matcher'
      | 'testFiles'
      | 'cache'
      | 'plan'
      | 'settings'
    >,
  ) {
    this.request = parts.request;
    this.objects = parts.objects;
    this.language = parts.language;
    this.framework = parts.framework;
    this.discovery = parts.discovery;
    this.matcher = parts.matcher;
    this.testFiles = parts.testFiles;
    this.cache = parts.cache;
    this.plan = parts.plan;
    this.settings = parts.settings;
  }

  /** Every source file's facts (path -> facts; for a patched graph, only after `completeFacts`). */
  get sourceFacts(): ReadonlyMap<string, F> {
    return this.snapshot?.facts ?? new Map();
  }

  /** The language's link over the head's files (built on first use: a patch that re-links nothing needs none). */
  get linked(): LinkedSources<F> {
    return this.snapshot!.link(this.settings);
  }

  private answers: Promise<StoredBlobAnswers | undefined> | undefined;
  /** The files whose blob at the head the stored graph lacks (patched, and the graph not stored again). */
  private unstored: ReadonlySet<string> = new Set();
  /** The id of the graph document this run stored (the head's tree), if it stored one. */
  private savedGraph: string | undefined;
  private workedOut: Promise<DynamicDependency[]> | undefined;

  /**
   * The computed imports stored with the graph, when they still describe the head (`dynamicCallsStillApply`) and the
   * closure from `seeds` can ask them only about the graph's files (which their stored form answers for).
   */
  async storedDynamicCalls(seeds: Iterable<string>): Promise<DynamicDependency[] | undefined> {
    const { plan, snapshot } = this;
    if (plan.kind !== 'patch' || !snapshot) return undefined;
    for (const seed of seeds) if (!snapshot.entries.has(seed)) return undefined;
    const stored = await this.cache.dynamicCalls();
    if (!stored) return undefined;
    const applies = dynamicCallsStillApply(
      stored.document,
      plan.delta,
      (path) => this.language.handles(path),
      (path) => snapshot.dynamic.has(path),
      (blob) => {
        const object = this.objects.known(blob);
        return object?.type === 'blob' ? object.text : undefined;
      },
    );
    return applies ? stored.calls : undefined;
  }

  /**
   * The computed imports of the head worked out from the facts (every file's must be there): the language's link, then
   * what the callers pass (once per view). Stored beside the graph when they are the stored graph's own: this run stored
   * the graph, or patched it with no file of the language changed and found no usable stored calls.
   */
  workOutDynamicCalls(warn: (message: string) => void): Promise<DynamicDependency[]> {
    this.workedOut ??= (async () => {
      const snapshot = this.snapshot!;
      const { plan } = this;
      const unchanged = plan.kind === 'patch' && !plan.delta.some((item) => this.language.handles(item.path));
      const graphId = this.savedGraph ?? (unchanged ? this.cache.id : undefined);
      const store = graphId === undefined ? undefined : this.request.cache;
      const attribution: AttributionInputs = { names: new Set(), files: new Set() };
      // What the link reads for them is recorded (their inputs) until every call's targets are worked out.
      const reads = new Set<string>();
      if (store) snapshot.factsReads = reads;
      try {
        const linkedCalls = this.linked.dynamic;
        let calls = linkedCalls;
        if (linkedCalls.some((call) => call.callers) && this.language.attributeToCallers) {
          // What the callers pass is kept by blob between runs: a warm run parses only callers that changed.
          const answers = await this.blobAnswers(warn);
          calls = await this.language.attributeToCallers(
            this.request.repoDir,
            this.request.head,
            linkedCalls,
            this.linked,
            answers,
            attribution,
          );
          await answers?.save();
        }
        const encoded = store && encodeDynamicCalls(calls, snapshot.orderedPaths(), reads, attribution);
        if (store && encoded) await saveDynamicCalls(store, this.language, graphId!, encoded, warn);
        return calls;
      } finally {
        snapshot.factsReads = undefined;
      }
    })();
    return this.workedOut;
  }

  /** The language's answers kept in the graph cache's store (read once per view); none without a store. */
  blobAnswers(warn: (message: string) => void): Promise<StoredBlobAnswers | undefined> {
    const store = this.request.cache;
    this.answers ??= store
      ? (async () => {
          const answers = new StoredBlobAnswers(
            store,
            this.language.id,
            {
              blobOf: (path) => this.snapshot?.entries.get(path)?.blob,
              files: () => this.snapshot?.orderedPaths(),
              textOf: (blob) => {
                const object = this.objects.known(blob);
                return object?.type === 'blob' ? object.text : undefined;
              },
              storedGraphHas: (path) => !this.unstored.has(path),
            },
            warn,
          );
          await answers.load();
          return answers;
        })()
      : Promise.resolve(undefined);
    return this.answers;
  }

  /** Where `path` fails to parse, if it does. */
  syntaxErrorOf(path: string): { line: number; column: number } | undefined {
    return this.snapshot?.syntaxErrors.get(path);
  }

  /**
   * Fills in the facts of the files a patch did not parse: from the facts document saved with the graph, else (missing,
   * damaged, of another save) parsed from their blobs, except `skip` (files about to be replaced or deleted).
   */
  async completeFacts(skip?: ReadonlySet<string>): Promise<void> {
    const snapshot = this.snapshot!;
    if (snapshot.pendingFacts().size === 0) return;
    await this.cache.loadFacts();
    const pending = snapshot.pendingFacts();
    for (const path of skip ?? []) pending.delete(path);
    if (pending.size === 0) return;
    const facts = await this.factsFor(pending, false);
    for (const [path, fileFacts] of facts) snapshot.provideFacts(path, fileFacts);
  }

  /**
   * Facts of the blobs given (path -> blob): from the cache when an earlier run parsed the same content, else parsed.
   * A whole build (`useCache`) scans the files the language can scan, except `analyzed` (the changed files), whose
   * syntax the selection needs: the graph it stores then knows theirs (`checkSyntax` reads any other it needs).
   */
  private async factsFor(
    blobs: ReadonlyMap<string, string>,
    useCache: boolean,
    analyzed?: ReadonlySet<string>,
  ): Promise<Map<string, F>> {
    if (useCache) await this.cache.loadFacts();
    const facts = new Map<string, F>();
    const missing: string[] = [];
    for (const [path, blob] of blobs) {
      const cached = useCache ? this.cache.factsOf(blob) : undefined;
      if (cached) facts.set(path, cached);
      else missing.push(path);
    }
    if (missing.length) {
      const scan = useCache ? this.language.scan : undefined;
      if (this.language.analyzeMany && !scan) this.language.willAnalyzeMany?.(missing.length);
      const ids = missing.map((path) => blobs.get(path)!);
      const prepared = this.language.prepare?.(useCache ? blobs.size : undefined);
      // A whole build scans each file as git hands it over (its reading of the next ones overlaps the scan).
      const { texts: sources, scanned } = scan
        ? await readAndScan(
            this.objects,
            ids,
            (source) => scan.call(this.language, source),
            missing.map((path) => analyzed?.has(path) !== true),
            prepared,
            (source) => this.language.analyze(source),
          )
        : await Promise.all([this.objects.readBlobs(ids), prepared]).then(([texts]) => ({
            texts: ids.map((id) => texts.get(id) ?? ''),
            scanned: undefined,
          }));
      const analyzedFacts = await this.analyzeSources(sources, scanned);
      missing.forEach((path, index) => {
        const fileFacts = analyzedFacts[index];
        if (fileFacts.unparsed)
          this.request.warn?.(
            `${JSON.stringify(path)} was not analysed (${fileFacts.unparsed}): it counts as importing anything.`,
          );
        if (fileFacts.scanned) this.scanned += 1;
        facts.set(path, fileFacts);
      });
    }
    this.parsed += missing.length;
    return facts;
  }

  /**
   * Facts of the blobs given (path -> blob), in their order: the language's scan without the parser where it reads the
   * file (`patchFacts: 'scan'`), the rest as `factsFor` gives them (the parser is loaded only for those).
   */
  private async scannedFacts(blobs: ReadonlyMap<string, string>): Promise<Map<string, F>> {
    const scan = this.language.scan;
    if (!scan || blobs.size === 0) return this.factsFor(blobs, false);
    const texts = await this.objects.readBlobs([...new Set(blobs.values())]);
    const scanned = new Map<string, F>();
    const rest = new Map<string, string>();
    for (const [path, blob] of blobs) {
      const facts = scan.call(this.language, texts.get(blob) ?? '', { parser: false });
      if (facts) scanned.set(path, facts);
      else rest.set(path, blob);
    }
    this.parsed += scanned.size;
    this.scanned += scanned.size;
    const analysed = await this.factsFor(rest, false);
    return new Map([...blobs.keys()].map((path) => [path, scanned.get(path) ?? analysed.get(path)!]));
  }

  /** Facts of the sources, in order: those `scanned` gave, the rest analysed on every core. */
  private async analyzeSources(sources: string[], scanned: ReadonlyArray<F | undefined> | undefined): Promise<F[]> {
    const rest = scanned ? sources.filter((_, index) => scanned[index] === undefined) : sources;
    const full = this.language.analyzeMany
      ? await this.language.analyzeMany(rest)
      : rest.map((source) => this.language.analyze(source));
    if (!scanned) return full;
    let next = 0;
    return scanned.map((facts) => facts ?? full[next++]);
  }

  /**
   * Reads in full the files among `paths` whose facts a scan gave (`LanguageFacts.scanned`), so that `syntaxErrorOf`
   * knows whether they parse: the changed files of a selection, before it reports the ones that do not.
   */
  async checkSyntax(paths: Iterable<string>): Promise<void> {
    const snapshot = this.snapshot!;
    const blobs = new Map<string, string>();
    for (const path of paths) {
      const blob = snapshot.unchecked.has(path) ? snapshot.blobOf(path) : undefined;
      if (blob) blobs.set(path, blob);
    }
    if (blobs.size === 0) return;
    for (const [path, facts] of await this.factsFor(blobs, false)) snapshot.provideCheckedFacts(path, facts);
  }

  private building: Promise<void> | undefined;

  /**
   * Patches the stored graph to the head (parsing and linking again only what the tree diff reaches) or builds it from
   * the listing, then adds the test framework's own dependencies (pytest: conftest scope). Once per view: the later
   * selections of a session use the same graph.
   */
  build(warn: (message: string) => void, changed?: ReadonlySet<string>): Promise<void> {
    this.building ??= this.buildOnce(warn, changed);
    return this.building;
  }

  private async buildOnce(warn: (message: string) => void, changed?: ReadonlySet<string>): Promise<void> {
    const { plan, settings } = this;
    let snapshot: GraphSnapshot<F>;
    let save: boolean;
    if (plan.kind === 'patch') {
      snapshot = this.snapshot = plan.snapshot;
      const changed = new Map(
        plan.delta
          .filter((item) => item.blob && this.language.handles(item.path))
          .map((item) => [item.path, item.blob!]),
      );
      // A patch is a few files: looking them up by blob would index every stored file for nothing.
      const facts =
        this.request.patchFacts === 'scan' ? await this.scannedFacts(changed) : await this.factsFor(changed, false);
      if (this.language.patchReadsStoredFacts(snapshot.changeFor(plan.delta), facts)) {
        await this.completeFacts(new Set(plan.delta.map((item) => item.path)));
      }
      let relinked: number | 'all';
      try {
        relinked = snapshot.patch(plan.tree, plan.delta, facts, settings, (path) =>
          this.matcher.isTestFile(path),
        ).relinked;
      } catch (error) {
        // The language read facts it did not announce: the patch stopped half way, so every file is linked again.
        if (!(error instanceof StoredFactsNotLoaded)) throw error;
        await this.completeFacts();
        snapshot.relinkAll(settings);
        relinked = 'all';
      }
      save = this.parsed > SAVE_AFTER_PARSED || relinked === 'all';
      if (!save) this.unstored = new Set(plan.delta.filter((item) => item.blob).map((item) => item.path));
    } else {
      const sources = new Map([...plan.files].filter(([path]) => this.language.handles(path)));
      const facts = await this.factsFor(sources, true, changed);
      const files = new Map([...sources].map(([path, blob]) => [path, { blob, facts: facts.get(path)! }]));
      snapshot = this.snapshot = GraphSnapshot.build(this.language, settings, plan.tree ?? '', files, this.testFiles);
      save = plan.tree !== undefined;
    }
    const scope = this.framework.implicitDependencies(
      snapshot.entries.keys(),
      this.testFiles,
      this.request.options.projectDir,
    );
    // Import edges first, then the framework's (the order a closure meets them, and so the explanations, depend on it).
    this.graph = new DependencyGraph({
      edgeCount: snapshot.edgeCount + scope.edgeCount,
      dependentsOf(path) {
        const stored = snapshot.dependentsOf(path);
        const fixtures = scope.dependentsOf(path);
        return fixtures.length ? [...stored, ...fixtures] : stored;
      },
    });
    if (save) {
      await this.completeFacts();
      this.savedGraph = await saveGraphCache(this.request.cache, this.cache.key, snapshot, warn);
    }
    this.cached = snapshot.entries.size - this.parsed;
  }
}

async function openRepository(request: SelectTestsRequest, objects: GitObjectReader, warn: (message: string) => void) {
  const { repoDir, head, options } = request;
  const projectDir = options.projectDir;
  const language = request.pack.language;
  const framework = request.pack.framework;
  const configPaths = framework.configFiles.map((name) => (projectDir ? `${projectDir}/${name}` : name));
  // `discovery: 2`: test files include doctest modules and text files (graphs stored before listed neither).
  const settingsKey = JSON.stringify({ projectDir, roots: options.roots ?? null, discovery: 2 });
  /** What a graph built under `discovery` is stored with, to tell a later run whether it may reuse the graph. */
  const settingsOf = (discovery: unknown) => ({
    key: settingsKey,
    discovery,
    configs: configPaths,
    roots: options.roots,
    extraRoots: framework.importRoots(discovery, projectDir),
  });
  // Git works while the stored graph is read and parsed: the head's tree is needed either way (unless the caller knows
  // it), and the tree diff from the stored tree as soon as the document names it.
  const headTree =
    request.headTree !== undefined
      ? Promise.resolve(request.headTree)
      : objects.read(`${head}^{tree}`).then(
          (object) => (object?.type === 'tree' ? object.id : undefined),
          () => undefined,
        );
  const reads = earlyReads(request, language, objects);
  const changesSources = reads.sources;
  // A patch that scans (`patchFacts: 'scan'`) loads the parser only for a file the scan cannot read.
  const patchParses = request.patchFacts !== 'scan';
  // Asked after the head's tree, which the tree diff waits for. A head tree known already lets them wait for the
  // stored graph's tree instead: a graph of the head's own tree needs none of them (and then, often, no git process).
  if (request.headTree === undefined || !request.cache) reads.start();
  // The tree diff from the stored graph's tree, read through the object reader (no git process of its own); nothing to
  // read for the stored graph of the head's own tree (a run again on the same commit, a merge that changed nothing).
  const diffFrom = (from: string): Promise<TreeDelta[] | undefined> =>
    headTree.then((tree) => {
      if (tree === undefined) return undefined;
      return tree === from ? [] : diffTreesThroughReader(objects, from, tree);
    });
  let early: { from: string; delta: ReturnType<typeof diffFrom> } | undefined;
  const cache = await loadGraphCache(request.cache, language, warn, (from) => {
    early = { from, delta: diffFrom(from) };
    // A head tree known already decides at once, before the stored graph is parsed (the parser's load then runs
    // beside that parse instead of after it).
    if (request.headTree !== undefined) {
      if (request.headTree === from) return;
      reads.start();
      if (changesSources && patchParses) loadParserEarly(language);
    } else if (changesSources && patchParses)
      void headTree.then((tree) => {
        if (tree !== from) loadParserEarly(language);
      });
  });
  // No usable stored graph: every file is parsed.
  if (!cache.snapshot) reads.start();
  /** The view of this run's repository, from a patched stored graph or a graph to build. */
  const viewOf = (discovery: unknown, matcher: TestMatcher, testFiles: string[], plan: GraphPlan<LanguageFacts>) =>
    new RepositoryView({
      request,
      objects,
      language,
      framework,
      discovery,
      matcher,
      testFiles,
      cache,
      settings: settingsOf(discovery),
      plan,
    });
  const stored = cache.snapshot;
  // The selection completes the stored facts when the graph has computed imports (their link reads every file's),
  // unless the computed imports stored with it still apply: the document is read while the change is parsed and
  // patched in. Whether they apply is known with the tree diff (but for the changed files' text: rarely a rework).
  const storedCalls = stored && stored.dynamic.size > 0 ? await cache.dynamicCalls() : undefined;
  if (stored && stored.dynamic.size > 0 && !storedCalls) cache.readFactsAhead();
  const factsAheadUnless = (delta: readonly TreeDelta[]) => {
    const handles = (path: string) => language.handles(path);
    if (
      storedCalls &&
      !dynamicCallsStillApply(
        storedCalls.document,
        delta,
        handles,
        () => false,
        () => '',
      )
    )
      cache.readFactsAhead();
  };
  if (stored && stored.settings === settingsKey) {
    // The stored graph of another tree: only the files that differ from it need work, and the tree is never listed.
    const diff = early?.from === stored.tree ? early.delta : diffFrom(stored.tree);
    const [tree, delta] = await Promise.all([headTree, diff]);
    if (delta) factsAheadUnless(delta);
    if (tree && delta && delta.length <= PATCH_LIMIT && !delta.some((item) => configPaths.includes(item.path))) {
      const discovery = stored.discovery;
      const matcher = framework.matcher(discovery, projectDir);
      const gone = new Set(delta.filter((item) => item.status === 'deleted').map((item) => item.path));
      const tests = stored.tests.filter((test) => !gone.has(test));
      for (const item of delta) if (item.status === 'added' && matcher.isTestFile(item.path)) tests.push(item.path);
      const testFiles = tests.length === stored.tests.length && gone.size === 0 ? tests : tests.sort();
      return viewOf(discovery, matcher, testFiles, { kind: 'patch', tree, snapshot: stored, delta });
    }
  }
  // A build reads the stored facts by blob.
  if (storedCalls) cache.readFactsAhead();
  const [{ files, discovery, matcher, tests: testFiles }, tree] = await Promise.all([
    discoverTests(framework, repoDir, head, projectDir, undefined, (ids) => objects.readBlobs(ids)),
    headTree,
  ]);
  // A whole build: the parser is loaded once the listing tells how many files it will read (a language may load
  // differently for many).
  if (changesSources) loadParserEarly(language, [...files.keys()].filter((path) => language.handles(path)).length);
  return viewOf(discovery, matcher, testFiles, { kind: 'build', tree, files });
}

/**
 * The unbounded computed imports that outside evidence bounds: when the closure holds a file such a call may load (other
 * than the call's own file), the evidence's tests are selected, with the call in the reason.
 */
function selectByEvidence(
  evidence: ReadonlyMap<DynamicDependency, UnboundedImportEvidence | undefined>,
  closure: Closure,
  testSet: ReadonlySet<string>,
  direct: Map<string, string>,
): void {
  for (const [call, found] of evidence) {
    if (!found) continue;
    let reached: string | undefined;
    for (const path of closure.files()) {
      if (path !== call.from && call.mayLoad(path)) {
        reached = path;
        break;
      }
    }
    if (reached === undefined) continue;
    for (const test of found.tests) {
      if (testSet.has(test) && !direct.has(test))
        direct.set(test, `${call.from}:${call.line}: ${call.text} may load ${reached} at run time; ${found.why}`);
    }
  }
}

/** Lists at most MAX_LISTED_REASONS reasons and counts the rest, so outputs and summaries stay readable. */
function capReasons(reasons: string[]): string[] {
  if (reasons.length <= MAX_LISTED_REASONS) return reasons;
  return [...reasons.slice(0, MAX_LISTED_REASONS), `... and ${reasons.length - MAX_LISTED_REASONS} more`];
}

/**
 * Selects the test files a change can break: the reverse import closure of the changed files, the test framework's
 * own dependencies (pytest's conftest scope), data files named in string literals and the user's map rules, or every test when a safety trigger fires.
 */
export async function selectAffectedTests(request: SelectTestsRequest): Promise<TestSelection> {
  // A session's reader serves its every selection (the session ends it); a lone selection ends its own.
  const objects = request.session?.reader(request.repoDir) ?? new GitObjectReader(request.repoDir);
  try {
    return await selectWithReader(request, objects);
  } finally {
    if (!request.session) objects.close();
  }
}

/**
 * Reads the changed source files at the head before the graph asks for them (`start`, once), in the process that also
 * answers the head's tree: a graph patch parses them (or the cold build, everything), and their contents are then at
 * hand (the callers' search reads them too). A read that is not used costs only its share of that process's time.
 * `sources`: whether the change has a source file at the head (then a graph of another tree will very likely parse it).
 */
function earlyReads(request: SelectTestsRequest, language: SourceLanguage<LanguageFacts>, objects: GitObjectReader) {
  const { changes, options, head } = request;
  const sources =
    !changes || changes.length > options.maxChangedFiles
      ? []
      : changes.filter((change) => change.status !== 'deleted' && language.handles(change.path));
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    for (const change of sources.slice(0, EARLY_READS)) objects.read(`${head}:${change.path}`).catch(() => {});
  };
  return { sources: sources.length > 0, start };
}

/**
 * Starts loading the language's parser (a WebAssembly compile) while git and the graph cache are read, instead of when
 * the first file is parsed: its asynchronous steps then fill the waits for git. Only when parsing is as good as certain
 * (a changed source file, and no stored graph of the head's own tree): loading a parser that nothing uses costs more
 * CPU than the early start saves. A failure here is left to the parse that needs the parser (it loads again and
 * reports it). `files`: a build of the whole graph follows, reading this many of the language's files.
 */
function loadParserEarly(language: SourceLanguage<LanguageFacts>, files?: number): void {
  language.prepare?.(files).catch(() => {});
}

async function selectWithReader(request: SelectTestsRequest, objects: GitObjectReader): Promise<TestSelection> {
  const warn = request.warn ?? (() => {});
  const phase = request.phase ?? noPhase;
  const { options } = request;
  const changes = request.changes ? [...request.changes] : [];
  const reasons: string[] = [];

  const open = () => openRepository(request, objects, warn) as Promise<RepositoryView<LanguageFacts>>;
  const view = await phase('graph', () => (request.session ? request.session.view(request, open) : open()));
  const testSet = new Set(view.testFiles);

  const selection = await phase('select', async () => {
    const direct = new Map<string, string>();
    const seeds = new Map<string, string>();
    const gone = new Set<string>();
    const otherFiles: ChangedFile[] = [];
    const mapped = new Set<string>();
    // Seeds that are not changed themselves but name a changed data file: one hop from the change.
    const mentionSeeds = new Set<string>();

    if (request.changes === undefined) {
      reasons.push(
        `The base commit is unknown${request.baseProblem ? ` (${request.baseProblem})` : ''}: every test runs.`,
      );
    } else if (changes.length > options.maxChangedFiles) {
      reasons.push(`${changes.length} files changed, more than max-changed-files (${options.maxChangedFiles}).`);
    }
    const userRunAll = options.runAllOn;
    const builtinRunAll = [...request.pack.framework.runAllOn, ...BUILTIN_RUN_ALL_ON];
    for (const change of reasons.length ? [] : changes) {
      const status = STATUS_TEXT[change.status];
      for (const path of change.oldPath ? [change.oldPath, change.path] : [change.path]) {
        if (path === options.configPath) {
          reasons.push(`${path} (${status}): the test filter's own configuration changed.`);
          continue;
        }
        const trigger = firstMatchingGlob(path, userRunAll) ?? firstMatchingGlob(path, builtinRunAll);
        if (trigger) {
          reasons.push(`${path} (${status}) matches the run-all trigger '${trigger}'.`);
          continue;
        }
        const everything = view.framework.runsEverything(path, view.matcher);
        if (everything) {
          reasons.push(`${path} (${status}): ${everything}.`);
          continue;
        }
        for (const rule of options.map) {
          if (!matchesGlob(path, rule.from)) continue;
          mapped.add(path);
          for (const test of view.testFiles) {
            if (rule.to.some((glob) => matchesGlob(test, glob)) && !direct.has(test)) {
              direct.set(test, `map rule '${rule.from} -> ${rule.to.join(', ')}' (${path} ${status})`);
            }
          }
        }
      }
      if (reasons.length) continue;
      if (change.oldPath && view.language.handles(change.oldPath) && change.status === 'renamed')
        gone.add(change.oldPath);
      if (change.status === 'deleted') {
        if (view.language.handles(change.path)) gone.add(change.path);
        // A doctest text file that is gone is a test that no longer runs.
        else if (!view.matcher.isTestFile(change.path)) otherFiles.push(change);
      } else if (view.language.handles(change.path) || testSet.has(change.path)) {
        // A doctest text file (`--doctest-glob`) is a test: a change to it selects it.
        seeds.set(change.path, status);
      } else {
        otherFiles.push(change);
      }
    }

    let closure: Closure | undefined;
    let syntaxUnjudged: string[] | undefined;
    let dynamicReasons = 0;
    let doctestTexts = new Map<string, ReachedDoctestFile>();
    if (reasons.length === 0) {
      await view.build(warn, new Set(seeds.keys()));
      // Facts of files nobody changed are read only for what needs them: deleted files, other files, dynamic imports
      // (unless the ones stored with the graph still apply).
      const dynamic = view.snapshot!.dynamic.size > 0;
      const storedCalls = dynamic ? await view.storedDynamicCalls(seeds.keys()) : undefined;
      if (gone.size || otherFiles.length || (dynamic && !storedCalls)) await view.completeFacts();
      if (request.patchFacts === 'scan') {
        const snapshot = view.snapshot!;
        syntaxUnjudged = [...seeds.keys()].filter((path) => snapshot.unchecked.has(path));
      } else await view.checkSyntax(seeds.keys());
      for (const path of seeds.keys()) {
        const error = view.syntaxErrorOf(path);
        if (error)
          reasons.push(`${path} does not parse (line ${error.line}, column ${error.column}): its imports are unknown.`);
      }
      for (const dangling of gone.size ? view.linked.danglingImports(gone) : []) {
        reasons.push(
          `${dangling.missing} was deleted or renamed but ${dangling.importer} still imports it (line ${dangling.line}).`,
        );
      }
      for (const change of otherFiles) {
        const status = STATUS_TEXT[change.status];
        const mentions = filesMentioning(change.path, view.sourceFacts);
        for (const path of mentions) {
          if (seeds.has(path)) continue;
          seeds.set(path, `names ${change.path} (${status})`);
          mentionSeeds.add(path);
        }
        if (mentions.length || mapped.has(change.path)) continue;
        const ignored =
          firstMatchingGlob(change.path, options.ignore) ?? firstMatchingGlob(change.path, BUILTIN_IGNORE);
        if (ignored || options.unknownFiles === 'ignore') continue;
        reasons.push(
          `${change.path} (${status}) is not ${request.pack.name}, not named by any test or module, and matches no rule; ` +
            `add it to 'ignore' or 'map' in ${options.configPath}, or set unknown-files: ignore.`,
        );
      }
      if (reasons.length === 0) {
        // An import of a parameter's value is bounded by what the function's callers pass (found at the head).
        const dynamicCalls = dynamic ? (storedCalls ?? (await view.workOutDynamicCalls(warn))) : [];
        // A bounded computed import is an edge like an import; only an unbounded one (it may load any file) is marked for
        // the run-all policy below.
        const unbounded = new Map<string, DynamicDependency>();
        // An unbounded call with outside evidence (the impact map) is not an edge: it selects the evidence's tests.
        const evidence = new Map<DynamicDependency, UnboundedImportEvidence | undefined>();
        const evidenceOf = (call: DynamicDependency): UnboundedImportEvidence | undefined => {
          if (call.bounded || !request.boundUnboundedImport) return undefined;
          if (!evidence.has(call)) evidence.set(call, request.boundUnboundedImport(call));
          return evidence.get(call);
        };
        const dynamicEdges = dynamicDependents(
          dynamicCalls,
          (call) => evidenceOf(call) !== undefined,
          (why, call) => unbounded.set(why, call),
        );
        closure = view.graph!.reverseClosure(seeds, dynamicCalls.length ? dynamicEdges : undefined);
        selectByEvidence(evidence, closure, testSet, direct);
        if (options.dynamicImports === 'run-all' && unbounded.size) {
          const used = new Set<string>();
          for (const path of closure.files()) {
            if (!testSet.has(path)) continue;
            for (const edge of closure.edges(path)) {
              const call = edge.dynamic ? unbounded.get(edge.why) : undefined;
              // The reason names the call: file:line, then the call as written.
              if (call) used.add(`${call.from}:${call.line}: ${call.text} may load ${edge.to}`);
            }
          }
          for (const text of used) reasons.push(`${text}, which the change reaches (dynamic-imports: run-all).`);
          dynamicReasons = used.size;
        }
        const textTests = view.testFiles.filter((test) => !view.language.handles(test));
        if (reasons.length === 0 && textTests.length) {
          doctestTexts = await reachedDoctestFiles(
            (specs) => objects.readBlobs(specs),
            request.head,
            textTests,
            closure,
            view.language,
            view.linked,
          );
        }
      }
    }

    const runAll = reasons.length > 0;
    const explanations: Record<string, string> = {};
    const distances: Record<string, number> = {};
    const selected = new Set<string>();
    if (!runAll) {
      for (const test of view.testFiles) {
        if (closure?.has(test)) {
          selected.add(test);
          const steps = closure.chain(test);
          explanations[test] = formatChain(steps);
          distances[test] = closure.depth(test)! + (mentionSeeds.has(steps[steps.length - 1].path) ? 1 : 0);
        } else if (doctestTexts.has(test)) {
          selected.add(test);
          explanations[test] = doctestTexts.get(test)!.explanation;
          distances[test] = doctestTexts.get(test)!.depth;
        } else if (direct.has(test)) {
          selected.add(test);
          explanations[test] = direct.get(test)!;
          distances[test] = 1;
        } else if (options.alwaysRun.some((glob) => matchesGlob(test, glob))) {
          selected.add(test);
          explanations[test] = `always-run`;
          distances[test] = 1;
        }
      }
    }
    return {
      runAll,
      selected: runAll ? new Set(view.testFiles) : selected,
      explanations,
      distances,
      onlyDynamic: runAll && dynamicReasons === reasons.length,
      syntaxUnjudged,
    };
  });

  const relative = (path: string) => view.matcher.relative(path) ?? path;
  const durations = request.durations;
  let reduction: number;
  let reductionBasis: TestSelection['reductionBasis'] = 'count';
  const total = view.testFiles.length;
  if (durations?.size) {
    const known = view.testFiles.map((test) => durations.get(relative(test)) ?? durations.get(test));
    const knownValues = known.filter((d): d is number => d !== undefined);
    const mean = knownValues.length ? knownValues.reduce((a, b) => a + b, 0) / knownValues.length : 1;
    let all = 0;
    let chosen = 0;
    view.testFiles.forEach((test, i) => {
      const duration = known[i] ?? mean;
      all += duration;
      if (selection.selected.has(test)) chosen += duration;
    });
    reduction = all > 0 ? 1 - chosen / all : 0;
    reductionBasis = 'duration';
  } else {
    reduction = total > 0 ? 1 - selection.selected.size / total : 0;
  }

  const changedPaths = changes.flatMap((change) => (change.oldPath ? [change.oldPath, change.path] : [change.path]));
  return {
    runAll: selection.runAll,
    reasons: capReasons(reasons),
    ...(selection.onlyDynamic ? { runAllForUnboundedImports: true } : {}),
    tests: [...selection.selected].map(relative),
    totalCount: total,
    reduction: Math.round(reduction * 10_000) / 10_000,
    reductionBasis,
    explanations: Object.fromEntries(
      Object.entries(selection.explanations).map(([test, why]) => [relative(test), why]),
    ),
    distances: Object.fromEntries(Object.entries(selection.distances).map(([test, hops]) => [relative(test), hops])),
    changedFiles: changes,
    filters: evaluatePathFilters(options.filters, changedPaths),
    ...(request.patchFacts === 'scan' ? { syntaxUnjudged: selection.syntaxUnjudged ?? [] } : {}),
    stats: {
      sourceFiles: view.sourceFacts.size,
      parsedFiles: view.parsed,
      scannedFiles: view.scanned,
      cachedFiles: view.cached,
      edges: view.graph?.edgeCount ?? 0,
    },
  };
}
