import { parse as parseYaml } from 'yaml';
import { existsSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { errorMessage, InputError, isUserError, UserError } from '../errors/index.ts';
import { logValue } from '../escape/index.ts';
import { assertGitCheckout, mayBeInRepository } from '../git/index.ts';
import { COUNTERS } from '../metrics/index.ts';
import { openRepo, resolveDiffRange, resolveSha } from '../git/index.ts';
// The selection engine (impact map, language pack, test history) is imported when a run gets past its input and
// checkout checks: a step that fails on those does not load it (docs/decisions.md, "Cold start").
import type { learnImpactMapIntoStore } from '../impact-map/index.ts';
import type { pythonPack } from '../languages/python/index.ts';
import type { CommandContext, CommandWithConfig, Outputs } from '../contract/index.ts';
import { openStore, type Store } from '../store/index.ts';
import {
  dynamicCallsCacheKey,
  graphCacheKey,
  parseFilters,
  parseMapRules,
  ReadAheadStore,
  renderSelectionSummary,
  type SelectTestsRequest,
  testFilterConfigSchema,
  type TestFilterOptions,
  withTestsFiles,
} from '../test-filter/index.ts';

/** Reads the typed options from inputs (a given input > the config section > the action.yml default). */
function readOptions(ctx: CommandContext): TestFilterOptions {
  const { inputs } = ctx;
  const where = 'the test-filter inputs or .github/ci-optimizer.yml';
  const structured = (name: string) => inputs.configValue(name) ?? inputs.raw(name);
  const dirOf = (value: string) => value.replace(/^\.\/?/, '').replace(/\/+$/, '');
  return {
    projectDir: dirOf(inputs.string('project-dir')),
    roots: inputs.isSet('roots') ? inputs.list('roots').map(dirOf) : undefined,
    alwaysRun: inputs.lines('always-run'),
    runAllOn: inputs.lines('run-all-on'),
    ignore: inputs.lines('ignore'),
    map: parseMapRules(structured('map') || undefined, where),
    maxChangedFiles: inputs.int('max-changed-files', { min: 1 }),
    unknownFiles: inputs.enum('unknown-files', ['run-all', 'ignore'] as const),
    dynamicImports: inputs.enum('dynamic-imports', ['run-all', 'widen'] as const),
    filters: parseFilters(structured('filters'), where, (text) => {
      try {
        return parseYaml(text);
      } catch (error) {
        throw new UserError(
          `Input 'filters' is not valid YAML (${(error as Error).message}). Write a map: name: [globs].`,
        );
      }
    }),
    configPath: '.github/ci-optimizer.yml',
  };
}

/**
 * The store as the graph cache sees it, its graph document read ahead (`readAhead`) while git answers the range's
 * questions; a store that cannot be opened only costs a cold parse.
 */
function graphCacheFor(ctx: CommandContext, repoDir: string): ReadAheadStore | undefined {
  const spec = ctx.inputs.string('store');
  if (spec === '' || spec === 'none') return undefined;
  return new ReadAheadStore(openStore(spec, repoDir));
}

/** The `store` input as a store, or undefined for `none`. */
function storeOf(ctx: CommandContext, repoDir: string): Store | undefined {
  const spec = ctx.inputs.string('store');
  return spec === 'none' ? undefined : openStore(spec, repoDir);
}

/** `mode: learn`: builds the impact map from per-test coverage on the head commit and writes it to the store. */
async function learnMap(ctx: CommandContext, repoDir: string, projectDir: string): Promise<Outputs> {
  const coveragePath = ctx.inputs.path('coverage');
  if (coveragePath === '') {
    throw new UserError(
      "Input 'coverage' is required with mode: learn. Run pytest with per-test contexts " +
        "(pytest --cov=<package> --cov-context=test) and pass the .coverage file or 'coverage json --show-contexts' output.",
    );
  }
  const store = storeOf(ctx, repoDir);
  if (!store)
    throw new UserError(
      "Input 'store' is 'none', so there is nowhere to keep the impact map. Use dir:PATH or s3://...",
    );
  const head = ctx.inputs.optionalString('head') ?? 'HEAD';
  const commit = await resolveSha(openRepo(repoDir), head);
  if (!commit) throw new UserError(`Input 'head' has value '${head}', which is not a commit of ${repoDir}.`);
  let learned: Awaited<ReturnType<typeof learnImpactMapIntoStore>>;
  const [pack, { learnImpactMapIntoStore }] = await Promise.all([loadLanguagePack(), import('../impact-map/index.ts')]);
  try {
    learned = await ctx.metrics.phase('learn', () =>
      learnImpactMapIntoStore({
        repoDir,
        coveragePath,
        pack,
        store,
        commit,
        projectDir,
        warn: (message) => ctx.log.warning(message),
      }),
    );
  } catch (error) {
    // A bad coverage file is the user's to fix; a store that cannot be reached only costs this run's map.
    if (isUserError(error)) throw error;
    ctx.log.warning(
      `The impact map was not saved to ${store.description} (${errorMessage(error)}); selection keeps the previous map or the import graph.`,
    );
    return { 'map-commit': '', 'map-test-files': 0, 'map-functions': 0, 'map-bytes': 0 };
  }
  ctx.metrics.count('map-test-files', learned['map-test-files']);
  ctx.metrics.count('map-functions', learned['map-functions']);
  ctx.summary.append(
    `**Impact map learned** on ${commit.slice(0, 12)}: ${learned['map-test-files']} test files, ` +
      `${learned['map-functions']} functions, ${learned['map-bytes']} bytes in ${store.description}. Coverage: ${learned.readSummary}.`,
  );
  ctx.log.info(`Coverage: ${learned.readSummary}.`);
  const { readSummary: _, ...outputs } = learned;
  return outputs;
}

/**
 * The duration test-predictor expects of each test file, from its history in the same store (empty without one): read
 * from the history's stored summary when it is current, so a warm run does not parse every recorded run.
 */
async function historicDurations(ctx: CommandContext, repoDir: string): Promise<Map<string, number>> {
  const spec = ctx.inputs.string('store');
  if (spec === '' || spec === 'none') return new Map();
  try {
    const store = openStore(spec, repoDir);
    const { PREDICTOR_FOLDER } = await import('../test-history/index.ts');
    // No test-predictor folder, no history: test-predictor's modules are not loaded.
    const listing = await store.list(PREDICTOR_FOLDER);
    if (listing.length === 0) return new Map();
    const { expectedFileDurations } = await import('../test-predictor/index.ts');
    const warn = (message: string) => ctx.log.warning(message);
    const { durations, source, runs } = await expectedFileDurations(store, warn, listing);
    ctx.log.info(
      `Test durations: ${durations.size} test files, from ${source === 'summary' ? "test-predictor's summary of its history" : 'its history'} (${runs} runs).`,
    );
    return durations;
  } catch (error) {
    ctx.log.warning(`Test durations are not available (${errorMessage(error)}); the reduction is measured by count.`);
    return new Map();
  }
}

/** Historic test time of the files not selected, in milliseconds (0 without durations). */
function timeSavedMs(selected: readonly string[], projectDir: string, durations: ReadonlyMap<string, number>): number {
  // Durations are keyed by repository path, selected tests by project path.
  const chosen = new Set(selected.map((test) => posix.normalize(posix.join(projectDir, test))));
  let seconds = 0;
  for (const [file, duration] of durations) if (!chosen.has(file)) seconds += duration;
  return Math.round(seconds * 1000);
}

/**
 * The project folder must exist at the head commit: a wrong `project-dir` would otherwise find no test file and
 * select nothing, and a workflow that skips its tests when nothing is selected would go green without testing.
 */
export async function assertProjectDir(repoDir: string, projectDir: string, head: string): Promise<void> {
  if (projectDir === '') return;
  const git = openRepo(repoDir);
  let kind = '';
  try {
    kind = (await git.raw(['cat-file', '-t', `${head}:${projectDir}`])).trim();
  } catch {
    // Not in the commit (or the head is not a commit: the diff reports that with its own message).
    if (!(await resolveSha(git, head))) return;
  }
  if (kind === 'tree') return;
  throw new InputError(
    `Input 'project-dir' (or 'project-dir' in .github/ci-optimizer.yml) has value '${projectDir}', which is ` +
      `${kind === '' ? 'not a folder' : `a ${kind === 'blob' ? 'file' : kind}, not a folder,`} of the repository at ${head}. ` +
      "Set it to the folder pytest runs in (where pytest.ini, pyproject.toml or setup.cfg is), relative to the repository root; '.' for the root.",
  );
}

/** The language pack of the projects test-filter selects for (the only one so far), loaded when a run needs it. */
export async function loadLanguagePack(): Promise<typeof pythonPack> {
  return (await import('../languages/python/index.ts')).pythonPack;
}

/**
 * The modules a selection runs (language pack, impact map, test history; `load()` gives them). Their loading starts at
 * once, beside the first git round, when the folder may be a checkout (a folder the checkout check is certain to refuse
 * loads nothing; one git then refuses has loaded them for nothing, some 40 ms before the step fails). A failure to
 * load surfaces where the selection awaits them.
 */
function selectionEngine(repoDir: string, loaded: (pack: typeof pythonPack) => void) {
  const load = () =>
    Promise.all([loadLanguagePack(), import('../impact-map/index.ts'), import('../test-history/index.ts')]);
  if (!existsSync(repoDir) || !statSync(repoDir).isDirectory() || !mayBeInRepository(repoDir)) return { load };
  const early = load();
  early.then(([pack]) => loaded(pack)).catch(() => {});
  return { load: () => early };
}

/** No test file at all is a configuration mistake, never "0 selected of 0". */
function noTestFilesError(PACK: typeof pythonPack, projectDir: string, head: string): UserError {
  return new UserError(
    `test-filter found no test file in ${projectDir === '' ? 'the repository' : `'${projectDir}'`} at ${head.slice(0, 12)}: ` +
      `${PACK.framework.discoveryHint} matches nothing there. ` +
      "Check 'project-dir' (the folder pytest runs in) and pytest's testpaths/python_files.",
  );
}

/** `test-filter`: the test files a change can break, why each was selected, and path filters from the same diff. */
export const testFilterCommand: CommandWithConfig = {
  name: 'test-filter',
  configSchema: {
    ...testFilterConfigSchema,
    properties: {
      ...testFilterConfigSchema.properties,
      roots: { type: ['array', 'string'], items: { type: 'string' } },
      store: { type: 'string' },
      base: { type: 'string' },
      head: { type: 'string' },
      'max-map-age': { type: 'string' },
      'max-map-distance': { type: 'integer', minimum: 0 },
    },
  },
  async main(ctx: CommandContext): Promise<Outputs> {
    const repoDir = ctx.inputs.path('repo') || ctx.run.workspace;
    const options = readOptions(ctx);
    const head = ctx.inputs.optionalString('head') ?? 'HEAD';
    if (ctx.inputs.enum('mode', ['select', 'learn']) === 'learn') {
      await assertGitCheckout(repoDir);
      await assertProjectDir(repoDir, options.projectDir, head);
      return learnMap(ctx, repoDir, options.projectDir);
    }
    // resolveDiffRange checks that the folder is a checkout with its first round of git questions (a separate
    // `git rev-parse` first would cost every selection one more process start).
    const diff = ctx.metrics.phase('diff', async () => {
      const range = await resolveDiffRange({
        repoDir,
        eventName: ctx.run.eventName,
        payload: ctx.run.eventPayload,
        base: ctx.inputs.optionalString('base'),
        head: ctx.inputs.optionalString('head'),
        // With an explicit base the diff starts with the range's first questions (one git round fewer).
        listChanges: true,
      });
      return { range, changes: range.changes };
    });
    // The first git processes have started (resolveDiffRange starts them before its first wait): the selection's
    // modules load while git answers, not after (loading them is main-thread work, git's is not); then the stored
    // graph is read, so that its tree is known when git has answered (the parser's load starts then if it differs).
    let cache: ReadAheadStore | undefined;
    let cacheOpened = false;
    // Opened once; a store input it refuses is reported where the selection needs the store, as without reading ahead.
    const graphCache = () => {
      if (!cacheOpened) cache = graphCacheFor(ctx, repoDir);
      cacheOpened = true;
      return cache;
    };
    const engine = selectionEngine(repoDir, (pack) => {
      const store = graphCache();
      store?.readAhead(graphCacheKey(pack.language.id));
      store?.readAhead(dynamicCallsCacheKey(pack.language.id));
    });
    const { range, changes } = await diff;
    await assertProjectDir(repoDir, options.projectDir, head);
    ctx.log.info(`Changes: ${range.source}${changes ? ` (${changes.length} files)` : ''}`);
    if (range.fallbackReason) ctx.log.warning(`test-filter runs every test: ${range.fallbackReason}.`);

    const durations = await ctx.metrics.phase('history', () => historicDurations(ctx, repoDir));
    const [PACK, { renderImpactMapNote, selectTestsForChange }] = await engine.load();
    const request: SelectTestsRequest = {
      pack: PACK,
      repoDir,
      head: range.head,
      headTree: range.headTree,
      changes,
      baseProblem: range.fallbackReason,
      options,
      durations,
      cache: graphCache(),
      warn: (message) => ctx.log.warning(message),
      phase: (name, fn) => ctx.metrics.phase(name, fn),
    };
    // The impact map (learned from coverage) only ever removes tests the static closure adds for body changes.
    const changeSelection = await selectTestsForChange(request, {
      map: () => ({
        store: storeOf(ctx, repoDir),
        maxMapAgeMs: ctx.inputs.duration('max-map-age'),
        maxMapDistance: ctx.inputs.int('max-map-distance', { min: 0 }),
      }),
      noTests: () => noTestFilesError(PACK, options.projectDir, range.head),
    });
    // Always consulted here (no `onlyWhenUseful`), so the summary can say why the map was (not) used.
    const selection = changeSelection.selection!;
    ctx.log.info(`Impact map: ${selection.impactMap.reason}`);
    ctx.metrics.count('impact-map-removed', selection.impactMap.removed);
    ctx.metrics.count('changed-files', selection.changedFiles.length);
    ctx.metrics.count(COUNTERS.testsSelected, selection.tests.length);
    ctx.metrics.count(COUNTERS.testsTotal, selection.totalCount);
    ctx.metrics.count(COUNTERS.runAll, selection.runAll ? 1 : 0);
    // Without recorded durations the time saved is unknown, which is not 0: the counter is left out.
    if (durations.size > 0)
      ctx.metrics.count(COUNTERS.testTimeSavedMs, timeSavedMs(selection.tests, options.projectDir, durations));
    ctx.metrics.count('source-files', selection.stats.sourceFiles);
    ctx.metrics.count('parsed-files', selection.stats.parsedFiles);
    ctx.metrics.count('scanned-files', selection.stats.scannedFiles);
    ctx.metrics.count('cached-files', selection.stats.cachedFiles);
    ctx.summary.append(renderSelectionSummary(selection, range.source));
    ctx.summary.append(renderImpactMapNote(selection.impactMap));
    for (const reason of selection.reasons) ctx.log.info(`run-all: ${logValue(reason, 1000)}`);

    const outputs: Outputs = {};
    // Filter booleans are dynamic outputs (action.yml cannot declare them); `filters-json` carries the same values.
    for (const [name, value] of Object.entries(selection.filters)) outputs[name] = value;
    Object.assign(outputs, {
      'run-all': selection.runAll,
      reasons: selection.reasons,
      tests: selection.tests,
      'tests-json': selection.tests,
      'selected-count': selection.tests.length,
      'total-count': selection.totalCount,
      reduction: selection.reduction,
      'reduction-basis': selection.reductionBasis,
      'changed-files-json': selection.changedFiles,
      'filters-json': selection.filters,
      'reasons-by-test': selection.reasonsByTest,
      'impact-map-used': selection.impactMap.used,
      'impact-map-reason': selection.impactMap.reason,
      base: range.base ?? '',
      head: range.head,
    });
    return withTestsFiles(ctx.run.runnerTemp, 'test-filter', outputs, { 'tests-file': 'tests' });
  },
  formatOutput: {
    tests: (value) => (value as string[]).join(' '),
    'tests-json': (value) => JSON.stringify(value),
    'changed-files-json': (value) => JSON.stringify(value),
    'filters-json': (value) => JSON.stringify(value),
    'reasons-by-test': (value) => JSON.stringify(value),
  },
};
