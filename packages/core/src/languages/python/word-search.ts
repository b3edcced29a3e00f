import { runGit } from '../../git/index.ts';
import type { BlobAnswers } from '../types.ts';

/**
 * The question a file's mentions are kept under (`BlobAnswers`): which of the names (after the version, joined by
 * commas) the file has as a word, as `git grep -a -w -F` finds them. Bumped when the search changes (2: binary files
 * are searched as text; before, one garbled the answers of the files after it).
 */
const MENTIONS_QUESTION = 'python-mentions/2';

/**
 * More files without a kept answer than this are searched with one pass over the whole tree (a cold run) instead of by
 * path (the few files a pull request changed).
 */
const SEARCH_BY_PATH_LIMIT = 200;

/** The Python files of `head` whose text has `name` as a word (`git grep`; the candidates for its call sites). */
export async function filesMentioning(repoDir: string, head: string, name: string): Promise<string[]> {
  return (await grepFiles(repoDir, head, name, ['*.py'])) ?? [];
}

/** `git grep -l` of one word in `head` under `pathspecs`, in git's order; undefined when git fails. */
async function grepFiles(
  repoDir: string,
  head: string,
  name: string,
  pathspecs: readonly string[],
): Promise<string[] | undefined> {
  try {
    const out = await runGit(repoDir, ['grep', '-l', '-a', '-w', '-F', '-z', '-e', name, head, '--', ...pathspecs]);
    // "<head>:<path>" per file.
    return out
      .split('\0')
      .filter(Boolean)
      .map((entry) => entry.slice(head.length + 1));
  } catch (error) {
    // git grep exits 1 when nothing matches.
    return (error as { code?: unknown }).code === 1 ? [] : undefined;
  }
}

/**
 * `filesMentioning` for several names in one `git grep` (one pass over the tree instead of one per name): each
 * matched word is printed with its file (`-o`), so the files of each name are read off the output. Names are Python
 * identifiers: a word matches one name exactly. When git fails the map stays without the names (each is searched on
 * its own then, as before).
 */
export async function filesMentioningEach(
  repoDir: string,
  head: string,
  names: readonly string[],
): Promise<Map<string, string[]>> {
  const found = await grepWords(repoDir, head, names, ['*.py']);
  return found ? filesByName(names, found) : new Map();
}

/**
 * `git grep -o` of several words in `head` under `pathspecs`: file -> the names it has (git's order); undefined when git
 * fails. Binary files are searched as text (`-a`): otherwise git prints "Binary file ... matches" for them, a line
 * without the file's words.
 */
async function grepWords(
  repoDir: string,
  head: string,
  names: readonly string[],
  pathspecs: readonly string[],
): Promise<Map<string, Set<string>> | undefined> {
  let out: string;
  try {
    out = await runGit(repoDir, [
      'grep',
      '-o',
      '-a',
      '-w',
      '-F',
      '-z',
      ...names.flatMap((name) => ['-e', name]),
      head,
      '--',
      ...pathspecs,
    ]);
  } catch (error) {
    // git grep exits 1 when nothing matches: every name is in no file. Anything else: no answer here.
    if ((error as { code?: unknown }).code !== 1) return undefined;
    out = '';
  }
  const wanted = new Set(names);
  const found = new Map<string, Set<string>>();
  // "<head>:<path>\0<matched word>\n" per match (the path ends at the NUL, so any character may be in it).
  for (let at = 0; at < out.length; ) {
    const pathEnd = out.indexOf('\0', at);
    const lineEnd = out.indexOf('\n', pathEnd + 1);
    if (pathEnd < 0 || lineEnd < 0) break;
    const word = out.slice(pathEnd + 1, lineEnd);
    if (wanted.has(word)) {
      const path = out.slice(at + head.length + 1, pathEnd);
      const words = found.get(path);
      if (words) words.add(word);
      else found.set(path, new Set([word]));
    }
    at = lineEnd + 1;
  }
  return found;
}

/** Name -> the files (in the order given) that have it. */
function filesByName(names: readonly string[], found: ReadonlyMap<string, ReadonlySet<string>>): Map<string, string[]> {
  const byName = new Map<string, string[]>(names.map((name) => [name, []]));
  for (const [path, words] of found) for (const word of words) byName.get(word)?.push(path);
  return byName;
}

/** A name the in-memory word test below can rule out: ASCII letters, digits and `_` (git's word characters). */
const ASCII_WORD = /^[A-Za-z0-9_]+$/;
const isWordCode = (code: number) =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;

/**
 * Whether `text` has `name` (ASCII word characters only) as a word: an occurrence with no word character (ASCII letter,
 * digit, `_`) right before or after it. This is what `git grep -a -w -F` answers for such a name, read on the decoded
 * text: git's word characters are those bytes, UTF-8 decoding keeps every ASCII byte as its character (an invalid
 * sequence never swallows one) and turns every other byte into a non-ASCII character, a non-word character to both;
 * a name has no line break, so git's search line by line finds what a search of the whole text finds.
 */
export function hasWord(text: string, name: string): boolean {
  if (name === '') return false;
  for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + 1)) {
    const end = at + name.length;
    if (
      (at === 0 || !isWordCode(text.charCodeAt(at - 1))) &&
      (end === text.length || !isWordCode(text.charCodeAt(end)))
    )
      return true;
  }
  return false;
}

const isNameList = (value: unknown, names: ReadonlySet<string>): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string' && names.has(item));

/**
 * The names each of `files` has as a word, for the files whose text the engine has already read (`hasWord`, git's
 * answer without a git process); the others are left to git (`rest`). So is a text at hand with a name but no line
 * break: it may be a symbolic link's (its target path), and `git grep` of a tree searches no link.
 */
function searchTextsAtHand(
  answers: BlobAnswers,
  files: readonly string[],
  names: readonly string[],
): { found: Map<string, Set<string>>; rest: string[] } {
  const found = new Map<string, Set<string>>();
  if (!answers.textOf || !names.every((name) => ASCII_WORD.test(name))) return { found, rest: [...files] };
  const rest: string[] = [];
  for (const file of files) {
    const blob = answers.blobOf(file);
    const text = blob === undefined ? undefined : answers.textOf(blob);
    if (text === undefined) {
      rest.push(file);
      continue;
    }
    const words = names.filter((name) => hasWord(text, name));
    if (words.length && !text.includes('\n')) rest.push(file);
    else if (words.length) found.set(file, new Set(words));
  }
  return { found, rest };
}

/**
 * The files of `head` that mention each of `names` as a word, as `filesMentioningEach` (several names) or
 * `filesMentioning` (one) find them, with each file's answer kept under its blob (`answers`): a later run searches only
 * the files whose blob has no kept answer (a warm run: the files that changed since). The files whose text the engine
 * has read are searched in memory (a warm run: the change's; a cold one: every file), git searches the rest, by path
 * up to SEARCH_BY_PATH_LIMIT of them, else the whole tree. Each file's answer is kept (the next run may not have its
 * text), except for a file searched in memory whose blob the stored graph lacks (a warm run's change: the next run has
 * its text at hand again, and this one need not write the answers document). Without the head's file list the whole
 * tree is searched as before. Undefined when git fails (the caller searches name by name then).
 */
export async function filesMentioningKept(
  repoDir: string,
  head: string,
  names: readonly string[],
  answers: BlobAnswers | undefined,
): Promise<Map<string, string[]> | undefined> {
  const files = answers?.files?.();
  if (!answers || !files) return names.length === 1 ? undefined : filesMentioningEach(repoDir, head, names);
  const question = `${MENTIONS_QUESTION}\0${names.join(',')}`;
  const nameSet = new Set(names);
  const known = new Map<string, readonly string[]>();
  const unknown: string[] = [];
  for (const file of files) {
    const blob = answers.blobOf(file);
    const answer = blob === undefined ? undefined : answers.get(blob, question);
    if (isNameList(answer, nameSet)) known.set(file, answer);
    else unknown.push(file);
  }
  const atHand = searchTextsAtHand(answers, unknown, names);
  const toSearch = atHand.rest;
  let searched = new Map<string, Set<string>>();
  const wholeTree = toSearch.length > SEARCH_BY_PATH_LIMIT;
  if (toSearch.length) {
    // Literal pathspecs: a file name with `*` or `:` is that file. Every file of the listing is a `*.py` file.
    const pathspecs = wholeTree ? ['*.py'] : toSearch.map((file) => `:(literal)${file}`);
    let found: Map<string, Set<string>> | undefined;
    if (names.length === 1) {
      const hits = await grepFiles(repoDir, head, names[0], pathspecs);
      found = hits && new Map(hits.map((file) => [file, new Set(names)]));
    } else found = await grepWords(repoDir, head, names, pathspecs);
    if (!found) return undefined;
    searched = found;
  }
  // A search of the whole tree answers for every file.
  const wordsOf = (file: string) => (wholeTree ? searched.get(file) : (searched.get(file) ?? atHand.found.get(file)));
  const gitSearched = new Set(toSearch);
  for (const file of unknown) {
    const blob = answers.blobOf(file);
    if (blob === undefined || !(wholeTree || gitSearched.has(file) || (answers.storedGraphHas?.(file) ?? true)))
      continue;
    answers.set(
      blob,
      question,
      names.filter((name) => wordsOf(file)?.has(name)),
    );
  }
  // The files keep the listing's order (git's).
  const all = new Map<string, ReadonlySet<string>>();
  for (const file of files) {
    const words = known.has(file) ? new Set(known.get(file)) : wordsOf(file);
    if (words?.size) all.set(file, words);
  }
  return filesByName(names, all);
}
