import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { diffChangedFiles } from '@ci-optimizer/core/git';
import type { LanguagePack } from '@ci-optimizer/core/languages';
import {
  directoryGraphCacheStore,
  resolveTestFilterOptions,
  selectAffectedTests,
} from '@ci-optimizer/core/test-filter';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';
import { toyPack, type ToyFacts } from '../languages/toy/toy-pack.ts';

const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

/** The toy pack, with a `prepare` that notes what each call is told. */
function recordingPack(): { pack: LanguagePack<ToyFacts, unknown>; prepared: Array<number | undefined> } {
  const prepared: Array<number | undefined> = [];
  const language = {
    ...toyPack.language,
    prepare: async (files?: number) => {
      prepared.push(files);
    },
  };
  return { pack: { ...toyPack, language } as LanguagePack<ToyFacts, unknown>, prepared };
}

describe("the language's prepare is told when a whole graph is built", () => {
  it('with the number of its files on a build, and without it when a stored graph is patched', async () => {
    const repo = new TempGitRepo();
    cleanup.push(() => repo.remove());
    const store = tempDir('ci-opt-parser-load-');
    cleanup.push(() => rmSync(store, { recursive: true, force: true }));
    // Five files the toy language reads (.toy and .spec), and one it does not.
    repo.write({
      'lib/a.toy': 'add\n',
      'lib/b.toy': 'use lib/a\n',
      'specs/a.spec': 'use lib/a\n',
      'specs/b.spec': 'use lib/b\n',
      'specs/c.spec': 'nothing\n',
      'README.md': '# toy\n',
    });
    repo.commit('project');
    const select = async (change: Record<string, string>) => {
      const from = repo.head();
      repo.write(change);
      const head = repo.commit('change');
      const { pack, prepared } = recordingPack();
      const selection = await selectAffectedTests({
        pack,
        repoDir: repo.dir,
        head,
        changes: await diffChangedFiles(repo.dir, from, head),
        options: resolveTestFilterOptions({}),
        cache: directoryGraphCacheStore(store),
      });
      return { selection, prepared };
    };
    const cold = await select({ 'lib/a.toy': 'add more\n' });
    expect(cold.selection.tests.sort()).toEqual(['specs/a.spec', 'specs/b.spec']);
    expect(cold.prepared.length).toBeGreaterThan(0);
    expect(new Set(cold.prepared)).toEqual(new Set([5]));
    // The next commit patches the graph the first run stored: one file is read, not the whole graph.
    const warm = await select({ 'lib/b.toy': 'use lib/a\nmore\n' });
    expect(warm.selection.tests).toEqual(['specs/b.spec']);
    expect(warm.selection.stats.parsedFiles).toBe(1);
    expect(warm.prepared.length).toBeGreaterThan(0);
    expect(warm.prepared.every((files) => files === undefined)).toBe(true);
  });
});
