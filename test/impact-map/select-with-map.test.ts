import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IMPACT_MAP_KEY,
  learnImpactMapIntoStore,
  renderImpactMapNote,
  selectTestsForChange,
  loadImpactMap,
  selectWithImpactMap,
  type ImpactMap,
  type ImpactSelectRequest,
} from '@ci-optimizer/core/impact-map';
import { diffChangedFiles } from '@ci-optimizer/core/git';
import { pythonPack } from '@ci-optimizer/core/languages/python';
import { resolveTestFilterOptions } from '@ci-optimizer/core/test-filter';
import { DirStore } from '@ci-optimizer/core/store';
import { type TempGitRepo, tempDir } from '../support/git-repo.ts';
import { LEDGER_PROJECT, changeRequest, learnFromSqlite, recordCoverage, type LearnedRepo } from './support.ts';

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

const ALL_TESTS = ['tests/test_ledger.py', 'tests/test_rates.py', 'tests/test_total.py'];

describe('selecting with the impact map', () => {
  let learned: LearnedRepo;
  let map: ImpactMap;
  let repo: TempGitRepo;
  beforeAll(async () => {
    learned = recordCoverage(LEDGER_PROJECT);
    repo = learned.repo;
    map = await learnFromSqlite(learned);
  });
  afterAll(() => learned?.remove());

  /** Commits `files` on top of the map's commit and selects base..head with the map; resets afterwards. */
  async function selectAfter(
    files: Record<string, string>,
    extra: Partial<ImpactSelectRequest> = {},
    base = map.commit,
  ) {
    repo.write(files);
    const head = repo.commit('change');
    const warnings: string[] = [];
    try {
      const selection = await selectWithImpactMap({
        request: {
          pack: pythonPack,
          repoDir: repo.dir,
          head,
          changes: await diffChangedFiles(repo.dir, base, head),
          options: resolveTestFilterOptions({}),
          warn: (message) => warnings.push(message),
        },
        map,
        now: new Date(map.createdAt),
        ...extra,
      });
      return { selection, warnings };
    } finally {
      repo.git('reset', '-q', '--hard', map.commit);
      repo.git('clean', '-qfdx', 'tests');
    }
  }
  /** The map learned into a fresh store, as `test-filter --mode learn` leaves it. */
  const learnedStore = async () => {
    const store = new DirStore(scratch('ci-opt-store-'));
    await learnImpactMapIntoStore({ pack: pythonPack, repoDir: repo.dir, coveragePath: learned.jsonFile, store });
    return store;
  };
  const edit = (path: string, from: string, to: string) => {
    const text = LEDGER_PROJECT[path];
    if (!text.includes(from)) throw new Error(`${from} not in ${path}`);
    return { [path]: text.replace(from, to) };
  };

  it('a body change selects only the test files that executed the function, with the reason', async () => {
    const { selection } = await selectAfter(
      edit('pkg/ledger.py', 'return sum(self.entries)', 'return sum(self.entries) + 1'),
    );
    expect(selection.impactMap.used).toBe(true);
    expect(selection.tests).toEqual(['tests/test_total.py']);
    expect(selection.reasonsByTest).toEqual({
      'tests/test_total.py': 'executed pkg.ledger.Ledger.total, pkg/ledger.py line 15 (changed)',
    });
    expect(selection.impactMap.removed).toBe(2);
    expect(selection.impactMap.narrowedFiles).toEqual(['pkg/ledger.py']);
  });

  it('a body change of a widely used function selects every test that executed it', async () => {
    const { selection } = await selectAfter(edit('pkg/rates.py', 'return amount * RATE', 'return amount * RATE + 1'));
    expect(selection.tests.sort()).toEqual(ALL_TESTS);
    expect(Object.values(selection.reasonsByTest)).toEqual([
      'executed pkg.rates.convert, pkg/rates.py line 5 (changed)',
      'executed pkg.rates.convert, pkg/rates.py line 5 (changed)',
      'executed pkg.rates.convert, pkg/rates.py line 5 (changed)',
    ]);
  });

  it('a module-level change that is more than new values falls back to the static closure, and says so', async () => {
    const { selection } = await selectAfter(edit('pkg/rates.py', 'RATE = 2', 'RATE = 2\nprint(RATE)'));
    expect(selection.tests.sort()).toEqual(ALL_TESTS);
    expect(selection.reasonsByTest['tests/test_rates.py']).toMatch(
      /^imports pkg.rates \(module-level change: module-level code changed/,
    );
    expect(selection.impactMap.moduleLevelFiles).toEqual({
      'pkg/rates.py': 'module-level code changed (statements added or removed at module level)',
    });
    expect(selection.impactMap.reason).toMatch(/the static closure stands \(pkg\/rates.py: module-level code changed/);
  });

  it('a change to a function no test executed falls back to the static closure (coverage may not see it)', async () => {
    const { selection } = await selectAfter(edit('pkg/rates.py', 'return amount\n', 'return -amount\n'));
    expect(selection.tests.sort()).toEqual(ALL_TESTS);
    expect(selection.impactMap.moduleLevelFiles['pkg/rates.py']).toBe(
      'no test executed pkg.rates.unused when the map was learned',
    );
  });

  it('a whitespace- or comment-only change selects nothing', async () => {
    const { selection } = await selectAfter(
      edit(
        'pkg/ledger.py',
        '        return sum(self.entries)',
        '        # the sum\n        return sum( self.entries )',
      ),
    );
    expect(selection.tests).toEqual([]);
    expect(selection.impactMap.removed).toBe(3);
  });

  it('a new test is always selected', async () => {
    const { selection } = await selectAfter({
      ...edit('pkg/ledger.py', 'return sum(self.entries)', 'return sum(self.entries) + 1'),
      'tests/test_new.py': 'from pkg import Ledger\n\n\ndef test_new():\n    assert Ledger().entries == []\n',
    });
    expect(selection.tests.sort()).toEqual(['tests/test_new.py', 'tests/test_total.py']);
    expect(selection.reasonsByTest['tests/test_new.py']).toMatch(/tests\/test_new.py/);
  });

  it('commits made since the map count: a change already in the base still selects its executors', async () => {
    repo.write(edit('pkg/ledger.py', 'return len(self.entries)', 'return len(self.entries) * 1'));
    const prBase = repo.commit('on main after the map');
    const text = repo
      .git('show', `${prBase}:pkg/ledger.py`)
      .replace('return sum(self.entries)', 'return sum(self.entries) + 1');
    const { selection } = await selectAfter({ 'pkg/ledger.py': `${text}\n` }, {}, prBase);
    expect(selection.tests.sort()).toEqual(['tests/test_ledger.py', 'tests/test_total.py']);
    expect(selection.reasonsByTest['tests/test_ledger.py']).toBe(
      'executed pkg.ledger.Ledger.post, pkg/ledger.py line 12 (changed)',
    );
  });

  it('a stale map (too old, or too many commits behind) is not used, with the reason', async () => {
    const change = edit('pkg/ledger.py', 'return sum(self.entries)', 'return sum(self.entries) + 1');
    const old = await selectAfter(change, { now: new Date(Date.parse(map.createdAt) + 15 * 24 * 3600 * 1000) });
    expect(old.selection.impactMap.used).toBe(false);
    expect(old.selection.impactMap.reason).toMatch(/built 15 days ago, more than max-map-age \(14 days\)/);
    expect(old.selection.tests.sort()).toEqual(ALL_TESTS);
    expect(old.warnings.join('\n')).toMatch(/impact map is not used/);
    const far = await selectAfter(change, { maxMapDistance: 0 });
    expect(far.selection.impactMap.reason).toMatch(/1 commits behind the head, more than max-map-distance \(0\)/);
    expect(far.selection.tests.sort()).toEqual(ALL_TESTS);
  });

  it('a map whose commit is missing from the clone falls back with a warning', async () => {
    const change = edit('pkg/ledger.py', 'return sum(self.entries)', 'return sum(self.entries) + 1');
    const { selection, warnings } = await selectAfter(change, { map: { ...map, commit: 'f'.repeat(40) } });
    expect(selection.impactMap.used).toBe(false);
    expect(selection.impactMap.reason).toMatch(/commit ffffffffffff is not in the clone/);
    expect(selection.tests.sort()).toEqual(ALL_TESTS);
    expect(warnings).toHaveLength(1);
  });

  it('a shallow clone without the map commit fetches it and uses the map', async () => {
    repo.write(edit('pkg/ledger.py', 'return sum(self.entries)', 'return sum(self.entries) + 1'));
    const head = repo.commit('change');
    const clone = tempDir('ci-opt-shallow-');
    try {
      execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo.dir}`, join(clone, 'c')]);
      const dir = join(clone, 'c');
      expect(() =>
        execFileSync('git', ['cat-file', '-e', `${map.commit}^{commit}`], { cwd: dir, stdio: 'pipe' }),
      ).toThrow();
      const selection = await selectWithImpactMap({
        request: {
          pack: pythonPack,
          repoDir: dir,
          head,
          changes: [{ status: 'modified', path: 'pkg/ledger.py' }],
          options: resolveTestFilterOptions({}),
        },
        map,
        now: new Date(map.createdAt),
      });
      expect(selection.impactMap.used).toBe(true);
      expect(selection.tests).toEqual(['tests/test_total.py']);
    } finally {
      rmSync(clone, { recursive: true, force: true });
      repo.git('reset', '-q', '--hard', map.commit);
    }
  });

  it('an unreadable map in the store falls back to the static selection with a warning', async () => {
    const store = new DirStore(scratch('ci-opt-store-'));
    await store.write(IMPACT_MAP_KEY, '{"schema": 1, "commit": "abc", "modules": [');
    const loaded = await loadImpactMap(store);
    expect(loaded.map).toBeUndefined();
    const { selection, warnings } = await selectAfter(
      edit('pkg/ledger.py', 'return sum(self.entries)', 'return sum(self.entries) + 1'),
      {
        map: loaded.map,
        mapProblem: loaded.problem,
      },
    );
    expect(selection.impactMap.used).toBe(false);
    expect(selection.tests.sort()).toEqual(ALL_TESTS);
    expect(warnings[0]).toMatch(/impact-map.json is not valid JSON/);
  });

  it('learns into the store and selects from it, as the test-filter command does', async () => {
    const store = new DirStore(scratch('ci-opt-store-'));
    const outputs = await learnImpactMapIntoStore({
      pack: pythonPack,
      repoDir: repo.dir,
      coveragePath: learned.jsonFile,
      store,
    });
    expect(outputs).toMatchObject({ 'map-commit': map.commit, 'map-test-files': 3, 'map-functions': 5 });
    repo.write(edit('pkg/ledger.py', 'return sum(self.entries)', 'return sum(self.entries) + 1'));
    const head = repo.commit('change');
    try {
      const request = await changeRequest(repo, map.commit, head);
      const { selection } = await selectTestsForChange(request, { map: () => ({ store }) });
      if (!selection) throw new Error('the map was not consulted');
      expect(selection.tests).toEqual(['tests/test_total.py']);
      expect(renderImpactMapNote(selection.impactMap)).toMatch(
        /^\*\*Impact map \(map of [0-9a-f]{12}, 1 commits behind\):\*\* narrowed 1 changed file/,
      );
    } finally {
      repo.git('reset', '-q', '--hard', map.commit);
    }
  });

  it("the map's own selections reuse the static selection's graph: the graph cache is read once per run", async () => {
    const mapStore = await learnedStore();
    const graphs = new DirStore(scratch('ci-opt-graph-'));
    const reads: string[] = [];
    const counting = {
      read: (key: string) => {
        reads.push(key);
        return graphs.read(key);
      },
      write: (key: string, value: string | Buffer) => graphs.write(key, value),
    };
    // A body change the map narrows, and a module-level change whose static closure is selected again for it alone.
    repo.write({
      ...edit('pkg/ledger.py', 'return sum(self.entries)', 'return sum(self.entries) + 1'),
      ...edit('pkg/rates.py', 'RATE = 2', 'RATE = 2\nprint(RATE)'),
    });
    const head = repo.commit('change');
    try {
      const request = await changeRequest(repo, map.commit, head);
      // The graph of the map's commit in the cache, as a later run finds it.
      await selectTestsForChange(
        { ...request, head: map.commit, changes: [], cache: counting },
        { map: () => ({ store: mapStore }) },
      );
      reads.length = 0;
      const cached = (await selectTestsForChange({ ...request, cache: counting }, { map: () => ({ store: mapStore }) }))
        .selection!;
      const uncached = (await selectTestsForChange(request, { map: () => ({ store: mapStore }) })).selection!;
      expect(cached.impactMap.narrowedFiles).toEqual(['pkg/ledger.py']);
      expect(Object.keys(cached.impactMap.moduleLevelFiles)).toEqual(['pkg/rates.py']);
      expect(reads.filter((key) => key === 'test-filter/graph-python.json')).toHaveLength(1);
      expect(cached.tests.sort()).toEqual(uncached.tests.sort());
      expect(cached.reasonsByTest).toEqual(uncached.reasonsByTest);
    } finally {
      repo.git('reset', '-q', '--hard', map.commit);
    }
  });

  it("keeps the map commit's version of a changed file by blob: shaped once, read back, a damaged entry ignored", async () => {
    const mapStore = await learnedStore();
    const graphs = new DirStore(scratch('ci-opt-graph-'));
    repo.write(edit('pkg/ledger.py', 'return sum(self.entries)', 'return sum(self.entries) + 1'));
    const head = repo.commit('change');
    const answersKey = 'test-filter/answers-python.json';
    const oldBlob = repo.git('rev-parse', `${map.commit}:pkg/ledger.py`).trim();
    const slot = `${oldBlob}\0python-compared-shape/1`;
    const stored = async () => JSON.parse((await graphs.read(answersKey))!.toString('utf8'));
    try {
      const request = await changeRequest(repo, map.commit, head);
      const select = async (cache?: DirStore) =>
        (await selectTestsForChange({ ...request, cache }, { map: () => ({ store: mapStore }) })).selection!;
      const uncached = await select();
      expect(uncached.impactMap.narrowedFiles).toEqual(['pkg/ledger.py']);
      const first = await select(graphs);
      const kept = (await stored()).answers[slot];
      expect(kept).toMatchObject({ residuePrint: expect.any(String), units: expect.any(Array) });
      const second = await select(graphs);
      for (const run of [first, second]) {
        expect(run.tests).toEqual(uncached.tests);
        expect(run.reasonsByTest).toEqual(uncached.reasonsByTest);
      }
      // A kept shape is what the comparison reads: one forged to say every function of the old version differed
      // selects every test that executed any of them.
      const document = await stored();
      const forged = { ...kept, units: kept.units.map((unit: object) => ({ ...unit, bodyPrint: 'forged' })) };
      await graphs.write(answersKey, JSON.stringify({ ...document, answers: { [slot]: forged } }));
      const fromForged = await select(graphs);
      expect(fromForged.tests).toEqual(expect.arrayContaining(uncached.tests));
      expect(fromForged.tests.length).toBeGreaterThan(uncached.tests.length);
      // One of the wrong shape is no answer: the version is shaped again, the selection is the uncached one, and the
      // entry is replaced.
      await graphs.write(answersKey, JSON.stringify({ ...document, answers: { [slot]: { ...kept, units: 'x' } } }));
      const repaired = await select(graphs);
      expect(repaired.tests).toEqual(uncached.tests);
      expect(repaired.reasonsByTest).toEqual(uncached.reasonsByTest);
      expect((await stored()).answers[slot]).toEqual(kept);

      // The old version's statements of the changed function are kept beside its shape, and read back: forged to
      // say the changed statement is Ledger.post's lines, they select the tests that ran those.
      const statementsSlot = `${oldBlob}\0python-unit-statements/1`;
      const keptStatements = (await stored()).answers[statementsSlot];
      expect(keptStatements['Ledger.total'].entries).toHaveLength(1);
      const withStatements = await stored();
      const forgedStatements = {
        'Ledger.total': {
          ...keptStatements['Ledger.total'],
          entries: [{ ...keptStatements['Ledger.total'].entries[0], first: 11, last: 12 }],
        },
      };
      await graphs.write(
        answersKey,
        JSON.stringify({
          ...withStatements,
          answers: { ...withStatements.answers, [statementsSlot]: forgedStatements },
        }),
      );
      const fromForgedStatements = await select(graphs);
      expect(fromForgedStatements.tests.sort()).toEqual(['tests/test_ledger.py', 'tests/test_total.py']);
      // Damaged statements are no answer: cut again from the version, and replaced.
      await graphs.write(
        answersKey,
        JSON.stringify({
          ...withStatements,
          answers: { ...withStatements.answers, [statementsSlot]: { 'Ledger.total': { entries: 'x' } } },
        }),
      );
      const repairedStatements = await select(graphs);
      expect(repairedStatements.tests).toEqual(uncached.tests);
      expect((await stored()).answers[statementsSlot]).toEqual(keptStatements);
    } finally {
      repo.git('reset', '-q', '--hard', map.commit);
    }
  });
});
