import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  mergeBase,
  openRepo,
  probeCheckout,
  probeCheckoutAndRange,
  resolveSha,
  resolveShas,
} from '@ci-optimizer/core/git';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';

const cleanup: TempGitRepo[] = [];
afterEach(() => {
  for (const repo of cleanup.splice(0)) repo.remove();
});

// probeCheckout and resolveShas answer in one git process what resolveDiffRange used to ask one process per
// question: their answers must be those of the single questions.
describe('probeCheckout', () => {
  it('says a work tree is one, whether it is shallow, and its HEAD', async () => {
    const repo = new TempGitRepo();
    cleanup.push(repo);
    repo.write({ 'a.py': 'a = 1\n' }).commit('first');
    const head = repo.write({ 'a.py': 'a = 2\n' }).commit('second');
    expect(await probeCheckout(repo.dir)).toEqual({ insideWorkTree: true, shallow: false, head });
    const clone = new TempGitRepo(join(tempDir('ci-opt-clone-'), 'clone'));
    cleanup.push(clone);
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo.dir}`, clone.dir]);
    expect(await probeCheckout(clone.dir)).toEqual({ insideWorkTree: true, shallow: true, head });
  });

  it('answers the flags without a HEAD in a repository without commits, and false in a bare one', async () => {
    const empty = new TempGitRepo();
    cleanup.push(empty);
    expect(await probeCheckout(empty.dir)).toEqual({ insideWorkTree: true, shallow: false, head: undefined });
    const bareDir = join(tempDir(), 'bare.git');
    execFileSync('git', ['init', '-q', '--bare', bareDir]);
    cleanup.push(new TempGitRepo(bareDir));
    expect(await probeCheckout(bareDir)).toMatchObject({ insideWorkTree: false });
  });

  it('is undefined outside a repository', async () => {
    const outside = new TempGitRepo(tempDir());
    cleanup.push(outside);
    expect(await probeCheckout(outside.dir)).toBeUndefined();
  });
});

describe('probeCheckoutAndRange', () => {
  it("answers probeCheckout's questions, both commits and git merge-base's answer in one process", async () => {
    const repo = new TempGitRepo();
    cleanup.push(repo);
    const root = repo.write({ 'a.py': 'a = 1\n' }).commit('root');
    repo.git('tag', '-a', '-m', 'annotated', 'v1');
    repo.git('checkout', '-q', '-b', 'side');
    const side = repo.write({ 'b.py': 'b = 1\n' }).commit('side');
    repo.git('checkout', '-q', 'main');
    const tip = repo.write({ 'a.py': 'a = 2\n' }).commit('main moves on');
    const git = openRepo(repo.dir);
    expect(await probeCheckoutAndRange(repo.dir, 'side', 'main')).toEqual({
      checkout: await probeCheckout(repo.dir),
      base: side,
      head: tip,
      headTree: repo.git('rev-parse', 'main^{tree}').trim(),
      mergeBases: [root],
    });
    // The head's tree, not the checked-out commit's.
    expect((await probeCheckoutAndRange(repo.dir, 'main', 'side'))?.headTree).toBe(
      repo.git('rev-parse', 'side^{tree}').trim(),
    );
    // An annotated tag is peeled to its commit, as resolveSha does.
    expect(await probeCheckoutAndRange(repo.dir, 'v1', 'HEAD')).toMatchObject({ base: root, head: tip });
    expect((await probeCheckoutAndRange(repo.dir, 'v1', 'HEAD'))?.mergeBases[0]).toBe(
      await mergeBase(git, 'v1', 'HEAD'),
    );
  });

  it("lists every merge base, git merge-base's first, and none of unrelated commits", async () => {
    const repo = new TempGitRepo();
    cleanup.push(repo);
    // A criss-cross merge: two merge bases.
    repo.write({ 'a.py': 'a = 0\n' }).commit('root');
    repo.git('checkout', '-q', '-b', 'x');
    const x = repo.write({ 'x.py': 'x = 1\n' }).commit('x');
    repo.git('checkout', '-q', 'main');
    const m = repo.write({ 'm.py': 'm = 1\n' }).commit('m');
    repo.git('checkout', '-q', 'x');
    repo.git('merge', '-q', '--no-edit', 'main');
    repo.git('checkout', '-q', 'main');
    repo.git('merge', '-q', '--no-edit', x);
    const git = openRepo(repo.dir);
    const answers = await probeCheckoutAndRange(repo.dir, 'x', 'main');
    expect(new Set(answers?.mergeBases)).toEqual(new Set([x, m]));
    expect(answers?.mergeBases[0]).toBe(await mergeBase(git, 'x', 'main'));
    repo.git('checkout', '-q', '--orphan', 'other');
    const other = repo.write({ 'o.py': 'o = 1\n' }).commit('unrelated');
    expect(await probeCheckoutAndRange(repo.dir, 'main', other)).toMatchObject({ head: other, mergeBases: [] });
  });

  it('is undefined when a revision does not resolve, HEAD has no commit, or outside a repository', async () => {
    const repo = new TempGitRepo();
    cleanup.push(repo);
    repo.write({ 'a.py': 'a = 1\n' }).commit('first');
    expect(await probeCheckoutAndRange(repo.dir, 'no-such-branch', 'HEAD')).toBeUndefined();
    const tree = repo.git('rev-parse', 'HEAD^{tree}');
    expect(await probeCheckoutAndRange(repo.dir, 'HEAD', tree)).toBeUndefined();
    const empty = new TempGitRepo();
    cleanup.push(empty);
    expect(await probeCheckoutAndRange(empty.dir, 'HEAD', 'HEAD')).toBeUndefined();
    const outside = new TempGitRepo(tempDir());
    cleanup.push(outside);
    expect(await probeCheckoutAndRange(outside.dir, 'HEAD', 'HEAD')).toBeUndefined();
  });
});

describe('resolveShas', () => {
  it("gives each revision's commit as resolveSha does: branches, tags peeled, ~, missing, options and line breaks", async () => {
    const repo = new TempGitRepo();
    cleanup.push(repo);
    const first = repo.write({ 'a.py': 'a = 1\n' }).commit('first');
    repo.git('tag', '-a', '-m', 'annotated', 'v1');
    repo.write({ 'a.py': 'a = 2\n' }).commit('second');
    const tree = repo.git('rev-parse', 'HEAD^{tree}');
    const revs = [
      'main',
      'v1',
      'HEAD~1',
      first.slice(0, 12),
      'no-such-branch',
      tree, // a tree is not a commit
      '--all',
      'main\nHEAD',
      '',
      'main',
    ];
    const git = openRepo(repo.dir);
    const one = await Promise.all(revs.map((rev) => resolveSha(git, rev)));
    expect(await resolveShas(git, repo.dir, revs)).toEqual(one);
    expect(one.slice(0, 4)).toEqual([repo.head(), first, first, first]);
    expect(one.slice(4, 9)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('asks each revision on its own when the batch cannot run (no repository): all undefined', async () => {
    const outside = new TempGitRepo(tempDir());
    cleanup.push(outside);
    expect(await resolveShas(openRepo(outside.dir), outside.dir, ['HEAD', 'main'])).toEqual([undefined, undefined]);
  });
});
