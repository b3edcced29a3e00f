// Loads the core's impact-map and test-filter modules for the benchmarks: bundled with esbuild into a temp file,
// because Node's type stripping does not accept every TypeScript construct the core uses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles and imports `{ impactMap, testFilter, store }` (the public faces of those core domains). */
export async function loadCore() {
  const dir = mkdtempSync(join(tmpdir(), 'ci-opt-impact-bench-'));
  try {
    const entry = [
      `export * as impactMap from ${JSON.stringify(join(ROOT, 'packages/core/src/impact-map/index.ts'))};`,
      `export * as testFilter from ${JSON.stringify(join(ROOT, 'packages/core/src/test-filter/select-tests.ts'))};`,
      `export * as testFilterOptions from ${JSON.stringify(join(ROOT, 'packages/core/src/test-filter/options.ts'))};`,
      `export * as gitObjects from ${JSON.stringify(join(ROOT, 'packages/core/src/git/git-objects.ts'))};`,
      `export * as python from ${JSON.stringify(join(ROOT, 'packages/core/src/languages/python/index.ts'))};`,
      `export * as store from ${JSON.stringify(join(ROOT, 'packages/core/src/store/index.ts'))};`,
    ].join('\n');
    const outfile = join(dir, 'core.mjs');
    await build({
      stdin: { contents: entry, resolveDir: ROOT, loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      outfile,
      logLevel: 'error',
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
