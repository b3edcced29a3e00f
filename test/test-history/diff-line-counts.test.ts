import { symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listChangedFiles, parseNameStatus, rawDiff } from '../../packages/core/src/git/index.ts';
import { parseRawWithNumstat } from '../../packages/core/src/git/changed-files.ts';
import { diffWithLineCounts, parseNumstat } from '../../packages/core/src/test-history/index.ts';
import { TempGitRepo } from '../support/git-repo.ts';

describe('the diff a run records (one git call for files and line counts)', () => {
  let repo: TempGitRepo;
  afterEach(() => repo?.remove());

  it('gives the same files, statuses and line counts as listing the files and counting lines in two calls', async () => {
    repo = new TempGitRepo();
    const body = Array.from({ length: 20 }, (_, i) => `line_${i} = ${i}\n`).join('');
    repo.write({
      'src/a.py': 'a = 1\nb = 2\n',
      'src/gone.py': 'g = 1\n',
      'src/moved.py': body,
      'data/blob.bin': 'bin\u0000ary',
      'src/link_target.py': 'x = 1\n',
      'src/becomes_link.py': 'y = 1\n',
      ':odd name.py': 'o = 1\n',
    });
    const base = repo.commit('base');
    repo.write({
      'src/a.py': 'a = 2\nb = 2\nc = 3\n',
      'src/new file ü.py': 'n = 1\nm = 2\n',
      'data/blob.bin': 'bin\u0000ary2',
      ':odd name.py': 'o = 2\n',
    });
    repo.delete('src/gone.py');
    repo.write({ 'lib/moved to.py': `${body}extra = 1\n` }).delete('src/moved.py');
    unlinkSync(join(repo.dir, 'src/becomes_link.py'));
    symlinkSync('link_target.py', join(repo.dir, 'src/becomes_link.py'));
    const head = repo.commit('head');

    const changes = await diffWithLineCounts(repo.dir, base, head);

    // The two-call way it was done before.
    const files = await listChangedFiles(repo.dir, base, head);
    const counts = parseNumstat(await rawDiff(repo.dir, base, head, '--numstat'));
    const twoCalls = files.map((file) => ({
      path: file.path,
      status: file.status,
      ...(file.oldPath ? { oldPath: file.oldPath } : {}),
      ...(counts.get(file.path) ?? { added: 0, removed: 0 }),
    }));
    expect(changes).toEqual(twoCalls);
    expect(changes).toEqual(
      expect.arrayContaining([
        { path: 'src/a.py', status: 'modified', added: 2, removed: 1 },
        { path: 'src/gone.py', status: 'deleted', added: 0, removed: 1 },
        { path: 'src/new file ü.py', status: 'added', added: 2, removed: 0 },
        { path: 'lib/moved to.py', status: 'renamed', oldPath: 'src/moved.py', added: 1, removed: 0 },
        { path: 'data/blob.bin', status: 'modified', added: 0, removed: 0 },
        { path: 'src/becomes_link.py', status: 'type-changed', added: 1, removed: 1 },
        { path: ':odd name.py', status: 'modified', added: 1, removed: 1 },
      ]),
    );
    expect(changes).toHaveLength(7);
  });

  it('reads an empty diff as no files and no counts', () => {
    expect(parseRawWithNumstat('')).toEqual({ files: [], numstat: '' });
    expect(parseNameStatus('')).toEqual([]);
  });
});
