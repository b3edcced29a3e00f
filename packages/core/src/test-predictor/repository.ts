import { type DiffRange, GitObjectReader } from '../git/index.ts';
import { selectTestsForChange } from '../impact-map/index.ts';
import type { LanguagePack } from '../languages/index.ts';
import type { Store } from '../store/index.ts';
import {
  discoverTests,
  type GraphCacheStore,
  SelectionSession,
  type SelectTestsRequest,
  type TestFilterOptions,
} from '../test-filter/index.ts';
import { diffWithLineCounts, type ChangeRecord } from '../test-history/index.ts';

/** The change as the predictor sees it: the diff with line counts, the graph's reach and the test files at head. */
export interface ChangeView {
  /** null when the base is unknown. */
  changes: ChangeRecord[] | null;
  /** Test file (repository-relative) -> hops from the nearest changed file; null without a graph. */
  reach: Record<string, number> | null;
  /** True when test-filter would run every test (a run-all trigger, unknown base, ...). */
  reachAll: boolean;
  /** Why test-filter runs everything, when it does. */
  reachAllReasons: string[];
  /** The test framework's test files at head (repository-relative); empty when it finds none. */
  testFiles: string[];
  /**
   * Graph-reached test files that test-filter's impact map (learned from coverage) removes because they never ran
   * the changed functions; null when no usable map narrowed this change.
   */
  mapRemoved: string[] | null;
  /** Why the impact map was or was not used (for the log). */
  mapNote?: string;
  /**
   * The changed files (repository paths) whose syntax was not judged (`ChangeViewRequest.scanPatch`): a file among them
   * that does not parse would have made test-filter run every test (`reachAll`). Absent when every one was judged.
   */
  syntaxUnjudged?: string[];
}

/** What the change view needs. */
export interface ChangeViewRequest {
  /** The project's language and test framework. */
  pack: LanguagePack;
  repoDir: string;
  range: DiffRange;
  options: TestFilterOptions;
  /** Use test-filter's import graph (off: no reach, no distances). */
  graph: boolean;
  cache?: GraphCacheStore;
  /** The store test-filter's `mode: learn` keeps its impact map in; undefined: static graph only. */
  impactMapStore?: Store;
  warn: (message: string) => void;
  /**
   * The selection session to read objects in (its `git cat-file --batch` process may already have answered the diff
   * range's questions); the caller closes it. Without one, the view opens and closes its own.
   */
  session?: SelectionSession;
  /**
   * Patch the stored graph with the changed files' scans, without the parser (test-filter's `patchFacts: 'scan'`):
   * for a ranking (predict), whose graph features need the reach, which the scan's imports give exactly; only whether
   * a changed file parses is not judged (`ChangeView.syntaxUnjudged`). Default false (record stores test-filter's own
   * reach).
   */
  scanPatch?: boolean;
}

/**
 * Reads the diff, lists the test files at head and, when asked, runs test-filter's selection on the change. The
 * discovery and the selection read objects through one `git cat-file --batch` process (one selection session).
 */
export async function viewChange(request: ChangeViewRequest): Promise<ChangeView> {
  if (request.session) return viewInSession(request, request.session);
  const session = new SelectionSession();
  try {
    return await viewInSession(request, session);
  } finally {
    session.close();
  }
}

async function viewInSession(request: ChangeViewRequest, session: SelectionSession): Promise<ChangeView> {
  const { repoDir, range } = request;
  const diff = range.base ? diffWithLineCounts(repoDir, range.base, range.head) : null;
  if (!request.graph) {
    const read = (ids: readonly string[]) => session.reader(repoDir).readBlobs(ids);
    // Two git reads at once; a failure of the diff is reported before one of the discovery, as when run in turn.
    const [changes, discovery] = await Promise.allSettled([
      diff,
      discoverTests(request.pack.framework, repoDir, range.head, request.options.projectDir, undefined, read),
    ]);
    if (changes.status === 'rejected') throw changes.reason;
    if (discovery.status === 'rejected') throw discovery.reason;
    return withoutGraph(changes.value, discovery.value.tests);
  }
  // The discovery is the selection's own (test-filter patches the stored graph's test files, or lists the head's
  // tree for a graph it builds): no listing of the head's tree of its own. What the selection warns about is held
  // until the view has test files: without any, the selection is not used and says nothing (as when it was not run).
  const changes = await diff;
  const held: string[] = [];
  const selectRequest: SelectTestsRequest = {
    pack: request.pack,
    repoDir,
    head: range.head,
    ...(range.headTree ? { headTree: range.headTree } : {}),
    changes: changes?.map((c) => ({ status: c.status, path: c.path, ...(c.oldPath ? { oldPath: c.oldPath } : {}) })),
    baseProblem: range.fallbackReason,
    options: request.options,
    cache: request.cache,
    warn: (message) => held.push(message),
    session,
    ...(request.scanPatch ? { patchFacts: 'scan' as const } : {}),
  };
  let selected: Awaited<ReturnType<typeof selectTestsForChange>> | undefined;
  let failure: unknown;
  try {
    // The same sequence test-filter's `mode: select` runs: tests the map removes never ran the changed code.
    selected = await selectTestsForChange(selectRequest, {
      map: () => ({ store: request.impactMapStore }),
      onlyWhenUseful: true,
    });
  } catch (error) {
    failure = error;
  }
  const testFiles = await testFilesOf(request, session, selected ? selectRequest : undefined);
  if (testFiles.length === 0) return withoutGraph(changes, testFiles);
  for (const message of held) request.warn(message);
  if (!selected) {
    request.warn(
      `test-filter's import graph is unavailable (${(failure as Error).message}); predicting without graph distances.`,
    );
    return withoutGraph(changes, testFiles);
  }
  const { staticSelection: selection, selection: narrowed } = selected;
  const prefix = request.options.projectDir ? `${request.options.projectDir}/` : '';
  const reach: Record<string, number> = {};
  if (!selection.runAll) {
    for (const test of selection.tests)
      reach[`${prefix}${test}`] = selection.distances?.[test] ?? hopsOf(selection.explanations[test]);
  }
  const view: ChangeView = {
    changes,
    reach,
    reachAll: selection.runAll,
    reachAllReasons: selection.reasons,
    testFiles,
    mapRemoved: null,
  };
  if (selection.syntaxUnjudged?.length) view.syntaxUnjudged = selection.syntaxUnjudged;
  if (narrowed) {
    view.mapNote = narrowed.impactMap.reason;
    if (narrowed.impactMap.used) {
      const kept = new Set(narrowed.tests);
      view.mapRemoved = selection.tests.filter((test) => !kept.has(test)).map((test) => `${prefix}${test}`);
    }
  }
  return view;
}

function withoutGraph(changes: ChangeRecord[] | null, testFiles: string[]): ChangeView {
  return { changes, reach: null, reachAll: false, reachAllReasons: [], testFiles, mapRemoved: null };
}

/**
 * The test files at head: those of the repository the selection opened (`selectRequest`, when it succeeded), else
 * the test framework's discovery over the head's tree (whose failure is the view's).
 */
async function testFilesOf(
  request: ChangeViewRequest,
  session: SelectionSession,
  selectRequest: SelectTestsRequest | undefined,
): Promise<string[]> {
  if (selectRequest && session.isOpen(selectRequest)) {
    const opened = await session.view(selectRequest, () => Promise.reject(new Error('not opened')));
    return [...opened.testFiles];
  }
  const read = (ids: readonly string[]) => session.reader(request.repoDir).readBlobs(ids);
  const { range, options } = request;
  return (await discoverTests(request.pack.framework, request.repoDir, range.head, options.projectDir, undefined, read))
    .tests;
}

/**
 * Hops in a test-filter explanation, for a selection without numeric `distances` (one made by an older version):
 * the chain as text (`a imports b → b (changed)`) has one arrow per import edge; a rule or always-run selection
 * without a chain counts as one hop.
 */
export function hopsOf(explanation: string | undefined): number {
  if (!explanation) return 1;
  const arrows = explanation.split('→').length - 1;
  return arrows === 0 && !/\((added|modified|renamed|copied|type changed|changed)\)$/.test(explanation) ? 1 : arrows;
}

/**
 * Whether every file of `paths` (repository paths) parses at `head`, by the language's full analysis: the changed files
 * whose syntax a predict step's view left unjudged (`ChangeView.syntaxUnjudged`), judged before a record step stores
 * that view's reach. A file that cannot be read counts as not parsing (the caller then works the view out itself).
 */
export async function filesParse(
  pack: LanguagePack,
  repoDir: string,
  head: string,
  paths: readonly string[],
): Promise<boolean> {
  if (paths.length === 0) return true;
  const reader = new GitObjectReader(repoDir);
  try {
    const specs = paths.map((path) => `${head}:${path}`);
    const [texts] = await Promise.all([reader.readBlobs(specs), pack.language.prepare?.()]);
    return specs.every((spec) => {
      const text = texts.get(spec);
      if (text === undefined) return false;
      const facts = pack.language.analyze(text);
      return !facts.syntaxError && !facts.unparsed;
    });
  } finally {
    reader.close();
  }
}
