#!/usr/bin/env node
// Mutation safety of test-filter on examples/python-service: apply single mutations to source modules, run the full
// pytest suite for real, and check that every failing test file was selected for that diff.
// Usage (Node 24, e.g. through npm scripts): node bench/mutation-safety.mjs [--mutants N] [--seed S] [--quick]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { seededRandom as random } from '../packages/core/src/model/seeded-random.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const EXAMPLE_DIR = join(ROOT, 'examples', 'python-service');
const PYTHON = '/usr/bin/python3';

/** True once the example project exists (the harness needs its pytest.ini). */
export function exampleExists() {
  return existsSync(join(EXAMPLE_DIR, 'pytest.ini'));
}

const COMPARISONS = [
  [' == ', ' != '],
  [' != ', ' == '],
  [' <= ', ' > '],
  [' >= ', ' < '],
  [' < ', ' >= '],
  [' > ', ' <= '],
];

/** Every single-line mutation of a source line: (kind, mutated line). */
export function lineMutations(line) {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#') || /^("""|'''|"|'|@)/.test(trimmed)) return [];
  if (/^(import|from)\s/.test(trimmed)) return [];
  const out = [];
  for (const [from, to] of COMPARISONS) if (line.includes(from)) out.push(['flip comparison', line.replace(from, to)]);
  const number = /(?<![\w.])(\d+)(?![\w.])/.exec(line);
  if (number && !/^(def|class)\s/.test(trimmed)) {
    out.push([
      'change constant',
      line.slice(0, number.index) + String(Number(number[1]) + 1) + line.slice(number.index + number[1].length),
    ]);
  }
  if (line.includes(' + ')) out.push(['swap +/-', line.replace(' + ', ' - ')]);
  else if (line.includes(' - ')) out.push(['swap +/-', line.replace(' - ', ' + ')]);
  const ret = /^(\s*)return\s+(?!None\b)(.+)$/.exec(line);
  if (ret && !ret[2].endsWith('(') && !/[([{,\\]$/.test(ret[2]))
    out.push(['replace return value', `${ret[1]}return None`]);
  const simple =
    /^(\s*)(?!(def|class|if|elif|else|for|while|try|except|finally|with|return|raise|pass|yield|async|global|nonlocal|break|continue)\b)[A-Za-z_][\w.]*(\[[^\]]*\])?\s*(=|\+=|-=|\()/.exec(
      line,
    );
  if (simple && !/[([{,\\:]$/.test(trimmed)) out.push(['delete statement', `${simple[1]}pass`]);
  return out;
}

function pythonFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== '__pycache__') out.push(...pythonFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.py')) out.push(path);
  }
  return out;
}

/** Picks `count` mutants, seeded, spread over the example's source modules (not its tests). */
export function chooseMutants(projectDir, count, seed) {
  const all = [];
  for (const file of pythonFiles(join(projectDir, 'src')).sort()) {
    const lines = readFileSync(file, 'utf8').split('\n');
    let inDocstring = false;
    lines.forEach((line, index) => {
      const quotes = (line.match(/"""|'''/g) ?? []).length;
      if (inDocstring || quotes > 0) {
        if (quotes % 2 === 1) inDocstring = !inDocstring;
        return;
      }
      for (const [kind, mutated] of lineMutations(line))
        all.push({ file: relative(projectDir, file), line: index + 1, kind, mutated });
    });
  }
  const next = random(seed);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, count);
}

function git(cwd, ...args) {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Runs the full suite; returns test file -> {failed, seconds} from the JUnit XML. */
export function runPytest(projectDir) {
  const xml = join(projectDir, '.junit.xml');
  rmSync(xml, { force: true });
  spawnSync(
    PYTHON,
    ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--no-header', `--junitxml=${xml}`, '-o', 'junit_family=xunit1'],
    {
      cwd: projectDir,
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      timeout: 300_000,
    },
  );
  const files = new Map();
  if (!existsSync(xml)) return files;
  const text = readFileSync(xml, 'utf8');
  for (const match of text.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const attrs = Object.fromEntries([...match[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const body = match[3] ?? '';
    const file = attrs.file || moduleFile(projectDir, attrs.classname || attrs.name || '');
    if (!file) continue;
    const entry = files.get(file) ?? { failed: false, seconds: 0 };
    entry.seconds += Number(attrs.time ?? 0);
    if (/<(failure|error)\b/.test(body)) entry.failed = true;
    files.set(file, entry);
  }
  return files;
}

function moduleFile(projectDir, dotted) {
  const parts = dotted.split('.');
  for (let n = parts.length; n > 0; n--) {
    const candidate = `${parts.slice(0, n).join('/')}.py`;
    if (existsSync(join(projectDir, candidate))) return candidate;
  }
  return undefined;
}

/** Runs the experiment; returns the figures and one row per mutant. */
/**
 * Makes `work` a git repository with one "clean" commit and runs its suite once: the base sha, each test file's
 * duration, and the files that already fail there (never blamed on a mutant).
 */
export function commitCleanBaseline(work) {
  git(work, 'init', '-q', '-b', 'main');
  git(work, 'config', 'user.email', 'mutation@example.invalid');
  git(work, 'config', 'user.name', 'mutation');
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', 'clean');
  const base = git(work, 'rev-parse', 'HEAD');
  const clean = runPytest(work);
  return {
    base,
    durations: new Map([...clean].map(([file, r]) => [file, r.seconds])),
    brokenAtBase: new Set([...clean].filter(([, r]) => r.failed).map(([file]) => file)),
  };
}

export async function runMutationSafety({ mutants = 40, seed = 20261101, log = () => {} } = {}) {
  const { selectAffectedTests } = await import(
    pathToFileURL(join(ROOT, 'packages/core/src/test-filter/select-tests.ts')).href
  );
  const { diffChangedFiles } = await import(pathToFileURL(join(ROOT, 'packages/core/src/git/git-objects.ts')).href);
  const { resolveTestFilterOptions } = await import(
    pathToFileURL(join(ROOT, 'packages/core/src/test-filter/options.ts')).href
  );
  const { pythonPack } = await import(pathToFileURL(join(ROOT, 'packages/core/src/languages/python/index.ts')).href);
  const work = mkdtempSync(join(tmpdir(), 'ci-opt-mutation-'));
  try {
    cpSync(EXAMPLE_DIR, work, {
      recursive: true,
      filter: (src) => !/(__pycache__|\.pytest_cache|\.junit\.xml)/.test(src),
    });
    const { base, durations, brokenAtBase } = commitCleanBaseline(work);
    const totalSeconds = [...durations.values()].reduce((a, b) => a + b, 0);
    const options = resolveTestFilterOptions({});
    const rows = [];
    for (const mutant of chooseMutants(work, mutants, seed)) {
      const path = join(work, mutant.file);
      const original = readFileSync(path, 'utf8');
      const lines = original.split('\n');
      lines[mutant.line - 1] = mutant.mutated;
      writeFileSync(path, lines.join('\n'));
      git(work, 'commit', '-q', '-am', `mutant ${mutant.file}:${mutant.line}`);
      const head = git(work, 'rev-parse', 'HEAD');
      const selection = await selectAffectedTests({
        pack: pythonPack,
        repoDir: work,
        head,
        changes: await diffChangedFiles(work, base, head),
        options,
        durations,
      });
      const results = runPytest(work);
      const failing = [...results].filter(([file, r]) => r.failed && !brokenAtBase.has(file)).map(([file]) => file);
      const selected = new Set(selection.tests);
      const missed = selection.runAll ? [] : failing.filter((file) => !selected.has(file));
      const selectedSeconds = selection.runAll
        ? totalSeconds
        : selection.tests.reduce((sum, t) => sum + (durations.get(t) ?? 0), 0);
      const failingSeconds = failing.reduce((sum, t) => sum + (durations.get(t) ?? 0), 0);
      rows.push({
        ...mutant,
        runAll: selection.runAll,
        selected: selection.tests.length,
        total: selection.totalCount,
        failing,
        missed,
        reduction: totalSeconds ? 1 - selectedSeconds / totalSeconds : 0,
        oracle: totalSeconds ? 1 - failingSeconds / totalSeconds : 0,
      });
      log(
        `${mutant.file}:${mutant.line} ${mutant.kind}: ${failing.length} failing files, ${selection.runAll ? 'run-all' : `${selection.tests.length} selected`}, missed ${missed.length}`,
      );
      git(work, 'reset', '-q', '--hard', base);
    }
    const killed = rows.filter((row) => row.failing.length > 0);
    const mean = (values) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
    return {
      mutants: rows.length,
      killed: killed.length,
      missed: rows.filter((row) => row.missed.length > 0).length,
      missedFiles: rows.flatMap((row) => row.missed.map((file) => `${row.file}:${row.line} ${row.kind} -> ${file}`)),
      meanReductionByTime: mean(rows.map((row) => row.reduction)),
      meanReductionKilled: mean(killed.map((row) => row.reduction)),
      meanOracleReduction: mean(killed.map((row) => row.oracle)),
      totalSeconds,
      rows,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const flag = (name, fallback) => {
    const i = args.indexOf(name);
    return i === -1 ? fallback : Number(args[i + 1]);
  };
  if (!exampleExists()) {
    console.error('examples/python-service/pytest.ini is missing: nothing to mutate.');
    process.exit(1);
  }
  const result = await runMutationSafety({
    mutants: flag('--mutants', args.includes('--quick') ? 10 : 60),
    seed: flag('--seed', 20261101),
    log: (line) => console.error(line),
  });
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  console.log(
    '| mutants | killed | missed | mean reduction by time (all) | mean reduction (killed) | oracle (failing files only) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|');
  console.log(
    `| ${result.mutants} | ${result.killed} | ${result.missed} | ${pct(result.meanReductionByTime)} | ${pct(result.meanReductionKilled)} | ${pct(result.meanOracleReduction)} |`,
  );
  for (const line of result.missedFiles) console.log(`MISSED: ${line}`);
  process.exit(result.missed === 0 ? 0 : 1);
}
