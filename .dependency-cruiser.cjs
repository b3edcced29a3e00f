// Dependency rules of docs/architecture.md, checked by `npm run lint:deps` (dependency-cruiser; in `npm run lint`,
// .ci/run and the GitHub workflow). Violations that existed when a rule was introduced are listed in
// .dependency-cruiser-known-violations.json: they are reported but do not fail; any other violation fails.
// After removing one, regenerate the list with `npm run lint:deps:baseline` (it must only shrink).
const CORE = '^packages/core/src/';
/** Folders every layer may use: no product logic, no imports of the layers above. */
const SHARED = ['errors', 'escape', 'inputs', 'metadata', 'metrics', 'version', 'config', 'summary', 'archive', 'git', 'github', 'store', 's3'];
const shared = `${CORE}(${SHARED.join('|')})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A module must not reach itself through its imports (type-only imports included: they tangle the design too).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-through-index',
      comment: 'Code outside a folder of packages/core/src uses it through its index.ts only (its public surface).',
      severity: 'error',
      from: { path: `${CORE}([^/]+)/` },
      to: { path: `${CORE}[^/]+/`, pathNot: [`${CORE}$1/`, `${CORE}[^/]+/index\\.ts$`] },
    },
    {
      name: 'entries-through-core-index',
      comment: 'Actions and the CLI use the core through @ci-optimizer/core/<folder> (its index.ts) only.',
      severity: 'error',
      from: { path: '^(actions|packages/cli)/' },
      to: { path: `${CORE}[^/]+/`, pathNot: `${CORE}[^/]+/index\\.ts$` },
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
      from: { path: CORE, pathNot: [`${CORE}runtime/`, `${CORE}store/github-cache-store\\.ts$`, `${CORE}github/client\\.ts$`] },
      to: { path: '(^|/)node_modules/@actions/' },
    },
    {
      name: 'shared-below-domains',
      comment: 'Shared folders (see SHARED) import no domain and no runtime code (type-only imports of runtime types are fine).',
      severity: 'error',
      from: { path: shared },
      to: { path: CORE, pathNot: [shared, `${CORE}runtime/types\\.ts$`], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'domains-below-runtime',
      comment: 'Domains do not import runtime/ code; commands implement its types (type-only imports).',
      severity: 'error',
      from: { path: CORE, pathNot: `${CORE}runtime/` },
      to: { path: `${CORE}runtime/`, dependencyTypesNot: ['type-only'] },
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
