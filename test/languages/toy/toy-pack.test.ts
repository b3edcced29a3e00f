import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { diffChangedFiles } from '@ci-optimizer/core/git';
import { learnImpactMap, selectWithImpactMap } from '@ci-optimizer/core/impact-map';
import {
  discoverTests,
  directoryGraphCacheStore,
  resolveTestFilterOptions,
  selectAffectedTests,
  type TestSelection,
} from '@ci-optimizer/core/test-filter';
import { TempGitRepo, tempDir } from '../../support/git-repo.ts';
import { toyPack } from './toy-pack.ts';

// The seam between the selection engine and a language: a pack written here, in the tests, selects through the same
// engine the Python pack uses, with its own discovery, dependencies, implicit edges and run-all files.
const PROJECT = {
  'toyspec.conf': 'tests = specs\n',
  'lib/math.toy': 'add\n',
  'lib/text.toy': 'use lib/math\nconcat\n',
  'app/main.toy': 'use lib/text\n',
  'specs/math.spec': 'use lib/math\n',
  'specs/text.spec': 'use lib/text\n',
  'specs/main.spec': 'use app/main\nreads "fixtures/table.csv"\n',
  'specs/unit/other.spec': 'nothing used\n',
  'specs/unit/setup.toy': 'prepare\n',
  'fixtures/table.csv': 'a,b\n',
  'notes/outside.spec': 'use lib/math\n',
  'README.md': '# toy\n',
};

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const done of cleanup.splice(0)) done();
});

function project(): { repo: TempGitRepo; base: string } {
  const repo = new TempGitRepo();
  cleanup.push(() => repo.remove());
  repo.write(PROJECT);
  return { repo, base: repo.commit('toy project') };
}

async function selectAfter(
  repo: TempGitRepo,
  base: string,
  files: Record<string, string>,
  cacheDir?: string,
): Promise<TestSelection> {
  repo.write(files);
  const head = repo.commit('change');
  return selectAffectedTests({
    pack: toyPack,
    repoDir: repo.dir,
    head,
    changes: await diffChangedFiles(repo.dir, base, head),
    options: resolveTestFilterOptions({}),
    cache: cacheDir ? directoryGraphCacheStore(cacheDir) : undefined,
  });
}

describe('a toy language pack through the selection engine', () => {
  it("discovers the framework's tests by its own configuration", async () => {
    const { repo, base } = project();
    const found = await discoverTests(toyPack.framework, repo.dir, base, '');
    expect(found.tests).toEqual(['specs/main.spec', 'specs/math.spec', 'specs/text.spec', 'specs/unit/other.spec']);
    expect(found.discovery).toEqual({ tests: 'specs' });
  });

  it('selects the reverse closure of a changed module, with the chain as explanation', async () => {
    const { repo, base } = project();
    const selection = await selectAfter(repo, base, { 'lib/text.toy': 'use lib/math\nconcat twice\n' });
    expect(selection.runAll).toBe(false);
    expect(selection.tests.sort()).toEqual(['specs/main.spec', 'specs/text.spec']);
    expect(selection.explanations['specs/main.spec']).toMatch(/uses app\/main.*uses lib\/text/);
    expect(selection.distances).toEqual({ 'specs/text.spec': 1, 'specs/main.spec': 2 });
    expect(selection.totalCount).toBe(4);
  });

  it('follows implicit edges, data files named in string literals, and stays the same from a stored graph', async () => {
    const { repo, base } = project();
    const cache = tempDir('ci-opt-toy-cache-');
    cleanup.push(() => rmSync(cache, { recursive: true, force: true }));
    const setup = await selectAfter(repo, base, { 'specs/unit/setup.toy': 'prepare more\n' }, cache);
    expect(setup.tests).toEqual(['specs/unit/other.spec']);
    expect(setup.explanations['specs/unit/other.spec']).toMatch(/is set up by specs\/unit\/setup.toy/);
    // A second change on top of the first: the graph stored by the first run is patched, not rebuilt.
    const data = await selectAfter(repo, repo.head(), { 'fixtures/table.csv': 'a,b,c\n' }, cache);
    expect(data.stats.parsedFiles).toBe(0);
    expect(data.tests).toEqual(['specs/main.spec']);
    expect(data.explanations['specs/main.spec']).toMatch(/names fixtures\/table.csv/);
  });

  it("runs everything on the pack's run-all files and its framework's rule, and calls other files not Toy", async () => {
    const { repo, base } = project();
    const lock = await selectAfter(repo, base, { 'toy.lock': 'pinned\n' });
    expect(lock.runAll).toBe(true);
    expect(lock.reasons).toEqual(["toy.lock (added) matches the run-all trigger '**/toy.lock'."]);
    repo.git('reset', '-q', '--hard', base);
    const root = await selectAfter(repo, base, { 'setup.toy': 'global\n' });
    expect(root.reasons).toEqual(['setup.toy (added): the root setup.toy applies to every spec.']);
    repo.git('reset', '-q', '--hard', base);
    // The engine knows no Python: a .py file is just a file this pack does not handle.
    const python = await selectAfter(repo, base, { 'tool.py': 'import os\n' });
    expect(python.runAll).toBe(true);
    expect(python.reasons[0]).toMatch(/^tool\.py \(added\) is not Toy, not named by any test or module/);
    repo.git('reset', '-q', '--hard', base);
    const docs = await selectAfter(repo, base, { 'README.md': '# toy, documented\n' });
    expect(docs).toMatchObject({ runAll: false, tests: [] });
  });

  it('has no impact map: learning says so by name, and a selection with a map keeps the static selection', async () => {
    const { repo, base } = project();
    const coverage = {
      format: 'toy',
      tool: 'toycov',
      files: new Map([['lib/math.toy', new Map([['specs/math.spec', [1]]])]]),
      contextCount: 1,
      skipped: new Map(),
    };
    await expect(learnImpactMap({ pack: toyPack, repoDir: repo.dir, coverage })).rejects.toThrow(
      /The Toy pack has no impact-map support/,
    );
    repo.write({ 'lib/math.toy': 'add\nsubtract\n' });
    const head = repo.commit('change');
    const request = {
      pack: toyPack,
      repoDir: repo.dir,
      head,
      changes: await diffChangedFiles(repo.dir, base, head),
      options: resolveTestFilterOptions({}),
    };
    const map = {
      schema: 2,
      commit: base,
      createdAt: new Date().toISOString(),
      projectDir: '',
      source: { format: 'toy', tool: 'toycov', contexts: 1 },
      modules: [],
      tests: [],
      importTime: [],
      sharedFixtureSetup: [],
      sharedState: [],
    };
    const selection = await selectWithImpactMap({ request, map });
    expect(selection.impactMap).toMatchObject({ used: false, reason: 'the Toy pack has no impact-map support' });
    expect(selection.tests.sort()).toEqual(['specs/main.spec', 'specs/math.spec', 'specs/text.spec']);
  });
});
