import { minimatch, type MinimatchOptions } from 'minimatch';

const OPTIONS: MinimatchOptions = { dot: true, nocomment: true };

/** A glob of any folders (`**`) and then a file name without pattern characters: most built-in globs, tested without compiling. */
const ANY_FOLDER_LITERAL = /^\*\*\/([^*?[\]{}()!+@\\/]+)$/;

/** Globs of literal folder and file names and `*` only (no `.`/`..` folders, no empty ones), whose ends are literal. */
const STARS_ONLY = /^(?!.*(?:^|\/)\.{1,2}(?:\/|$))(?!.*\/\/)[^?[\]{}()!+@\\]*$/;

/**
 * Whether a glob of literals and `*` cannot match `path` because the path does not end with the text after its last
 * `*` (or, for a glob with `/`, start with the text before its first one): a change is tested against every built-in
 * glob, and compiling each costs more than the selection it guards.
 */
function plainlyMisses(path: string, glob: string): boolean {
  const first = glob.indexOf('*');
  if (first === -1 || !STARS_ONLY.test(glob)) return false;
  if (!path.endsWith(glob.slice(glob.lastIndexOf('*') + 1))) return true;
  return glob.includes('/') && !path.startsWith(glob.slice(0, first));
}

/** Matches a repository-relative path against a glob; a glob without `/` matches the file name in any folder. */
export function matchesGlob(path: string, glob: string): boolean {
  const literal = ANY_FOLDER_LITERAL.exec(glob);
  if (literal) return path === literal[1] || path.endsWith(`/${literal[1]}`);
  if (plainlyMisses(path, glob)) return false;
  return minimatch(path, glob, { ...OPTIONS, matchBase: !glob.includes('/') });
}

/** The first glob that matches `path`, if any. */
export function firstMatchingGlob(path: string, globs: readonly string[]): string | undefined {
  return globs.find((glob) => matchesGlob(path, glob));
}

/**
 * Path filters for job routing (what `dorny/paths-filter` does): a filter is true when a changed file matches one
 * of its globs and none of its `!` globs.
 */
export function evaluatePathFilters(
  filters: Readonly<Record<string, readonly string[]>>,
  changedPaths: readonly string[],
): Record<string, boolean> {
  const result: Record<string, boolean> = {};
  for (const [name, globs] of Object.entries(filters)) {
    const include = globs.filter((glob) => !glob.startsWith('!'));
    const exclude = globs.filter((glob) => glob.startsWith('!')).map((glob) => glob.slice(1));
    result[name] = changedPaths.some(
      (path) => include.some((glob) => matchesGlob(path, glob)) && !exclude.some((glob) => matchesGlob(path, glob)),
    );
  }
  return result;
}
