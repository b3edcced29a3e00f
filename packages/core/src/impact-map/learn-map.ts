import { realpathSync } from 'node:fs';
import { isAbsolute, posix, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors/index.ts';
import { parsePythonSource, PythonModuleIndex } from '../python/index.ts';
import { listTreeBlobs, readBlobs, resolveCommit } from '../test-filter/git-objects.ts';
import type { CoverageContexts } from './coverage-reader.ts';
import { encodeIds, IMPACT_MAP_SCHEMA, type ImpactMap, type ImpactMapModule, type SharedStateGroup } from './map-format.ts';
import { isCachingDecorator, shapePythonModule, unitAtLine, type PythonUnit } from './python-units.ts';

/** What learning needs: the repository at the commit the coverage was recorded on, and the coverage. */
export interface LearnRequest {
  repoDir: string;
  /** The commit the tests ran on (default HEAD). */
  commit?: string;
  coverage: CoverageContexts;
  /** The Python project inside the repository (where pytest ran); '' for the root. */
  projectDir?: string;
  now?: Date;
  warn?: (message: string) => void;
}

/** A recorded context as the map sees it: which test file, and in which pytest phase. */
export interface ParsedContext {
  /** Test path as recorded (relative to pytest's rootdir), or a dotted test function name. */
  test: string;
  dotted: boolean;
  phase: 'setup' | 'run' | 'teardown';
}

/**
 * Parses a coverage context: pytest-cov's `tests/test_a.py::TestX::test_y[1]|run`, or coverage.py's own
 * `dynamic_context = test_function` (`tests.test_a.TestX.test_y`); undefined for the empty context.
 */
export function parseTestContext(context: string): ParsedContext | undefined {
  if (context === '') return undefined;
  const bar = context.lastIndexOf('|');
  const phaseText = bar === -1 ? 'run' : context.slice(bar + 1);
  const phase = phaseText === 'setup' || phaseText === 'teardown' ? phaseText : 'run';
  const id = bar === -1 ? context : context.slice(0, bar);
  const colons = id.indexOf('::');
  if (colons !== -1) return { test: id.slice(0, colons), dotted: false, phase };
  if (id.endsWith('.py')) return { test: id, dotted: false, phase };
  return { test: id, dotted: true, phase };
}

const SHARED_SCOPE = /\bscope\s*=\s*(?!["'](function|class|module)["'])/;

/** Folders whose tests share a session- or package-scoped fixture (or one whose scope is computed). */
function sharedFixtureScopes(conftests: Map<string, string>): string[] {
  const scopes: string[] = [];
  for (const [path, source] of conftests) {
    const tree = parsePythonSource(source);
    let shared = false;
    tree.iterate({
      enter: (node) => {
        if (shared) return false;
        if (node.name !== 'Decorator') return undefined;
        const text = source.slice(node.from, node.to);
        if (/fixture/.test(text) && SHARED_SCOPE.test(text)) shared = true;
        return false;
      },
    });
    if (shared) scopes.push(posix.dirname(path) === '.' ? '' : posix.dirname(path));
  }
  return scopes;
}

const lastName = (qualified: string) => qualified.slice(qualified.lastIndexOf('.') + 1);

/**
 * Finds units whose results are kept between calls (cache decorators, module-level memo dicts, `global` singletons),
 * the units they reach by name, and the units whose executors must be selected when one of them changes.
 */
function sharedStateGroups(units: { id: number; module: number; unit: PythonUnit }[], moduleUnits: number[][]): SharedStateGroup[] {
  const byLastName = new Map<string, number[]>();
  const classInit = new Map<string, number[]>();
  for (const { id, unit } of units) {
    const name = lastName(unit.qualifiedName);
    (byLastName.get(name) ?? byLastName.set(name, []).get(name)!).push(id);
    const parts = unit.qualifiedName.split('.');
    if (parts.length >= 2 && /^__(init|new|post_init)__$/.test(name)) {
      const cls = parts[parts.length - 2];
      (classInit.get(cls) ?? classInit.set(cls, []).get(cls)!).push(id);
    }
  }
  const groups: SharedStateGroup[] = [];
  for (const root of units) {
    const cached = root.unit.decorators.find(isCachingDecorator);
    if (!cached && !root.unit.memoises) continue;
    const members = new Set<number>([root.id]);
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      for (const mention of queue[i].unit.mentions) {
        for (const id of [...(byLastName.get(mention) ?? []), ...(classInit.get(mention) ?? [])]) {
          if (members.has(id)) continue;
          members.add(id);
          queue.push(units[id]);
        }
      }
    }
    const rootName = lastName(root.unit.qualifiedName);
    const reach = new Set<number>(moduleUnits[root.module]);
    for (const { id, unit } of units) if (unit.mentions.has(rootName)) reach.add(id);
    groups.push({
      root: root.id,
      why: cached ? `@${cached.replace(/\(.*$/s, '')}` : 'memoises in module state',
      members: [...members].sort((a, b) => a - b),
      reach: [...reach].sort((a, b) => a - b),
    });
  }
  return groups;
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
    throw new UserError(`Commit '${request.commit ?? 'HEAD'}' is not in the repository at '${request.repoDir}'. Pass the commit the tests ran on.`);
  }
  const tree = await listTreeBlobs(request.repoDir, commit);
  const { coverage } = request;
  const realRepo = realpathSync(request.repoDir);
  const inProject = (path: string) => (projectDir ? `${projectDir}/${path}` : path);
  const toRepoPath = (recorded: string): string | undefined => {
    if (isAbsolute(recorded)) {
      for (const root of [realRepo, resolve(request.repoDir)]) {
        const rel = relative(root, recorded);
        if (!rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).join('/');
      }
      return undefined;
    }
    const clean = recorded.split(sep).join('/').replace(/^\.\//, '');
    return tree.has(inProject(clean)) ? inProject(clean) : tree.has(clean) ? clean : undefined;
  };

  const measured = new Map<string, Map<string, number[]>>();
  let outside = 0;
  for (const [recorded, contexts] of coverage.files) {
    const path = toRepoPath(recorded);
    if (!path || !tree.has(path) || !path.endsWith('.py')) {
      outside += 1;
      continue;
    }
    measured.set(path, contexts);
  }
  if (outside) warn(`${outside} measured file(s) are not Python files of commit ${commit.slice(0, 12)}; they are left out of the map.`);
  if (coverage.files.size > 0 && measured.size === 0) {
    throw new UserError(
      `None of the ${coverage.files.size} files in the coverage data is a Python file of commit ${commit.slice(0, 12)} ` +
        `in '${request.repoDir}' (first: '${[...coverage.files.keys()][0]}'). Pass --repo (and project-dir) of the checkout the tests ran in.`,
    );
  }

  const conftestPaths = [...tree.keys()].filter((path) => posix.basename(path) === 'conftest.py');
  const paths = [...measured.keys()].sort();
  const texts = await readBlobs(request.repoDir, [...paths, ...conftestPaths].map((path) => tree.get(path)!));
  const moduleIndex = new PythonModuleIndex(tree.keys());
  const sharedScopes = sharedFixtureScopes(new Map(conftestPaths.map((path) => [path, texts.get(tree.get(path)!) ?? ''])));

  const testIndex = new Map<string, number>();
  const testPaths: string[] = [];
  const testSets: Set<number>[] = [];
  const testFiles = new Set([...tree.keys()].filter((path) => path.endsWith('.py')));
  const resolveTest = (context: ParsedContext): string => {
    if (!context.dotted) return tree.has(inProject(context.test)) || !tree.has(context.test) ? inProject(context.test) : context.test;
    const parts = context.test.split('.');
    for (let n = parts.length - 1; n > 0; n--) {
      const candidate = `${parts.slice(0, n).join('/')}.py`;
      if (testFiles.has(inProject(candidate))) return inProject(candidate);
      if (testFiles.has(candidate)) return candidate;
    }
    return inProject(`${parts.slice(0, -1).join('/')}.py`);
  };
  const contextCache = new Map<string, { test: number; phase: ParsedContext['phase'] } | null>();
  const testOf = (context: string) => {
    let known = contextCache.get(context);
    if (known !== undefined) return known;
    const parsed = parseTestContext(context);
    if (!parsed) known = null;
    else {
      const path = resolveTest(parsed);
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
  const allUnits: { id: number; module: number; unit: PythonUnit }[] = [];
  const moduleUnits: number[][] = [];
  const importTime = new Set<number>();
  const setupUnits = new Map<number, Set<number>>();
  let offset = 0;
  for (const path of paths) {
    const source = texts.get(tree.get(path)!) ?? '';
    const shape = shapePythonModule(source);
    if (shape.syntaxError) warn(`${path} does not parse at line ${shape.syntaxError.line}; its lines count as module level.`);
    const units = shape.syntaxError ? [] : shape.units;
    const names = moduleIndex.moduleNames(path).sort((a, b) => a.split('.').length - b.split('.').length);
    const moduleLevelTests = new Set<number>();
    const moduleNumber = modules.length;
    const ids = units.map((unit, i) => {
      allUnits.push({ id: offset + i, module: moduleNumber, unit });
      return offset + i;
    });
    moduleUnits.push(ids);
    for (const [context, lines] of measured.get(path)!) {
      const test = testOf(context);
      for (const line of lines) {
        const local = unitAtLine(units, line);
        if (test === null) {
          if (local !== -1) importTime.add(offset + local);
        } else if (local === -1) {
          moduleLevelTests.add(test.test);
        } else {
          testSets[test.test].add(offset + local);
          if (test.phase !== 'run') (setupUnits.get(test.test) ?? setupUnits.set(test.test, new Set()).get(test.test)!).add(offset + local);
        }
      }
    }
    modules.push({
      path,
      name: names[0] ?? path.replace(/\.py$/, '').replaceAll('/', '.'),
      units: units.map((unit) => unit.qualifiedName),
      moduleLevelTests: [...moduleLevelTests].sort((a, b) => a - b),
    });
    offset += units.length;
  }

  const sharedFixtureSetup = new Set<number>();
  for (const [test, units] of setupUnits) {
    const path = testPaths[test];
    if (sharedScopes.some((dir) => dir === '' || path.startsWith(`${dir}/`))) for (const id of units) sharedFixtureSetup.add(id);
  }
  const sorted = (set: Iterable<number>) => [...set].sort((a, b) => a - b);
  return {
    schema: IMPACT_MAP_SCHEMA,
    commit,
    createdAt: (request.now ?? new Date()).toISOString(),
    projectDir,
    source: { format: coverage.format, tool: coverage.tool, contexts: coverage.contextCount },
    modules,
    tests: testPaths.map((path, i) => ({ path, units: encodeIds(sorted(testSets[i])) })),
    importTime: sorted(importTime),
    sharedFixtureSetup: sorted(sharedFixtureSetup),
    sharedState: sharedStateGroups(allUnits, moduleUnits),
  };
}
