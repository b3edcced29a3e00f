import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { directoryGraphCacheStore, dynamicCallsCacheKey, type GraphCacheStore } from '@ci-optimizer/core/test-filter';
import { LOADER_PROJECT } from '../support/loader-project.ts';
import { repoWithStoreDir, selectBetween } from './support.ts';

// The computed imports of a stored graph's tree, worked out by the run that stored the graph (the link's calls, then
// what the callers pass), are stored beside it: a warm run whose change cannot alter them uses them as they are and
// reads neither the facts document nor the callers' answers. A change that can alter them (a file they were worked out
// from, a file that gains a searched name, a file that comes or goes) makes the run work them out again.
describe('computed imports stored with the graph', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

  /** LOADER_PROJECT, a registry that imports every plugin by prefix, and a module that calls nothing yet. */
  function setup() {
    const { repo, storeDir } = repoWithStoreDir(cleanup, 'ci-opt-dynamic-');
    repo.write({
      ...LOADER_PROJECT,
      'app/registry.py': 'import importlib\nfor n in ["csv"]:\n    importlib.import_module("app.plugins." + n)\n',
      'app/other.py': 'O = 1\n',
      'tests/test_registry.py': 'import app.registry\n',
      'tests/test_other.py': 'import app.other\n',
    });
    const stored = repo.commit('stored');
    const store = directoryGraphCacheStore(storeDir);
    const reads: string[] = [];
    const logged: GraphCacheStore = {
      read: (key) => {
        reads.push(key.replace(/^test-filter\/|-python\.json$/g, ''));
        return store.read(key);
      },
      write: (key, data) => store.write(key, data),
    };
    const documentPath = join(storeDir, dynamicCallsCacheKey('python'));
    return { repo, stored, store, logged, reads, documentPath };
  }

  /** The warm selection base..head from the stored graph, checked against a selection without any cache. */
  async function warmAgainstUncached(
    repo: ReturnType<typeof setup>['repo'],
    base: string,
    head: string,
    cache: GraphCacheStore,
    warnings: string[] = [],
  ) {
    const warm = await selectBetween(repo, base, head, {}, { cache, warnings });
    const uncached = await selectBetween(repo, base, head);
    expect(warm).toEqual({ ...uncached, stats: warm.stats });
    return warm;
  }

  it('are saved by the run that stores the graph, and used by a warm run without the facts or answers', async () => {
    const { repo, stored, store, logged, reads, documentPath } = setup();
    await selectBetween(repo, stored, stored, {}, { cache: store });
    const document = JSON.parse(readFileSync(documentPath, 'utf8'));
    expect(document).toMatchObject({ schema: 1, language: 'python', names: ['load_package'] });
    // The file with the computed imports and the callers of the function that imports its parameter.
    expect(document.inputs).toEqual(
      expect.arrayContaining(['app/loader.py', 'app/registry.py', 'app/uses_csv.py', 'app/uses_xml.py']),
    );
    expect(document.inputs).not.toContain('app/plugins/csv.py');

    repo.write({ 'app/plugins/csv.py': 'C = 2\n' });
    const head = repo.commit('plugin changed');
    const warm = await warmAgainstUncached(repo, stored, head, logged);
    expect(warm.tests.sort()).toEqual(['tests/test_csv.py', 'tests/test_registry.py']);
    expect(reads.sort()).toEqual(['dynamic', 'graph']);
  });

  // Each: what changed since the stored tree (`since`, on the base), then the change selected for (base..head); the stored
  // calls would leave out a test the uncached selection has.
  it.each<{ why: string; since: Record<string, string>; change: Record<string, string>; tests: string[] }>([
    {
      why: 'a changed file they were worked out from (a caller now passes another plugin)',
      since: { 'app/uses_csv.py': 'from app.loader import load_package\nCSV = load_package("app.plugins.xml")\n' },
      change: { 'app/plugins/xml.py': 'X = 2\n' },
      tests: ['tests/test_csv.py', 'tests/test_registry.py', 'tests/test_xml.py'],
    },
    {
      why: 'a changed file that gains the name of a function whose callers were searched (a new caller)',
      since: { 'app/other.py': 'from app.loader import load_package\nO = load_package("app.plugins.csv")\n' },
      change: { 'app/plugins/csv.py': 'C = 3\n' },
      tests: ['tests/test_csv.py', 'tests/test_other.py', 'tests/test_registry.py'],
    },
    {
      why: 'a file that comes (a new target of the call bounded by a prefix)',
      since: { 'app/plugins/json.py': 'J = 1\n' },
      change: { 'app/plugins/json.py': 'J = 2\n' },
      tests: ['tests/test_registry.py'],
    },
  ])('$why makes the run work them out again', async ({ since, change, tests }) => {
    const { repo, stored, store, logged, reads } = setup();
    await selectBetween(repo, stored, stored, {}, { cache: store });
    repo.write(since);
    const base = repo.commit('since the stored tree');
    repo.write(change);
    const head = repo.commit('the change');
    const warm = await warmAgainstUncached(repo, base, head, logged);
    expect(warm.tests.sort()).toEqual(tests);
    expect(reads).toContain('facts');
  });

  it('a document of another graph, of another schema or damaged is not used (damaged: a warning)', async () => {
    const { repo, stored, store, logged, reads, documentPath } = setup();
    await selectBetween(repo, stored, stored, {}, { cache: store });
    const saved = JSON.parse(readFileSync(documentPath, 'utf8'));
    // Calls saying nothing loads anything: used, they would leave out every test the plugin's change selects.
    const misleading = {
      ...saved,
      calls: saved.calls.map((call: object) => ({ ...call, loads: [], loadsAllBut: undefined })),
    };
    repo.write({ 'app/plugins/csv.py': 'C = 4\n' });
    const head = repo.commit('plugin changed');
    const documents = [
      JSON.stringify({ ...misleading, graph: 'another save' }),
      JSON.stringify({ ...misleading, schema: 2 }),
      JSON.stringify({ ...misleading, calls: [{ ...misleading.calls[0], loads: [1_000_000] }] }),
      '{not json',
    ];
    for (const document of documents) {
      writeFileSync(documentPath, document);
      reads.length = 0;
      const warnings: string[] = [];
      const warm = await warmAgainstUncached(repo, stored, head, logged, warnings);
      expect(warm.tests.sort()).toEqual(['tests/test_csv.py', 'tests/test_registry.py']);
      expect(reads).toContain('facts');
      expect(warnings).toEqual(
        document === '{not json' ? [expect.stringMatching(/computed imports cache .* is not valid JSON/)] : [],
      );
    }
    // The stored document is what a warm run uses: the misleading one, tied to the graph, is believed.
    writeFileSync(documentPath, JSON.stringify(misleading));
    const misled = await selectBetween(repo, stored, head, {}, { cache: store });
    expect(misled.tests).toEqual([]);
  });

  it('a run on the stored tree itself stores them when the graph has none (a store of an earlier version)', async () => {
    const { repo, stored, store, documentPath } = setup();
    await selectBetween(repo, stored, stored, {}, { cache: store });
    const saved = readFileSync(documentPath, 'utf8');
    writeFileSync(documentPath, '{}');
    const again = repo.commit('same tree');
    await selectBetween(repo, stored, again, {}, { cache: store });
    expect(JSON.parse(readFileSync(documentPath, 'utf8'))).toEqual(JSON.parse(saved));
  });
});
