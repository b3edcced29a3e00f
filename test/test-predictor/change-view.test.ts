import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PARSED_SOURCE_CHARS, pythonPack } from '@ci-optimizer/core/languages/python';
import { DirStore } from '@ci-optimizer/core/store';
import { discoverTests, resolveTestFilterOptions } from '@ci-optimizer/core/test-filter';
import { type ChangeView, viewChange } from '@ci-optimizer/core/test-predictor';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';
import { pythonProject } from './python-project.ts';
import { cpSync, rmSync } from 'node:fs';

// The change view takes the head's test files from test-filter's selection (its stored graph's, patched to the head,
// or its own listing of a graph it builds) instead of listing the tree again: the same files as the discovery over the
// head's tree, cold and warm, when the change adds, deletes and renames test files.
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const done of cleanup.splice(0)) done();
});

async function view(
  repo: TempGitRepo,
  base: string,
  head: string,
  store: DirStore | undefined,
  graph = true,
  scanPatch = false,
) {
  const warnings: string[] = [];
  const result = await viewChange({
    pack: pythonPack,
    repoDir: repo.dir,
    range: { base, head, source: 'test', fetchSteps: [] },
    options: resolveTestFilterOptions(),
    graph,
    scanPatch,
    ...(store ? { cache: store } : {}),
    warn: (message) => warnings.push(message),
  });
  return { result, warnings };
}

async function discovered(repo: TempGitRepo, head: string): Promise<string[]> {
  return (await discoverTests(pythonPack.framework, repo.dir, head, '')).tests;
}

function reachOf(view: ChangeView) {
  return { reach: view.reach, reachAll: view.reachAll, reasons: view.reachAllReasons };
}

/** The small pytest project and an empty store folder (both removed after the test). */
function projectWithStore() {
  const repo = pythonProject();
  const dir = tempDir();
  cleanup.push(
    () => repo.remove(),
    () => rmSync(dir, { recursive: true, force: true }),
  );
  return { repo, dir, store: new DirStore(dir) };
}

describe('the change view', () => {
  it('lists the same test files as the discovery at head, with a built, a patched and no graph', async () => {
    const { repo, store } = projectWithStore();
    const base = repo.head();
    repo.write({ 'src/shop/pricing.py': 'def total(items):\n    return sum(items) + 0\n' });
    const first = repo.commit('pricing');
    const cold = await view(repo, base, first, store);
    expect(cold.result.testFiles).toEqual(await discovered(repo, first));
    expect(cold.result.reach).toEqual({ 'tests/test_pricing.py': 1 });
    expect(cold.warnings).toEqual([]);

    // A change that adds, deletes and renames test files, read warm (the graph stored above, patched to the head).
    repo.write({
      'tests/test_new.py': 'from shop.stock import available\n\n\ndef test_new():\n    assert available(2)\n',
      'tests/api/test_status.py': 'def test_status():\n    assert True\n',
      'src/shop/stock.py': 'def available(n):\n    return n >= 1\n',
    });
    repo.delete('tests/test_pricing.py', 'tests/api/test_health.py');
    const second = repo.commit('tests moved');
    const warm = await view(repo, first, second, store);
    const fresh = await view(repo, first, second, undefined);
    const without = await view(repo, first, second, store, false);
    const expected = await discovered(repo, second);
    expect(expected).toEqual(['tests/api/test_status.py', 'tests/test_new.py', 'tests/test_stock.py']);
    expect(warm.result.testFiles).toEqual(expected);
    expect(fresh.result.testFiles).toEqual(expected);
    expect(without.result.testFiles).toEqual(expected);
    expect(reachOf(warm.result)).toEqual(reachOf(fresh.result));
    expect(warm.result.reach).toEqual({
      'tests/api/test_status.py': 0,
      'tests/test_new.py': 0,
      'tests/test_stock.py': 1,
    });
    expect(without.result.reach).toBeNull();
    expect(without.result.changes).toEqual(warm.result.changes);
  });

  it("with predict's scanned patch, is the view of the full analysis but for the syntax it did not judge", async () => {
    const { repo, dir, store } = projectWithStore();
    const base = repo.head();
    repo.write({ 'src/shop/stock.py': 'def available(n):\n    return n >= 0\n' });
    const stored = repo.commit('stock');
    await view(repo, base, stored, store); // stores the graph of this tree
    // Each view on a store of its own: a patch that links every file again stores the graph of the head.
    const copy = tempDir();
    cleanup.push(() => rmSync(copy, { recursive: true, force: true }));
    cpSync(dir, copy, { recursive: true });
    // Imports that change, a test file added and one deleted, a package module that appears: read warm.
    repo.write({
      'src/shop/pricing.py': 'from shop.stock import available\n\n\ndef total(items):\n    return sum(items)\n',
      'src/shop/tax.py': 'from . import pricing\n\nRATE = 2\n',
      'tests/test_tax.py': 'from shop.tax import RATE\n\n\ndef test_rate():\n    assert RATE\n',
    });
    repo.delete('tests/api/test_health.py');
    const head = repo.commit('tax');
    const parsed = await view(repo, base, head, store);
    const scanned = await view(repo, base, head, new DirStore(copy), true, true);
    const { syntaxUnjudged, ...rest } = scanned.result;
    expect(rest).toEqual(parsed.result);
    expect(scanned.warnings).toEqual(parsed.warnings);
    expect(parsed.result.syntaxUnjudged).toBeUndefined();
    expect(syntaxUnjudged?.sort()).toEqual(['src/shop/pricing.py', 'src/shop/tax.py', 'tests/test_tax.py']);
    expect(parsed.result.reach).toEqual({
      'tests/test_pricing.py': 1,
      'tests/test_tax.py': 0,
      'tests/test_stock.py': 1,
    });
  });

  it('without test files, has no reach and says nothing the selection warned about', async () => {
    const repo = new TempGitRepo();
    cleanup.push(() => repo.remove());
    // A module too large to parse: building the graph warns about it.
    const huge = `x = 1\n${'#'.repeat(MAX_PARSED_SOURCE_CHARS)}\n`;
    repo.write({ 'pkg/a.py': 'import pkg.b\n', 'pkg/b.py': 'x = 1\n', 'pkg/huge.py': huge });
    const base = repo.commit('initial');
    repo.write({ 'pkg/b.py': 'x = 2\n' });
    const head = repo.commit('b');
    const { result, warnings } = await view(repo, base, head, undefined);
    expect(result.testFiles).toEqual([]);
    expect(result.reach).toBeNull();
    expect(result.changes?.map((c) => c.path)).toEqual(['pkg/b.py']);
    expect(warnings).toEqual([]);
  });
});
