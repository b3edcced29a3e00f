import { realpathSync } from 'node:fs';
import { isAbsolute, posix, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors/index.ts';
import type { CodeUnit, CoverageContexts, ImpactMapSupport, LanguagePack, ParsedContext } from '../languages/index.ts';
import { listTreeBlobs, readBlobs, resolveCommit } from '../git/index.ts';
import { encodeIds, IMPACT_MAP_SCHEMA, type ImpactMap, type ImpactMapModule, type LearnSummary } from './map-format.ts';

/** What learning needs: the repository at the commit the coverage was recorded on, and the coverage. */
export interface LearnRequest {
  repoDir: string;
  /** The commit the tests ran on (default HEAD). */
  commit?: string;
  coverage: CoverageContexts;
  /** The language and test framework of the project (its `impact` part reads units and contexts). */
  pack: LanguagePack;
  /** The project inside the repository (where the tests ran); '' for the root. */
  projectDir?: string;
  now?: Date;
  warn?: (message: string) => void;
}

/**
 * Builds the function-level impact map from per-test coverage: for each test file the functions and methods it
 * executed, keyed by qualified name at `commit`, plus the defences' data (import-time units, units set up for
 * shared fixtures, cached and memoising units and what they reach).
 */
export async function learnImpactMap(request: LearnRequest): Promise<ImpactMap> {
  const warn = request.warn ?? (() => {});
  const projectDir = (request.projectDir ?? '').replace(/^\.\/?/, '').replace(/\/+$/, '');
  const commit = await resolveCommit(request.repoDir, request.commit ?? 'HEAD');
  if (!commit) {
    throw new UserError(
      `Commit '${request.commit ?? 'HEAD'}' is not in the repository at '${request.repoDir}'. Pass the commit the tests ran on.`,
    );
  }
  const tree = await listTreeBlobs(request.repoDir, commit);
  const { coverage } = request;
  const support = impactSupportOf(request.pack);
  const isSource = (path: string) => request.pack.language.handles(path);
  const realRepo = realpathSync(request.repoDir);
  const inProject = (path: string) => (projectDir ? `${projectDir}/${path}` : path);
  const skipped = new Map(coverage.skipped);
  const skip = (reason: string, n = 1) => skipped.set(reason, (skipped.get(reason) ?? 0) + n);
  // Paths recorded elsewhere (another runner's workspace, site-packages, a `[paths]` entry that is not this
  // checkout) are matched by their longest tail that names exactly one source file of the commit.
  let byTail: Map<string, string | null> | undefined;
  const tailMatch = (parts: string[]): string | undefined => {
    if (!byTail) {
      byTail = new Map();
      for (const path of tree.keys()) {
        if (!isSource(path)) continue;
        const segments = path.split('/');
        for (let i = 0; i < segments.length; i++) {
          const tail = segments.slice(i).join('/');
          byTail.set(tail, byTail.has(tail) && byTail.get(tail) !== path ? null : path);
        }
      }
    }
    for (let i = 0; i < parts.length; i++) {
      const found = byTail.get(parts.slice(i).join('/'));
      if (found === null) return undefined;
      if (found !== undefined && i < parts.length - 1) return found;
    }
    return undefined;
  };
  let remapped = 0;
  const toRepoPath = (recorded: string): string | undefined => {
    const slashed = recorded.replaceAll('\\', '/');
    if (isAbsolute(recorded) || /^[A-Za-z]:\//.test(slashed)) {
      for (const root of [realRepo, resolve(request.repoDir)]) {
        const rel = relative(root, recorded);
        if (!rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).join('/');
      }
    } else {
      const clean = slashed.replace(/^(\.\/)+/, '');
      if (tree.has(inProject(clean))) return inProject(clean);
      if (tree.has(clean)) return clean;
    }
    const found = tailMatch(slashed.split('/').filter((part) => part !== '' && part !== '.'));
    if (found) remapped += 1;
    return found;
  };

  const measured = new Map<string, Map<string, number[]>>();
  for (const [recorded, contexts] of coverage.files) {
    const path = toRepoPath(recorded);
    if (!path || !tree.has(path)) skip('measured files not in the commit (paths that match no file of the checkout)');
    else if (!isSource(path)) skip(`measured files that are not ${request.pack.name} sources`);
    else if (measured.has(path)) {
      // Two recorded paths of one file (combined data without [paths]): merge their contexts.
      const into = measured.get(path)!;
      for (const [context, lines] of contexts)
        into.set(
          context,
          [...new Set([...(into.get(context) ?? []), ...lines])].sort((a, b) => a - b),
        );
    } else measured.set(path, contexts);
  }
  const notInCommit = skipped.get('measured files not in the commit (paths that match no file of the checkout)') ?? 0;
  if (notInCommit)
    warn(
      `${notInCommit} measured file(s) are not files of commit ${commit.slice(0, 12)}; they are left out of the map.`,
    );
  if (coverage.files.size > 0 && measured.size === 0) {
    throw new UserError(
      `None of the ${coverage.files.size} files in the coverage data is a ${request.pack.name} file of commit ${commit.slice(0, 12)} ` +
        `in '${request.repoDir}' (first: '${[...coverage.files.keys()][0]}'). Pass --repo (and project-dir) of the checkout the tests ran in.`,
    );
  }
  const hasTestContext = [...measured.values()].some((contexts) =>
    [...contexts.keys()].some((context) => context !== ''),
  );
  if (!hasTestContext) {
    throw new UserError(
      `The coverage data names no test: every line was recorded outside a test context, so it cannot tell tests apart. ` +
        support.contextHint,
    );
  }

  refuseFirstHitOnlyContexts(measured, support);

  await support.prepare();
  const conftestPaths = [...tree.keys()].filter((path) => support.isSharedSetupFile(path));
  const paths = [...measured.keys()].sort();
  const texts = await readBlobs(
    request.repoDir,
    [...paths, ...conftestPaths].map((path) => tree.get(path)!),
  );
  const moduleNamesOf = support.moduleNames(tree.keys());
  const sharedScopes = support.sharedSetupScopes(
    new Map(conftestPaths.map((path) => [path, texts.get(tree.get(path)!) ?? ''])),
  );

  const testIndex = new Map<string, number>();
  const testPaths: string[] = [];
  const testSets: Set<number>[] = [];
  const testFiles = new Set([...tree.keys()].filter(isSource));
  const pyByBasename = new Map<string, string | null>();
  for (const path of testFiles) {
    const base = posix.basename(path);
    pyByBasename.set(base, pyByBasename.has(base) ? null : path);
  }
  const resolveTest = (context: ParsedContext): string | undefined => {
    if (!context.dotted) {
      const clean = context.test.replace(/^(\.\/)+/, '');
      return tree.has(inProject(clean)) ? inProject(clean) : tree.has(clean) ? clean : undefined;
    }
    // `dynamic_context = test_function` names `module.Class.test`, the module as imported: `tests.test_a` with a
    // package, `test_a` when pytest put its folder on sys.path. The longest dotted prefix naming one file wins.
    const parts = context.test.split('.');
    for (let n = parts.length - 1; n > 0; n--) {
      const candidate = support.moduleFile(parts.slice(0, n));
      if (testFiles.has(inProject(candidate))) return inProject(candidate);
      if (testFiles.has(candidate)) return candidate;
      const tail = tailMatch(candidate.split('/'));
      if (tail) return tail;
      const single = n === 1 ? pyByBasename.get(candidate) : undefined;
      if (single) return single;
    }
    return undefined;
  };
  const contextCache = new Map<string, { test: number; phase: ParsedContext['phase'] } | null | undefined>();
  const unresolved = new Set<string>();
  const testOf = (context: string) => {
    if (contextCache.has(context)) return contextCache.get(context);
    let known: { test: number; phase: ParsedContext['phase'] } | null | undefined;
    const parsed = support.parseTestContext(context);
    const path = parsed && resolveTest(parsed);
    if (!parsed) known = null;
    else if (!path) {
      known = undefined;
      unresolved.add(context);
    } else {
      let test = testIndex.get(path);
      if (test === undefined) {
        test = testPaths.length;
        testIndex.set(path, test);
        testPaths.push(path);
        testSets.push(new Set());
      }
      known = { test, phase: parsed.phase };
    }
    contextCache.set(context, known);
    return known;
  };

  const modules: ImpactMapModule[] = [];
  /** Per module, what is kept by test index until the tests' final order is known. */
  const byTestIndex: { moduleLevelTests: Set<number>; lineTests: Map<number, number[]> }[] = [];
  const allUnits: { id: number; module: number; unit: CodeUnit }[] = [];
  const moduleUnits: number[][] = [];
  const importTime = new Set<number>();
  const setupUnits = new Map<number, Set<number>>();
  const importedBeforeCoverage: string[] = [];
  let offset = 0;
  let hits = 0;
  let parseFailures = 0;
  for (const path of paths) {
    const source = texts.get(tree.get(path)!) ?? '';
    const shape = support.shapeModule(source);
    if (shape.syntaxError)
      warn(`${path} does not parse at line ${shape.syntaxError.line}; its lines count as module level.`);
    const { units } = shape;
    const lineCount = source.split('\n').length;
    if (shape.syntaxError) parseFailures += 1;
    const names = moduleNamesOf(path);
    const moduleLevelTests = new Set<number>();
    /** Line of a unit body -> the tests that ran it. */
    const lineTests = new Map<number, number[]>();
    const importLines = new Set<number>();
    let moduleLevelSeen = false;
    let bodySeen = false;
    const moduleNumber = modules.length;
    const ids = units.map((unit, i) => {
      allUnits.push({ id: offset + i, module: moduleNumber, unit });
      return offset + i;
    });
    moduleUnits.push(ids);
    for (const [context, lines] of measured.get(path)!) {
      const test = testOf(context);
      if (test === undefined) {
        skip('line hits of contexts that name no test file of the commit', lines.length);
        continue;
      }
      for (const line of lines) {
        if (line > lineCount) {
          skip('line hits past the end of their file (coverage of another version of it?)');
          continue;
        }
        hits += 1;
        const local = shape.unitAt(line);
        if (local === -1) moduleLevelSeen = true;
        else bodySeen = true;
        if (test === null) {
          if (local !== -1) {
            importTime.add(offset + local);
            importLines.add(line);
          }
        } else if (local === -1) {
          moduleLevelTests.add(test.test);
        } else {
          testSets[test.test].add(offset + local);
          // A test file's contexts mostly come one after another: repeats are dropped here, the rest when grouped.
          const ran = lineTests.get(line);
          if (!ran) lineTests.set(line, [test.test]);
          else if (ran[ran.length - 1] !== test.test) ran.push(test.test);
          if (test.phase !== 'run')
            (setupUnits.get(test.test) ?? setupUnits.set(test.test, new Set()).get(test.test)!).add(offset + local);
        }
      }
    }
    // Functions ran but the module's own lines (its `def`s, imports) never did: it was imported before coverage
    // started (by the test runner or one of its plugins, e.g. pytest's own pluggy), so what ran then is unseen.
    const beforeCoverage = bodySeen && !moduleLevelSeen;
    if (beforeCoverage) {
      importedBeforeCoverage.push(path);
      for (const id of ids) importTime.add(id);
    }
    modules.push({
      path,
      name: names[0] ?? path.replace(/\.[^./]+$/, '').replaceAll('/', '.'),
      units: units.map((unit) => unit.qualifiedName),
      moduleLevelTests: [],
      ...(beforeCoverage ? {} : { importLines: encodeIds([...importLines].sort((a, b) => a - b)) }),
    });
    byTestIndex.push({ moduleLevelTests, lineTests });
    offset += units.length;
  }

  const sharedFixtureSetup = new Set<number>();
  for (const [test, units] of setupUnits) {
    const path = testPaths[test];
    if (sharedScopes.some((dir) => dir === '' || path.startsWith(`${dir}/`)))
      for (const id of units) sharedFixtureSetup.add(id);
  }
  const sorted = (set: Iterable<number>) => [...set].sort((a, b) => a - b);
  if (testPaths.length === 0) {
    throw new UserError(
      `No context in the coverage data names a test file of commit ${commit.slice(0, 12)} (first: '${[...unresolved][0] ?? ''}'). ` +
        `${support.contextHint} Record them in the checkout of that commit.`,
    );
  }
  if (unresolved.size) {
    skip('test contexts that name no test file of the commit', unresolved.size);
    warn(
      `${unresolved.size} test context(s) name no test file of commit ${commit.slice(0, 12)} (first: '${[...unresolved][0]}'); their lines are left out.`,
    );
  }
  // Tests in path order, whichever the coverage listed first: the same data gives the same map from any reader.
  const order = testPaths.map((_, i) => i).sort((a, b) => (testPaths[a] < testPaths[b] ? -1 : 1));
  const rank = new Array<number>(order.length);
  order.forEach((test, position) => (rank[test] = position));
  const ranked = (tests: Iterable<number>) => sorted([...tests].map((test) => rank[test]));
  modules.forEach((module, i) => {
    const { moduleLevelTests, lineTests } = byTestIndex[i];
    module.moduleLevelTests = ranked(moduleLevelTests);
    module.lines = groupLinesByTests(lineTests, rank);
  });
  if (importedBeforeCoverage.length)
    warn(
      `${importedBeforeCoverage.length} measured module(s) were imported before coverage started (first: '${importedBeforeCoverage[0]}'): ` +
        'none of their module-level lines was recorded, so what the test runner ran with them before then is unseen, and ' +
        'their changes keep the static selection. Start coverage first (`coverage run -m pytest`) to narrow them.',
    );
  const testContexts = [...contextCache.values()].filter((known) => known).length;
  const learned: LearnSummary = {
    files: measured.size,
    remappedFiles: remapped,
    filesNotParsed: parseFailures,
    ...(importedBeforeCoverage.length ? { importedBeforeCoverage: importedBeforeCoverage.length } : {}),
    testContexts,
    importContext: [...measured.values()].some((contexts) => contexts.has('')),
    lineHits: hits,
    skipped: Object.fromEntries([...skipped].sort((a, b) => b[1] - a[1])),
  };
  return {
    schema: IMPACT_MAP_SCHEMA,
    commit,
    createdAt: (request.now ?? new Date()).toISOString(),
    projectDir,
    source: { format: coverage.format, tool: coverage.tool, contexts: coverage.contextCount },
    modules,
    tests: order.map((i) => ({ path: testPaths[i], units: encodeIds(sorted(testSets[i])) })),
    importTime: sorted(importTime),
    sharedFixtureSetup: sorted(sharedFixtureSetup),
    sharedState: support.sharedStateGroups(allUnits, moduleUnits),
    learned,
  };
}

/**
 * Lines grouped by the exact set of tests that ran them (lines of one branch share a set), as `ImpactMapModule.lines`;
 * test indexes renumbered by `rank`.
 */
function groupLinesByTests(
  lineTests: ReadonlyMap<number, readonly number[]>,
  rank: readonly number[],
): { tests: string; lines: string }[] {
  const groups = new Map<string, number[]>();
  for (const [line, tests] of lineTests) {
    const ranked = tests.map((test) => rank[test]).sort((a, b) => a - b);
    const key = encodeIds(ranked.filter((test, i) => i === 0 || test !== ranked[i - 1]));
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(line);
  }
  return [...groups]
    .map(([tests, lines]) => ({ tests, lines: lines.sort((a, b) => a - b) }))
    .sort((a, b) => a.lines[0] - b.lines[0])
    .map(({ tests, lines }) => ({ tests, lines: encodeIds(lines) }));
}

/** At least this many test contexts and lines before a data set where no line ran in two tests is suspect. */
const FIRST_HIT_MIN_CONTEXTS = 20;
const FIRST_HIT_MIN_LINES = 200;

/**
 * Refuses per-test data that records each line for one test only: what a measurement core that stops reporting a
 * line after its first hit writes when contexts switch under it (coverage.py's `sysmon` core, the default on Python
 * 3.14+, with pytest-cov's `--cov-context=test`). A map learned from it would miss every later test that ran a line,
 * so no map is better. Real suites share lines between tests (set-up code, helpers): with enough tests and lines,
 * none shared is that pattern, not a suite.
 */
function refuseFirstHitOnlyContexts(
  measured: ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>,
  support: ImpactMapSupport,
): void {
  const contexts = new Set<string>();
  let lines = 0;
  let pairs = 0;
  for (const byContext of measured.values()) {
    const seen = new Set<number>();
    for (const [context, hits] of byContext) {
      if (context === '') continue;
      contexts.add(context);
      pairs += hits.length;
      for (const line of hits) seen.add(line);
    }
    lines += seen.size;
  }
  if (contexts.size >= FIRST_HIT_MIN_CONTEXTS && lines >= FIRST_HIT_MIN_LINES && pairs === lines) {
    throw new UserError(
      `The coverage data records every one of its ${lines} lines for a single test (${contexts.size} test contexts, no line ` +
        'shared by two), as a measurement core that reports a line only on its first hit does when contexts switch: ' +
        `later tests that ran a line are missing, so no impact map is learned from it. ${support.firstHitOnlyHint ?? ''}`.trimEnd(),
    );
  }
}

/** The pack's impact-map part, or a usage error naming the pack when it has none. */
export function impactSupportOf(pack: LanguagePack): ImpactMapSupport {
  if (!pack.impact)
    throw new UserError(
      `The ${pack.name} pack has no impact-map support: run test-filter without an impact map (mode: select, no map).`,
    );
  return pack.impact;
}
