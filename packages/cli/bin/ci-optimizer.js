#!/usr/bin/env node
// The `ci-optimizer` command of the installed package, and of a checkout of the action: loads the bundle, which is
// dist/cli/index.js in the packed package and at the root of a checkout (it checks the Node version).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bundle = [
  join(here, '..', 'dist', 'cli', 'index.js'),
  join(here, '..', '..', '..', 'dist', 'cli', 'index.js'),
].find((path) => existsSync(path));
if (bundle === undefined) {
  process.stderr.write(
    'ci-optimizer: the bundle is missing (dist/cli/index.js in the package and in a checkout: run npm run bundle there).\n',
  );
  process.exit(1);
}
await import(pathToFileURL(bundle).href);
