import { afterEach, describe, expect, it } from 'vitest';
import { diffChangedFiles, type GitObjectReader } from '@ci-optimizer/core/git';
import { pythonPack } from '@ci-optimizer/core/languages/python';
import {
  directoryGraphCacheStore,
  type GraphCacheStore,
  ReadAheadStore,
  resolveTestFilterOptions,
  selectAffectedTests,
  SelectionSession,
} from '@ci-optimizer/core/test-filter';
import { repoWithStoreDir, withoutStoredDynamicCalls } from './support.ts';

/** A store over a map that logs each read of the underlying store. */
function loggingStore(log: string[], values = new Map<string, string>()): GraphCacheStore {
  return {
    read: async (key) => {
      log.push(`read ${key}`);
      const value = values.get(key);
      return value === undefined ? undefined : Buffer.from(value);
    },
    write: async (key, data) => {
      values.set(key, data.toString());
    },
  };
}

describe('ReadAheadStore', () => {
  it('serves one read of a key from the read started ahead, then reads again', async () => {
    const log: string[] = [];
    const store = new ReadAheadStore(loggingStore(log, new Map([['k', 'one']])));
    store.readAhead('k');
    store.readAhead('k');
    expect(log).toEqual(['read k']);
    expect((await store.read('k'))?.toString()).toBe('one');
    expect(log).toEqual(['read k']);
    expect((await store.read('k'))?.toString()).toBe('one');
    expect(log).toEqual(['read k', 'read k']);
  });

  it('a write drops the read ahead: the next read sees what was written', async () => {
    const log: string[] = [];
    const store = new ReadAheadStore(loggingStore(log, new Map([['k', 'old']])));
    store.readAhead('k');
    await store.write('k', 'new');
    expect((await store.read('k'))?.toString()).toBe('new');
  });

  it('a read ahead that fails fails the read that takes it, and nothing before', async () => {
    let calls = 0;
    const store = new ReadAheadStore({
      read: async () => {
        calls += 1;
        throw new Error(`unreachable ${calls}`);
      },
      write: async () => {},
    });
    store.readAhead('k');
    // Nothing is thrown or left unhandled until the read takes it.
    await new Promise((resolve) => setImmediate(resolve));
    await expect(store.read('k')).rejects.toThrow('unreachable 1');
    await expect(store.read('k')).rejects.toThrow('unreachable 2');
  });
});

describe('a warm selection with what the caller knows ahead', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

  /** A project with a computed import (its graph's link reads every file's facts), a stored graph, and two changes. */
  async function project() {
    const { repo, storeDir } = repoWithStoreDir(cleanup, 'ci-opt-ahead-');
    repo.write({
      'app/__init__.py': '',
      'app/a.py': 'A = 1\n',
      'app/b.py': 'from app import a\n',
      'app/plugins.py': 'import importlib\n\ndef load(name):\n    return importlib.import_module("app." + name)\n',
      'tests/test_a.py': 'import app.a\n',
      'tests/test_b.py': 'import app.b\n',
      'tests/test_plugins.py': 'import app.plugins\n',
    });
    const base = repo.commit('base');
    repo.write({ 'app/a.py': 'A = 2\n' });
    const stored = repo.commit('stored');
    repo.write({ 'app/b.py': 'from app import a\nB = 1\n' });
    const head = repo.commit('head');
    const store = directoryGraphCacheStore(storeDir);
    const options = resolveTestFilterOptions({});
    // The stored graph is of `stored`'s tree.
    await selectAffectedTests({
      pack: pythonPack,
      repoDir: repo.dir,
      head: stored,
      changes: await diffChangedFiles(repo.dir, base, stored),
      options,
      cache: store,
    });
    const changes = await diffChangedFiles(repo.dir, base, head);
    return { repo, store, options, head, changes };
  }

  it('does not ask for a head tree it was given, and selects the same', async () => {
    const { repo, store, options, head, changes } = await project();
    const select = async (headTree: string | undefined) => {
      const session = new SelectionSession();
      const reader: GitObjectReader = session.reader(repo.dir);
      const asked: string[] = [];
      const read = reader.read.bind(reader);
      reader.read = (spec) => {
        asked.push(spec);
        return read(spec);
      };
      try {
        const request = { pack: pythonPack, repoDir: repo.dir, head, changes, options, session };
        const selection = await selectAffectedTests({ ...request, cache: store, headTree });
        return { selection, asked };
      } finally {
        session.close();
      }
    };
    const asking = await select(undefined);
    const given = await select(repo.git('rev-parse', `${head}^{tree}`).trim());
    expect(asking.asked).toContain(`${head}^{tree}`);
    expect(given.asked).not.toContain(`${head}^{tree}`);
    expect(given.selection).toEqual(asking.selection);
    // Patched from the stored graph: only the file changed since it is parsed.
    expect(given.selection.stats.parsedFiles).toBe(1);
    const uncached = await selectAffectedTests({ pack: pythonPack, repoDir: repo.dir, head, changes, options });
    expect(given.selection.tests).toEqual(uncached.tests);
  });

  it('starts reading the stored facts before it parses the change (their link needs them after)', async () => {
    const { repo, store: stored, options, head, changes } = await project();
    // Without computed imports stored with the graph (with them, this change needs no facts: stored-dynamic-calls).
    const store = withoutStoredDynamicCalls(stored);
    const log: string[] = [];
    const logged: GraphCacheStore = {
      read: (key) => {
        log.push(`read ${key}`);
        return store.read(key);
      },
      write: (key, data) => store.write(key, data),
    };
    const language = {
      ...pythonPack.language,
      analyzeMany: (sources: string[]) => {
        log.push(`parse ${sources.length}`);
        return pythonPack.language.analyzeMany!(sources);
      },
    };
    const selection = await selectAffectedTests({
      pack: { ...pythonPack, language },
      repoDir: repo.dir,
      head,
      changes,
      options,
      cache: logged,
    });
    const uncached = await selectAffectedTests({ pack: pythonPack, repoDir: repo.dir, head, changes, options });
    expect(selection.tests).toEqual(uncached.tests);
    expect(log.filter((line) => !line.includes('answers'))).toEqual([
      'read test-filter/dynamic-python.json',
      'read test-filter/graph-python.json',
      'read test-filter/facts-python.json',
      'parse 1',
    ]);
  });
});
