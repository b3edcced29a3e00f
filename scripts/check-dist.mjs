// Fails when the committed dist/ differs from a fresh build of the sources (CI runs it; so does the test suite).
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from './bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const fresh = mkdtempSync(join(tmpdir(), 'ci-opt-dist-'));

function files(folder) {
  if (!existsSync(folder)) return [];
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(folder, full).split(sep).join('/'));
    }
  };
  walk(folder);
  return out.sort();
}

try {
  await bundle(fresh);
  const committed = new Set(files(dist));
  const built = new Set(files(fresh));
  const problems = [];
  for (const file of built) {
    if (!committed.has(file)) problems.push(`missing from dist/: ${file}`);
    else if (!readFileSync(join(dist, file)).equals(readFileSync(join(fresh, file))))
      problems.push(`differs from a fresh build: dist/${file}`);
  }
  for (const file of committed) if (!built.has(file)) problems.push(`not produced by the build (stale): dist/${file}`);
  if (problems.length > 0) {
    console.error(
      `dist/ is not in step with the sources:\n  ${problems.join('\n  ')}\nRun 'npm run bundle' and commit dist/.`,
    );
    process.exitCode = 1;
  } else {
    console.log(`dist/ is in step with the sources (${built.size} files).`);
  }
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
