// Builds every action's dist/<action>/index.js (one per actions/**/src/main.ts) and dist/cli/index.js in ONE esbuild
// pass: ESM, code shared by several bundles (the runtime, yaml, ajv, the parsers, the SDKs) in dist/chunks/, each
// bundle's code behind a dynamic import() loaded only when used. dist/licenses.txt lists the third-party code in
// dist/; the WebAssembly the Python parser reads is copied to dist/. Usage:
//   node scripts/bundle.mjs [--out DIR] [--metafile FILE]
// (--metafile writes esbuild's metafile, for esbuild's bundle analyzer: what each bundle loads and why.)
// The action list is derived from the folders, so adding an action needs no edit here. The output is a function of
// the sources alone (same input, same bytes): scripts/check-dist.mjs rebuilds into a temp folder and compares.
import { build } from 'esbuild';
import { parse as parseYaml } from 'yaml';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every action folder that has an entry: { name: 's3-cache/restore', entry: 'actions/s3-cache/restore/src/main.ts' }. */
export function discoverActions() {
  const found = [];
  const walk = (folder) => {
    for (const item of readdirSync(join(root, folder), { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (!item.isDirectory() || item.name === 'src' || item.name === 'node_modules') continue;
      const sub = `${folder}/${item.name}`;
      if (existsSync(join(root, sub, 'src', 'main.ts')))
        found.push({ name: sub.slice('actions/'.length), entry: `${sub}/src/main.ts` });
      walk(sub);
    }
  };
  walk('actions');
  return found;
}

/** The CLI's bundle name (dist/cli/index.js, package.json's `bin`). */
const CLI = { name: 'cli', entry: 'packages/cli/src/main.ts' };

/** The folder of the shared and lazily loaded chunks, next to the bundles' folders. */
export const CHUNKS = 'chunks';

// ESM output; some bundled CommonJS still calls require() or reads __dirname (see docs/decisions.md, "Bundles").
// __filename and __dirname get private names, substituted for free uses only (`define`), because some bundled ESM
// modules declare their own top-level `__filename`, which a banner `const __filename` would collide with. The banner
// opens every output file, chunks included; the CLI's hashbang comes from its entry and goes before it.
const banner = [
  "import { createRequire as __ciOptCreateRequire } from 'node:module';",
  "import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';",
  "import { dirname as __ciOptPathDirname } from 'node:path';",
  'const require = __ciOptCreateRequire(import.meta.url);',
  'const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);',
  'const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);',
].join('\n');

/**
 * The banner as it stays in a file: only the lines whose names the file's code uses (most chunks use none). Each
 * line costs a start for every file that loads: three ES module links, a `createRequire` and a path conversion,
 * about a quarter of a millisecond per file, and a warm test-predictor run loads some twenty chunks that need none.
 * A name that only appears in a string keeps its line, which is harmless.
 */
function withBannerUsed(text, file) {
  if (!text.startsWith(`${banner}\n`)) throw new Error(`${file} does not start with the banner`);
  const body = text.slice(banner.length + 1);
  const uses = (name) => new RegExp(`(?<![\\w$.])${name}(?![\\w$])`).test(body);
  const dirname = uses('__ciOptDirname');
  const filename = dirname || uses('__ciOptFilename');
  const require = uses('require');
  // The banner's lines: the three imports, then require, __ciOptFilename and __ciOptDirname.
  const keep = [require, filename, dirname, require, filename, dirname];
  const kept = banner.split('\n').filter((_, index) => keep[index]);
  return kept.length ? `${kept.join('\n')}\n${body}` : body;
}

/**
 * An action.yml as the bundles embed it (ActionYml in packages/core/src/metadata): parsed here, so no bundle loads a
 * YAML parser to start. `file` is relative to the repository root. A YAML error fails the build, naming the file.
 */
function embeddedActionYml(file) {
  const source = relative(root, file).split(sep).join('/');
  let data;
  try {
    data = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${source} is not valid YAML: ${error.message}`);
  }
  // What a bundle embeds is JSON: a number JSON cannot carry (.inf, .nan) would silently become null.
  return JSON.stringify({ source, data }, (key, value) => {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new Error(`${source}: '${key}' is ${value}, which cannot be embedded as JSON`);
    return value;
  });
}

/**
 * `import actionYml from '../action.yml'`: the file parsed at build time (see embeddedActionYml), embedded as a JSON
 * string that the bundle parses (V8 reads JSON faster than an object literal of the same data: the CLI's 54 kB of
 * every action's metadata load in about 3 ms instead of 4.5).
 */
const actionYmlPlugin = {
  name: 'action-yml',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\.yml$/ }, (args) => ({
      contents: `export default JSON.parse(${JSON.stringify(embeddedActionYml(args.path))});`,
      loader: 'js',
    }));
  },
};

/** Embeds every action.yml, parsed, for the CLI (`import metadata from 'virtual:action-metadata'`). */
const actionMetadataPlugin = {
  name: 'action-metadata',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^virtual:action-metadata$/ }, () => ({
      path: 'action-metadata',
      namespace: 'virtual',
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'virtual' }, () => {
      const entries = discoverActions().map(
        (action) =>
          `${JSON.stringify(action.name)}: ${embeddedActionYml(join(root, 'actions', action.name, 'action.yml'))}`,
      );
      return { contents: `export default JSON.parse(${JSON.stringify(`{${entries.join(',')}}`)});`, loader: 'js' };
    });
  },
};

/**
 * Packages whose modules do nothing at import that other code relies on, so esbuild may leave out what no bundle uses:
 * @actions/core imports its OIDC client, and through it @actions/http-client and undici (half a megabyte), which only
 * getIDToken() needs. Without this every action would load undici at start.
 */
const SIDE_EFFECT_FREE = /[\\/]node_modules[\\/](@actions[\\/](core|http-client)|undici|tunnel)[\\/]/;
const SIDE_EFFECT_FREE_SPECIFIER = /^(@actions\/(core|http-client)|undici|tunnel)(\/|$)/;
const sideEffectFreePlugin = {
  name: 'side-effect-free',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /.*/ }, async (args) => {
      if (
        args.pluginData === 'side-effect-free' ||
        !(SIDE_EFFECT_FREE_SPECIFIER.test(args.path) || SIDE_EFFECT_FREE.test(args.importer))
      )
        return undefined;
      const resolved = await pluginBuild.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'side-effect-free',
      });
      if (resolved.errors.length > 0 || resolved.external || !SIDE_EFFECT_FREE.test(resolved.path))
        return resolved.errors.length > 0 ? { errors: resolved.errors } : resolved;
      return { ...resolved, sideEffects: false };
    });
  },
};

/**
 * Packages that most starts do not use, built apart as CommonJS files (dist/chunks/<name>.cjs, by a second esbuild pass)
 * and loaded with require() on first use: yaml and ajv are needed only when a config file, a record log or a YAML
 * lockfile is read, simple-git when a command asks git, fast-xml-parser when coverage XML is read, web-tree-sitter
 * when a Python file is parsed, minimatch when a glob is matched (0.7 MB together), yet their users call them synchronously, which a dynamic import()
 * cannot serve. Imports of them from our sources get a stand-in module instead: each function or class the package
 * exports is replaced by a proxy that requires the package's file on first use and forwards to it (calls, `new`,
 * static members and `instanceof`: the real class constructs, so instances have the real prototype). Only for
 * packages our code uses through their exported functions and classes (other exported values are not carried). The
 * stand-in lives in dist/chunks/ or in an entry's folder (dist/<name>/ or dist/<group>/<name>/), so it looks for
 * chunks/<name>.cjs from its own folder up to dist/.
 */
const LAZY_PACKAGES = ['yaml', 'ajv', 'simple-git', 'fast-xml-parser', 'web-tree-sitter', 'minimatch'];
const lazyPackagePlugin = {
  name: 'lazy-package',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: new RegExp(`^(${LAZY_PACKAGES.join('|')})$`) }, (args) => {
      if (/[\\/]node_modules[\\/]/.test(args.importer)) return undefined;
      // One stand-in per importing file, so that it lands in that file's chunk: a shared one would be a chunk of its
      // own, and each file a start loads costs it about half a millisecond.
      return { path: `${args.path}?${relative(root, args.importer).split(sep).join('/')}`, namespace: 'lazy-package' };
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-package' }, (args) => {
      const name = args.path.slice(0, args.path.indexOf('?'));
      const real = requireFromRoot(name);
      const names = Object.keys(real).filter(
        (name) => typeof real[name] === 'function' && /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default',
      );
      const file = `${name}.cjs`;
      // Built-ins taken with process.getBuiltinModule() and the folder from import.meta: the chunk the stand-in lands
      // in needs none of the banner's names for it (see withBannerUsed).
      const lines = [
        "const { existsSync } = process.getBuiltinModule('node:fs');",
        "const { dirname, join } = process.getBuiltinModule('node:path');",
        'let real;',
        'function load() {',
        `  if (real) return real;`,
        '  const here = import.meta.dirname;',
        `  for (const dir of [here, dirname(here), dirname(dirname(here))]) {`,
        `    const candidate = join(dir, ${JSON.stringify(CHUNKS)}, ${JSON.stringify(file)});`,
        "    if (existsSync(candidate)) return (real = process.getBuiltinModule('node:module').createRequire(import.meta.url)(candidate));",
        '  }',
        `  throw new Error(\`${CHUNKS}/${file} is missing above \${here}: the build is incomplete (npm run bundle)\`);`,
        '}',
        // A function or class of the package, loaded on first use: calls, `new`, static members (methods bound to the
        // class) and `instanceof` reach the real one.
        'const lazy = (name) => {',
        '  const proxy = new Proxy(function () {}, {',
        '    apply: (_target, self, args) => Reflect.apply(load()[name], self, args),',
        '    construct: (_target, args, newTarget) => Reflect.construct(load()[name], args, newTarget === proxy ? load()[name] : newTarget),',
        "    get: (_target, key) => { const own = load()[name]; const value = Reflect.get(own, key); return typeof value === 'function' && key !== 'prototype' && key !== 'constructor' ? value.bind(own) : value; },",
        '  });',
        '  return proxy;',
        '};',
        // Pure: a stand-in offers only what its file imports.
        ...names.map((name) => `export const ${name} = /* @__PURE__ */ lazy(${JSON.stringify(name)});`),
      ];
      return { contents: lines.join('\n'), loader: 'js', resolveDir: root };
    });
  },
};

/** Builds dist/chunks/<name>.cjs for each of LAZY_PACKAGES (see lazyPackagePlugin); returns the build's inputs. */
async function buildLazyPackages(outDir) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(
      LAZY_PACKAGES.map((name) => [name, relative(root, requireFromRoot.resolve(name)).split(sep).join('/')]),
    ),
    outdir: join(outDir, CHUNKS),
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'utf8',
    metafile: true,
    logLevel: 'warning',
  });
  return Object.keys(result.metafile.inputs);
}

/**
 * node:http, imported through require() rather than as an ES module. Node builds an ES module's view of a built-in
 * by reading every export, getters included, and node:http's WebSocket, CloseEvent and MessageEvent getters load
 * Node's internal fetch implementation (undici): about 50 ms of CPU wherever a bundle imports node:http (the AWS
 * SDK's and @actions/http-client's code do). The stand-in module exports node:http as default and each of its
 * exports by name except those getters (importing one by name fails the build).
 */
const HTTP_SLOW_GETTERS = ['WebSocket', 'CloseEvent', 'MessageEvent'];
const httpViaRequirePlugin = {
  name: 'http-via-require',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^(node:)?http$/ }, (args) =>
      args.kind === 'require-call' ? undefined : { path: 'node:http', namespace: 'http-via-require' },
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'http-via-require' }, () => {
      const names = Object.keys(requireFromRoot('node:http')).filter(
        (name) => !HTTP_SLOW_GETTERS.includes(name) && name !== 'default',
      );
      const lines = [
        "const http = require('node:http');",
        'export default http;',
        ...names.map((name) => `export const ${name} = http.${name};`),
      ];
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

/**
 * Node built-ins taken on first call rather than imported as ES modules:
 * - `node:crypto` costs 10-15 ms of a start (about 40 internal modules), and a warm test-filter or test-predictor run
 *   needs no digest or random id (@actions/core's file commands take one only when an action sets an output);
 * - `node:util` is loaded at every start anyway, but its ES module view reads every export, and its getters load
 *   `node:worker_threads`, the argument parser, colours and the diff algorithm (a dozen modules nothing here uses);
 * - `node:v8` (its heap and profiler bindings) is called only when the Python parser loads.
 * The imports of our sources and of LAZY_BUILTIN_PACKAGES get a stand-in module whose exports are functions that take
 * the built-in with `process.getBuiltinModule()` on first call and forward to it. Only the built-in's plain functions
 * are offered (an import of a class or value fails the build: No matching export); other packages' imports are left
 * alone.
 */
const LAZY_BUILTINS = ['crypto', 'util', 'v8'];
const LAZY_BUILTIN_PACKAGES = /[\\/]node_modules[\\/]@actions[\\/]core[\\/]/;
const lazyBuiltinPlugin = {
  name: 'lazy-builtin',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`) }, (args) => {
      if (args.kind !== 'import-statement') return undefined;
      if (/[\\/]node_modules[\\/]/.test(args.importer) && !LAZY_BUILTIN_PACKAGES.test(args.importer)) return undefined;
      // One stand-in per importing file, so that it lands in that file's chunk (a shared one would be a chunk of its own).
      const builtin = `node:${args.path.replace(/^node:/, '')}`;
      return { path: `${builtin}?${relative(root, args.importer).split(sep).join('/')}`, namespace: 'lazy-builtin' };
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => {
      const builtin = args.path.slice(0, args.path.indexOf('?'));
      const real = requireFromRoot(builtin);
      const names = Object.entries(Object.getOwnPropertyDescriptors(real))
        .filter(([name, d]) => typeof d.value === 'function' && /^[a-z][\w$]*$/.test(name))
        .map(([name]) => name);
      const lines = [
        'let real;',
        `const load = () => real ?? (real = process.getBuiltinModule(${JSON.stringify(builtin)}));`,
        ...names.map((name) => `export function ${name}(...args) { return load().${name}(...args); }`),
      ];
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

/**
 * WebAssembly the bundles load at run time, copied to the top of the output folder when a bundle contains the package
 * that loads it (the Python parser: packages/core/src/languages/python/tree-sitter-parser.ts looks next to the
 * running file and in its parent, which is the output folder for code in chunks/ and in dist/<action>/).
 */
const WASM_ASSETS = [
  {
    when: 'node_modules/web-tree-sitter/',
    files: ['web-tree-sitter/tree-sitter.wasm', 'tree-sitter-python/tree-sitter-python.wasm'],
  },
];
const requireFromRoot = createRequire(join(root, 'package.json'));

/** Removes what a build writes (bundles, chunks, wasm, licenses), also from older layouts, and folders left empty. */
function clean(folder) {
  if (!existsSync(folder)) return;
  for (const item of readdirSync(folder, { withFileTypes: true })) {
    const full = join(folder, item.name);
    if (item.isDirectory()) {
      clean(full);
      if (readdirSync(full).length === 0) rmdirSync(full);
    } else if (/\.(c?js|wasm)$/.test(item.name) || item.name === 'licenses.txt') {
      rmSync(full);
    }
  }
}

/** Builds every action and the CLI into outDir (dist/ by default); returns the entry files written. */
export async function bundle(outDir = join(root, 'dist'), { metafile } = /** @type {{ metafile?: string }} */ ({})) {
  const entries = [...discoverActions(), CLI];
  clean(outDir);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'package.json'), '{\n  "type": "module"\n}\n');
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(entries.map((entry) => [`${entry.name}/index`, entry.entry])),
    outdir: outDir,
    splitting: true,
    chunkNames: `${CHUNKS}/[name]-[hash]`,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    banner: { js: banner },
    define: { __filename: '__ciOptFilename', __dirname: '__ciOptDirname' },
    plugins: [
      actionYmlPlugin,
      actionMetadataPlugin,
      lazyPackagePlugin,
      lazyBuiltinPlugin,
      httpViaRequirePlugin,
      sideEffectFreePlugin,
    ],
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'utf8',
    metafile: true,
    logLevel: 'warning',
  });
  if (metafile) writeFileSync(metafile, JSON.stringify(result.metafile));
  for (const output of Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.js'))) {
    const file = join(root, output);
    writeFileSync(file, withBannerUsed(readFileSync(file, 'utf8'), output));
  }
  const lazyInputs = await buildLazyPackages(outDir);
  const inputs = [...Object.keys(result.metafile.inputs), ...lazyInputs].map((input) => input.split(sep).join('/'));
  writeFileSync(join(outDir, 'licenses.txt'), licenseText(inputs));
  // The CLI is package.json's `bin`: it starts with a hashbang, and npm makes it executable on install, so it is built
  // (and committed) as 755 and a fresh `npm ci` leaves the clone clean.
  const cli = join(outDir, CLI.name, 'index.js');
  writeFileSync(cli, `#!/usr/bin/env node\n${readFileSync(cli, 'utf8')}`);
  chmodSync(cli, 0o755);
  for (const asset of WASM_ASSETS) {
    if (!inputs.some((input) => input.includes(asset.when))) continue;
    for (const file of asset.files) {
      const target = join(outDir, file.slice(file.lastIndexOf('/') + 1));
      copyFileSync(requireFromRoot.resolve(file), target);
      chmodSync(target, 0o644);
    }
  }
  return entries.map((entry) => join(outDir, entry.name, 'index.js'));
}

/** The licenses of the third-party packages among the build's inputs, sorted by package name. */
function licenseText(inputs) {
  const packages = new Map();
  for (const input of inputs) {
    const parts = input.split('/');
    const index = parts.lastIndexOf('node_modules');
    if (index < 0) continue;
    const nameParts = parts[index + 1].startsWith('@')
      ? parts.slice(index + 1, index + 3)
      : parts.slice(index + 1, index + 2);
    const dir = join(root, ...parts.slice(0, index + 1 + nameParts.length));
    packages.set(nameParts.join('/'), dir);
  }
  const sections = [];
  for (const [name, dir] of [...packages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const licenseFile = readdirSync(dir).find((file) => /^(licen[sc]e|copying)(\.|$)/i.test(file));
    const text = licenseFile ? readFileSync(join(dir, licenseFile), 'utf8').trim() : '(no license file in the package)';
    sections.push(
      `${name}@${pkg.version}\n${typeof pkg.license === 'string' ? pkg.license : JSON.stringify(pkg.license ?? 'UNKNOWN')}\n\n${text}`,
    );
  }
  return `Third-party software bundled in the files of this folder:\n\n${sections.join('\n\n-----\n\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const outDir = outIndex >= 0 ? args.splice(outIndex, 2)[1] : join(root, 'dist');
  const metaIndex = args.indexOf('--metafile');
  const metafile = metaIndex >= 0 ? args.splice(metaIndex, 2)[1] : undefined;
  // Older usage named actions; one pass builds them all (shared chunks depend on every entry).
  if (args.length > 0) console.log(`note: one pass builds every bundle (ignoring ${args.join(' ')})`);
  const built = await bundle(outDir, { metafile });
  for (const file of built) console.log(`built ${relative(root, file).split(sep).join('/')}`);
}
