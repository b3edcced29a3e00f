import { rmSync } from 'node:fs';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';
import { diffChangedFiles } from '@ci-optimizer/core/git';
import { pythonPack } from '@ci-optimizer/core/languages/python';
import {
  dynamicCallsCacheKey,
  resolveTestFilterOptions,
  selectAffectedTests,
  type GraphCacheStore,
  type TestSelection,
} from '@ci-optimizer/core/test-filter';
import { parse as parseYaml } from 'yaml';

/** A new repository and an empty store folder, both removed by the functions pushed to `cleanup`. */
export function repoWithStoreDir(cleanup: Array<() => void>, prefix = 'ci-opt-store-') {
  const repo = new TempGitRepo();
  const storeDir = tempDir(prefix);
  cleanup.push(
    () => repo.remove(),
    () => rmSync(storeDir, { recursive: true, force: true }),
  );
  return { repo, storeDir };
}

/** A repository with a base commit and a head commit, selected between with the real git diff. */
export async function selectBetween(
  repo: TempGitRepo,
  base: string,
  head: string,
  section: Record<string, unknown> = {},
  extra: { cache?: GraphCacheStore; warnings?: string[]; durations?: Map<string, number>; headTree?: string } = {},
): Promise<TestSelection> {
  const changes = await diffChangedFiles(repo.dir, base, head);
  return selectAffectedTests({
    pack: pythonPack,
    repoDir: repo.dir,
    head,
    headTree: extra.headTree,
    changes,
    options: resolveTestFilterOptions(section, '.github/ci-optimizer.yml', parseYaml),
    cache: extra.cache,
    durations: extra.durations,
    warn: (message) => extra.warnings?.push(message),
  });
}

/** Commits `base`, then applies `change` (files to write; null deletes) and commits it; returns the selection. */
export async function selectForChange(
  base: Record<string, string>,
  change: Record<string, string | null>,
  section: Record<string, unknown> = {},
): Promise<TestSelection> {
  const repo = new TempGitRepo();
  try {
    repo.write(base);
    const baseSha = repo.commit('base');
    const writes: Record<string, string> = {};
    for (const [path, content] of Object.entries(change)) {
      if (content === null) repo.delete(path);
      else writes[path] = content;
    }
    repo.write(writes);
    const headSha = repo.commit('head');
    return await selectBetween(repo, baseSha, headSha, section);
  } finally {
    repo.remove();
  }
}

/**
 * `store` as a store of an earlier version saw it: no computed imports stored with the graph (stored-dynamic-calls.ts),
 * so that a warm run works them out from the facts and the callers' answers.
 */
export function withoutStoredDynamicCalls(store: GraphCacheStore): GraphCacheStore {
  const key = dynamicCallsCacheKey('python');
  return {
    read: async (asked) => (asked === key ? undefined : store.read(asked)),
    write: async (written, data) => (written === key ? undefined : store.write(written, data)),
  };
}
