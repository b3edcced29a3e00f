import {
  diffChangedFiles,
  fetchCommit,
  type GitObjectReader,
  listTreeBlobs,
  openRepo,
  resolveCommit,
  runGit,
  type ChangedFile,
} from '../git/index.ts';
import {
  discoverTests,
  selectAffectedTests,
  SelectionSession,
  type SelectTestsRequest,
  type TestSelection,
  type UnboundedImportEvidence,
} from '../test-filter/index.ts';
import type { DynamicDependency, ReaderSearch, StatementChange, TestMatcher } from '../languages/index.ts';
import { ImpactMapIndex, type ImpactMap } from './map-format.ts';

/** The defences against coverage lies; each can be switched off to measure what it prevents. */
export type ImpactDefence = 'import-time' | 'shared-fixtures' | 'shared-state' | 'unexecuted';
export const ALL_DEFENCES: readonly ImpactDefence[] = ['import-time', 'shared-fixtures', 'shared-state', 'unexecuted'];

export const DEFAULT_MAX_MAP_AGE_MS = 14 * 24 * 3600 * 1000;
export const DEFAULT_MAX_MAP_DISTANCE = 200;

/** What narrowing with the map needs, on top of the static selection request (whose changes are base..head). */
export interface ImpactSelectRequest {
  request: SelectTestsRequest;
  /** The stored map; undefined when there is none (or it could not be read: say why in `mapProblem`). */
  map: ImpactMap | undefined;
  mapProblem?: string;
  /** The static selection for `request`, when the caller already has it. */
  staticSelection?: TestSelection;
  maxMapAgeMs?: number;
  maxMapDistance?: number;
  now?: Date;
  defences?: ReadonlySet<ImpactDefence>;
  /** Fetch the map's commit from the remote when the clone lacks it (default true). */
  fetchMissingCommit?: boolean;
}

/** How the map was used, for the summary, the log and the metrics. */
export interface ImpactMapUse {
  used: boolean;
  /** One line: why the map was not used, or what it did. */
  reason: string;
  commit?: string;
  distance?: number;
  /** Changed files narrowed to the tests that executed their changed functions. */
  narrowedFiles: string[];
  /** Changed files that fell back to the static closure, with why. */
  moduleLevelFiles: Record<string, string>;
  removed: number;
}

/** The static selection narrowed by the map: same shape, plus a reason for every selected test. */
export interface ImpactSelection extends TestSelection {
  reasonsByTest: Record<string, string>;
  impactMap: ImpactMapUse;
}

interface NarrowedFile {
  path: string;
  units: number[];
  /** Shared-state groups reached by the change: their `reach` units select their executors. */
  widen: { label: string; why: string; reach: number[] }[];
  /** Units whose change counts only for the tests that ran its changed statements (`statementTests`). */
  statements?: Map<number, StatementTests>;
}

/** The tests that ran a unit's changed statements, and those statements' lines (for reasons). */
interface StatementTests {
  tests: Set<number>;
  lines: string;
}

const unionChanges = (...lists: (readonly ChangedFile[])[]): ChangedFile[] => {
  const byPath = new Map<string, ChangedFile>();
  for (const list of lists) for (const change of list) if (!byPath.has(change.path)) byPath.set(change.path, change);
  return [...byPath.values()];
};

function reductionOf(
  selected: ReadonlySet<string>,
  allTests: readonly string[],
  durations: ReadonlyMap<string, number> | undefined,
): { reduction: number; basis: 'duration' | 'count' } {
  if (allTests.length === 0) return { reduction: 0, basis: 'count' };
  if (!durations || durations.size === 0)
    return { reduction: round(1 - selected.size / allTests.length), basis: 'count' };
  const known = allTests.map((test) => durations.get(test));
  const values = known.filter((d): d is number => d !== undefined);
  const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 1;
  let all = 0;
  let chosen = 0;
  allTests.forEach((test, i) => {
    const duration = known[i] ?? mean;
    all += duration;
    if (selected.has(test)) chosen += duration;
  });
  return { reduction: round(all > 0 ? 1 - chosen / all : 0), basis: 'duration' };
}
const round = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * Attributes the changed bodies of one file to units of the map: their ids and the shared-state groups they reach,
 * or why the file's change cannot be narrowed (then the static closure decides for it). `statements`: which
 * statements of each unit changed (the language's `changedStatements`); where the map says which tests ran their
 * lines, the unit counts only for those tests (`statementTests`), and a unit that ran at import time no longer
 * counts as module-level when none of its changed statements did.
 */
export function attributeChangedBodies(
  index: ImpactMapIndex,
  path: string,
  changedBodies: readonly string[],
  defences: ReadonlySet<ImpactDefence> = new Set(ALL_DEFENCES),
  statements?: ReadonlyMap<string, StatementChange>,
): Omit<NarrowedFile, 'path'> | string {
  const { map } = index;
  const file: Omit<NarrowedFile, 'path'> = { units: [], widen: [] };
  for (const name of changedBodies) {
    const id = index.unitId(path, name);
    const label = `${map.modules[index.moduleByPath.get(path)!.index].name}.${name}`;
    if (id === undefined) return `${label} is not in the map`;
    const change = statements?.get(name);
    const changedLines = change && 'lines' in change ? change.lines : undefined;
    const evidence = changedLines && statementTests(index, path, changedLines);
    // What ran at import time is in every importer, unless the statements that changed never ran then.
    const ranAtImport = map.importTime.includes(id) && !(evidence && !index.ranAtImport(path, changedLines!));
    if (defences.has('import-time') && ranAtImport) return `${label} runs at import or collection time`;
    if (defences.has('shared-fixtures') && map.sharedFixtureSetup.includes(id))
      return `${label} runs while setting up a shared fixture`;
    if (defences.has('unexecuted') && index.executorsOf(id).length === 0)
      return `no test executed ${label} when the map was learned`;
    file.units.push(id);
    if (evidence) (file.statements ??= new Map()).set(id, evidence);
    if (defences.has('shared-state')) {
      for (const group of map.sharedState) {
        if (group.members.includes(id))
          file.widen.push({ label: index.unitLabel(group.root), why: group.why, reach: group.reach });
      }
    }
  }
  return file;
}

/**
 * Narrows test-filter's static selection with the function-level impact map. The map only ever removes tests that
 * the static closure adds for function-body changes: tests not in the map, tests reached through module-level
 * changes and every run-all rule stay as they are. Any fault (stale map, missing commit) falls back to the static
 * selection with the reason.
 */
export async function selectWithImpactMap(input: ImpactSelectRequest): Promise<ImpactSelection> {
  // Every selection below asks about the same head: one graph and one git object reader for all of them.
  if (input.request.session) return selectInSession(input, input.request.session);
  const session = new SelectionSession();
  try {
    return await selectInSession({ ...input, request: { ...input.request, session } }, session);
  } finally {
    session.close();
  }
}

async function selectInSession(input: ImpactSelectRequest, session: SelectionSession): Promise<ImpactSelection> {
  let { request } = input;
  const warn = request.warn ?? (() => {});
  let staticSelection = input.staticSelection ?? (await selectAffectedTests(request));
  const fallback = (reason: string, asWarning = false, extra: Partial<ImpactMapUse> = {}): ImpactSelection => {
    if (asWarning) warn(`The impact map is not used: ${reason}. The static selection stands.`);
    return {
      ...staticSelection,
      reasonsByTest: { ...staticSelection.explanations },
      impactMap: { used: false, reason, narrowedFiles: [], moduleLevelFiles: {}, removed: 0, ...extra },
    };
  };
  const map = input.map;
  const support = request.pack.impact;
  if (!support) return fallback(`the ${request.pack.name} pack has no impact-map support`);
  if (!map)
    return fallback(
      input.mapProblem ?? 'the store has no impact map yet (run test-filter with mode: learn)',
      input.mapProblem !== undefined,
    );
  if (staticSelection.runAll && !staticSelection.runAllForUnboundedImports)
    return fallback('every test runs anyway', false, { commit: map.commit });
  const requestChanges = request.changes;
  if (!requestChanges) return fallback('the base commit is unknown', false, { commit: map.commit });

  const now = input.now ?? new Date();
  const maxAge = input.maxMapAgeMs ?? DEFAULT_MAX_MAP_AGE_MS;
  const ageMs = now.getTime() - Date.parse(map.createdAt);
  if (!(ageMs <= maxAge)) {
    return fallback(
      `it was built ${Math.round(ageMs / 3600_000 / 24)} days ago, more than max-map-age (${Math.round(maxAge / 3600_000 / 24)} days)`,
      true,
      { commit: map.commit },
    );
  }
  const { repoDir, head } = request;
  // One object reader for every object this step reads (a process start each is felt on a busy runner).
  const objects = session.reader(repoDir);
  const known = await objects.read(`${map.commit}^{commit}`).catch(() => undefined);
  let mapCommit = known?.type === 'commit' ? known.id : undefined;
  if (!mapCommit && input.fetchMissingCommit !== false) {
    const log = { steps: [] as string[] };
    if (await fetchCommit(openRepo(repoDir), map.commit, log).catch(() => false))
      mapCommit = await resolveCommit(repoDir, map.commit);
  }
  if (!mapCommit)
    return fallback(`its commit ${map.commit.slice(0, 12)} is not in the clone and could not be fetched`, true, {
      commit: map.commit,
    });
  const distance = Number((await runGit(repoDir, ['rev-list', '--count', `${mapCommit}..${head}`])).trim());
  const maxDistance = input.maxMapDistance ?? DEFAULT_MAX_MAP_DISTANCE;
  if (distance > maxDistance) {
    return fallback(`it is ${distance} commits behind the head, more than max-map-distance (${maxDistance})`, true, {
      commit: mapCommit,
      distance,
    });
  }

  const defences = input.defences ?? new Set(ALL_DEFENCES);
  const index = new ImpactMapIndex(map);
  // A computed import nothing bounds: the tests the map saw executing the function around it bound it (for every
  // static selection from here on: the rest of the module-level changes, the importers of modules outside the map).
  request = { ...request, boundUnboundedImport: (call) => unboundedImportEvidence(index, call, defences) };
  if (staticSelection.runAll) {
    // Every test ran only for such imports: select again with the evidence.
    staticSelection = await selectAffectedTests(request);
    if (staticSelection.runAll) return fallback('every test runs anyway', false, { commit: mapCommit, distance });
  }
  return narrowWithMap({ ...input, request }, staticSelection, index, mapCommit, distance, objects, fallback);
}

/** The map step once the map is usable (`selectWithImpactMap`): the changes since the map, attributed to its units. */
async function narrowWithMap(
  input: ImpactSelectRequest,
  staticSelection: TestSelection,
  index: ImpactMapIndex,
  mapCommit: string,
  distance: number,
  objects: GitObjectReader,
  fallback: (reason: string, asWarning?: boolean, extra?: Partial<ImpactMapUse>) => ImpactSelection,
): Promise<ImpactSelection> {
  const { request } = input;
  const { repoDir, head } = request;
  const requestChanges = request.changes!;
  const support = request.pack.impact!;
  const isSource = (path: string) => request.pack.language.handles(path);
  const defences = input.defences ?? new Set(ALL_DEFENCES);
  const readBlobs = (ids: readonly string[]) => objects.readBlobs(ids);
  const [sinceMap, oldFiles, newFiles] = await Promise.all([
    diffChangedFiles(repoDir, mapCommit, head),
    listTreeBlobs(repoDir, mapCommit),
    listTreeBlobs(repoDir, head),
  ]);
  const changes = unionChanges(requestChanges, sinceMap);
  const projectDir = request.options.projectDir;
  const inProject = (test: string) => (projectDir ? `${projectDir}/${test}` : test);
  const { tests: allTests, matcher } = await discoverTests(
    request.pack.framework,
    repoDir,
    head,
    projectDir,
    newFiles,
    readBlobs,
  );

  const moduleLevel = new Map<string, string>();
  const candidates: ChangedFile[] = [];
  for (const change of changes) {
    const path = change.path;
    const problem =
      change.oldPath && change.oldPath !== path
        ? `${change.status} from ${change.oldPath}`
        : !isSource(path)
          ? undefined
          : // A module that is a test only for its doctests (`--doctest-modules`) is still source: its body changes narrow
            // (it stays selected itself, as a test the map does not know).
            (matcher.isTestFile(path) && !matcher.isDoctestFile?.(path)) || support.isSharedSetupFile(path)
            ? 'a test file or conftest'
            : !index.moduleByPath.has(path)
              ? 'not measured when the map was learned'
              : !oldFiles.has(path)
                ? 'added since the map was learned'
                : !newFiles.has(path)
                  ? 'deleted'
                  : undefined;
    if (problem !== undefined || !isSource(path)) moduleLevel.set(path, problem ?? `not ${request.pack.name}`);
    else candidates.push(change);
  }
  const [texts, answers] = await Promise.all([
    readBlobs(candidates.flatMap((c) => [oldFiles.get(c.path)!, newFiles.get(c.path)!])),
    // What the language made of the map commit's versions is kept by blob: the same on every pull request.
    candidates.length ? request.session?.answers(request, request.warn ?? (() => {})) : undefined,
    candidates.length ? support.prepare() : undefined,
  ]);
  const narrowed: NarrowedFile[] = [];
  const mentioningTests = new Map<string, string>();
  const followedNames: string[] = [];
  const search = readerSearch(
    readBlobs,
    newFiles,
    matcher,
    isSource,
    (path) => index.moduleByPath.has(path),
    async (path) => {
      const closure = await selectAffectedTests({ ...request, changes: [{ path, status: 'modified' }] });
      return closure.runAll ? `every test may (${closure.reasons[0] ?? ''})` : closure.tests.map(inProject);
    },
  );
  for (const change of candidates) {
    const path = change.path;
    const before = texts.get(oldFiles.get(path)!) ?? '';
    const after = texts.get(newFiles.get(path)!) ?? '';
    const comparison = support.compareVersions(before, after, answers && { blob: oldFiles.get(path)!, answers });
    if (comparison.moduleLevel.length) {
      // A change that only gives names new values reaches tests through the code that reads them.
      const readers = support.readersOfChange
        ? await support.readersOfChange(path, before, after, search)
        : 'no reader search for this language';
      if (typeof readers === 'string') {
        moduleLevel.set(path, `${comparison.moduleLevel.slice(0, 3).join('; ')} (${readers})`);
        continue;
      }
      const file: Omit<NarrowedFile, 'path'> = { units: [], widen: [] };
      const units = new Map(readers.units);
      units.set(path, new Set([...(units.get(path) ?? []), ...comparison.changedBodies]));
      let problem: string | undefined;
      for (const [readerPath, names] of units) {
        const attributed = attributeChangedBodies(index, readerPath, [...names], defences);
        if (typeof attributed === 'string') {
          problem = attributed;
          break;
        }
        file.units.push(...attributed.units);
        file.widen.push(...attributed.widen);
      }
      if (problem) {
        moduleLevel.set(path, `${comparison.moduleLevel.slice(0, 3).join('; ')} (${problem})`);
        continue;
      }
      for (const [test, name] of readers.tests)
        if (!mentioningTests.has(test))
          mentioningTests.set(test, `mentions ${name}, which the change in ${path} gives a new value`);
      followedNames.push(...readers.names);
      narrowed.push({ path, ...file });
      continue;
    }
    // Which statements changed, where the map can tell which tests ran them.
    const statements =
      support.changedStatements && comparison.changedBodies.length && index.hasLines(path)
        ? support.changedStatements(
            before,
            after,
            comparison.changedBodies,
            answers && { blob: oldFiles.get(path)!, answers },
          )
        : undefined;
    const attributed = attributeChangedBodies(index, path, comparison.changedBodies, defences, statements);
    if (typeof attributed === 'string') {
      moduleLevel.set(path, attributed);
      continue;
    }
    narrowed.push({ path, ...attributed });
  }
  await answers?.save();
  const base = { commit: mapCommit, distance, moduleLevelFiles: Object.fromEntries(moduleLevel) };
  const moduleNameOf = (path: string) => {
    const known = index.moduleByPath.get(path);
    return known ? index.map.modules[known.index].name : path;
  };
  /** `imports pkg.rates (module-level change: ...): <chain>` when a static chain ends at a module-level change. */
  const staticReason = (chain: string, repoPath: string): string => {
    let seed: string | undefined;
    let at = -1;
    for (const path of moduleLevel.keys()) {
      const position = chain.lastIndexOf(`${path} (`);
      if (position > at) [seed, at] = [path, position];
    }
    if (seed && seed !== repoPath && isSource(seed))
      return `imports ${moduleNameOf(seed)} (module-level change: ${moduleLevel.get(seed)}): ${chain}`;
    return chain || 'static rules';
  };
  if (narrowed.length === 0) {
    const reasonsByTest = Object.fromEntries(
      staticSelection.tests.map((test) => [
        test,
        staticReason(staticSelection.explanations[test] ?? '', inProject(test)),
      ]),
    );
    return {
      ...staticSelection,
      explanations: reasonsByTest,
      reasonsByTest,
      impactMap: {
        used: true,
        reason: `every change is module-level or outside the map: the static closure stands${firstModuleLevel(moduleLevel)}`,
        ...base,
        narrowedFiles: [],
        removed: 0,
      },
    };
  }

  const moduleLevelChanges = changes.filter((change) => moduleLevel.has(change.path));
  const staticRest = moduleLevelChanges.length
    ? await selectAffectedTests({ ...request, changes: moduleLevelChanges })
    : undefined;
  if (staticRest?.runAll)
    return fallback(`a change since the map runs every test (${staticRest.reasons[0] ?? ''})`, false, base);
  const restTests = new Set(staticRest?.tests ?? []);

  const addedSinceMap = new Set(changes.filter((change) => change.status === 'added').map((change) => change.path));
  const reasonsByTest: Record<string, string> = {};
  const selected = new Set<string>();
  for (const test of staticSelection.tests) {
    const repoPath = inProject(test);
    const reason = keepReason(test, repoPath);
    if (reason) {
      selected.add(test);
      reasonsByTest[test] = reason;
    }
  }

  function keepReason(test: string, repoPath: string): string | undefined {
    if (restTests.has(test)) return staticReason(staticRest!.explanations[test] ?? '', repoPath);
    const mention = mentioningTests.get(repoPath);
    if (mention) return mention;
    const testIndex = index.testByPath.get(repoPath);
    if (testIndex === undefined) {
      return addedSinceMap.has(repoPath)
        ? 'new test'
        : 'not in the impact map (it did not run when the map was learned)';
    }
    const executed = new Set(index.unitsOfTest(testIndex));
    for (const file of narrowed) {
      for (const id of file.units) {
        const statements = file.statements?.get(id);
        if (!statements) {
          if (executed.has(id)) return `executed ${index.unitLabel(id)}`;
        } else if (statements.tests.has(testIndex))
          return `executed ${index.unitLabel(id)}, ${file.path} line ${statements.lines} (changed)`;
      }
    }
    for (const file of narrowed) {
      for (const group of file.widen) {
        const via = group.reach.find((id) => executed.has(id));
        if (via !== undefined)
          return `shares cached state with ${group.label} (${group.why}): executed ${index.unitLabel(via)}`;
      }
    }
    return undefined;
  }

  const { reduction, basis } = reductionOf(
    new Set([...selected].map(inProject)),
    allTests,
    mapDurations(request.durations, projectDir),
  );
  const removed = staticSelection.tests.length - selected.size;
  const changedUnits = narrowed.reduce((n, file) => n + file.units.length, 0);
  const byStatement = narrowed.reduce((n, file) => n + (file.statements?.size ?? 0), 0);
  return {
    ...staticSelection,
    tests: staticSelection.tests.filter((test) => selected.has(test)),
    reduction,
    reductionBasis: basis,
    explanations: reasonsByTest,
    reasonsByTest,
    impactMap: {
      used: true,
      reason:
        `narrowed ${narrowed.length} changed file(s) to the tests that executed their changed functions` +
        (byStatement ? ` (for ${byStatement} of ${changedUnits}: the changed statements)` : '') +
        (followedNames.length
          ? ` or code reading the names they give new values (${[...new Set(followedNames)].slice(0, 8).join(', ')})`
          : '') +
        `; ${removed} of ${staticSelection.tests.length} statically selected test files skipped`,
      ...base,
      narrowedFiles: narrowed.map((file) => file.path),
      removed,
    },
  };
}

/**
 * The tests that ran any of a unit's changed statements (their lines as the map recorded them), or undefined when the
 * map has no lines for the module (an older map) or a changed statement was recorded in no test: excluded from
 * coverage, or run where coverage does not look (then what ran the whole unit decides, as before).
 */
function statementTests(
  index: ImpactMapIndex,
  path: string,
  lines: ReadonlyArray<readonly [number, number]>,
): StatementTests | undefined {
  const tests = new Set<number>();
  for (const [first, last] of lines) {
    const ran = index.testsOfLines(path, first, last);
    if (!ran?.length) return undefined;
    for (const test of ran) tests.add(test);
  }
  return { tests, lines: lines.map(([first, last]) => (first === last ? `${first}` : `${first}-${last}`)).join(', ') };
}

/** ` (path: why)` for the first change that fell back to the static closure (more: counted). */
function firstModuleLevel(moduleLevel: ReadonlyMap<string, string>): string {
  const [first] = moduleLevel;
  if (!first) return '';
  const more = moduleLevel.size > 1 ? `, and ${moduleLevel.size - 1} more file(s)` : '';
  return ` (${first[0]}: ${first[1]}${more})`;
}

/** The head's source and test files for the pack's `readersOfChange`, read on first need (once per selection). */
function readerSearch(
  readBlobs: (ids: readonly string[]) => Promise<Map<string, string>>,
  files: ReadonlyMap<string, string>,
  matcher: TestMatcher,
  isSource: (path: string) => boolean,
  measured: ReaderSearch['measured'],
  importersOf: ReaderSearch['importersOf'],
): ReaderSearch {
  const isTest = (path: string) => matcher.isTestFile(path);
  const paths = [...files.keys()].filter((path) => isSource(path) || isTest(path));
  let texts: Promise<ReadonlyMap<string, string>> | undefined;
  const read = () =>
    (texts ??= readBlobs(paths.map((path) => files.get(path)!)).then(
      (byBlob) => new Map(paths.map((path) => [path, byBlob.get(files.get(path)!) ?? ''])),
    ));
  return { files: paths, read, isTest, isSource, importersOf, measured };
}

/**
 * The tests the map saw executing the function around an unbounded computed import: in no other test did the call
 * load anything. None when the call is at module level, the map does not know its function, no test executed it, or
 * it ran at import time or in a shared fixture (then a test's units do not say whether it ran the call).
 */
export function unboundedImportEvidence(
  index: ImpactMapIndex,
  call: DynamicDependency,
  defences: ReadonlySet<ImpactDefence>,
): UnboundedImportEvidence | undefined {
  if (!call.scope) return undefined;
  const id = index.unitId(call.scope.file, call.scope.qualifiedName);
  if (id === undefined) return undefined;
  if (defences.has('import-time') && index.map.importTime.includes(id)) return undefined;
  if (defences.has('shared-fixtures') && index.map.sharedFixtureSetup.includes(id)) return undefined;
  const tests = index.executorsOf(id).map((test) => index.map.tests[test].path);
  if (tests.length === 0) return undefined;
  return { tests, why: `the impact map saw only these tests execute ${index.unitLabel(id)}` };
}

/** Durations are keyed by project-relative paths (like the selection); the reduction works on repository paths. */
function mapDurations(
  durations: ReadonlyMap<string, number> | undefined,
  projectDir: string,
): Map<string, number> | undefined {
  if (!durations) return undefined;
  return new Map(
    [...durations].map(([test, seconds]) => [
      projectDir && !test.startsWith(`${projectDir}/`) ? `${projectDir}/${test}` : test,
      seconds,
    ]),
  );
}
