// test-filter on public Python projects nobody here wrote, against mutation ground truth (bench/real-world/).
// Per project of bench/real-world/projects.json, as a user would through the CLI (dist/cli/index.js):
//   1. learn the impact map once on the pinned (clean) commit from the real per-test coverage pytest-cov wrote
//      (the JSON of `coverage json --show-contexts`, and the `.coverage` database); a failed learn is a result,
//      the project then runs static-only;
//   2. per mutant: `test-filter --mode select` from the clean commit to the mutant's commit, static (a store without
//      a map) and with the map, compared with the test files that really failed (bench/real-world/<p>/mutants.jsonl).
// Prints per project: mutants, killed, faulty changes missed (a killed mutant where no failing file was selected),
// test-file safety (selected failing files / failing files), mean reduction by count and by time (clean durations
// from durations.json) for static, with the map and the oracle (only the failing files), run-all rate and its
// reasons by kind, learn and select times.
//
// Needs CI_OPTIMIZER_CORPUS: the folder with the clones and runs (bench/real-world/README.md says how to make it).
// Usage: node bench/real-world.mjs [--quick] [--mutants N] [--only-project NAME[,NAME]] [--out FILE.json]
//   [--jobs N]
//   [--from FILE.json,...] (print the tables of earlier --out files, measure nothing)
//   --quick: the first 8 mutants of each project (--mutants N: the first N). --jobs: CLI calls at once (default 1).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const here = join(root, 'bench', 'real-world');
const cli = join(root, 'dist', 'cli', 'index.js');
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const onlyProjects = flag('--only-project')?.split(',');
const outFile = flag('--out');
const jobs = Math.max(1, Number(flag('--jobs') ?? 1));
const mutantLimit = flag('--mutants') !== undefined ? Number(flag('--mutants')) : quick ? 8 : Infinity;
const corpus = process.env.CI_OPTIMIZER_CORPUS;

if (!corpus && !args.includes('--from')) {
  console.log(
    [
      'real-world: CI_OPTIMIZER_CORPUS is not set, so there is nothing to measure.',
      'The corpus (clones of public Python projects and their mutant runs) lives outside the repository.',
      'Create it as bench/real-world/README.md says: clone each project of bench/real-world/projects.json into',
      '$CI_OPTIMIZER_CORPUS/<name>/repo at its pinned commit, then run',
      '  CI_OPTIMIZER_CORPUS=DIR python3 bench/real-world/build_corpus.py --branches-only   (mutant branches only)',
      '  CI_OPTIMIZER_CORPUS=DIR python3 bench/real-world/build_corpus.py --coverage-only   (the coverage to learn from)',
      'or with neither flag to rebuild the whole ground truth (runs every suite), then',
      '  CI_OPTIMIZER_CORPUS=DIR npm run bench -- --only real-world',
    ].join('\n'),
  );
  process.exit(0);
}
if (!existsSync(cli) && !args.includes('--from')) {
  console.log('real-world: dist/cli/index.js is missing: run `npm run bundle` first.');
  process.exit(1);
}

const { projects } = JSON.parse(readFileSync(join(here, 'projects.json'), 'utf8'));

/** A Markdown table cell from untrusted text (reasons name the projects' files): no pipes, newlines or HTML. */
function cell(text) {
  return String(text)
    .replace(/[\r\n]+/g, ' ')
    .replace(/[|`<>\\]/g, (c) => `\\${c}`)
    .slice(0, 160);
}

function git(repo, ...gitArgs) {
  const r = spawnSync('git', ['-C', repo, ...gitArgs], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** One CLI call: the parsed --json outputs, its exit code, wall time and the time the CLI reports (duration-ms). */
function testFilter(repo, cliArgs) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'test-filter', '--repo', repo, '--json', ...cliArgs], {
      env: { ...process.env, GITHUB_ACTIONS: '', GITHUB_EVENT_PATH: '' },
    });
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (d) => stdout.push(d));
    child.stderr.on('data', (d) => stderr.push(d));
    child.on('close', (status) => {
      let out;
      try {
        out = JSON.parse(Buffer.concat(stdout).toString('utf8'));
      } catch {
        out = undefined;
      }
      const reported = Number(out?.['duration-ms']);
      resolve({
        status,
        out,
        ms: performance.now() - started,
        reportedMs: Number.isFinite(reported) ? reported : NaN,
        stderr: Buffer.concat(stderr).toString('utf8').trim(),
      });
    });
  });
}

/** Runs the tasks (functions returning promises) with at most `limit` at once. */
async function pool(tasks, limit) {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

/** A reason's kind: its text with names, paths and numbers taken out, so equal causes group together. */
function reasonKind(reason) {
  return reason
    .replace(/(["'`])(?:(?!\1).)*\1/g, '…')
    .replace(/[\w./-]+\.py(:\d+)?/g, 'FILE')
    .replace(/\b\d+\b/g, 'N')
    .replace(/\b[\w]+(\.[\w]+)+\b/g, 'NAME')
    .replace(/\b(\w+)\([^()]*\)/g, '$1(…)')
    .slice(0, 90);
}

/** Run-all mutants by reason kind, from the per-mutant rows (so saved results regroup with today's reasonKind). */
function kindsOf(result, variant) {
  const kinds = new Map();
  for (const row of result.rows) {
    if (!(row.outcome === 'killed' || row.outcome === 'survived') || !row[variant].runAll) continue;
    if (!row[variant].reasons) return result[variant].reasonKinds;
    for (const kind of new Set(row[variant].reasons.map(reasonKind))) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds].sort((a, b) => b[1] - a[1]);
}

/** The share of evaluated mutants where the map selected fewer test files than the static closure. */
const narrowedRate = (r) => {
  const rows = r.rows.filter((row) => row.outcome === 'killed' || row.outcome === 'survived');
  return rows.filter((row) => row.map.selected < row.static.selected).length / (rows.length || 1);
};
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const f3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : '–');

function firstLine(text) {
  const line = (text || '').split('\n').find((l) => l.trim()) || '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

async function learn(repo, commit, coverage, store) {
  const r = await testFilter(repo, ['--mode', 'learn', '--head', commit, '--coverage', coverage, '--store', store]);
  const ok = r.status === 0 && r.out;
  return {
    ok: Boolean(ok),
    ms: r.ms,
    error: ok
      ? undefined
      : firstLine(r.out?.error || r.stderr || `exit ${r.status}`).replaceAll(corpus, '$CI_OPTIMIZER_CORPUS'),
    testFiles: r.out?.['map-test-files'],
    functions: r.out?.['map-functions'],
  };
}

async function measureProject(project) {
  const base = join(corpus, project.name);
  const repo = join(base, 'repo');
  const recordsPath = join(here, project.name, 'mutants.jsonl');
  const durationsPath = join(here, project.name, 'durations.json');
  if (!existsSync(join(repo, '.git')) || !existsSync(recordsPath) || !existsSync(durationsPath)) {
    return {
      name: project.name,
      skipped: `no clone at $CI_OPTIMIZER_CORPUS/${project.name}/repo or no committed records`,
    };
  }
  let records = readFileSync(recordsPath, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
  records = records.slice(0, mutantLimit);
  const missing = records.filter((r) => git(repo, 'rev-parse', '--verify', '-q', `${r.commit}^{commit}`) !== r.commit);
  if (missing.length > 0) {
    return {
      name: project.name,
      skipped: `${missing.length} mutant commits are missing from the clone: run build_corpus.py --branches-only --only ${project.name}`,
    };
  }
  const durations = JSON.parse(readFileSync(durationsPath, 'utf8'));
  const universe = Object.keys(durations.testFiles);
  const timeOf = (f) => durations.testFiles[f]?.time ?? 0;
  const totalTime = universe.reduce((s, f) => s + timeOf(f), 0);
  const tmp = mkdtempSync(join(tmpdir(), `real-world-${project.name}-`));
  try {
    const mapStore = `dir:${join(tmp, 'map')}`;
    const staticStore = `dir:${join(tmp, 'static')}`;
    const learnJson = existsSync(join(base, 'coverage.json'))
      ? await learn(repo, project.commit, join(base, 'coverage.json'), mapStore)
      : { ok: false, error: 'no coverage.json in the corpus folder' };
    const learnDb = existsSync(join(base, '.coverage'))
      ? await learn(repo, project.commit, join(base, '.coverage'), `dir:${join(tmp, 'map-db')}`)
      : { ok: false, error: 'no .coverage in the corpus folder' };
    let store = mapStore;
    if (!learnJson.ok) store = learnDb.ok ? `dir:${join(tmp, 'map-db')}` : undefined;

    const selectTimes = { static: [], map: [] };
    const reportedTimes = { static: [], map: [] };
    const cold = {};
    /** @type {{ id: string, outcome: string, failing: string[], scope: string, static?: any, map?: any }[]} */
    const rows = records.map((record) => ({
      id: record.id,
      outcome: record.outcome,
      failing: record.failingFiles ?? [],
      scope: record.scope,
    }));
    const select = async (index, variant) => {
      const record = records[index];
      const row = rows[index];
      const variantStore = variant === 'static' ? staticStore : store;
      const r = await testFilter(repo, ['--base', project.commit, '--head', record.commit, '--store', variantStore]);
      if (index === 0) cold[variant] = r.ms;
      else {
        selectTimes[variant].push(r.ms);
        reportedTimes[variant].push(r.reportedMs);
      }
      if (r.status !== 0 || !r.out) {
        row[variant] = {
          error: firstLine(r.out?.error || r.stderr || `exit ${r.status}`),
          runAll: true,
          selected: universe,
          reasons: ['select failed'],
        };
        return;
      }
      const runAll = r.out['run-all'] === true || r.out['run-all'] === 'true';
      const listed = r.out['tests-json'];
      const tests = runAll ? universe : Array.isArray(listed) ? listed : JSON.parse(listed || '[]');
      row[variant] = {
        runAll,
        reasons: runAll
          ? (Array.isArray(r.out.reasons) ? r.out.reasons : String(r.out.reasons || '').split('\n')).filter(Boolean)
          : [],
        selected: tests,
        reasonsByTest: r.out['reasons-by-test'],
        mapUsed: r.out['impact-map-used'] === true || r.out['impact-map-used'] === 'true',
        mapReason: r.out['impact-map-reason'],
      };
    };
    const variants = store ? ['static', 'map'] : ['static'];
    // the first mutant alone: the cold calls (empty graph store) are timed apart from the warm ones
    for (const variant of variants) await select(0, variant);
    const tasks = [];
    for (let i = 1; i < records.length; i++) for (const variant of variants) tasks.push(() => select(i, variant));
    let done = 0;
    await pool(
      tasks.map((task) => async () => {
        await task();
        if (++done % 20 === 0) process.stderr.write(`  ${project.name}: ${done}/${tasks.length} selections\n`);
      }),
      jobs,
    );
    if (!store) for (const row of rows) row.map = row.static;

    const evaluated = rows.filter((r) => r.outcome === 'killed' || r.outcome === 'survived');
    const killed = evaluated.filter((r) => r.outcome === 'killed');
    const summary = {
      name: project.name,
      mutants: records.length,
      killed: killed.length,
      timeouts: rows.filter((r) => r.outcome === 'timeout').length,
      universe: universe.length,
      totalTime,
      learnJson,
      learnDb,
      coldSelectMs: cold,
      meanSelectMs: { static: mean(selectTimes.static), map: mean(selectTimes.map) },
      meanReportedMs: { static: mean(reportedTimes.static), map: mean(reportedTimes.map) },
    };
    for (const variant of ['static', 'map', 'oracle']) {
      const sel = (row) => new Set(variant === 'oracle' ? row.failing : row[variant].selected);
      let caught = 0;
      let failingTotal = 0;
      let missed = 0;
      for (const row of killed) {
        const s = sel(row);
        const hit = row.failing.filter((f) => s.has(f)).length;
        caught += hit;
        failingTotal += row.failing.length;
        if (hit === 0) missed++;
      }
      const inUniverse = (row) => [...sel(row)].filter((f) => f in durations.testFiles);
      summary[variant] = {
        missed,
        safety: failingTotal ? caught / failingTotal : NaN,
        reductionCount: mean(evaluated.map((row) => 1 - inUniverse(row).length / universe.length)),
        reductionTime: mean(evaluated.map((row) => 1 - inUniverse(row).reduce((s, f) => s + timeOf(f), 0) / totalTime)),
      };
      if (variant !== 'oracle') {
        const runAll = evaluated.filter((row) => row[variant].runAll);
        summary[variant].runAllRate = runAll.length / (evaluated.length || 1);
        const kinds = new Map();
        for (const row of runAll) {
          for (const kind of new Set(row[variant].reasons.map(reasonKind))) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        }
        summary[variant].reasonKinds = [...kinds].sort((a, b) => b[1] - a[1]);
        if (variant === 'map')
          summary.map.mapUsedRate = evaluated.filter((row) => row.map.mapUsed).length / (evaluated.length || 1);
      }
    }
    const mapReasons = new Map();
    for (const row of evaluated) {
      if (!row.map.mapReason) continue;
      const kind = reasonKind(row.map.mapReason);
      mapReasons.set(kind, (mapReasons.get(kind) ?? 0) + 1);
    }
    summary.mapReasonKinds = [...mapReasons].sort((a, b) => b[1] - a[1]);
    summary.rows = rows.map(({ id, outcome, failing, scope, static: s, map: m }) => ({
      id,
      outcome,
      scope,
      failing,
      // The selected files and why (not when every test runs): to compare two versions' selections mutant by mutant.
      static: {
        runAll: s.runAll,
        selected: s.selected.length,
        reasons: s.reasons,
        ...(s.runAll ? {} : { tests: [...s.selected].sort(), why: s.reasonsByTest }),
      },
      map: {
        runAll: m.runAll,
        selected: m.selected.length,
        ...(m.runAll ? {} : { tests: [...m.selected].sort(), why: m.reasonsByTest }),
        reasons: m.reasons,
        mapUsed: m.mapUsed,
        mapReason: m.mapReason,
      },
    }));
    return summary;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const results = [];
const from = flag('--from'); // print the tables of earlier --out files (comma-separated) instead of measuring
if (from) for (const file of from.split(',')) results.push(...JSON.parse(readFileSync(file, 'utf8')));
for (const project of from ? [] : projects) {
  if (onlyProjects && !onlyProjects.includes(project.name)) continue;
  const started = performance.now();
  const result = await measureProject(project);
  result.wallMs = performance.now() - started;
  result.jobs = jobs;
  results.push(result);
  if (result.skipped) console.log(`- ${project.name}: skipped (${result.skipped})`);
  else console.log(`- ${project.name}: ${result.mutants} mutants measured in ${(result.wallMs / 1000).toFixed(0)} s`);
}
const measured = results.filter((r) => !r.skipped);
if (measured.length === 0) {
  console.log('real-world: no project of the corpus could be measured (see the lines above).');
  process.exit(1);
}

const scope = from
  ? 'saved results'
  : Number.isFinite(mutantLimit)
    ? `the first ${mutantLimit} mutants of each`
    : 'all mutants';
console.log(`\n### test-filter on real projects (${scope}; static / with the impact map / oracle)\n`);
console.log(
  '| project | test files | mutants | killed | timeouts | missed static | missed map | safety static | safety map | reduction by count static / map / oracle | reduction by time static / map / oracle | run-all static / map | map narrowed |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of measured) {
  console.log(
    `| ${cell(r.name)} | ${r.universe} | ${r.mutants} | ${r.killed} | ${r.timeouts} | ${r.static.missed} | ${r.map.missed} | ${f3(r.static.safety)} | ${f3(r.map.safety)} | ` +
      `${f2(r.static.reductionCount)} / ${f2(r.map.reductionCount)} / ${f2(r.oracle.reductionCount)} | ` +
      `${f2(r.static.reductionTime)} / ${f2(r.map.reductionTime)} / ${f2(r.oracle.reductionTime)} | ` +
      `${f2(r.static.runAllRate)} / ${f2(r.map.runAllRate)} | ${f2(narrowedRate(r))} |`,
  );
}

console.log('\n### learn and select (wall time of each CLI call, ms; machine shared)\n');
const jobCounts = [...new Set(measured.map((r) => r.jobs ?? '?'))].join(' or ');
console.log(`\n(${jobCounts} CLI calls at once; wall = the child process, reported = the CLI's own duration-ms)\n`);
console.log(
  '| project | learn from coverage JSON | learn from .coverage | map test files / functions | cold select static / map (wall) | warm select static: wall / reported | warm select with map: wall / reported |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of measured) {
  const l = (x) => (x.ok ? `ok, ${x.ms.toFixed(0)} ms` : `FAILED: ${cell(x.error)}`);
  const m = r.learnJson.ok ? r.learnJson : r.learnDb;
  console.log(
    `| ${cell(r.name)} | ${l(r.learnJson)} | ${l(r.learnDb)} | ${m.ok ? `${m.testFiles} / ${m.functions}` : '–'} | ${f0(r.coldSelectMs.static)} / ${f0(r.coldSelectMs.map)} | ${f0(r.meanSelectMs.static)} / ${f0(r.meanReportedMs.static)} | ${f0(r.meanSelectMs.map)} / ${f0(r.meanReportedMs.map)} |`,
  );
}

console.log('\n### why every test ran (mutants by reason kind; a mutant can have several)\n');
console.log('| project | variant | mutants | reason kind |');
console.log('|---|---|---|---|');
for (const r of measured) {
  for (const variant of ['static', 'map']) {
    for (const [kind, n] of kindsOf(r, variant).slice(0, 6))
      console.log(`| ${cell(r.name)} | ${variant} | ${n} | ${cell(kind)} |`);
  }
}
console.log('\n### what the impact map did (mutants by impact-map-reason kind)\n');
console.log('| project | mutants | impact-map-reason kind |');
console.log('|---|---|---|');
for (const r of measured) {
  for (const [kind, n] of r.mapReasonKinds.slice(0, 6)) console.log(`| ${cell(r.name)} | ${n} | ${cell(kind)} |`);
}

if (outFile) {
  writeFileSync(outFile, `${JSON.stringify(results, null, 1)}\n`);
  console.log(`\n(per-mutant results written to ${outFile})`);
}
