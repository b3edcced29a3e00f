import { minimatch, type MinimatchOptions } from 'minimatch';

const OPTIONS: MinimatchOptions = { dot: true, nocomment: true };

/** Matches a repository-relative path against a glob; a glob without `/` matches the file name in any folder. */
export function matchesGlob(path: string, glob: string): boolean {
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
