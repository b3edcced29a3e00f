import { afterEach, describe, expect, it } from 'vitest';
import { listChangedFiles } from '@ci-optimizer/core/git';
import { TempGitRepo } from '../support/git-repo.ts';

describe('listChangedFiles', () => {
  let repo: TempGitRepo;
  afterEach(() => repo?.remove());

  it('reports added, modified, deleted and renamed files with the old path', async () => {
    repo = new TempGitRepo();
    repo.write({
      'src/a.py': 'a = 1\n',
      'src/b.py': 'b = 2\n',
      'src/moved.py': 'x = "a long enough body to be seen as a rename"\n',
    });
    const base = repo.commit('base');
    repo.write({ 'src/a.py': 'a = 2\n', 'src/new.py': 'n = 1\n' }).delete('src/b.py');
    repo.write({ 'lib/moved.py': 'x = "a long enough body to be seen as a rename"\n' }).delete('src/moved.py');
    const head = repo.commit('head');

    const files = await listChangedFiles(repo.dir, base, head);

    expect(files).toEqual(
      expect.arrayContaining([
        { status: 'modified', path: 'src/a.py' },
        { status: 'deleted', path: 'src/b.py' },
        { status: 'added', path: 'src/new.py' },
        { status: 'renamed', path: 'lib/moved.py', oldPath: 'src/moved.py' },
      ]),
    );
    expect(files).toHaveLength(4);
  });

  it('keeps paths with spaces, quotes, unicode and newlines exactly', async () => {
    repo = new TempGitRepo();
    repo.write({ 'keep.txt': 'k\n' });
    const base = repo.commit('base');
    const names = ['dir with space/file name.py', 'quote"d\'.py', 'ünïcødé/日本.py', 'tab\there.py', 'new\nline.py'];
    repo.write(Object.fromEntries(names.map((name) => [name, 'x\n'])));
    const head = repo.commit('head');

    const files = await listChangedFiles(repo.dir, base, head);

    expect(files.map((file) => file.path).sort()).toEqual([...names].sort());
    expect(files.every((file) => file.status === 'added')).toBe(true);
  });
});
