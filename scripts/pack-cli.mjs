// Copies the CLI bundle into packages/cli/dist for `npm pack` of the installable package (@ci-optimizer/cli: no
// dependencies, everything is in the bundle), in dist/'s layout: cli/index.js, the shared chunks/ it imports, the
// WebAssembly, licenses.txt and package.json. `--clean` removes the copy.
// Run by the package's prepack/postpack scripts. Usage: node scripts/pack-cli.mjs [--clean]
import { chmodSync, cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'dist');
const target = join(root, 'packages', 'cli', 'dist');
const PARTS = ['cli', 'chunks', 'licenses.txt', 'package.json', 'tree-sitter.wasm', 'tree-sitter-python.wasm'];

rmSync(target, { recursive: true, force: true });
if (!process.argv.includes('--clean')) {
  if (!existsSync(join(source, 'cli', 'index.js'))) {
    console.error('pack-cli: dist/cli/index.js is missing; run npm run bundle first.');
    process.exit(1);
  }
  for (const part of PARTS) cpSync(join(source, part), join(target, part), { recursive: true });
  chmodSync(join(target, 'cli', 'index.js'), 0o755);
}
