// Copies the CLI bundle (dist/cli: index.js, chunks/, licenses.txt) into packages/cli/dist for `npm pack` of the
// installable package (@ci-optimizer/cli: no dependencies, everything is in the bundle); `--clean` removes the copy.
// Run by the package's prepack/postpack scripts. Usage: node scripts/pack-cli.mjs [--clean]
import { chmodSync, cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'dist', 'cli');
const target = join(root, 'packages', 'cli', 'dist');

rmSync(target, { recursive: true, force: true });
if (!process.argv.includes('--clean')) {
  if (!existsSync(join(source, 'index.js'))) {
    console.error('pack-cli: dist/cli/index.js is missing; run npm run bundle first.');
    process.exit(1);
  }
  cpSync(source, target, { recursive: true });
  chmodSync(join(target, 'index.js'), 0o755);
}
