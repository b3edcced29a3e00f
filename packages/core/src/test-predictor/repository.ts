import type { DiffRange } from '../git/index.ts';
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
}

/**
 * Reads the diff, lists the test files at head and, when asked, runs test-filter's selection on the change. The
 * discovery and the selection read objects through one `git cat-file --batch` process (one selection session).
 */
export async function viewChange(request: ChangeViewRequest): Promise<ChangeView> {
  const session = new SelectionSession();
  try {
    return await viewInSession(request, session);
  } finally {
    session.close();
  }
}

async function viewInSession(request: ChangeViewRequest, session: SelectionSession): Promise<ChangeView> {
  const { repoDir, range, options } = request;
  const read = (ids: readonly string[]) => session.reader(repoDir).readBlobs(ids);
  // Two git reads at once; a failure of the diff is reported before one of the discovery, as when run in turn.
  const [diff, discovery] = await Promise.allSettled([
    range.base ? diffWithLineCounts(repoDir, range.base, range.head) : null,
    discoverTests(request.pack.framework, repoDir, range.head, options.projectDir, undefined, read),
  ]);
  if (diff.status === 'rejected') throw diff.reason;
  if (discovery.status === 'rejected') throw discovery.reason;
  const changes = diff.value;
  const testFiles = discovery.value.tests;
  if (!request.graph || testFiles.length === 0) {
    return { changes, reach: null, reachAll: false, reachAllReasons: [], testFiles, mapRemoved: null };
  }
  try {
    const selectRequest: SelectTestsRequest = {
      pack: request.pack,
      repoDir,
      head: range.head,
      changes: changes?.map((c) => ({ status: c.status, path: c.path, ...(c.oldPath ? { oldPath: c.oldPath } : {}) })),
      baseProblem: range.fallbackReason,
      options,
      cache: request.cache,
      warn: request.warn,
      session,
    };
    // The same sequence test-filter's `mode: select` runs: tests the map removes never ran the changed code.
    const { staticSelection: selection, selection: narrowed } = await selectTestsForChange(selectRequest, {
      map: () => ({ store: request.impactMapStore }),
      onlyWhenUseful: true,
    });
    const prefix = options.projectDir ? `${options.projectDir}/` : '';
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
    if (narrowed) {
      view.mapNote = narrowed.impactMap.reason;
      if (narrowed.impactMap.used) {
        const kept = new Set(narrowed.tests);
        view.mapRemoved = selection.tests.filter((test) => !kept.has(test)).map((test) => `${prefix}${test}`);
      }
    }
    return view;
  } catch (error) {
    request.warn(
      `test-filter's import graph is unavailable (${(error as Error).message}); predicting without graph distances.`,
    );
    return { changes, reach: null, reachAll: false, reachAllReasons: [], testFiles, mapRemoved: null };
  }
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
