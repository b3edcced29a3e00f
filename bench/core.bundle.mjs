// Bundles modules of the core (TypeScript) for a benchmark with esbuild and imports the bundle: Node's type stripping
// does not accept every TypeScript construct the core uses. One place for the build settings every benchmark shares.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles `exportLines` (export statements with paths relative to the repository root) into `outfile` and imports
 * it. `options` are passed on to esbuild (e.g. `packages: 'external'`, `alias`).
 */
export async function importCoreBundle(exportLines, outfile, options = {}) {
  await build({
    absWorkingDir: ROOT,
    stdin: { contents: exportLines.join('\n'), resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    ...options,
  });
  return import(pathToFileURL(outfile).href);
}
