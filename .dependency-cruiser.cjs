// Dependency rules of docs/architecture.md ("Layers" and "Rules and how they are enforced"), checked by
// `npm run lint:deps` (dependency-cruiser; in `npm run lint`, .ci/run and the GitHub workflow). Any violation fails
// (there is no baseline of known violations).
// test/repo/dependency-rules.test.ts shows that the rules bite.
const CORE = '^packages/core/src/';
/** Folders every layer may use: no product logic, no imports of the layers above. */
const SHARED = [
  'errors',
  'escape',
  'inputs',
  'metadata',
  'metrics',
  'version',
  'config',
  'summary',
  'archive',
  'git',
  'github',
  'store',
  's3',
  'contract',
];
const shared = `${CORE}(${SHARED.join('|')})/`;
/**
 * The domains (the engines a command calls) and the other domains each may use. Libraries (language packs, the model,
 * the test history) use no other domain; an engine uses libraries and only the engines listed here. test-filter and
 * impact-map are the two stages of one selection engine (impact-map narrows test-filter's static selection, and
 * `selectTestsForChange` is the one sequence of the two); test-predictor asks that engine for its graph features.
 * Everything else that combines engines is a command's job (packages/core/src/commands/).
 */
const LIBRARIES = ['languages', 'model', 'test-history'];
const ENGINES = {
  'cache-key': [],
  's3-cache': [],
  'test-filter': [],
  'impact-map': ['test-filter'],
  'test-predictor': ['test-filter', 'impact-map'],
  perf: [],
  report: [],
};
const folders = (names) => `${CORE}(${names.join('|')})/`;
const engineRules = Object.entries(ENGINES).map(([engine, uses]) => ({
  name: 'engines-do-not-orchestrate-engines',
  comment:
    `${engine}/ uses ${uses.length === 0 ? 'no other engine' : `of the other engines only ${uses.join(', ')}`}: ` +
    'a command combines engines (ENGINES in .dependency-cruiser.cjs, docs/architecture.md "Layers").',
  severity: 'error',
  from: { path: `${CORE}${engine}/` },
  to: { path: folders(Object.keys(ENGINES).filter((other) => other !== engine && !uses.includes(other))) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment:
        'A module must not reach itself through its imports (type-only imports included: they tangle the design too).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-through-index',
      comment:
        'Code outside a folder of packages/core/src uses it through its index.ts only (its public surface); a language ' +
        'pack (languages/<pack>/) is used through its own index.ts.',
      severity: 'error',
      from: { path: `${CORE}([^/]+)/` },
      to: {
        path: `${CORE}[^/]+/`,
        pathNot: [`${CORE}$1/`, `${CORE}[^/]+/index\\.ts$`, `${CORE}languages/[^/]+/index\\.ts$`],
      },
    },
    {
      name: 'entries-through-core-index',
      comment:
        'Actions and the CLI use the core through @ci-optimizer/core/<folder> (its index.ts) and their command through ' +
        '@ci-optimizer/core/commands/<action> (one file per action, so a bundle loads only its own command).',
      severity: 'error',
      from: { path: '^(actions|packages/cli)/' },
      to: { path: `${CORE}[^/]+/`, pathNot: [`${CORE}[^/]+/index\\.ts$`, `${CORE}commands/[^/]+\\.ts$`] },
    },
    {
      name: 'runner-protocol-in-runtime-only',
      comment: 'Only runtime/ talks to the runner (@actions/core): everything below it works the same from the CLI.',
      severity: 'error',
      from: { path: CORE, pathNot: `${CORE}runtime/` },
      to: { path: '(^|/)node_modules/@actions/core/' },
    },
    {
      name: 'actions-toolkit-in-adapters-only',
      comment:
        'Nothing below runtime/ imports @actions/*, except the two adapters that wrap a toolkit library as a store or a ' +
        'client: store/github-cache-store.ts (@actions/cache) and github/client.ts (@actions/github).',
      severity: 'error',
      from: {
        path: CORE,
        pathNot: [`${CORE}runtime/`, `${CORE}store/github-cache-store\\.ts$`, `${CORE}github/client\\.ts$`],
      },
      to: { path: '(^|/)node_modules/@actions/' },
    },
    {
      name: 'shared-below-domains',
      comment: 'Shared folders (see SHARED) import no domain, no command and no runtime code, not even their types.',
      severity: 'error',
      from: { path: shared },
      to: { path: CORE, pathNot: shared },
    },
    {
      name: 'nothing-imports-the-runtime',
      comment:
        'Only the entries (actions, CLI) use runtime/; commands and domains see the command contract (contract/), ' +
        'which the runtime implements.',
      severity: 'error',
      from: { path: CORE, pathNot: `${CORE}runtime/` },
      to: { path: `${CORE}runtime/` },
    },
    {
      name: 'domains-below-commands',
      comment: 'Domains and shared folders do not import commands: a command calls the engines, never the reverse.',
      severity: 'error',
      from: { path: CORE, pathNot: `${CORE}commands/` },
      to: { path: `${CORE}commands/` },
    },
    {
      name: 'libraries-below-engines',
      comment: `The domain libraries (${LIBRARIES.join(', ')}) import no other domain (see ENGINES).`,
      severity: 'error',
      from: { path: folders(LIBRARIES) },
      to: { path: folders([...LIBRARIES, ...Object.keys(ENGINES)]), pathNot: `${CORE}$1/` },
    },
    ...engineRules,
    {
      name: 'engines-know-no-language',
      comment:
        'The engines (test-filter, impact-map, test-predictor) take a language pack; only commands choose one, so no engine imports a pack folder (docs/adding-a-language.md).',
      severity: 'error',
      from: { path: `${CORE}(test-filter|impact-map|test-predictor)/` },
      to: { path: `${CORE}languages/[^/]+/` },
    },
    {
      name: 'no-dev-dependencies-in-shipped-code',
      comment: 'What is bundled into dist/ must not need a devDependency.',
      severity: 'error',
      from: { path: '^(packages|actions)/[^/]+/src/|^actions/.+/src/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'no-unresolvable',
      comment: 'Every import resolves.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^virtual:' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.d.ts', '.json'],
    },
    skipAnalysisNotInRules: true,
  },
};
