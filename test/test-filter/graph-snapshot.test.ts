import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  directoryGraphCacheStore,
  GRAPH_CACHE_SCHEMA,
  resolveTestFilterOptions,
  selectAffectedTests,
  type GraphCacheStore,
  type TestSelection,
} from '@ci-optimizer/core/test-filter';
import { pythonPack } from '@ci-optimizer/core/languages/python';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';

const STORE_KEY = join('test-filter', 'graph-python.json');
const FACTS_KEY = join('test-filter', 'facts-python.json');

/** Selection at `head` as if exactly `path` changed (graph of the head, closure from that one file). */
async function selectFor(
  repo: TempGitRepo,
  head: string,
  path: string,
  cache?: GraphCacheStore,
  warnings?: string[],
): Promise<TestSelection> {
  return selectAffectedTests({
    pack: pythonPack,
    repoDir: repo.dir,
    head,
    changes: [{ status: 'modified', path }],
    options: resolveTestFilterOptions({}, '.github/ci-optimizer.yml', parseYaml),
    cache,
    warn: (message) => warnings?.push(message),
  });
}

/** A temp repository and a store folder, both removed by the caller's cleanup list. */
function repoAndStore(cleanup: Array<() => void>): { repo: TempGitRepo; storeDir: string } {
  const repo = new TempGitRepo();
  const storeDir = tempDir('ci-opt-store-');
  cleanup.push(
    () => repo.remove(),
    () => rmSync(storeDir, { recursive: true, force: true }),
  );
  return { repo, storeDir };
}

const pythonFiles = (repo: TempGitRepo, rev: string) =>
  repo
    .git('ls-tree', '-r', '--name-only', rev)
    .split('\n')
    .filter((p) => p.endsWith('.py'));

/** For every Python file of `head` as the changed file: the warm (stored graph) selection equals the cold one. */
async function expectSameAsCold(repo: TempGitRepo, head: string, cache: GraphCacheStore): Promise<number> {
  let compared = 0;
  for (const path of pythonFiles(repo, head)) {
    const warm = await selectFor(repo, head, path, cache);
    const cold = await selectFor(repo, head, path);
    expect({
      path,
      runAll: warm.runAll,
      reasons: warm.reasons,
      tests: [...warm.tests].sort(),
      why: warm.explanations,
    }).toEqual({
      path,
      runAll: cold.runAll,
      reasons: cold.reasons,
      tests: [...cold.tests].sort(),
      why: cold.explanations,
    });
    compared += 1;
  }
  return compared;
}

describe('graph snapshot patched from the tree diff', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

  function setup() {
    const { repo, storeDir } = repoAndStore(cleanup);
    repo.write({
      'src/shop/__init__.py': 'from . import cart\n',
      'src/shop/cart.py': 'from shop.prices import total\nfrom .stock import level\n',
      'src/shop/prices.py': 'import shop.tax\n\ndef total(x):\n    return x\n',
      'src/shop/tax.py': 'RATE = 2\n',
      'src/shop/stock.py': 'def level():\n    return 1\n',
      'src/shop/legacy.py': 'LEGACY = True\n',
      'src/shop/old_name.py': 'from shop import tax\n',
      'tests/conftest.py': 'import pytest\n',
      'tests/unit/conftest.py': 'from shop import stock\n',
      'tests/unit/test_cart.py': 'from shop.cart import *\n',
      'tests/unit/test_prices.py': 'from shop import prices\n',
      'tests/test_legacy.py': 'import shop.legacy\n',
      'tests/test_old.py': 'from shop.old_name import *\n',
      'src/shop/report.py': 'from . import summary\n',
      'tests/test_report.py': 'from shop import report, helpers\n',
      'data/rates.json': '{}\n',
    });
    const first = repo.commit('first');
    return { repo, storeDir, first, store: directoryGraphCacheStore(storeDir) };
  }

  it('after adds, deletes, renames and import changes selects exactly what a cold run selects', async () => {
    const { repo, store, first } = setup();
    const cold = await selectFor(repo, first, 'src/shop/tax.py', store);
    expect(cold.stats.parsedFiles).toBe(15);

    // One commit that adds modules and a test, deletes a module and its test, renames a module (and its importer
    // follows), and rewires imports, including a relative one and one to a module that did not exist before.
    repo.delete('src/shop/legacy.py', 'tests/test_legacy.py', 'src/shop/old_name.py');
    repo.write({
      'src/shop/new_name.py': 'from shop import tax\n',
      'tests/test_old.py': 'from shop.new_name import *\n',
      'src/shop/discounts.py': 'from .prices import total\n',
      'src/shop/stock.py': 'from . import discounts\n\ndef level():\n    return 1\n',
      'src/shop/prices.py': 'def total(x):\n    return x\n',
      'tests/unit/test_discounts.py': 'import shop.discounts\n',
      'tests/unit/test_tax.py': 'from shop import tax\n',
      // Unchanged files import these names already (a relative and an absolute import): they become modules now.
      'src/shop/summary.py': 'S = 1\n',
      'src/shop/helpers.py': 'H = 1\n',
    });
    const second = repo.commit('second');
    const compared = await expectSameAsCold(repo, second, store);
    expect(compared).toBe(18);
    // The stored graph stayed at the first tree (a small patch is redone, not saved), and was patched each time.
    const warm = await selectFor(repo, second, 'src/shop/tax.py', store);
    expect(warm.stats).toMatchObject({ sourceFiles: 18, parsedFiles: 9, cachedFiles: 9 });
    expect([...warm.tests].sort()).toEqual(['tests/test_old.py', 'tests/unit/test_tax.py']);
    expect((await selectFor(repo, second, 'src/shop/summary.py', store)).tests).toEqual(['tests/test_report.py']);
    expect((await selectFor(repo, second, 'src/shop/helpers.py', store)).tests).toEqual(['tests/test_report.py']);

    // A new package (new names for everything below it) and an `__all__` change: the whole graph is linked again.
    repo.write({
      'src/shop/extra/__init__.py': '__all__ = ["bonus"]\n',
      'src/shop/extra/bonus.py': 'from shop import stock\n',
      'src/shop/__init__.py': 'from . import cart\n__all__ = ["cart"]\n',
      'tests/test_bonus.py': 'from shop.extra import *\n',
    });
    const third = repo.commit('third');
    expect(await expectSameAsCold(repo, third, store)).toBe(21);
  });

  it('a change to the pytest configuration rebuilds from the listing, with the same selection as a cold run', async () => {
    const { repo, store, first } = setup();
    await selectFor(repo, first, 'src/shop/tax.py', store);
    repo.write({
      'pytest.ini': '[pytest]\npython_files = test_*.py check_*.py\n',
      'tests/check_tax.py': 'import shop.tax\n',
    });
    const second = repo.commit('config');
    await expectSameAsCold(repo, second, store);
    const warm = await selectFor(repo, second, 'src/shop/tax.py', store);
    expect(warm.tests).toContain('tests/check_tax.py');
  });

  it('refuses a newer schema with a warning and reads the facts of a schema 1 document', async () => {
    const { repo, storeDir, store, first } = setup();
    mkdirSync(join(storeDir, 'test-filter'), { recursive: true });
    writeFileSync(join(storeDir, STORE_KEY), JSON.stringify({ schema: GRAPH_CACHE_SCHEMA + 1, language: 'python' }));
    const warnings: string[] = [];
    const refused = await selectFor(repo, first, 'src/shop/tax.py', store, warnings);
    expect(warnings[0]).toContain(
      `has schema ${GRAPH_CACHE_SCHEMA + 1}, newer than this version understands (${GRAPH_CACHE_SCHEMA})`,
    );
    expect(refused.stats.parsedFiles).toBe(15);

    // Schema 1 kept facts by blob: a rebuild from it parses nothing and stores the graph in the current schema.
    const stored = JSON.parse(readFileSync(join(storeDir, STORE_KEY), 'utf8'));
    const storedFacts = JSON.parse(readFileSync(join(storeDir, FACTS_KEY), 'utf8'));
    const factsByBlob = Object.fromEntries(
      stored.paths.map((path: string, i: number) => [stored.blobs[i], JSON.parse(storedFacts.facts[i])]),
    );
    writeFileSync(
      join(storeDir, STORE_KEY),
      JSON.stringify({ schema: 1, language: 'python', factsVersion: stored.factsVersion, facts: factsByBlob }),
    );
    const fromV1 = await selectFor(repo, first, 'src/shop/tax.py', store);
    expect(fromV1.stats.parsedFiles).toBe(0);
    expect(JSON.parse(readFileSync(join(storeDir, STORE_KEY), 'utf8')).schema).toBe(GRAPH_CACHE_SCHEMA);
    expect([...fromV1.tests].sort()).toEqual([...refused.tests].sort());
  });

  it('a damaged graph document is a warning and a rebuild', async () => {
    const { repo, storeDir, store, first } = setup();
    await selectFor(repo, first, 'src/shop/tax.py', store);
    const stored = JSON.parse(readFileSync(join(storeDir, STORE_KEY), 'utf8'));
    stored.dependents.pop();
    writeFileSync(join(storeDir, STORE_KEY), JSON.stringify(stored));
    const warnings: string[] = [];
    const result = await selectFor(repo, first, 'src/shop/tax.py', store, warnings);
    expect(warnings[0]).toMatch(/graph cache test-filter\/graph-python.json is damaged/);
    expect(result.stats.parsedFiles).toBe(15);
    expect([...result.tests].sort()).toEqual([...(await selectFor(repo, first, 'src/shop/tax.py')).tests].sort());
  });
});

describe('graph and facts stored as two documents', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

  /** A repository whose graph is stored at `first`, and a `second` commit that adds, deletes and rewires files. */
  async function setup() {
    const { repo, storeDir } = repoAndStore(cleanup);
    repo.write({
      'src/shop/__init__.py': 'from . import cart\n',
      'src/shop/cart.py': 'from shop.prices import total\nfrom .stock import level\n',
      'src/shop/prices.py': 'import shop.tax\nRATES = "rates.json"\n',
      'src/shop/tax.py': 'RATE = 2\n',
      'src/shop/stock.py': 'def level():\n    return 1\n',
      'src/shop/legacy.py': 'LEGACY = True\n',
      'tests/conftest.py': 'import pytest\n',
      'tests/test_cart.py': 'from shop.cart import *\n',
      'tests/test_prices.py': 'from shop import prices\n',
      'tests/test_legacy.py': 'import shop.legacy\n',
      'data/rates.json': '{}\n',
    });
    const first = repo.commit('first');
    const store = directoryGraphCacheStore(storeDir);
    await selectFor(repo, first, 'src/shop/tax.py', store);
    repo.delete('src/shop/legacy.py', 'tests/test_legacy.py');
    repo.write({
      'src/shop/discounts.py': 'from .prices import total\n',
      'src/shop/stock.py': 'from . import discounts\n',
      'tests/test_discounts.py': 'import shop.discounts\n',
    });
    const second = repo.commit('second');
    return { repo, storeDir, store, first, second };
  }

  /** The folder store, except that the facts document reads as `facts` and nothing is written (so every run patches). */
  function withFacts(store: GraphCacheStore, facts: string | undefined, reads: string[] = []): GraphCacheStore {
    return {
      read: async (key) => {
        reads.push(key);
        return key.endsWith('facts-python.json')
          ? facts === undefined
            ? undefined
            : Buffer.from(facts)
          : store.read(key);
      },
      write: async () => {},
    };
  }

  it('a missing facts document costs a parse of the files the patch needs, never a wrong selection', async () => {
    const { repo, store, second } = await setup();
    const missing = withFacts(store, undefined);
    expect(await expectSameAsCold(repo, second, missing)).toBe(10);
    const warm = await selectFor(repo, second, 'src/shop/tax.py', missing);
    // A file was deleted, so every file's imports are looked at: all 10 are parsed (3 changed, 7 for want of facts).
    expect(warm.stats).toMatchObject({ sourceFiles: 10, parsedFiles: 10 });

    // A changed `__all__` needs the package's earlier facts, which are gone: every file is linked again.
    repo.write({ 'src/shop/__init__.py': 'from . import cart\n__all__ = ["cart", "stock"]\n' });
    const third = repo.commit('third');
    expect(await expectSameAsCold(repo, third, missing)).toBe(10);
    expect((await selectFor(repo, third, 'src/shop/stock.py', missing)).tests).toContain('tests/test_cart.py');
  });

  it('a damaged facts document is a warning and a parse', async () => {
    const { repo, store, second } = await setup();
    const damaged = withFacts(store, '{"graph": ');
    expect(await expectSameAsCold(repo, second, damaged)).toBe(10);
    const warnings: string[] = [];
    const warm = await selectFor(repo, second, 'src/shop/tax.py', damaged, warnings);
    expect(warnings).toEqual([
      expect.stringMatching(/^The facts cache test-filter\/facts-python.json is not valid JSON/),
    ]);
    expect(warm.stats.parsedFiles).toBe(10);
  });

  it('facts saved with another graph are never combined with this one', async () => {
    const { repo, storeDir, store, second } = await setup();
    // A real facts document of another save: the graph of `second`, built in a store of its own.
    const otherDir = tempDir('ci-opt-store-');
    cleanup.push(() => rmSync(otherDir, { recursive: true, force: true }));
    await selectFor(repo, second, 'src/shop/tax.py', directoryGraphCacheStore(otherDir));
    const otherFacts = readFileSync(join(otherDir, FACTS_KEY), 'utf8');
    expect(JSON.parse(otherFacts).graph).not.toBe(JSON.parse(readFileSync(join(storeDir, STORE_KEY), 'utf8')).id);
    const foreign = withFacts(store, otherFacts);
    expect(await expectSameAsCold(repo, second, foreign)).toBe(10);
    const warnings: string[] = [];
    const warm = await selectFor(repo, second, 'src/shop/tax.py', foreign, warnings);
    // Most of those facts describe the same blobs, yet none is used: the ids differ.
    expect(warm.stats.parsedFiles).toBe(10);
    expect(warnings).toEqual([]);
  });

  it('a patch that changes no package and no star import reads no facts; a data file change reads them', async () => {
    const { repo, store, first } = await setup();
    repo.git('checkout', '-q', '-b', 'small', first);
    repo.write({ 'src/shop/tax.py': 'RATE = 3\n' });
    const small = repo.commit('small');
    const reads: string[] = [];
    const counting = withFacts(store, (await store.read('test-filter/facts-python.json'))?.toString('utf8'), reads);
    const warm = await selectFor(repo, small, 'src/shop/tax.py', counting);
    // The computed imports stored with the graph are read beside it (this graph has none: nothing is there).
    expect(reads.sort()).toEqual(['test-filter/dynamic-python.json', 'test-filter/graph-python.json']);
    expect(warm.stats).toMatchObject({ sourceFiles: 10, parsedFiles: 1 });
    expect([...warm.tests].sort()).toEqual([...(await selectFor(repo, small, 'src/shop/tax.py')).tests].sort());

    reads.length = 0;
    const data = await selectFor(repo, small, 'data/rates.json', counting);
    expect(reads.sort()).toEqual([
      'test-filter/dynamic-python.json',
      'test-filter/facts-python.json',
      'test-filter/graph-python.json',
    ]);
    expect(data.stats.parsedFiles).toBe(1);
    expect(data.explanations).toEqual((await selectFor(repo, small, 'data/rates.json')).explanations);
    expect(Object.keys(data.explanations).sort()).toEqual([
      'tests/test_cart.py',
      'tests/test_legacy.py',
      'tests/test_prices.py',
    ]);
  });

  it('a schema 2 document (facts inside) is read for its facts and replaced by the current schema', async () => {
    const { repo, storeDir, store, second } = await setup();
    // The schema 2 form of the stored graph: edges as paths per file, facts inline, no facts document.
    const cut = (flat: number[], counts: number[], width: number) => {
      let at = 0;
      return counts.map((count) => flat.slice(at, (at += count * width)));
    };
    const graph = JSON.parse(readFileSync(join(storeDir, STORE_KEY), 'utf8'));
    const facts = JSON.parse(readFileSync(join(storeDir, FACTS_KEY), 'utf8'));
    const v2 = {
      schema: 2,
      language: graph.language,
      factsVersion: graph.factsVersion,
      tree: graph.tree,
      settings: graph.settings,
      discovery: graph.discovery,
      configs: graph.configs,
      linkState: graph.linkState,
      paths: graph.paths,
      blobs: graph.blobs,
      facts: facts.facts,
      dependencies: cut(graph.dependencies, graph.dependencyCounts, 1).map((list) => list.map((i) => graph.paths[i])),
      dependents: cut(graph.dependents, graph.dependentCounts, 2).map((list) =>
        list.map((v, i) => (i % 2 ? graph.whys[v] : graph.paths[v])),
      ),
      tests: graph.tests,
      dynamic: graph.dynamic,
    };
    writeFileSync(join(storeDir, STORE_KEY), JSON.stringify(v2));
    rmSync(join(storeDir, FACTS_KEY));
    const warnings: string[] = [];
    const fromV2 = await selectFor(repo, second, 'src/shop/tax.py', store, warnings);
    expect(warnings).toEqual([]);
    // Rebuilt from the listing: only the 3 new blobs are parsed (stock.py, discounts.py, test_discounts.py).
    expect(fromV2.stats).toMatchObject({ sourceFiles: 10, parsedFiles: 3 });
    expect(JSON.parse(readFileSync(join(storeDir, STORE_KEY), 'utf8')).schema).toBe(GRAPH_CACHE_SCHEMA);
    expect(JSON.parse(readFileSync(join(storeDir, FACTS_KEY), 'utf8')).graph).toBe(
      JSON.parse(readFileSync(join(storeDir, STORE_KEY), 'utf8')).id,
    );
    expect(await expectSameAsCold(repo, second, store)).toBe(10);
  });
});
