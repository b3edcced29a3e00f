// Loads the core's impact-map and test-filter modules for the benchmarks (bundled by core.bundle.mjs). The bundle
// sits under node_modules/.cache, so what it resolves at run time (tree-sitter's .wasm files) is found from there.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importCoreBundle } from './core.bundle.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles and imports `{ impactMap, testFilter, store }` (the public faces of those core domains). */
export async function loadCore() {
  const outdir = join(ROOT, 'node_modules', '.cache', 'ci-optimizer-bench');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, `impact-map-${process.pid}.mjs`);
  try {
    return await importCoreBundle(
      [
        "export * as impactMap from './packages/core/src/impact-map/index.ts';",
        "export * as testFilter from './packages/core/src/test-filter/select-tests.ts';",
        "export * as testFilterOptions from './packages/core/src/test-filter/options.ts';",
        "export * as gitObjects from './packages/core/src/git/git-objects.ts';",
        "export * as python from './packages/core/src/languages/python/index.ts';",
        "export * as store from './packages/core/src/store/index.ts';",
      ],
      outfile,
    );
  } finally {
    rmSync(outfile, { force: true });
  }
}
