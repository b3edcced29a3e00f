import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ZERO_SHA, isShallow, listChangedFiles, openRepo, resolveDiffRange } from '@ci-optimizer/core/git';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';
import { LoggingGitShim } from '../support/git-shim.ts';

/** An "origin" with a main branch of `count` commits and a feature branch on top; returns the shas. */
function originWithHistory(count: number): { origin: TempGitRepo; mainShas: string[]; feature: string } {
  const origin = new TempGitRepo();
  const mainShas: string[] = [];
  for (let i = 0; i < count; i++) {
    origin.write({ [`src/m${i}.py`]: `x = ${i}\n` });
    mainShas.push(origin.commit(`main ${i}`));
  }
  origin.git('checkout', '-q', '-b', 'feature');
  origin.write({ 'src/feature.py': 'f = 1\n' });
  const feature = origin.commit('feature');
  origin.git('checkout', '-q', 'main');
  return { origin, mainShas, feature };
}

function shallowClone(origin: TempGitRepo, branch: string): TempGitRepo {
  const dir = join(tempDir('ci-opt-clone-'), 'clone');
  execFileSync('git', ['clone', '-q', '--depth', '1', '--branch', branch, `file://${origin.dir}`, dir]);
  return new TempGitRepo(dir);
}

describe('resolveDiffRange', () => {
  const cleanup: TempGitRepo[] = [];
  afterEach(() => {
    for (const repo of cleanup.splice(0)) repo.remove();
  });

  it('deepens a --depth 1 clone until the pull request base and its merge base are there', async () => {
    const { origin, mainShas, feature } = originWithHistory(30);
    const clone = shallowClone(origin, 'feature');
    cleanup.push(origin, clone);
    const base = mainShas[29];
    expect(await isShallow(openRepo(clone.dir))).toBe(true);

    const range = await resolveDiffRange({
      repoDir: clone.dir,
      eventName: 'pull_request',
      payload: { pull_request: { base: { sha: base }, head: { sha: feature } } },
    });

    expect(range.fallbackReason).toBeUndefined();
    expect(range.base).toBe(base);
    expect(range.head).toBe(feature);
    expect(range.fetchSteps.some((step) => step.startsWith('fetch') || step.startsWith('deepen'))).toBe(true);
    const files = await listChangedFiles(clone.dir, range.base!, range.head);
    expect(files).toEqual([{ status: 'added', path: 'src/feature.py' }]);
  });

  it('finds the merge base of an older base commit after deepening', async () => {
    const { origin, mainShas, feature } = originWithHistory(5);
    // main moves on after the feature branched: the merge base is main's commit 4, not the new tip.
    origin.write({ 'src/later.py': 'l = 1\n' });
    const newTip = origin.commit('main moves on');
    const clone = shallowClone(origin, 'feature');
    cleanup.push(origin, clone);

    const range = await resolveDiffRange({
      repoDir: clone.dir,
      eventName: 'pull_request',
      payload: { pull_request: { base: { sha: newTip }, head: { sha: feature } } },
    });

    expect(range.base).toBe(mainShas[4]);
    expect(await listChangedFiles(clone.dir, range.base!, range.head)).toEqual([
      { status: 'added', path: 'src/feature.py' },
    ]);
  });

  it('falls back with a clear reason when the base is unreachable', async () => {
    const { origin, feature } = originWithHistory(3);
    const clone = shallowClone(origin, 'feature');
    const stranger = new TempGitRepo();
    stranger.write({ 'other.txt': 'o\n' });
    const foreign = stranger.commit('not in origin');
    cleanup.push(origin, clone, stranger);

    const range = await resolveDiffRange({
      repoDir: clone.dir,
      eventName: 'pull_request',
      payload: { pull_request: { base: { sha: foreign }, head: { sha: feature } } },
    });

    expect(range.base).toBeUndefined();
    expect(range.fallbackReason).toBe(`pull request base ${foreign} is not available`);
  });

  it('uses the merge commit first parent on a pull_request checkout', async () => {
    const { origin, mainShas, feature } = originWithHistory(3);
    cleanup.push(origin);
    origin.git('checkout', '-q', '--detach', mainShas[2]);
    origin.git('merge', '-q', '--no-ff', '-m', 'Merge feature', feature);
    const merge = origin.head();

    const range = await resolveDiffRange({
      repoDir: origin.dir,
      eventName: 'pull_request',
      payload: { pull_request: { base: { sha: mainShas[0] }, head: { sha: feature } } },
    });

    expect(range.base).toBe(mainShas[2]);
    expect(range.head).toBe(merge);
    expect(range.source).toContain('merge commit');
  });

  it("reads the merge commit's parents from its header, not from a message line that looks like one", async () => {
    const { origin, mainShas, feature } = originWithHistory(3);
    cleanup.push(origin);
    origin.git('checkout', '-q', '--detach', mainShas[2]);
    origin.git('merge', '-q', '--no-ff', '-m', 'Merge feature', '-m', `parent ${mainShas[0]}`, feature);
    const range = await resolveDiffRange({
      repoDir: origin.dir,
      eventName: 'pull_request',
      payload: { pull_request: { base: { sha: mainShas[0] }, head: { sha: feature } } },
    });
    expect(range).toMatchObject({ base: mainShas[2], head: origin.head() });
    expect(range.source).toContain('merge commit');
  });

  it('diffs a push from before to after, and falls back on a new branch (all-zeros before)', async () => {
    const { origin, mainShas } = originWithHistory(3);
    cleanup.push(origin);
    const push = await resolveDiffRange({
      repoDir: origin.dir,
      eventName: 'push',
      payload: { before: mainShas[0], after: mainShas[2] },
    });
    expect(push).toMatchObject({ base: mainShas[0], head: mainShas[2], source: 'push before..after' });

    const created = await resolveDiffRange({
      repoDir: origin.dir,
      eventName: 'push',
      payload: { before: ZERO_SHA, after: mainShas[2] },
    });
    expect(created.base).toBeUndefined();
    expect(created.fallbackReason).toContain('created the branch');
  });

  it('falls back on a force push whose before commit is gone', async () => {
    const { origin, mainShas } = originWithHistory(2);
    cleanup.push(origin);
    const gone = 'deadbeef'.repeat(5);
    const range = await resolveDiffRange({
      repoDir: origin.dir,
      eventName: 'push',
      payload: { before: gone, after: mainShas[1] },
    });
    expect(range.fallbackReason).toContain('force push');
  });

  it('takes explicit base and head inputs (a branch name) and diffs from their merge base', async () => {
    const { origin, mainShas, feature } = originWithHistory(3);
    cleanup.push(origin);
    origin.git('checkout', '-q', 'feature');
    const range = await resolveDiffRange({
      repoDir: origin.dir,
      eventName: 'workflow_dispatch',
      payload: {},
      base: 'main',
    });
    expect(range).toMatchObject({ base: mainShas[2], head: feature });
  });

  it('takes an explicit base that only the remote-tracking branches have (origin/NAME), as before', async () => {
    // The merge base asked early of the refs as given finds nothing for such a base: it must not be the answer.
    const { origin, mainShas, feature } = originWithHistory(3);
    const clone = new TempGitRepo(join(tempDir('ci-opt-clone-'), 'clone'));
    cleanup.push(origin, clone);
    execFileSync('git', ['clone', '-q', '--branch', 'feature', `file://${origin.dir}`, clone.dir]);
    const range = await resolveDiffRange({ repoDir: clone.dir, eventName: 'push', payload: {}, base: 'main' });
    expect(range).toMatchObject({ base: mainShas[2], head: feature, fetchSteps: [] });
    expect(range.fallbackReason).toBeUndefined();
  });

  it('diffs from the merge base, not the base, when explicit base and head have diverged', async () => {
    const { origin, mainShas, feature } = originWithHistory(3);
    cleanup.push(origin);
    origin.write({ 'src/later.py': 'l = 1\n' });
    const tip = origin.commit('main moves on');
    const range = await resolveDiffRange({
      repoDir: origin.dir,
      eventName: 'push',
      payload: {},
      base: tip,
      head: 'feature',
    });
    expect(range).toMatchObject({ base: mainShas[2], head: feature });
  });

  it('lists the changed files from the merge base with listChanges, asking git rev-parse and git diff only', async () => {
    const { origin, mainShas, feature } = originWithHistory(3);
    const shim = new LoggingGitShim();
    cleanup.push(origin);
    origin.write({ 'src/later.py': 'l = 1\n' });
    const tip = origin.commit('main moves on');
    const path = process.env.PATH;
    process.env.PATH = shim.path(path);
    let range: Awaited<ReturnType<typeof resolveDiffRange>>;
    let commands: string[];
    try {
      range = await resolveDiffRange({
        repoDir: origin.dir,
        eventName: 'push',
        payload: {},
        base: tip,
        head: 'feature',
        listChanges: true,
      });
      commands = shim.calls().map((call) => call.split(' ')[0]);
    } finally {
      process.env.PATH = path;
      shim.remove();
    }
    expect(range).toMatchObject({ base: mainShas[2], head: feature });
    // The head's tree comes with the first round (a selection need not ask for it).
    expect(range.headTree).toBe(origin.git('rev-parse', `${feature}^{tree}`).trim());
    // From the merge base: the feature's file, not main's later one.
    expect(range.changes).toEqual([{ status: 'added', path: 'src/feature.py' }]);
    expect(range.changes).toEqual(await listChangedFiles(origin.dir, mainShas[2], feature));
    // One process for the checkout, both commits and the merge base; the diff beside it (git finds the merge base).
    expect(commands.sort()).toEqual(['diff', 'rev-parse']);
    // Without listChanges, no diff and no changes.
    const bare = await resolveDiffRange({
      repoDir: origin.dir,
      eventName: 'push',
      payload: {},
      base: tip,
      head: 'feature',
    });
    expect(bare.changes).toBeUndefined();
  });

  it('lists the changes of the range whatever the first questions could answer', async () => {
    // A base only the remote-tracking branches have (the one-process questions fail, the questions are asked again).
    const { origin, mainShas, feature } = originWithHistory(3);
    const clone = new TempGitRepo(join(tempDir('ci-opt-clone-'), 'clone'));
    cleanup.push(origin, clone);
    execFileSync('git', ['clone', '-q', '--branch', 'feature', `file://${origin.dir}`, clone.dir]);
    const remote = await resolveDiffRange({
      repoDir: clone.dir,
      eventName: 'push',
      payload: {},
      base: 'main',
      listChanges: true,
    });
    expect(remote).toMatchObject({ base: mainShas[2], head: feature });
    expect(remote.changes).toEqual(await listChangedFiles(clone.dir, mainShas[2], feature));
    // A criss-cross merge (two merge bases): the diff is from the merge base the range names.
    origin.git('checkout', '-q', 'feature');
    origin.git('merge', '-q', '--no-edit', 'main');
    origin.write({ 'src/f2.py': 'f = 2\n' });
    const featureTip = origin.commit('feature 2');
    origin.git('checkout', '-q', 'main');
    origin.write({ 'src/m2.py': 'm = 2\n' });
    origin.commit('main 2');
    origin.git('merge', '-q', '--no-edit', feature);
    const criss = await resolveDiffRange({
      repoDir: origin.dir,
      eventName: 'push',
      payload: {},
      base: 'main',
      head: featureTip,
      listChanges: true,
    });
    expect(criss.base).toBe(origin.git('merge-base', 'main', featureTip));
    expect(criss.changes).toEqual(await listChangedFiles(origin.dir, criss.base!, featureTip));
    // A base with no merge base: no changes (every test runs), and no diff of the wrong commits.
    origin.git('checkout', '-q', '--orphan', 'other');
    const other = origin.write({ 'o.py': 'o = 1\n' }).commit('unrelated');
    const unrelated = await resolveDiffRange({
      repoDir: origin.dir,
      eventName: 'push',
      payload: {},
      base: other,
      head: feature,
      listChanges: true,
    });
    expect(unrelated.fallbackReason).toContain('no merge base');
    expect(unrelated.changes).toBeUndefined();
  });

  it('says which input to set on events without a base (schedule)', async () => {
    const { origin } = originWithHistory(1);
    cleanup.push(origin);
    const range = await resolveDiffRange({ repoDir: origin.dir, eventName: 'schedule', payload: {} });
    expect(range.fallbackReason).toContain("set the 'base' input");
  });

  it('resolves a merge_group base and head', async () => {
    const { origin, mainShas, feature } = originWithHistory(3);
    cleanup.push(origin);
    const range = await resolveDiffRange({
      repoDir: origin.dir,
      eventName: 'merge_group',
      payload: { merge_group: { base_sha: mainShas[2], head_sha: feature } },
    });
    expect(range).toMatchObject({ base: mainShas[2], head: feature });
  });

  it('never lets a ref from an input become an option of a git command that talks to the remote', async () => {
    const { origin } = originWithHistory(2);
    const clone = shallowClone(origin, 'main');
    cleanup.push(origin, clone);
    // Not a local ref, not a sha: resolving it asks the remote, with the value as the refspec of a fetch.
    const marker = join(clone.dir, 'pwned');
    const head = `--upload-pack=touch ${marker}; git-upload-pack`;
    await expect(resolveDiffRange({ repoDir: clone.dir, eventName: 'push', payload: {}, head })).rejects.toThrow(
      /Input 'head' has value '--upload-pack/,
    );
    expect(existsSync(marker)).toBe(false);
    // The same through the repository's own git: the remote command is refused, local ones run.
    await expect(openRepo(clone.dir).raw(['fetch', 'origin', head])).rejects.toThrow();
    expect(existsSync(marker)).toBe(false);
    expect((await openRepo(clone.dir).raw(['rev-parse', '--is-shallow-repository'])).trim()).toBe('true');
  });
});
