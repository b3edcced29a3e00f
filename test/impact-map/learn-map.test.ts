import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IMPACT_MAP_KEY,
  ImpactMapIndex,
  decodeIds,
  encodeIds,
  learnImpactMap,
  loadImpactMap,
  saveImpactMap,
  type ImpactMap,
} from '@ci-optimizer/core/impact-map';
import { parseTestContext, readCoverageContexts, pythonPack } from '@ci-optimizer/core/languages/python';
import { UserError } from '@ci-optimizer/core/errors';
import { DirStore } from '@ci-optimizer/core/store';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';
import { LEDGER_PROJECT, recordCoverage, type LearnedRepo } from './support.ts';

const scratchDirs: string[] = [];
/** A temp dir removed after the file's tests. */
const scratch = (prefix: string) => {
  const dir = tempDir(prefix);
  scratchDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** Test file -> executed units, as labels, for readable assertions. */
function executedByTest(map: ImpactMap): Record<string, string[]> {
  const index = new ImpactMapIndex(map);
  return Object.fromEntries(
    map.tests.map((test, i) => [
      test.path,
      index
        .unitsOfTest(i)
        .map((id) => index.unitLabel(id))
        .sort(),
    ]),
  );
}

describe('learning the impact map from real pytest-cov runs', () => {
  let learned: LearnedRepo;
  beforeAll(() => {
    learned = recordCoverage(LEDGER_PROJECT);
  });
  afterAll(() => learned?.remove());

  const expected = {
    'tests/test_ledger.py': ['pkg.ledger.Ledger.__init__', 'pkg.ledger.Ledger.post', 'pkg.rates.convert'],
    'tests/test_rates.py': ['pkg.rates.convert'],
    'tests/test_total.py': [
      'pkg.ledger.Ledger.__init__',
      'pkg.ledger.Ledger.post',
      'pkg.ledger.Ledger.total',
      'pkg.rates.convert',
    ],
  };

  it('reads the .coverage SQLite file through node:sqlite and keys functions by qualified name', async () => {
    const coverage = await readCoverageContexts(learned.sqliteFile);
    expect(coverage.format).toBe('coverage-sqlite');
    const map = await learnImpactMap({ pack: pythonPack, repoDir: learned.repo.dir, coverage });
    expect(map.commit).toBe(learned.commit);
    expect(map.schema).toBe(2);
    expect(executedByTest(map)).toEqual(expected);
    expect(map.modules.map((m) => [m.path, m.name, m.units])).toEqual([
      ['pkg/__init__.py', 'pkg', []],
      ['pkg/ledger.py', 'pkg.ledger', ['Ledger.__init__', 'Ledger.post', 'Ledger.total']],
      ['pkg/rates.py', 'pkg.rates', ['convert', 'unused']],
    ]);
    // Module-level code ran while collecting (no test context): no test is recorded for it, no unit ran at import.
    expect(map.modules.every((m) => m.moduleLevelTests.length === 0)).toBe(true);
    expect(map.importTime).toEqual([]);
  });

  it('reads the JSON report with contexts and learns the same map', async () => {
    const fromJson = await learnImpactMap({
      pack: pythonPack,
      repoDir: learned.repo.dir,
      coverage: await readCoverageContexts(learned.jsonFile),
    });
    const fromSqlite = await learnImpactMap({
      pack: pythonPack,
      repoDir: learned.repo.dir,
      coverage: await readCoverageContexts(learned.sqliteFile),
    });
    expect(executedByTest(fromJson)).toEqual(expected);
    expect(fromJson.modules).toEqual(fromSqlite.modules);
  });

  it('stores the map in the store with its schema and reads it back; a newer schema is refused with a reason', async () => {
    const map = await learnImpactMap({
      pack: pythonPack,
      repoDir: learned.repo.dir,
      coverage: await readCoverageContexts(learned.jsonFile),
    });
    const store = new DirStore(scratch('ci-opt-store-'));
    await saveImpactMap(store, map);
    expect((await loadImpactMap(store)).map).toEqual(map);
    await store.write(IMPACT_MAP_KEY, JSON.stringify({ ...map, schema: 99 }));
    expect((await loadImpactMap(store)).problem).toMatch(/schema 99, newer than/);
    await store.write(IMPACT_MAP_KEY, '{"schema": 1, "commit": ');
    expect((await loadImpactMap(store)).problem).toMatch(/not valid JSON/);
  });

  it('malformed coverage is a clear UserError on learn', async () => {
    const dir = scratch('ci-opt-badcov-');
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"meta": {"version": "7.4"}, "files": {');
    await expect(readCoverageContexts(broken)).rejects.toThrow(UserError);
    await expect(readCoverageContexts(broken)).rejects.toThrow(/broken\.json' is not valid JSON.*--cov-context=test/);
    const noContexts = join(dir, 'plain.json');
    writeFileSync(noContexts, JSON.stringify({ meta: {}, files: { 'pkg/rates.py': { executed_lines: [1, 4] } } }));
    await expect(readCoverageContexts(noContexts)).rejects.toThrow(
      /no per-line contexts for 'pkg\/rates.py'.*--show-contexts/,
    );
    await expect(readCoverageContexts(join(dir, 'missing.json'))).rejects.toThrow(/cannot be read/);
    const elsewhere = join(dir, 'elsewhere.json');
    writeFileSync(elsewhere, JSON.stringify({ files: { 'other/mod.py': { contexts: { '1': [''] } } } }));
    await expect(
      learnImpactMap({ pack: pythonPack, repoDir: learned.repo.dir, coverage: await readCoverageContexts(elsewhere) }),
    ).rejects.toThrow(/None of the 1 files.*other\/mod.py/);
  });
});

describe('a package the test runner imports before coverage starts', () => {
  // `-p pkg.plugin` loads a pytest plugin while pytest parses its arguments, before pytest-cov starts coverage (as
  // pytest itself imports pluggy): pkg.core's module-level lines are never recorded, and what the plugin ran with
  // it then is unseen. Its functions must count as run at import time.
  const PROJECT: Record<string, string> = {
    '.gitignore': '.coverage\n__pycache__/\n',
    'pytest.ini': '[pytest]\ntestpaths = tests\n',
    'pkg/__init__.py': '',
    'pkg/core.py': 'def double(x):\n    return x * 2\n\n\ndef halve(x):\n    return x / 2\n',
    'pkg/plugin.py': 'from pkg.core import double\n\n\ndef pytest_configure(config):\n    config.doubled = double(2)\n',
    'pkg/late.py': 'def triple(x):\n    return x * 3\n',
    'tests/test_double.py':
      'from pkg.core import double\n\n\ndef test_double(pytestconfig):\n    assert double(3) == 6\n    assert pytestconfig.doubled == 4\n',
    'tests/test_halve.py': 'from pkg.core import halve\n\n\ndef test_halve():\n    assert halve(3) == 1.5\n',
    'tests/test_late.py': 'from pkg.late import triple\n\n\ndef test_triple():\n    assert triple(3) == 9\n',
  };
  let learned: LearnedRepo;
  afterAll(() => learned?.remove());

  it('counts its functions as run at import time and says so', async () => {
    learned = recordCoverage(PROJECT, 'pkg', ['-p', 'pkg.plugin']);
    const warnings: string[] = [];
    const map = await learnImpactMap({
      pack: pythonPack,
      repoDir: learned.repo.dir,
      coverage: await readCoverageContexts(learned.sqliteFile),
      warn: (message) => warnings.push(message),
    });
    const unitIds = (path: string) => {
      let offset = 0;
      for (const module of map.modules) {
        if (module.path === path) return module.units.map((_, i) => offset + i);
        offset += module.units.length;
      }
      return [];
    };
    expect(unitIds('pkg/core.py')).toHaveLength(2);
    expect(unitIds('pkg/core.py').every((id) => map.importTime.includes(id))).toBe(true);
    // A module imported while the tests ran (under coverage) keeps its functions as they are.
    expect(unitIds('pkg/late.py').some((id) => map.importTime.includes(id))).toBe(false);
    expect(map.modules.find((module) => module.path === 'pkg/core.py')?.importLines).toBeUndefined();
    expect(map.learned?.importedBeforeCoverage).toBeGreaterThanOrEqual(1);
    expect(warnings.join('\n')).toMatch(/imported before coverage started \(first: 'pkg\/core.py'\)/);
  });
});

describe('per-test data that records each line for its first test only', () => {
  // What coverage.py's sysmon core (Python 3.14's default) writes under pytest-cov's `--cov-context=test`: it stops
  // reporting a line after its first hit, so later tests that ran it are missing. Simulated from complete data
  // (no Python 3.14 here): each line kept for the first context that ran it.
  const FUNCTIONS = 80;
  const TESTS = 25;
  let repo: TempGitRepo;
  const source = Array.from(
    { length: FUNCTIONS },
    (_, i) => `def f${i}(x):\n    y = x + ${i}\n    z = y * 2\n    return z\n`,
  ).join('\n\n');
  /** Body lines of f<i> (each function takes five lines, its body the three after its `def`). */
  const body = (i: number) => [2 + 5 * i, 3 + 5 * i, 4 + 5 * i];
  beforeAll(() => {
    repo = new TempGitRepo();
    repo.write({ 'pkg/__init__.py': '', 'pkg/big.py': source });
    for (let t = 0; t < TESTS; t++)
      repo.write({ [`tests/test_${t}.py`]: `from pkg.big import f0\n\n\ndef test_x():\n    f0(${t})\n` });
    repo.commit('clean');
  });
  afterAll(() => repo?.remove());
  /** Every test runs f0 (shared set-up) and functions of its own; the module's lines ran at import. */
  const complete = () => {
    const contexts = new Map<string, number[]>([['', Array.from({ length: FUNCTIONS }, (_, i) => 1 + 5 * i)]]);
    for (let t = 0; t < TESTS; t++) {
      const own = [1 + t, 26 + t, 51 + t].flatMap(body);
      contexts.set(`tests/test_${t}.py::test_x|run`, [...body(0), ...own]);
    }
    return contexts;
  };
  const coverageOf = (contexts: Map<string, number[]>) => ({
    format: 'coverage-json',
    tool: 'coverage.py 7.15.3',
    files: new Map([['pkg/big.py', contexts]]),
    contextCount: contexts.size,
    skipped: new Map<string, number>(),
  });

  it('is refused with how to record it completely; complete data of the same suite learns', async () => {
    const map = await learnImpactMap({ pack: pythonPack, repoDir: repo.dir, coverage: coverageOf(complete()) });
    expect(map.tests).toHaveLength(TESTS);

    const firstHits = new Map<string, number[]>();
    const seen = new Set<number>();
    for (const [context, lines] of complete()) {
      if (context === '') firstHits.set(context, lines);
      else {
        firstHits.set(
          context,
          lines.filter((line) => !seen.has(line)),
        );
        for (const line of lines) seen.add(line);
      }
    }
    const learning = learnImpactMap({ pack: pythonPack, repoDir: repo.dir, coverage: coverageOf(firstHits) });
    await expect(learning).rejects.toThrow(UserError);
    await expect(learning).rejects.toThrow(/no line shared by two.*COVERAGE_CORE=ctrace/s);
  });
});

describe('map encoding', () => {
  it('round-trips sparse and dense id sets and stays compact', () => {
    const sparse = [3, 200, 70_000, 70_001];
    const dense = Array.from({ length: 5000 }, (_, i) => i * 2);
    expect(decodeIds(encodeIds(sparse))).toEqual(sparse);
    expect(decodeIds(encodeIds(dense))).toEqual(dense);
    expect(decodeIds(encodeIds([]))).toEqual([]);
    expect(encodeIds(dense)[0]).toBe('b');
    expect(encodeIds(dense).length).toBeLessThan(JSON.stringify(dense).length / 10);
  });

  it('parses pytest-cov and coverage.py test contexts', () => {
    expect(parseTestContext('tests/a/test_x.py::TestY::test_z[1-2]|setup')).toEqual({
      test: 'tests/a/test_x.py',
      dotted: false,
      phase: 'setup',
    });
    expect(parseTestContext('tests/test_x.py::test_y|run')).toEqual({
      test: 'tests/test_x.py',
      dotted: false,
      phase: 'run',
    });
    expect(parseTestContext('tests.test_x.TestY.test_z')).toEqual({
      test: 'tests.test_x.TestY.test_z',
      dotted: true,
      phase: 'run',
    });
    expect(parseTestContext('')).toBeUndefined();
  });
});
