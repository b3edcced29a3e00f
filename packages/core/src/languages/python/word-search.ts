import { runGit } from '../../git/index.ts';
import type { BlobAnswers } from '../types.ts';

/**
 * The question a file's mentions are kept under (`BlobAnswers`): which of the names (after the version, joined by
 * commas) the file has as a word, as `git grep -w -F` finds them. Bumped when the search changes.
 */
const MENTIONS_QUESTION = 'python-mentions/1';

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
    const out = await runGit(repoDir, ['grep', '-l', '-w', '-F', '-z', '-e', name, head, '--', ...pathspecs]);
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

/** `git grep -o` of several words in `head` under `pathspecs`: file -> the names it has (git's order); undefined when git fails. */
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

const isNameList = (value: unknown, names: ReadonlySet<string>): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string' && names.has(item));

/**
 * The files of `head` that mention each of `names` as a word, as `filesMentioningEach` (several names) or
 * `filesMentioning` (one) find them, with each file's answer kept under its blob (`answers`) by a search of the whole
 * tree: later runs search only the files whose blob has no kept answer, by path (a warm run: the files that changed
 * since that search), up to SEARCH_BY_PATH_LIMIT of them. Without the head's file list the whole tree is searched as
 * before. Undefined when git fails (the caller searches name by name then).
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
  const byPath = unknown.length <= SEARCH_BY_PATH_LIMIT;
  // Literal pathspecs: a file name with `*` or `:` is that file.
  const pathspecs = byPath ? unknown.map((file) => `:(literal)${file}`) : ['*.py'];
  let searched: Map<string, Set<string>> | undefined;
  if (byPath && unknown.length === 0) searched = new Map();
  else if (names.length === 1) {
    const hits = await grepFiles(repoDir, head, names[0], pathspecs);
    searched = hits && new Map(hits.map((file) => [file, new Set(names)]));
  } else searched = await grepWords(repoDir, head, names, pathspecs);
  if (!searched) return undefined;
  // A search of the whole tree answers in its own order, as before, and every file's answer is kept. The answers of
  // the few files searched by path are not: keeping them would make every pull request's run write the answers
  // document (a store round trip) to save a search of a few files.
  if (!byPath) {
    for (const file of unknown) {
      const blob = answers.blobOf(file);
      if (blob !== undefined)
        answers.set(
          blob,
          question,
          names.filter((name) => searched.get(file)?.has(name)),
        );
    }
    return filesByName(names, searched);
  }
  // The files keep the listing's order (git's), the searched ones among them.
  const all = new Map<string, ReadonlySet<string>>();
  for (const file of files) {
    const words = known.has(file) ? new Set(known.get(file)) : searched.get(file);
    if (words?.size) all.set(file, words);
  }
  return filesByName(names, all);
}
