import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { directoryGraphCacheStore } from '@ci-optimizer/core/test-filter';
import { repoWithStoreDir, selectBetween } from './support.ts';

describe('graph cache keyed by git blob ids', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

  function setup() {
    const { repo, storeDir } = repoWithStoreDir(cleanup);
    repo.write({
      'app/__init__.py': '',
      'app/a.py': 'A = 1\n',
      'app/b.py': 'from app import a\n',
      'tests/test_a.py': 'import app.a\n',
      'tests/test_b.py': 'import app.b\n',
    });
    const base = repo.commit();
    return { repo, storeDir, base, store: directoryGraphCacheStore(storeDir) };
  }

  it('re-parses only the files whose blob changed, with the same selection as a cold run', async () => {
    const { repo, base, store } = setup();
    repo.write({ 'app/a.py': 'A = 2\n' });
    const head = repo.commit();
    const cold = await selectBetween(repo, base, head, {}, { cache: store });
    // Every file is read; the changed one is parsed in full (its syntax is the selection's), the others are scanned.
    expect(cold.stats).toMatchObject({ sourceFiles: 5, parsedFiles: 5, scannedFiles: 4, cachedFiles: 0 });
    repo.write({ 'app/b.py': 'from app import a\nB = 1\n' });
    const next = repo.commit();
    const warm = await selectBetween(repo, base, next, {}, { cache: store });
    expect(warm.stats).toMatchObject({ sourceFiles: 5, parsedFiles: 1, scannedFiles: 0, cachedFiles: 4 });
    const uncached = await selectBetween(repo, base, next);
    expect(warm.tests.sort()).toEqual(uncached.tests.sort());
    expect(warm.tests.sort()).toEqual(['tests/test_a.py', 'tests/test_b.py']);
  });

  it('a corrupt cache is a warning and a cold parse, never a failure', async () => {
    const { repo, base, storeDir, store } = setup();
    mkdirSync(join(storeDir, 'test-filter'), { recursive: true });
    writeFileSync(join(storeDir, 'test-filter', 'graph-python.json'), '{not json');
    repo.write({ 'app/a.py': 'A = 3\n' });
    const head = repo.commit();
    const warnings: string[] = [];
    const result = await selectBetween(repo, base, head, {}, { cache: store, warnings });
    expect(result.tests.sort()).toEqual(['tests/test_a.py', 'tests/test_b.py']);
    expect(warnings[0]).toMatch(/graph cache test-filter\/graph-python.json is not valid JSON/);
    const again = await selectBetween(repo, base, head, {}, { cache: store });
    expect(again.stats.parsedFiles).toBe(0);
  });

  it('a store that fails to write is a warning', async () => {
    const { repo, base } = setup();
    repo.write({ 'app/a.py': 'A = 4\n' });
    const head = repo.commit();
    const warnings: string[] = [];
    const failing = { read: async () => undefined, write: async () => Promise.reject(new Error('disk full')) };
    const result = await selectBetween(repo, base, head, {}, { cache: failing, warnings });
    expect(result.runAll).toBe(false);
    expect(warnings).toEqual([
      'Could not save the test-filter graph cache (test-filter/graph-python.json): disk full. The next run parses again.',
    ]);
  });

  it('a file the cold build only scanned is read in full once a selection changes it: its syntax error is reported', async () => {
    const { repo, store } = setup();
    repo.write({ 'app/broken.py': 'import app.a\n' });
    const valid = repo.commit();
    // A grammar error the tokens do not show: the scan reads the file's imports and leaves its syntax unjudged.
    repo.write({ 'app/broken.py': 'import app.a\nx = = 1\n' });
    const broken = repo.commit();
    repo.write({ 'app/a.py': 'A = 5\n' });
    const head = repo.commit();
    const cold = await selectBetween(repo, broken, head, {}, { cache: store });
    expect(cold.runAll).toBe(false);
    // The stored graph is of the head's tree, where app/broken.py was not changed: its facts are the scan's.
    const warm = await selectBetween(repo, valid, head, {}, { cache: store });
    const uncached = await selectBetween(repo, valid, head);
    expect(uncached.reasons).toEqual(['app/broken.py does not parse (line 2, column 5): its imports are unknown.']);
    expect(warm.reasons).toEqual(uncached.reasons);
    expect(warm.runAll).toBe(true);
  });
});
