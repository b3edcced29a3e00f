import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesMentioning, filesMentioningEach } from '@ci-optimizer/core/languages/python';
import { TempGitRepo } from '../../support/git-repo.ts';

// The callers of functions that import a module their caller names are searched for by name. Several names are
// searched for in one `git grep` pass; each name's files must be exactly what a search for that name alone finds.
describe('searching the Python files of a commit for several names at once', () => {
  let repo: TempGitRepo;
  let head: string;

  beforeAll(() => {
    repo = new TempGitRepo();
    repo.write({
      'pkg/loader.py': 'def load(name):\n    return import_module(name)\n\nreload = load\n',
      // A name inside another word, after a dot, in a string: only whole words count.
      'pkg/uses.py': 'from pkg.loader import load\nload("pkg.a")\nx.loader_of = 1\nplugin("pkg.b")\n',
      'pkg/mentions.py': 'downloads = "no load_all here"\nplugins = []\n',
      // A file name with a colon, a space and a newline (git prints it whole with -z).
      'pkg/odd: na\nme.py': 'plugin(x)\n',
      'docs/notes.txt': 'load plugin\n',
    });
    head = repo.commit('project');
  });
  afterAll(() => repo.remove());

  it('finds for each name what a search for that name alone finds', async () => {
    const names = ['load', 'plugin', 'loader', 'missing_name', 'import_module'];
    const each = await filesMentioningEach(repo.dir, head, names);
    for (const name of names) {
      expect(each.get(name), name).toEqual(await filesMentioning(repo.dir, head, name));
    }
    expect(each.get('plugin')).toEqual(['pkg/odd: na\nme.py', 'pkg/uses.py']);
    expect(each.get('load')).toEqual(['pkg/loader.py', 'pkg/uses.py']);
    expect(each.get('missing_name')).toEqual([]);
  });

  it('answers every name with no file when no name is anywhere, and nothing when git fails', async () => {
    const none = await filesMentioningEach(repo.dir, head, ['nowhere_a', 'nowhere_b']);
    expect([...none]).toEqual([
      ['nowhere_a', []],
      ['nowhere_b', []],
    ]);
    const badCommit = await filesMentioningEach(repo.dir, '0'.repeat(40), ['load', 'plugin']);
    expect(badCommit.size).toBe(0);
  });
});
