import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffTrees, diffTreesThroughReader, GitObjectReader } from '@ci-optimizer/core/git';
import { TempGitRepo } from '../support/git-repo.ts';

// A warm selection diffs the stored graph's tree against the head's through its object reader instead of starting
// `git diff-tree`: the list must be git's, entry for entry and in git's order, on trees built to be awkward (a file
// and a folder of one name, names that sort differently as folders, non-ASCII names, symlinks, executables,
// submodules, folders that appear and go).
describe('diffing two trees through the object reader', () => {
  let repo: TempGitRepo;
  let reader: GitObjectReader;
  const trees: string[] = [];
  let blobs: string[] = [];

  beforeAll(() => {
    repo = new TempGitRepo();
    reader = new GitObjectReader(repo.dir);
    const blob = (text: string) =>
      execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: repo.dir, input: text, encoding: 'utf8' }).trim();
    blobs = ['x = 1\n', 'x = 2\n', 'target\n', ''].map(blob);
    // A commit id for the submodule entries (git does not check that it exists).
    const gitlink = '1'.repeat(40);
    const names = ['a', 'b', 'a.b', 'a-b', 'a0', 'é', 'a b', 'c.py'];
    // A fixed pseudo-random sequence: the same trees on every run.
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor(seed / 65536) % n;
    };
    for (let t = 0; t < 10; t++) {
      const files = new Map<string, string>();
      for (let k = 0; k < 4 + next(10); k++) {
        const path = Array.from({ length: 1 + next(3) }, () => names[next(names.length)]).join('/');
        // A path under a file, or a file where a folder is: skipped (a tree holds one or the other).
        const clash = [...files.keys()].some((other) => other.startsWith(`${path}/`) || path.startsWith(`${other}/`));
        if (clash || files.has(path)) continue;
        const kind = next(10);
        const mode = kind === 0 ? '160000' : kind === 1 ? '120000' : kind === 2 ? '100755' : '100644';
        files.set(path, `${mode} ${mode === '160000' ? gitlink : blobs[next(blobs.length)]}`);
      }
      const index = [...files].map(([path, entry]) => `${entry}\t${path}`).join('\n');
      execFileSync('git', ['read-tree', '--empty'], { cwd: repo.dir });
      execFileSync('git', ['update-index', '--add', '--index-info'], { cwd: repo.dir, input: `${index}\n` });
      trees.push(execFileSync('git', ['write-tree'], { cwd: repo.dir, encoding: 'utf8' }).trim());
    }
  });
  afterAll(() => {
    reader.close();
    repo.remove();
  });

  it('lists what git diff-tree -r lists, in its order, for every pair of trees', { timeout: 600_000 }, async () => {
    let differing = 0;
    for (const from of trees) {
      for (const to of trees) {
        const git = await diffTrees(repo.dir, from, to);
        expect(await diffTreesThroughReader(reader, from, to), `${from}..${to}`).toEqual(git);
        if (git?.length) differing += 1;
      }
    }
    // The trees do differ (and each from itself not at all).
    expect(differing).toBeGreaterThan(trees.length * (trees.length - 2));
  });

  it('answers nothing for a tree the clone does not have, or an object that is not a tree', async () => {
    expect(await diffTreesThroughReader(reader, '2'.repeat(40), trees[0])).toBeUndefined();
    expect(await diffTreesThroughReader(reader, trees[0], '2'.repeat(40))).toBeUndefined();
    expect(await diffTreesThroughReader(reader, blobs[0], trees[0])).toBeUndefined();
  });
});
