import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertGitCheckout, workTreeRoot } from '@ci-optimizer/core/git';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';

// workTreeRoot and assertGitCheckout skip starting git where git's answer is certain (no .git, no git directory, no GIT_* variable): the
// answers must be git's own in every case.
describe('workTreeRoot', () => {
  const cleanup: string[] = [];
  afterEach(() => {
    for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const repo = () => {
    const made = new TempGitRepo();
    cleanup.push(made.dir);
    made.write({ 'src/pkg/a.py': 'a = 1\n' }).commit('base');
    return made;
  };

  it('is undefined outside a checkout, and in a bare repository', () => {
    const outside = tempDir();
    cleanup.push(outside);
    mkdirSync(join(outside, 'sub'));
    expect(workTreeRoot(join(outside, 'sub'))).toBeUndefined();
    const bare = join(outside, 'bare.git');
    execFileSync('git', ['init', '-q', '--bare', bare]);
    expect(workTreeRoot(bare)).toBeUndefined();
    mkdirSync(join(bare, 'sub'));
    expect(workTreeRoot(join(bare, 'sub'))).toBeUndefined();
  });

  it('is the root from a subfolder, through a link to it, and in a linked worktree (a .git file)', () => {
    const made = repo();
    const root = realpathSync(made.dir);
    expect(workTreeRoot(join(made.dir, 'src', 'pkg'))).toBe(root);
    const links = tempDir();
    cleanup.push(links);
    symlinkSync(join(made.dir, 'src'), join(links, 'src'));
    expect(workTreeRoot(join(links, 'src', 'pkg'))).toBe(root);
    const linked = join(links, 'linked');
    made.git('worktree', 'add', '-q', linked);
    expect(workTreeRoot(join(linked, 'src'))).toBe(realpathSync(linked));
  });

  it('assertGitCheckout: the same message outside a checkout and in a bare repository; a subfolder passes', async () => {
    const outside = tempDir();
    cleanup.push(outside);
    const bare = join(outside, 'bare.git');
    execFileSync('git', ['init', '-q', '--bare', bare]);
    for (const dir of [outside, bare])
      await expect(assertGitCheckout(dir)).rejects.toThrow(
        `${dir} is not a git checkout (git rev-parse finds no work tree`,
      );
    await expect(assertGitCheckout(join(repo().dir, 'src', 'pkg'))).resolves.toBeUndefined();
  });

  it('follows GIT_DIR and GIT_WORK_TREE like git does, in a folder without .git', async () => {
    const made = repo();
    const elsewhere = tempDir();
    cleanup.push(elsewhere);
    const saved = { dir: process.env.GIT_DIR, tree: process.env.GIT_WORK_TREE };
    process.env.GIT_DIR = join(made.dir, '.git');
    process.env.GIT_WORK_TREE = elsewhere; // git takes the folder as the work tree of that repository
    try {
      expect(workTreeRoot(elsewhere)).toBe(realpathSync(elsewhere));
      await expect(assertGitCheckout(elsewhere)).resolves.toBeUndefined();
    } finally {
      for (const [name, value] of [
        ['GIT_DIR', saved.dir],
        ['GIT_WORK_TREE', saved.tree],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
