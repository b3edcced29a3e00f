import { listChangedFiles, type DiffRange } from '../git/index.ts';
import { selectWithStoredMap } from '../impact-map/index.ts';
import type { Store } from '../store/index.ts';
import {
  listTreeBlobs,
  loadPytestDiscovery,
  PytestTestMatcher,
  readBlobs,
  selectAffectedTests,
  type GraphCacheStore,
  type TestFilterOptions,
} from '../test-filter/index.ts';
import { diffWithLineCounts, type ChangeRecord } from '../test-history/history.ts';

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
  /** pytest's test files at head (repository-relative); empty when the project is not a pytest project. */
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

/** Reads the diff, lists pytest's test files at head and, when asked, runs test-filter's graph on the change. */
export async function viewChange(request: ChangeViewRequest): Promise<ChangeView> {
  const { repoDir, range, options } = request;
  const changes = range.base ? await diffWithLineCounts(repoDir, range.base, range.head, await listChangedFiles(repoDir, range.base, range.head)) : null;
  const testFiles = await pytestTestFiles(repoDir, range.head, options.projectDir);
  if (!request.graph || testFiles.length === 0) {
    return { changes, reach: null, reachAll: false, reachAllReasons: [], testFiles, mapRemoved: null };
  }
  try {
    const selectRequest = {
      repoDir,
      head: range.head,
      changes: changes?.map((c) => ({ status: c.status, path: c.path, ...(c.oldPath ? { oldPath: c.oldPath } : {}) })),
      baseProblem: range.fallbackReason,
      options,
      cache: request.cache,
      warn: request.warn,
    };
    const selection = await selectAffectedTests(selectRequest);
    const prefix = options.projectDir ? `${options.projectDir}/` : '';
    const reach: Record<string, number> = {};
    if (!selection.runAll) {
      for (const test of selection.tests) reach[`${prefix}${test}`] = selection.distances?.[test] ?? hopsOf(selection.explanations[test]);
    }
    const view: ChangeView = { changes, reach, reachAll: selection.runAll, reachAllReasons: selection.reasons, testFiles, mapRemoved: null };
    if (request.impactMapStore && !selection.runAll) {
      // The same narrowing test-filter applies in `mode: select`: tests the map removes never ran the changed code.
      const narrowed = await selectWithStoredMap({ store: request.impactMapStore, request: selectRequest, staticSelection: selection });
      view.mapNote = narrowed.impactMap.reason;
      if (narrowed.impactMap.used) {
        const kept = new Set(narrowed.tests);
        view.mapRemoved = selection.tests.filter((test) => !kept.has(test)).map((test) => `${prefix}${test}`);
      }
    }
    return view;
  } catch (error) {
    request.warn(`test-filter's import graph is unavailable (${(error as Error).message}); predicting without graph distances.`);
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

/** The test files pytest collects at `rev` (repository-relative), by the project's own pytest configuration. */
export async function pytestTestFiles(repoDir: string, rev: string, projectDir: string): Promise<string[]> {
  const files = await listTreeBlobs(repoDir, rev);
  const configBlobs = new Map<string, string>();
  for (const name of ['pytest.ini', '.pytest.ini', 'pyproject.toml', 'tox.ini', 'setup.cfg']) {
    const blob = files.get(projectDir ? `${projectDir}/${name}` : name);
    if (blob) configBlobs.set(name, blob);
  }
  const texts = await readBlobs(repoDir, [...configBlobs.values()]);
  const discovery = await loadPytestDiscovery(async (name) => {
    const blob = configBlobs.get(name);
    return blob === undefined ? undefined : texts.get(blob);
  });
  const matcher = new PytestTestMatcher(discovery, projectDir);
  return [...files.keys()].filter((path) => matcher.isTestFile(path)).sort();
}
