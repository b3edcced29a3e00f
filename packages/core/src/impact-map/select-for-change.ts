import type { Store } from '../store/index.ts';
import {
  selectAffectedTests,
  SelectionSession,
  type SelectTestsRequest,
  type TestSelection,
} from '../test-filter/index.ts';
import { selectWithStoredMap } from './command-support.ts';
import type { ImpactSelection } from './select-with-map.ts';

/** Where the impact map is kept and how far it may be from the change; see `selectWithStoredMap`. */
export interface MapSettings {
  /** The store with the impact map; undefined: none (the static selection stands, with the reason). */
  store: Store | undefined;
  maxMapAgeMs?: number;
  maxMapDistance?: number;
}

/** How the map step runs. */
export interface ChangeSelectionOptions {
  /** Read after the static selection (a bad setting is reported only when the map is needed). */
  map: () => MapSettings;
  /**
   * Consult the map only when there is a store and the static selection is partial (a caller that needs no reason for
   * not using it); default false: always, so the reason is reported.
   */
  onlyWhenUseful?: boolean;
  /** The error when the static selection finds no test file at all (thrown before the map is read). */
  noTests?: (selection: TestSelection) => Error;
}

/** test-filter's selection for a change: the static closure, and that closure narrowed by the impact map. */
export interface ChangeSelection {
  staticSelection: TestSelection;
  /** undefined when the map was not consulted (`onlyWhenUseful`). */
  selection: ImpactSelection | undefined;
}

/**
 * The one selection sequence every caller uses: the static selection (import graph, framework rules, run-all
 * triggers), then the impact map learned from coverage, which only ever removes tests the closure adds for body
 * changes. The map's step is timed as phase `impact-map` of `request.phase`.
 */
export async function selectTestsForChange(
  request: SelectTestsRequest,
  options: ChangeSelectionOptions,
): Promise<ChangeSelection> {
  // The map's own selections (module-level changes, importers) reuse the static selection's graph and git process.
  if (request.session) return selectInSession(request, options);
  const session = new SelectionSession();
  try {
    return await selectInSession({ ...request, session }, options);
  } finally {
    session.close();
  }
}

async function selectInSession(request: SelectTestsRequest, options: ChangeSelectionOptions): Promise<ChangeSelection> {
  const staticSelection = await selectAffectedTests(request);
  if (staticSelection.totalCount === 0 && options.noTests) throw options.noTests(staticSelection);
  const map = options.map();
  if (options.onlyWhenUseful && (!map.store || (staticSelection.runAll && !staticSelection.runAllForUnboundedImports)))
    return { staticSelection, selection: undefined };
  const narrow = () => selectWithStoredMap({ ...map, request, staticSelection });
  const selection = await (request.phase ? request.phase('impact-map', narrow) : narrow());
  return { staticSelection, selection };
}
