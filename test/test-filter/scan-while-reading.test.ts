import { afterEach, describe, expect, it } from 'vitest';
import { GitObjectReader, readBlobs } from '@ci-optimizer/core/git';
import { readAndScan } from '@ci-optimizer/core/test-filter';
import { TempGitRepo } from '../support/git-repo.ts';

const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

/** A repository of `files` (path -> text), their blob ids in that order, and a reader of its objects. */
function repository(files: Record<string, string>) {
  const repo = new TempGitRepo();
  cleanup.push(() => repo.remove());
  repo.write(files);
  const head = repo.commit();
  const ids = Object.keys(files).map((path) => repo.git('rev-parse', `${head}:${path}`));
  const reader = new GitObjectReader(repo.dir);
  cleanup.push(() => reader.close());
  return { repo, ids, reader };
}

describe('readAndScan: a cold build scans each blob as git hands it over', () => {
  /** `count` files of about `size` characters each (and one more with the content of the first). */
  function setup(count: number, size: number) {
    const files: Record<string, string> = {};
    for (let i = 0; i < count; i++) files[`pkg/m${i}.py`] = `import m${i}\n${`# ${i} ü €\n`.repeat(size / 10)}`;
    files['pkg/copy.py'] = files['pkg/m0.py'];
    return repository(files);
  }

  it('gives the texts and scans that reading everything and then scanning would, each blob scanned once', async () => {
    const { repo, ids, reader } = setup(4, 1000);
    const missing = '0000000000000000000000000000000000000001';
    const asked = [...ids, missing];
    // The copy (last of `ids`) has the first file's blob; the third file is analysed in full, not scanned.
    const toScan = asked.map((_, index) => index !== 2);
    const scanned: string[] = [];
    const scan = (source: string) => {
      scanned.push(source);
      return source.startsWith('import m1\n') ? undefined : { first: source.split('\n')[0] };
    };
    const result = await readAndScan(reader, asked, scan, toScan, Promise.resolve());
    const texts = await readBlobs(repo.dir, ids);
    expect(result.texts).toEqual([...ids.map((id) => texts.get(id)), '']);
    expect(result.scanned).toEqual([
      { first: 'import m0' },
      undefined,
      undefined,
      { first: 'import m3' },
      { first: 'import m0' },
      { first: '' },
    ]);
    // m0 and its copy share a blob: one scan; m2 is not scanned at all.
    expect(scanned.map((source) => source.split('\n')[0]).sort()).toEqual(['', 'import m0', 'import m1', 'import m3']);
  });

  it('scans nothing before `ready` resolves, then everything read so far', async () => {
    const { ids, reader } = setup(3, 1000);
    let resolveReady!: () => void;
    const ready = new Promise<void>((resolve) => (resolveReady = resolve));
    const scanned: string[] = [];
    const done = readAndScan(
      reader,
      ids,
      (source) => scanned.push(source),
      ids.map(() => true),
      ready,
    );
    // Every blob has arrived (the reader knows it), and still nothing is scanned.
    while (!ids.every((id) => reader.known(id))) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(scanned).toEqual([]);
    resolveReady();
    const result = await done;
    expect(scanned).toHaveLength(3);
    expect(result.scanned.every((count) => typeof count === 'number')).toBe(true);
  });

  it('scans the first blobs before git has handed over the last one', async () => {
    // Some 4 MB: far more than a pipe holds, so git is still writing when the first blobs are here.
    const { ids, reader } = setup(20, 200_000);
    const last = ids[ids.length - 2];
    let lastKnownAtFirstScan: boolean | undefined;
    await readAndScan(
      reader,
      ids,
      () => (lastKnownAtFirstScan ??= reader.known(last) !== undefined),
      ids.map(() => true),
      Promise.resolve(),
    );
    expect(lastKnownAtFirstScan).toBe(false);
  });

  it('fails when `ready` fails (the parser could not load)', async () => {
    const { ids, reader } = setup(2, 100);
    await expect(
      readAndScan(
        reader,
        ids,
        () => 1,
        ids.map(() => true),
        Promise.reject(new Error('no grammar')),
      ),
    ).rejects.toThrow('no grammar');
  });
});

describe('readAndScan with analyze: files the scan leaves are analysed while git is still reading', () => {
  const scan = (source: string) => (source.startsWith('dynamic') ? undefined : 'scanned');

  it('analyses a file the scan left before the last blob has arrived, and gives its analysis', async () => {
    // The file needing the analysis comes first; 4 MB follow it, far more than a pipe holds.
    const files: Record<string, string> = { 'a/first.py': 'dynamic import\n' };
    for (let i = 0; i < 20; i++) files[`a/m${i}.py`] = `# ${i}\n${'x = 1\n'.repeat(35_000)}`;
    const { ids, reader } = repository(files);
    const last = ids[ids.length - 1];
    let lastKnownAtAnalysis: boolean | undefined;
    const result = await readAndScan(
      reader,
      ids,
      scan,
      ids.map(() => true),
      Promise.resolve(),
      (source) => {
        lastKnownAtAnalysis = reader.known(last) !== undefined;
        return `analysed ${source.trim()}`;
      },
    );
    expect(lastKnownAtAnalysis).toBe(false);
    expect(result.scanned).toEqual(['analysed dynamic import', ...ids.slice(1).map(() => 'scanned')]);
  });

  it('leaves to the caller what reading did not leave time for', async () => {
    // A reader whose answers are all there at once: the reading is over before there is time between two answers.
    const texts: Record<string, string> = { a: 'dynamic\n', b: 'static\n' };
    const reader = { read: async (id: string) => ({ id, type: 'blob', text: texts[id] }) };
    const analysed: string[] = [];
    const result = await readAndScan(reader, ['a', 'b'], scan, [true, true], Promise.resolve(), (source) => {
      analysed.push(source);
      return 'analysed';
    });
    expect(result.scanned).toEqual([undefined, 'scanned']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(analysed).toEqual([]);
  });
});
