#!/usr/bin/env node
// Mutation evaluation of test-filter's function-level impact map: learn the map on the clean commit (real pytest with
// coverage contexts), apply single mutations, run pytest for real, and check that no failing test file is missed.
// Prints the reduction by test time of the static closure, the map and the oracle (only the failing files), and how
// many failing files each defence against coverage lies saved.
// Usage: node bench/impact-map-mutation.mjs [--quick] [--mutants N] [--seed S] [--only example|deep]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadCore } from './impact-map.load.mjs';
import { writeDeepProject } from './impact-map.project.mjs';
import { chooseMutants, commitCleanBaseline, EXAMPLE_DIR, exampleExists, runPytest } from './mutation-safety.mjs';

const PYTHON = '/usr/bin/python3';

function git(cwd, ...args) {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * Mutants placed where coverage lies in the generated project (a cached table, a memo dict, an object built at
 * import, a session fixture): random mutants rarely land there, and these are what the defences are for.
 */
export const DEEP_TRAPS = [
  {
    file: 'src/acme/shipping/zones.py',
    find: '    return name, int(factor)',
    replace: '    return name, int(factor) + 1',
  },
  {
    file: 'src/acme/core/registry.py',
    find: '    width = len(name) * 2 + 3',
    replace: '    width = len(name) * 2 + 4',
  },
  {
    file: 'src/acme/billing/tax.py',
    find: '        return cls(int(spec.rstrip("%")))',
    replace: '        return cls(int(spec.rstrip("%")) + 1)',
  },
  {
    file: 'src/acme/shipping/parcels.py',
    find: '        return cls({name: int(weight) for',
    replace: '        return cls({name: int(weight) + 1 for',
  },
];

/** Turns a trap into a mutant of the harness's shape. */
function trapMutant(dir, trap) {
  const lines = readFileSync(join(dir, trap.file), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.startsWith(trap.find));
  if (index === -1) throw new Error(`trap not found in ${trap.file}: ${trap.find}`);
  return { file: trap.file, line: index + 1, kind: 'trap', mutated: lines[index].replace(trap.find, trap.replace) };
}

/** The projects the evaluation runs on: the shared example and a generated deep re-exporting package. */
export const PROJECTS = {
  example: {
    available: exampleExists,
    prepare: (dir) =>
      cpSync(EXAMPLE_DIR, dir, {
        recursive: true,
        filter: (src) => !/(__pycache__|\.pytest_cache|\.junit\.xml|\.coverage)$/.test(src),
      }),
  },
  deep: { available: () => true, prepare: (dir) => writeDeepProject(dir, 7), traps: DEEP_TRAPS },
};

/** Runs the suite once with per-test coverage contexts; returns the `.coverage` path (outside the repository). */
export function recordCoverage(projectDir, dataFile) {
  const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', COVERAGE_FILE: dataFile };
  delete env.PYTEST_ADDOPTS;
  spawnSync(
    PYTHON,
    ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--cov=src', '--cov-context=test', '--cov-report='],
    {
      cwd: projectDir,
      env,
      encoding: 'utf8',
      timeout: 600_000,
    },
  );
  if (!existsSync(dataFile)) throw new Error(`pytest-cov wrote no coverage data to ${dataFile}`);
  return dataFile;
}

/** Creates the project in a temp git repo, records durations and coverage, and learns the map. */
export async function prepareProject(core, name) {
  const root = mkdtempSync(join(tmpdir(), `ci-opt-impact-${name}-`));
  const work = join(root, 'repo');
  PROJECTS[name].prepare(work);
  const { base, durations, brokenAtBase } = commitCleanBaseline(work);
  const started = Date.now();
  const coverage = await core.python.readCoverageContexts(recordCoverage(work, join(root, '.coverage')));
  const map = await core.impactMap.learnImpactMap({ pack: core.python.pythonPack, repoDir: work, coverage });
  return {
    root,
    work,
    base,
    durations,
    brokenAtBase,
    map,
    learnSeconds: (Date.now() - started) / 1000,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** The selection variants compared per mutant: the map with every defence, and with each one switched off. */
function variants(core) {
  const all = core.impactMap.ALL_DEFENCES;
  return [
    ['map', new Set(all)],
    ...all.map((d) => [`without ${d}`, new Set(all.filter((x) => x !== d))]),
    ...all.map((d) => [`only ${d}`, new Set([d])]),
    ['no defences', new Set()],
  ];
}

/** Selects for one committed mutant with the static rules and every map variant. */
export async function selectVariants(core, project, head) {
  const { work, base, durations, map } = project;
  const request = {
    pack: core.python.pythonPack,
    repoDir: work,
    head,
    changes: await core.gitObjects.diffChangedFiles(work, base, head),
    options: core.testFilterOptions.resolveTestFilterOptions({}),
    durations,
  };
  const staticSelection = await core.testFilter.selectAffectedTests(request);
  const out = { static: staticSelection };
  for (const [name, defences] of variants(core)) {
    out[name] = await core.impactMap.selectWithImpactMap({
      request,
      map,
      staticSelection,
      defences,
      now: new Date(map.createdAt),
    });
  }
  return out;
}

/** Runs the evaluation on one project; returns per-mutant rows and the summary. */
export async function evaluateProject(core, name, { mutants, seed, traps = true, log = () => {} }) {
  const project = await prepareProject(core, name);
  try {
    const { work, base, durations, brokenAtBase } = project;
    const totalSeconds = [...durations.values()].reduce((a, b) => a + b, 0);
    const seconds = (selection) =>
      selection.runAll ? totalSeconds : selection.tests.reduce((sum, t) => sum + (durations.get(t) ?? 0), 0);
    const rows = [];
    const trapMutants = (traps ? (PROJECTS[name].traps ?? []) : []).map((trap) => trapMutant(work, trap));
    for (const mutant of [...trapMutants, ...chooseMutants(work, mutants, seed)]) {
      const path = join(work, mutant.file);
      const original = readFileSync(path, 'utf8');
      const lines = original.split('\n');
      lines[mutant.line - 1] = mutant.mutated;
      writeFileSync(path, lines.join('\n'));
      git(work, 'commit', '-q', '-am', `mutant ${mutant.file}:${mutant.line}`);
      const selections = await selectVariants(core, project, git(work, 'rev-parse', 'HEAD'));
      const results = runPytest(work);
      const failing = [...results].filter(([file, r]) => r.failed && !brokenAtBase.has(file)).map(([file]) => file);
      const row = { ...mutant, failing, missed: {}, reduction: {}, reason: selections.map.impactMap.reason };
      for (const [variant, selection] of Object.entries(selections)) {
        const chosen = new Set(selection.tests);
        row.missed[variant] = selection.runAll ? [] : failing.filter((file) => !chosen.has(file));
        row.reduction[variant] = totalSeconds ? 1 - seconds(selection) / totalSeconds : 0;
      }
      const failingSeconds = failing.reduce((sum, t) => sum + (durations.get(t) ?? 0), 0);
      row.reduction.oracle = totalSeconds ? 1 - failingSeconds / totalSeconds : 0;
      rows.push(row);
      log(
        `${name} ${mutant.file}:${mutant.line} ${mutant.kind}: ${failing.length} failing; static ${pct(row.reduction.static)}, map ${pct(row.reduction.map)}, oracle ${pct(row.reduction.oracle)}; missed by map ${row.missed.map.length}`,
      );
      git(work, 'reset', '-q', '--hard', base);
    }
    const mean = (key) => (rows.length ? rows.reduce((sum, row) => sum + row.reduction[key], 0) / rows.length : 0);
    const missedFiles = (variant) => rows.reduce((sum, row) => sum + row.missed[variant].length, 0);
    const summary = {
      project: name,
      mutants: rows.length,
      killed: rows.filter((row) => row.failing.length).length,
      learnSeconds: project.learnSeconds,
      static: mean('static'),
      map: mean('map'),
      oracle: mean('oracle'),
      missed: { static: missedFiles('static'), map: missedFiles('map') },
      // Alone: failing files a defence catches when it is the only one on; needed: those missed when only it is off.
      alone: Object.fromEntries(
        core.impactMap.ALL_DEFENCES.map((d) => [d, missedFiles('no defences') - missedFiles(`only ${d}`)]),
      ),
      needed: Object.fromEntries(core.impactMap.ALL_DEFENCES.map((d) => [d, missedFiles(`without ${d}`)])),
      withoutAny: missedFiles('no defences'),
    };
    summary.gapRecovered =
      summary.oracle - summary.static > 1e-9 ? (summary.map - summary.static) / (summary.oracle - summary.static) : 1;
    return { summary, rows };
  } finally {
    project.remove();
  }
}

const pct = (x) => `${(x * 100 + 0).toFixed(1)}%`;

/** Prints the Markdown tables for the summaries. */
export function printTables(summaries, defences) {
  console.log(
    '| project | mutants | killed | missed (static) | missed (map) | reduction static | reduction map | oracle | gap recovered | learn (s) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of summaries) {
    console.log(
      `| ${s.project} | ${s.mutants} | ${s.killed} | ${s.missed.static} | ${s.missed.map} | ${pct(s.static)} | ${pct(s.map)} | ${pct(s.oracle)} | ${pct(s.gapRecovered)} | ${s.learnSeconds.toFixed(1)} |`,
    );
  }
  console.log(
    '\nFailing test files missed without defences, and prevented by each defence (alone = the only one on; needed = missed when only it is off):\n',
  );
  console.log(`| project | missed with no defence | ${defences.map((d) => `${d} alone / needed`).join(' | ')} |`);
  console.log(`|---|---:|${defences.map(() => '---:').join('|')}|`);
  for (const s of summaries)
    console.log(
      `| ${s.project} | ${s.withoutAny} | ${defences.map((d) => `${s.alone[d]} / ${s.needed[d]}`).join(' | ')} |`,
    );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const flag = (name, fallback) => {
    const i = args.indexOf(name);
    return i === -1 ? fallback : args[i + 1];
  };
  const quick = args.includes('--quick');
  const only = flag('--only', undefined);
  const core = await loadCore();
  const summaries = [];
  const failures = [];
  for (const name of Object.keys(PROJECTS)) {
    if (only && only !== name) continue;
    if (!PROJECTS[name].available()) {
      console.error(`${name}: not available, skipped`);
      continue;
    }
    const mutants = Number(flag('--mutants', quick ? (name === 'example' ? 6 : 12) : name === 'example' ? 20 : 60));
    const { summary, rows } = await evaluateProject(core, name, {
      mutants,
      seed: Number(flag('--seed', 20261101)),
      log: (line) => console.error(line),
    });
    summaries.push(summary);
    for (const row of rows)
      for (const file of row.missed.map)
        failures.push(`MISSED: ${name} ${row.file}:${row.line} ${row.kind} -> ${file}`);
    if (summary.gapRecovered < 0.5)
      failures.push(
        `${name}: the map recovered ${pct(summary.gapRecovered)} of the gap between static and oracle (need 50%)`,
      );
  }
  printTables(summaries, core.impactMap.ALL_DEFENCES);
  for (const line of failures) console.log(line);
  process.exit(failures.length ? 1 : 0);
}
