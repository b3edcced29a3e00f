import { afterEach, describe, expect, it } from 'vitest';
import { GitObjectReader, readBlobs } from '@ci-optimizer/core/git';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';
import { rmSync } from 'node:fs';

describe('GitObjectReader: one git cat-file --batch process for a selection', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

  function setup() {
    const repo = new TempGitRepo();
    cleanup.push(() => repo.remove());
    // Over a megabyte with multi-byte characters: the answer arrives in many pieces, and a piece may end inside a character.
    const large = `${'# größe ü € 𝄞\n'.repeat(90_000)}import json\n`;
    repo.write({
      'pkg/__init__.py': '',
      'pkg/a.py': 'import json\n',
      'dir with spaces/x 1 2.py': 'X = 1\n',
      'pkg/large.py': large,
    });
    const head = repo.commit();
    const reader = new GitObjectReader(repo.dir);
    cleanup.push(() => reader.close());
    return { repo, head, reader, large };
  }

  it('answers trees, files by commit and path, and blobs by id, in the order asked, as git does', async () => {
    const { repo, head, reader, large } = setup();
    const blob = (path: string) => repo.git('rev-parse', `${head}:${path}`);
    const [tree, a, spaced, big, byId] = await Promise.all([
      reader.read(`${head}^{tree}`),
      reader.read(`${head}:pkg/a.py`),
      reader.read(`${head}:dir with spaces/x 1 2.py`),
      reader.read(`${head}:pkg/large.py`),
      reader.read(blob('pkg/a.py')),
    ]);
    expect(tree).toMatchObject({ id: repo.git('rev-parse', `${head}^{tree}`), type: 'tree' });
    expect(a).toEqual({ id: blob('pkg/a.py'), type: 'blob', text: 'import json\n' });
    expect(spaced).toEqual({ id: blob('dir with spaces/x 1 2.py'), type: 'blob', text: 'X = 1\n' });
    expect(big?.text).toBe(large);
    expect(byId).toEqual(a);
    // The same texts as the one-shot reader the other commands use.
    const ids = ['pkg/a.py', 'pkg/large.py', 'dir with spaces/x 1 2.py'].map(blob);
    expect(await reader.readBlobs(ids)).toEqual(await readBlobs(repo.dir, ids));
  });

  it('a missing object, an ambiguous or a multi-line name is undefined, and later reads still answer', async () => {
    const { repo, head, reader } = setup();
    const answers = await Promise.all([
      reader.read(`${head}:no/such/file.py`),
      reader.read(`${head}:pkg/a.py`),
      reader.read('0000000000000000000000000000000000000001'),
      reader.read(`${head}:missing 1 2`),
      reader.read(`${head}:pkg/a.py\n${head}:pkg/__init__.py`),
      reader.read(`${head}:pkg`),
      reader.read(`${head}:pkg/__init__.py`),
    ]);
    expect(answers.map((answer) => answer?.type)).toEqual([
      undefined,
      'blob',
      undefined,
      undefined,
      undefined,
      'tree',
      'blob',
    ]);
    expect(answers[6]).toMatchObject({ id: repo.git('rev-parse', `${head}:pkg/__init__.py`), text: '' });
    expect((await reader.readBlobs(['0000000000000000000000000000000000000001'])).size).toBe(0);
  });

  it('starts a new process after close, and fails reads clearly outside a repository', async () => {
    const { head, reader } = setup();
    expect((await reader.read(`${head}:pkg/a.py`))?.text).toBe('import json\n');
    reader.close();
    expect((await reader.read(`${head}:pkg/a.py`))?.text).toBe('import json\n');
    const outside = tempDir('ci-opt-not-a-repo-');
    cleanup.push(() => rmSync(outside, { recursive: true, force: true }));
    const lost = new GitObjectReader(outside);
    await expect(lost.read('HEAD')).rejects.toThrow(/git cat-file --batch failed/);
    lost.close();
  });
});
