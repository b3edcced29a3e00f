// Builds dist/<action>/index.js for every actions/**/src/main.ts, and dist/cli/index.js, as self-contained ESM
// bundles (code behind dynamic imports in dist/<action>/chunks/) with a licenses.txt of the third-party code each
// one carries. Usage:
//   node scripts/bundle.mjs [action ...] [--out DIR]
// The action list is derived from the folders, so adding an action needs no edit here.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every action folder that has an entry: { name: 's3-cache/restore', entry: 'actions/s3-cache/restore/src/main.ts' }. */
export function discoverActions() {
  const found = [];
  const walk = (folder) => {
    for (const item of readdirSync(join(root, folder), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!item.isDirectory() || item.name === 'src' || item.name === 'node_modules') continue;
      const sub = `${folder}/${item.name}`;
      if (existsSync(join(root, sub, 'src', 'main.ts'))) found.push({ name: sub.slice('actions/'.length), entry: `${sub}/src/main.ts` });
      walk(sub);
    }
  };
  walk('actions');
  return found;
}

// ESM bundle; some bundled CommonJS still calls require() or reads __dirname (DESIGN §8). __filename and
// __dirname get private names, substituted for free uses only (`define`), because some bundled ESM modules
// declare their own top-level `__filename`, which a banner `const __filename` would collide with.
const banner = [
  "import { createRequire as __ciOptCreateRequire } from 'node:module';",
  "import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';",
  "import { dirname as __ciOptPathDirname } from 'node:path';",
  'const require = __ciOptCreateRequire(import.meta.url);',
  'const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);',
  'const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);',
].join('\n');

/** Embeds every action.yml for the CLI (`import metadata from 'virtual:action-metadata'`). */
const actionMetadataPlugin = {
  name: 'action-metadata',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^virtual:action-metadata$/ }, () => ({ path: 'action-metadata', namespace: 'virtual' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'virtual' }, () => {
      const metadata = {};
      for (const action of discoverActions()) {
        metadata[action.name] = readFileSync(join(root, 'actions', action.name, 'action.yml'), 'utf8');
      }
      return { contents: `export default ${JSON.stringify(metadata, null, 1)};`, loader: 'js' };
    });
  },
};

/**
 * WebAssembly a bundle loads at run time, copied next to its index.js when the bundle contains the package that loads
 * it (the Python parser: packages/core/src/languages/python/tree-sitter-parser.ts looks there first).
 */
const WASM_ASSETS = [
  { when: 'node_modules/web-tree-sitter/', files: ['web-tree-sitter/tree-sitter.wasm', 'tree-sitter-python/tree-sitter-python.wasm'] },
];
const requireFromRoot = createRequire(join(root, 'package.json'));

/** The folder of a bundle's lazily loaded chunks. */
const CHUNKS = 'chunks';

async function bundleOne(name, entry, outDir, isCli) {
  const folder = join(outDir, name);
  // Only this bundle's own files: nested actions (s3-cache/restore) live in subfolders of their parent's folder.
  mkdirSync(folder, { recursive: true });
  for (const file of readdirSync(folder)) if (file.endsWith('.js') || file.endsWith('.wasm') || file === 'licenses.txt') rmSync(join(folder, file));
  rmSync(join(folder, CHUNKS), { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { index: entry },
    outdir: folder,
    // Code behind a dynamic import() (the S3 SDK, the cache toolkit with the Azure SDK) goes to chunks/ and is
    // loaded only when used, so an action that never touches those stores does not compile them at every start.
    splitting: true,
    chunkNames: `${CHUNKS}/[name]-[hash]`,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    banner: { js: isCli ? `#!/usr/bin/env node\n${banner}` : banner },
    loader: { '.yml': 'text' },
    define: { __filename: '__ciOptFilename', __dirname: '__ciOptDirname' },
    plugins: [actionMetadataPlugin],
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'utf8',
    metafile: true,
    logLevel: 'warning',
  });
  writeFileSync(join(folder, 'licenses.txt'), licenseText(result.metafile));
  // The CLI is package.json's `bin`: npm makes it executable on install, so it is built (and committed) as 755 and a
  // fresh `npm ci` leaves the clone clean.
  if (isCli) chmodSync(join(folder, 'index.js'), 0o755);
  const inputs = Object.keys(result.metafile.inputs).map((input) => input.split(sep).join('/'));
  for (const asset of WASM_ASSETS) {
    if (!inputs.some((input) => input.includes(asset.when))) continue;
    for (const file of asset.files) copyFileSync(requireFromRoot.resolve(file), join(folder, file.slice(file.lastIndexOf('/') + 1)));
  }
  return join(folder, 'index.js');
}

/** The licenses of the third-party packages a bundle contains, sorted by package name. */
function licenseText(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const parts = input.split(/[\\/]/);
    const index = parts.lastIndexOf('node_modules');
    if (index < 0) continue;
    const nameParts = parts[index + 1].startsWith('@') ? parts.slice(index + 1, index + 3) : parts.slice(index + 1, index + 2);
    const dir = join(root, ...parts.slice(0, index + 1 + nameParts.length));
    packages.set(nameParts.join('/'), dir);
  }
  const sections = [];
  for (const [name, dir] of [...packages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const licenseFile = readdirSync(dir).find((file) => /^(licen[sc]e|copying)(\.|$)/i.test(file));
    const text = licenseFile ? readFileSync(join(dir, licenseFile), 'utf8').trim() : '(no license file in the package)';
    sections.push(`${name}@${pkg.version}\n${typeof pkg.license === 'string' ? pkg.license : JSON.stringify(pkg.license ?? 'UNKNOWN')}\n\n${text}`);
  }
  return `Third-party software bundled in this file:\n\n${sections.join('\n\n-----\n\n')}\n`;
}

/** Builds the named actions (all when none), the CLI when building all, into outDir. */
export async function bundle(names = [], outDir = join(root, 'dist')) {
  const actions = discoverActions();
  const wanted = names.length === 0 ? actions : actions.filter((action) => names.includes(action.name));
  const unknown = names.filter((name) => name !== 'cli' && !actions.some((action) => action.name === name));
  if (unknown.length > 0) throw new Error(`Unknown action(s): ${unknown.join(', ')}. Known: ${actions.map((a) => a.name).join(', ')}, cli`);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'package.json'), '{\n  "type": "module"\n}\n');
  const built = [];
  for (const action of wanted) built.push(await bundleOne(action.name, action.entry, outDir, false));
  if (names.length === 0 || names.includes('cli')) built.push(await bundleOne('cli', 'packages/cli/src/main.ts', outDir, true));
  return built;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const outDir = outIndex >= 0 ? args.splice(outIndex, 2)[1] : join(root, 'dist');
  const built = await bundle(args, outDir);
  for (const file of built) console.log(`built ${relative(root, file).split(sep).join('/')}`);
}
