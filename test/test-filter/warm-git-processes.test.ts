import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryGraphCacheStore } from '@ci-optimizer/core/test-filter';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';
import { LoggingGitShim } from '../support/git-shim.ts';
import { LOADER_PROJECT } from '../support/loader-project.ts';
import { selectBetween } from './support.ts';

// A warm selection (the stored graph of an earlier tree) is mostly waiting for git processes: it starts none that the
// answer does not need. Every git process is logged by a `git` on PATH that runs the real one. With more files than a
// search by path takes, and with fewer (a first run searches every file in memory and keeps the answers either way).
describe.each([
  { filler: 210, size: 'large' },
  { filler: 0, size: 'small' },
])('the git processes of a warm selection in a $size project', ({ filler: fillerCount }) => {
  let repo: TempGitRepo;
  let shim: LoggingGitShim;
  let path: string | undefined;
  const storeDirs: string[] = [];

  beforeAll(() => {
    shim = new LoggingGitShim();
    repo = new TempGitRepo();
    const filler = Object.fromEntries(Array.from({ length: fillerCount }, (_, i) => [`app/f${i}.py`, `F = ${i}\n`]));
    repo.write({ ...filler, ...LOADER_PROJECT });
  });
  afterAll(() => {
    repo.remove();
    shim.remove();
    for (const dir of storeDirs) rmSync(dir, { recursive: true, force: true });
  });

  /** The git commands (first word after the options) the selection from `base` to `head` ran, and its answer. */
  async function logged(base: string, head: string, storeDir: string, headTree?: string) {
    shim.clear();
    path = process.env.PATH;
    process.env.PATH = shim.path(path);
    try {
      const cache = directoryGraphCacheStore(storeDir);
      const selection = await selectBetween(repo, base, head, {}, { cache, headTree });
      const commands = shim.calls().map((call) => call.split(' ')[0]);
      return { selection, commands };
    } finally {
      process.env.PATH = path;
    }
  }

  const store = () => {
    const dir = tempDir('ci-opt-warm-store-');
    storeDirs.push(dir);
    return dir;
  };

  it('needs no tree diff on the stored graph of the head tree itself', { timeout: 600_000 }, async () => {
    const base = repo.commit('base');
    repo.write({ 'app/plugins/csv.py': 'C = 2\n' });
    const head = repo.commit('head');
    const dir = store();
    await selectBetween(repo, base, head, {}, { cache: directoryGraphCacheStore(dir) });
    // Another commit of the same tree (a merge that changed nothing, a run again).
    const again = repo.commit('same tree');
    const warm = await logged(base, again, dir);
    // The changed files (`git diff`, the caller's), then one object reader for everything else.
    expect(warm.commands).toEqual(['diff', 'cat-file']);
    expect(warm.selection.stats.parsedFiles).toBe(0);
    expect(warm.selection.tests).toEqual(['tests/test_csv.py']);
    expect(warm.selection).toEqual({ ...(await selectBetween(repo, base, again)), stats: warm.selection.stats });
    // With the head's tree known (the action learns it from the range's rev-parse), no object reader at all.
    const known = await logged(base, again, dir, repo.git('rev-parse', `${again}^{tree}`).trim());
    expect(known.commands).toEqual(['diff']);
    expect(known.selection).toEqual(warm.selection);
  });

  it('searches the changed files for the callers in memory, not with git grep', { timeout: 600_000 }, async () => {
    const base = repo.commit('base 2');
    const dir = store();
    // Cold: the graph of the base's tree and every file's mentions are stored.
    await selectBetween(repo, base, base, {}, { cache: directoryGraphCacheStore(dir) });
    // A caller changes what it passes (its text names the function), another file mentions nothing.
    repo.write({ 'app/uses_xml.py': 'from app.loader import load_package\nXML = load_package("app.plugins.csv")\n' });
    repo.write({ 'app/f1.py': 'F = -1\n' });
    const head = repo.commit('caller changed');
    const answersDocument = () => readFileSync(join(dir, 'test-filter', 'answers-python.json'), 'utf8');
    const kept = answersDocument();
    const warm = await logged(base, head, dir);
    // What the changed caller passes is not kept: the next run, from the same stored graph, reads it again anyway.
    expect(answersDocument()).toBe(kept);
    // The tree diff read through the object reader, and the callers' sites parsed from the text the patch read: one
    // object reader for everything, no `git diff-tree`, `git grep` or second reader.
    expect(warm.commands).toEqual(['diff', 'cat-file']);
    expect(warm.selection.stats.parsedFiles).toBe(2);
    expect(warm.selection).toEqual({ ...(await selectBetween(repo, base, head)), stats: warm.selection.stats });
    expect(warm.selection.tests).toEqual(['tests/test_xml.py']);
  });

  it('finds a caller that only the kept answers name, with no git grep', { timeout: 600_000 }, async () => {
    repo.write(LOADER_PROJECT);
    const base = repo.commit('base 3');
    const dir = store();
    await selectBetween(repo, base, base, {}, { cache: directoryGraphCacheStore(dir) });
    // The module a caller names changes; the caller (its text unread by this run) is found by its kept mentions.
    repo.write({ 'app/plugins/xml.py': 'X = 2\n' });
    const head = repo.commit('plugin changed');
    const warm = await logged(base, head, dir);
    expect(warm.commands).toEqual(['diff', 'cat-file']);
    expect(warm.selection.tests).toEqual(['tests/test_xml.py']);
    expect(warm.selection.explanations['tests/test_xml.py']).toContain('app/uses_xml.py');
    expect(warm.selection).toEqual({ ...(await selectBetween(repo, base, head)), stats: warm.selection.stats });
  });

  it('keeps what a changed caller passes when the graph is stored again with it', { timeout: 600_000 }, async () => {
    repo.write(LOADER_PROJECT);
    const base = repo.commit('base 4');
    const dir = store();
    await selectBetween(repo, base, base, {}, { cache: directoryGraphCacheStore(dir) });
    // A change large enough that the patched graph is stored: the next run starts from this tree.
    const added = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`app/new${i}.py`, `N = ${i}\n`]));
    repo.write({
      ...added,
      'app/uses_xml.py': 'from app.loader import load_package\nXML = load_package("app.plugins.csv")\n',
    });
    const head = repo.commit('many files');
    const caller = repo.git('rev-parse', `${head}:app/uses_xml.py`);
    const answersDocument = () => readFileSync(join(dir, 'test-filter', 'answers-python.json'), 'utf8');
    expect(answersDocument()).not.toContain(caller);
    const warm = await selectBetween(repo, base, head, {}, { cache: directoryGraphCacheStore(dir) });
    expect(warm.stats.parsedFiles).toBe(61);
    expect(answersDocument()).toContain(caller);
  });
});
