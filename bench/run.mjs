// Runs every benchmark in bench/ (files named NAME.mjs or NAME.ts; their helper modules are NAME.PART.mjs) (each prints a Markdown table with its reference measured in the same run).
// Usage: npm run bench [-- --quick] [-- --only NAME]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? args.splice(onlyIndex, 2)[1] : undefined;
const scripts = readdirSync(here)
  .filter((file) => /^[a-z0-9-]+\.(mjs|ts)$/.test(file) && file !== 'run.mjs') // helpers carry a second dot: x.model.mjs
  .filter((file) => !only || file.startsWith(only))
  .sort();
let failed = 0;
for (const script of scripts) {
  console.log(`\n## ${script}`);
  const result = spawnSync(process.execPath, [join(here, script), ...args], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.log(`(${script} exited with ${result.status})`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
