import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  filesMentioning,
  filesMentioningEach,
  filesMentioningKept,
  hasWord,
} from '@ci-optimizer/core/languages/python';
import type { BlobAnswers } from '@ci-optimizer/core/languages';
import { readBlobs } from '@ci-optimizer/core/git';
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

/** Answers kept in memory, as the engine's store keeps them between runs, with the head's files from `git ls-tree`. */
class MemoryAnswers implements BlobAnswers {
  readonly kept = new Map<string, unknown>();
  written = 0;
  private blobs = new Map<string, string>();

  atHead(repo: TempGitRepo, head: string): this {
    this.blobs = new Map(
      repo
        .git('ls-tree', '-r', '-z', head)
        .split('\0')
        .filter((entry) => entry.endsWith('.py'))
        .map((entry) => [entry.slice(entry.indexOf('\t') + 1), entry.split(' ')[2].split('\t')[0]]),
    );
    return this;
  }

  blobOf(path: string): string | undefined {
    return this.blobs.get(path);
  }
  files(): string[] {
    return [...this.blobs.keys()];
  }
  get(blob: string, question: string): unknown {
    return this.kept.get(`${blob}\0${question}`);
  }
  set(blob: string, question: string, answer: unknown): void {
    this.written += 1;
    this.kept.set(`${blob}\0${question}`, answer);
  }
}

// A warm run keeps each file's mentions by blob and searches only the files no earlier run searched: its answer must
// be exactly what a search of the whole tree at that commit finds.
describe('the mentions of names kept by blob between runs', () => {
  let repo: TempGitRepo;
  const names = ['load', 'plugin', 'loader'];

  beforeAll(() => {
    repo = new TempGitRepo();
    repo.write({
      'pkg/loader.py': 'def load(name):\n    return import_module(name)\n',
      'pkg/uses.py': 'from pkg.loader import load\nload("pkg.a")\n',
      'pkg/other.py': 'x = 1\n',
      'pkg/odd*name:.py': 'plugin(x)\n',
    });
    repo.commit('project');
  });
  afterAll(() => repo.remove());

  it('answers as a search of the whole tree does, first with nothing kept, then searching only changed files', async () => {
    const answers = new MemoryAnswers().atHead(repo, repo.head());
    // Nothing kept: git searches the 4 files by path, and every answer is kept (a later run would start git again).
    expect(await filesMentioningKept(repo.dir, repo.head(), names, answers)).toEqual(
      await filesMentioningEach(repo.dir, repo.head(), names),
    );
    expect(answers.written).toBe(4);
    answers.written = 0;

    // A change adds a mention to one file, removes one from another and adds a file: only those are searched.
    repo.write({
      'pkg/other.py': 'from pkg import loader\nplugin(1)\n',
      'pkg/uses.py': 'x = 2\n',
      'pkg/new.py': 'load\n',
    });
    const head = repo.commit('change');
    answers.atHead(repo, head);
    const second = await filesMentioningKept(repo.dir, head, names, answers);
    expect(second).toEqual(await filesMentioningEach(repo.dir, head, names));
    expect(second?.get('plugin')).toEqual(['pkg/odd*name:.py', 'pkg/other.py']);
    expect(second?.get('load')).toEqual(['pkg/loader.py', 'pkg/new.py']);
    // Only the three changed files were unknown.
    expect(answers.written).toBe(3);

    // A kept answer is what the run reads instead of searching: one that says otherwise moves the file.
    const loader = answers.blobOf('pkg/loader.py')!;
    answers.set(loader, `python-mentions/2\0${names.join(',')}`, ['plugin']);
    expect((await filesMentioningKept(repo.dir, head, names, answers))?.get('plugin')).toEqual([
      'pkg/loader.py',
      'pkg/odd*name:.py',
      'pkg/other.py',
    ]);
  });

  it('finds one name as the search for it alone does, and searches again where a kept answer is damaged', async () => {
    const head = repo.head();
    const answers = new MemoryAnswers().atHead(repo, head);
    expect((await filesMentioningKept(repo.dir, head, ['load'], answers))?.get('load')).toEqual(
      await filesMentioning(repo.dir, head, 'load'),
    );
    for (const file of answers.files()) answers.set(answers.blobOf(file)!, 'python-mentions/2\0load', ['not_asked']);
    expect((await filesMentioningKept(repo.dir, head, ['load'], answers))?.get('load')).toEqual(
      await filesMentioning(repo.dir, head, 'load'),
    );
  });

  it('gives no answer when git fails, and searches the whole tree without the head listing', async () => {
    // The files of the head, asked about a commit the clone does not have.
    const answers = new MemoryAnswers().atHead(repo, repo.head());
    expect(await filesMentioningKept(repo.dir, '0'.repeat(40), names, answers)).toBeUndefined();
    expect(answers.written).toBe(0);
    expect(await filesMentioningKept(repo.dir, repo.head(), names, undefined)).toEqual(
      await filesMentioningEach(repo.dir, repo.head(), names),
    );
  });
});

// A cold run of a repository with many Python files searches the whole tree once and keeps every file's answer.
describe('the mentions of names in a repository too large to search by path', () => {
  let repo: TempGitRepo;
  beforeAll(() => {
    repo = new TempGitRepo();
    const files: Record<string, string> = {};
    for (let i = 0; i < 205; i++) files[`pkg/m${i}.py`] = i % 50 === 0 ? `load(${i})\n` : `x = ${i}\n`;
    repo.write(files);
    repo.commit('many');
  });
  afterAll(() => repo.remove());

  it('keeps the answer of every file from one search of the whole tree, then searches nothing', async () => {
    const names = ['load', 'plugin'];
    const answers = new MemoryAnswers().atHead(repo, repo.head());
    const first = await filesMentioningKept(repo.dir, repo.head(), names, answers);
    expect(first).toEqual(await filesMentioningEach(repo.dir, repo.head(), names));
    expect(first?.get('load')).toEqual(['pkg/m0.py', 'pkg/m100.py', 'pkg/m150.py', 'pkg/m200.py', 'pkg/m50.py']);
    expect(answers.written).toBe(205);
    answers.written = 0;
    expect(await filesMentioningKept(repo.dir, repo.head(), names, answers)).toEqual(first);
    expect(answers.written).toBe(0);
  });
});

/** MemoryAnswers that also hands out the texts the engine has read (`textOf`), by blob. */
class AnswersWithTexts extends MemoryAnswers {
  readonly texts = new Map<string, string>();
  /** Files whose blob the stored graph lacks (a warm run's change). */
  readonly unstored = new Set<string>();
  textOf(blob: string): string | undefined {
    return this.texts.get(blob);
  }
  storedGraphHas(path: string): boolean {
    return !this.unstored.has(path);
  }
}

// The files a warm run has read (the change's) are searched in memory instead of by a `git grep` process: the answer
// must be git's, byte for byte, whatever the text holds.
describe('searching the texts at hand for names as git does', () => {
  let repo: TempGitRepo;
  let head: string;
  const names = ['load', 'a_1', 'x', 'plugin'];
  // Word characters, other ASCII, non-ASCII letters, a NUL, line breaks and bytes that are not UTF-8.
  const pieces = [
    'load',
    'a_1',
    'x',
    'plugin',
    'a',
    '_',
    '1',
    ' ',
    '.',
    '(',
    '\n',
    '\r',
    'é',
    '中',
    '\0',
    '\xff',
    '\xc3',
  ];

  beforeAll(() => {
    repo = new TempGitRepo();
    // A fixed pseudo-random sequence: the same files on every run.
    let seed = 12345;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 60; i++) {
      const parts: Buffer[] = [];
      for (let k = next(12); k > 0; k--) {
        const piece = pieces[next(pieces.length)];
        // '\xff' and '\xc3' alone are raw bytes (not UTF-8), the rest UTF-8 text.
        parts.push(
          piece.length === 1 && piece.charCodeAt(0) > 0x7f && piece !== 'é'
            ? Buffer.from([piece.charCodeAt(0)])
            : Buffer.from(piece),
        );
      }
      files[`pkg/f${i}.py`] = Buffer.concat(parts);
    }
    repo.write(Object.fromEntries(Object.entries(files).map(([path]) => [path, ''])));
    for (const [path, bytes] of Object.entries(files)) writeFileSync(join(repo.dir, path), bytes);
    head = repo.commit('texts');
  });
  afterAll(() => repo.remove());

  it('finds in each file exactly the names git grep -a -w -F finds', async () => {
    const answers = new AnswersWithTexts().atHead(repo, head);
    const whole = await filesMentioningEach(repo.dir, head, names);
    // Decoded as the engine's object reader decodes what `git cat-file` gives.
    const texts = await readBlobs(
      repo.dir,
      answers.files().map((file) => answers.blobOf(file)!),
    );
    const outcomes = new Set<string>();
    for (const file of answers.files()) {
      const blob = answers.blobOf(file)!;
      const text = texts.get(blob)!;
      answers.texts.set(blob, text);
      for (const name of names) {
        const found = hasWord(text, name);
        expect(found, `${name} in ${JSON.stringify(text)}`).toBe(whole.get(name)!.includes(file));
        outcomes.add(`${name} ${found} ${text.includes(name)}`);
      }
    }
    // Each name found, not found, and present inside another word (or next to a byte git reads as a word character).
    for (const name of names)
      for (const outcome of ['true true', 'false true', 'false false'])
        expect(outcomes).toContain(`${name} ${outcome}`);
    // Every file at hand: the answer comes from memory and equals the search of the whole tree.
    expect(await filesMentioningKept(repo.dir, head, names, answers)).toEqual(whole);
  });

  it('reads the text at hand instead of asking git, and asks git for names it cannot rule on', async () => {
    const answers = new AnswersWithTexts().atHead(repo, head);
    const first = answers.files()[0];
    // A text at hand that says otherwise than the blob shows which one was read.
    answers.texts.set(answers.blobOf(first)!, 'plugin(1)\n');
    const found = await filesMentioningKept(repo.dir, head, ['plugin', 'load'], answers);
    const whole = await filesMentioningEach(repo.dir, head, ['plugin', 'load']);
    expect(found?.get('plugin')).toContain(first);
    expect(found?.get('load')?.includes(first)).toBe(false);
    expect(found?.get('load')).toEqual(whole.get('load')!.filter((file) => file !== first));
    // A name with a non-ASCII letter: git's bytes decide (the text at hand is not read).
    const other = await filesMentioningKept(repo.dir, head, ['plugin', 'é'], answers);
    expect(other).toEqual(await filesMentioningEach(repo.dir, head, ['plugin', 'é']));
  });
});

// A cold run has read every file, a warm run the files of its change: both search those texts in memory. The cold
// run's answers are kept (the next run will not hold the texts), a warm run's are not (no store write for the few
// changed files). The answers must be git's either way.
describe('searching the texts at hand of a cold and a warm run', () => {
  let repo: TempGitRepo;
  const names = ['load', 'plugin'];
  /** A commit no clone has: a search that asks git gives no answer. */
  const noCommit = '0'.repeat(40);

  beforeAll(() => {
    repo = new TempGitRepo();
    repo.write({
      'pkg/loader.py': 'def load(name):\n    return import_module(name)\n',
      'pkg/uses.py': 'from pkg.loader import load\nload("pkg.a")\n',
      'pkg/plugins.py': 'plugin = 1\n',
      'pkg/other.py': 'x = 1\n',
    });
    repo.commit('project');
  });
  afterAll(() => repo.remove());

  async function withTexts(head: string, files?: readonly string[]): Promise<AnswersWithTexts> {
    const answers = new AnswersWithTexts().atHead(repo, head);
    const blobs = (files ?? answers.files()).map((file) => answers.blobOf(file)!);
    for (const [blob, text] of await readBlobs(repo.dir, blobs)) answers.texts.set(blob, text);
    return answers;
  }

  it('keeps the answers of a cold run without git, then answers a warm run from them and the change', async () => {
    const cold = await withTexts(repo.head());
    // Every text at hand: no git process (it would fail on a commit no clone has), every answer kept.
    const first = await filesMentioningKept(repo.dir, noCommit, names, cold);
    expect(first).toEqual(await filesMentioningEach(repo.dir, repo.head(), names));
    expect(cold.written).toBe(4);

    repo.write({ 'pkg/other.py': 'load(1)\n', 'pkg/plugins.py': 'x = 2\n' });
    const head = repo.commit('change');
    // The next run holds only its change's texts; the unchanged files are answered by what the cold run kept.
    const warm = await withTexts(head, ['pkg/other.py', 'pkg/plugins.py']);
    for (const file of ['pkg/other.py', 'pkg/plugins.py']) warm.unstored.add(file);
    for (const [slot, answer] of cold.kept) warm.kept.set(slot, answer);
    warm.written = 0;
    const second = await filesMentioningKept(repo.dir, noCommit, names, warm);
    expect(second).toEqual(await filesMentioningEach(repo.dir, head, names));
    expect(second?.get('load')).toEqual(['pkg/loader.py', 'pkg/other.py', 'pkg/uses.py']);
    expect(second?.get('plugin')).toEqual([]);
    // The changed files' answers are not written: the next run searches them in memory again.
    expect(warm.written).toBe(0);
    // When the graph is stored with them (the next run starts from this tree), they are.
    warm.unstored.clear();
    await filesMentioningKept(repo.dir, noCommit, names, warm);
    expect(warm.written).toBe(2);
  });

  it('asks git about a file it has neither an answer nor the text of', async () => {
    const head = repo.head();
    const answers = await withTexts(head, ['pkg/loader.py']);
    expect(await filesMentioningKept(repo.dir, noCommit, names, answers)).toBeUndefined();
    const found = await filesMentioningKept(repo.dir, head, names, answers);
    expect(found).toEqual(await filesMentioningEach(repo.dir, head, names));
    // git searched: every answer is kept.
    expect(answers.written).toBe(4);
  });
});

// git grep of a tree searches no symbolic link; a link's text at hand is its target path, which may read as a word.
describe('searching the texts at hand of a tree with a symbolic link', () => {
  let repo: TempGitRepo;
  beforeAll(() => {
    repo = new TempGitRepo();
    repo.write({ 'pkg/load.py': 'def load(name):\n    return name\n', 'pkg/uses.py': 'load(1)\n' });
    symlinkSync('load', join(repo.dir, 'pkg/alias.py'));
    repo.commit('link');
  });
  afterAll(() => repo.remove());

  it('leaves a one-line text that has the name to git, which finds no link', async () => {
    const head = repo.head();
    const answers = new AnswersWithTexts().atHead(repo, head);
    const link = answers.blobOf('pkg/alias.py')!;
    for (const [blob, text] of await readBlobs(
      repo.dir,
      answers.files().map((file) => answers.blobOf(file)!),
    ))
      answers.texts.set(blob, text);
    expect(answers.texts.get(link)).toBe('load');
    const found = await filesMentioningKept(repo.dir, head, ['load'], answers);
    expect(found?.get('load')).toEqual(['pkg/load.py', 'pkg/uses.py']);
    expect(found?.get('load')).toEqual(await filesMentioning(repo.dir, head, 'load'));
  });
});

// git prints "Binary file ... matches" for a binary file unless told to read it as text: the files after one must keep
// their own words.
describe('searching a tree with a binary Python file', () => {
  let repo: TempGitRepo;
  beforeAll(() => {
    repo = new TempGitRepo();
    repo.write({ 'a.py': 'load\n', 'b.py': 'load(1)\n', 'c.py': 'plugin\n', '.gitattributes': 'a.py -diff\n' });
    writeFileSync(join(repo.dir, 'a0.py'), Buffer.from('load\0plugin\n'));
    repo.commit('binary');
  });
  afterAll(() => repo.remove());

  it('finds each name in the files that have it, the binary ones too', async () => {
    const found = await filesMentioningEach(repo.dir, repo.head(), ['load', 'plugin']);
    expect(found.get('load')).toEqual(['a.py', 'a0.py', 'b.py']);
    expect(found.get('plugin')).toEqual(['a0.py', 'c.py']);
    expect(found.get('load')).toEqual(await filesMentioning(repo.dir, repo.head(), 'load'));
  });
});
