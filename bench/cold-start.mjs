// Cold start of every action bundle: `node dist/<action>/index.js` with empty inputs under a runner-like
// environment, median of N runs, against `node -e 0` measured in the same run. Usage: node bench/cold-start.mjs [--quick]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = process.argv.includes('--quick') ? 3 : 10;

function bundles() {
  const found = [];
  const walk = (dir, name) => {
    for (const item of readdirSync(dir)) {
      const full = join(dir, item);
      if (!statSync(full).isDirectory()) continue;
      const label = name ? `${name}/${item}` : item;
      if (existsSync(join(full, 'index.js')) && label !== 'cli') found.push(label);
      walk(full, label);
    }
  };
  walk(join(root, 'dist'), '');
  return found.sort();
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(args, env) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, args, { env, stdio: 'ignore' });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

/** Bytes a start loads: the entry and the chunks it imports statically (not those behind a dynamic import()). */
function loadedBytes(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*"(\.\.?\/[^"]+\.js)"/g)) visit(join(dirname(file), match[1]));
  };
  visit(entry);
  return [...seen].reduce((sum, file) => sum + statSync(file).size, 0);
}

const scratch = mkdtempSync(join(tmpdir(), 'ci-opt-cold-'));
try {
  const env = { PATH: process.env.PATH, HOME: scratch, RUNNER_TEMP: scratch, GITHUB_WORKSPACE: scratch, RUNNER_OS: 'Linux' };
  for (const name of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV']) {
    env[name] = join(scratch, name);
    writeFileSync(env[name], '');
  }
  const reference = time(['-e', '0'], env);
  const rows = [['`node -e 0` (reference)', '—', reference.toFixed(1), '1.00']];
  for (const bundle of bundles()) {
    const file = join(root, 'dist', bundle, 'index.js');
    const ms = time([file], env);
    rows.push([`dist/${bundle}/index.js`, `${(loadedBytes(file) / 1e6).toFixed(2)} MB`, ms.toFixed(1), (ms / reference).toFixed(2)]);
  }
  const cli = join(root, 'dist', 'cli', 'index.js');
  if (existsSync(cli)) {
    const ms = time([cli, '--help'], env);
    rows.push(['dist/cli/index.js --help', `${(loadedBytes(cli) / 1e6).toFixed(2)} MB`, ms.toFixed(1), (ms / reference).toFixed(2)]);
  }
  console.log(`\n### Cold start (median of ${runs}, Node ${process.version})\n`);
  console.log('| bundle | loaded at start | ms | × reference |\n|---|---:|---:|---:|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
