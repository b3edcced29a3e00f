import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitObjectReader, resolveDiffRange, type DiffRangeOptions } from '@ci-optimizer/core/git';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';
import { LoggingGitShim } from '../support/git-shim.ts';

// The diff range's questions on commits asked before anything is fetched (the given refs, a pull request's merge
// commit and base, a push's previous commit) go through the caller's `git cat-file --batch` reader when it passes one
// (test-predictor's change view reads the change's objects through it afterwards): the same range, fewer git processes.
describe('resolveDiffRange through an object reader', () => {
  let repo: TempGitRepo;
  let shim: LoggingGitShim;
  const shas: Record<string, string> = {};

  beforeAll(() => {
    shim = new LoggingGitShim();
    repo = new TempGitRepo();
    repo.write({ 'src/a.py': 'a = 1\n' });
    shas.first = repo.commit('first');
    repo.write({ 'src/b.py': 'b = 1\n' });
    shas.main = repo.commit('main');
    repo.git('tag', '-a', 'v1', '-m', 'annotated', shas.first);
    repo.git('checkout', '-q', '-b', 'feature', shas.first);
    repo.write({ 'src/feature.py': 'f = 1\n' });
    shas.feature = repo.commit('feature');
    shas.merge = repo.mergeCommit(shas.main, shas.feature);
  });
  afterAll(() => {
    repo.remove();
    shim.remove();
  });

  /**
   * The range with and without a reader, then the head's tree read as the change view does (through a reader of its
   * own, or the one the range was given), and the git commands (first word after the options) each way started.
   */
  async function bothWays(options: Omit<DiffRangeOptions, 'repoDir'>) {
    const path = process.env.PATH;
    process.env.PATH = shim.path(path);
    const readers = [new GitObjectReader(repo.dir), new GitObjectReader(repo.dir)];
    try {
      shim.clear();
      const plain = await resolveDiffRange({ repoDir: repo.dir, ...options });
      expect((await readers[0].read(`${plain.head}^{tree}`))?.type).toBe('tree');
      const plainCommands = shim.calls().map((call) => call.split(' ')[0]);
      shim.clear();
      const read = await resolveDiffRange({ repoDir: repo.dir, ...options, objects: readers[1] });
      expect((await readers[1].read(`${read.head}^{tree}`))?.type).toBe('tree');
      const readCommands = shim.calls().map((call) => call.split(' ')[0]);
      return { plain, read, plainCommands: plainCommands.sort(), readCommands: readCommands.sort() };
    } finally {
      for (const reader of readers) reader.close();
      process.env.PATH = path;
    }
  }

  it('resolves given refs through the reader: no cat-file --batch-check of their own', async () => {
    const ways = await bothWays({ eventName: 'push', payload: {}, base: 'main', head: 'feature' });
    expect(ways.read).toEqual(ways.plain);
    expect(ways.read).toMatchObject({ base: shas.first, head: shas.feature });
    // An explicit base and head are resolved with the checkout questions and their merge base by one `git rev-parse`
    // (probeCheckoutAndRange) either way; the reader answers the refs when that process fails (askSeparately).
    expect(ways.plainCommands).toEqual(['cat-file', 'rev-parse']);
    expect(ways.readCommands).toEqual(['cat-file', 'rev-parse']);
  });

  it('gives the same answers as rev-parse for tags, short shas, relative refs and refs that do not resolve', async () => {
    for (const [base, head] of [
      ['v1', shas.feature.slice(0, 10)],
      [`${shas.main}~1`, 'HEAD'],
      ['HEAD^2', 'main'],
    ]) {
      const ways = await bothWays({ eventName: 'push', payload: {}, base, head });
      expect(ways.read, `${base}...${head}`).toEqual(ways.plain);
    }
    // A base that names no commit is the user's mistake either way (the same error, naming the input).
    for (const base of ['no-such-branch', 'v2']) {
      const read = new GitObjectReader(repo.dir);
      try {
        const plain = resolveDiffRange({ repoDir: repo.dir, eventName: 'push', payload: {}, base, head: 'main' });
        await expect(plain).rejects.toThrow(/Input 'base'/);
        const through = resolveDiffRange({
          repoDir: repo.dir,
          eventName: 'push',
          payload: {},
          base,
          head: 'main',
          objects: read,
        });
        const message = await plain.then(
          () => 'resolved',
          (error: Error) => error.message,
        );
        await expect(through).rejects.toThrow(message);
      } finally {
        read.close();
      }
    }
  });

  it("reads a pull request's merge commit and base through the reader", async () => {
    const payload = { pull_request: { base: { sha: shas.first }, head: { sha: shas.feature } } };
    const ways = await bothWays({ eventName: 'pull_request', payload });
    expect(ways.read).toEqual(ways.plain);
    expect(ways.read).toMatchObject({ base: shas.main, head: shas.merge });
    expect(ways.read.source).toContain('merge commit');
    // Before: `cat-file commit` of the merge, `cat-file -e` of its first parent and the view's `cat-file --batch`.
    expect(ways.plainCommands).toEqual(['cat-file', 'cat-file', 'cat-file', 'rev-parse']);
    expect(ways.readCommands).toEqual(['cat-file', 'rev-parse']);
  });

  it("checks a push's previous commit through the reader", async () => {
    const payload = { before: shas.first, after: shas.main };
    const ways = await bothWays({ eventName: 'push', payload });
    expect(ways.read).toEqual(ways.plain);
    expect(ways.read).toMatchObject({ base: shas.first, head: shas.main });
  });

  it('asks git itself once something was fetched, and when the reader fails', async () => {
    // Two fresh shallow clones of the feature branch: the base must be fetched in each.
    const clones = [1, 2].map(() => {
      const dir = join(tempDir('ci-opt-reader-clone-'), 'clone');
      execFileSync('git', ['clone', '-q', '--depth', '1', '--branch', 'feature', `file://${repo.dir}`, dir]);
      return new TempGitRepo(dir);
    });
    const payload = { pull_request: { base: { sha: shas.main }, head: { sha: shas.feature } } };
    const reader = new GitObjectReader(clones[1].dir);
    // A reader of a folder that is no repository fails every read: the range asks git on its own.
    const broken = new GitObjectReader(tempDir('ci-opt-not-a-repo-'));
    try {
      const plain = await resolveDiffRange({ repoDir: clones[0].dir, eventName: 'pull_request', payload });
      expect(plain.fetchSteps.length).toBeGreaterThan(0);
      const through = await resolveDiffRange({
        repoDir: clones[1].dir,
        eventName: 'pull_request',
        payload,
        objects: reader,
      });
      expect(through).toEqual(plain);
      const failing = { eventName: 'push', payload: {}, base: 'main', head: 'feature' };
      expect(await resolveDiffRange({ repoDir: repo.dir, ...failing, objects: broken })).toEqual(
        await resolveDiffRange({ repoDir: repo.dir, ...failing }),
      );
    } finally {
      reader.close();
      broken.close();
      for (const clone of clones) clone.remove();
    }
  });
});
