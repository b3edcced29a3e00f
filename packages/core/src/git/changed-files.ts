import { runGit } from './run-git.ts';

export type ChangeStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'type-changed';

/** One file changed between two revisions; `oldPath` for renames and copies. Paths are relative to the repo. */
export interface ChangedFile {
  status: ChangeStatus;
  path: string;
  oldPath?: string;
}

const STATUS: Record<string, ChangeStatus> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  C: 'copied',
  T: 'type-changed',
};

/**
 * The files changed from `base` to `head` (rename detection on). Uses NUL-separated output, so paths with
 * spaces, quotes, newlines or non-ASCII characters come back exactly as they are.
 */
export async function listChangedFiles(repoDir: string, base: string, head: string): Promise<ChangedFile[]> {
  return parseNameStatus(await rawDiff(repoDir, base, head, '--name-status'));
}

/**
 * `git diff <format> -z -M` between two commits, with paths unquoted and no colour or external diff tool: the one
 * diff invocation behind the changed-file listing (`--name-status`) and the line counts (`--numstat`).
 */
export function rawDiff(
  repoDir: string,
  base: string,
  head: string,
  format: '--name-status' | '--numstat',
): Promise<string> {
  return gitDiff(repoDir, base, head, [format]);
}

/** `git diff FORMATS -z -M base head` with paths as written (no quoting), no colour and no external diff driver. */
function gitDiff(repoDir: string, base: string, head: string, formats: readonly string[]): Promise<string> {
  return gitDiffOf(repoDir, [base, head], formats);
}

function gitDiffOf(repoDir: string, revs: readonly string[], formats: readonly string[]): Promise<string> {
  const args = ['-c', 'core.quotepath=false', 'diff', ...formats, '-z', '-M', '--no-color', '--no-ext-diff'];
  return runGit(repoDir, [...args, ...revs, '--']);
}

/**
 * listChangedFiles from the merge base of `base` and `head` (`git diff BASE^{commit}...HEAD^{commit}`: git finds the
 * merge base itself, so this needs no answer of an earlier git process). With several merge bases git takes the first
 * (the one `git merge-base` prints). Both must be plain revisions (isPlainRevision).
 */
export async function listChangedFilesFromMergeBase(
  repoDir: string,
  base: string,
  head: string,
): Promise<ChangedFile[]> {
  return parseNameStatus(await gitDiffOf(repoDir, [`${base}^{commit}...${head}^{commit}`], ['--name-status']));
}

/**
 * The changed files and the `--numstat -z` line counts of `base..head` from ONE `git diff --raw --numstat -z -M`
 * (the same entries as listChangedFiles and rawDiff(..., '--numstat'), one git process instead of two).
 */
export async function listChangedFilesWithNumstat(
  repoDir: string,
  base: string,
  head: string,
): Promise<{ files: ChangedFile[]; numstat: string }> {
  return parseRawWithNumstat(await gitDiff(repoDir, base, head, ['--raw', '--numstat']));
}

/**
 * Splits `git diff --raw --numstat -z` output: raw entries (`:<modes> <ids> <status>\0<path>\0`, two paths for
 * renames and copies) come first, then the numstat part, returned as its own text.
 */
export function parseRawWithNumstat(output: string): { files: ChangedFile[]; numstat: string } {
  const fields = output.split('\0');
  const names: string[] = [];
  let index = 0;
  while (index < fields.length && fields[index].startsWith(':')) {
    const header = fields[index++];
    const code = header.slice(header.lastIndexOf(' ') + 1);
    const status = STATUS[code[0]];
    names.push(code, fields[index++]);
    if (status === 'renamed' || status === 'copied') names.push(fields[index++]);
  }
  return { files: parseNameStatus(names.join('\0')), numstat: fields.slice(index).join('\0') };
}

export function parseNameStatus(output: string): ChangedFile[] {
  const fields = output.split('\0');
  const files: ChangedFile[] = [];
  let index = 0;
  while (index < fields.length) {
    const code = fields[index++];
    if (code === '') continue;
    const status = STATUS[code[0]];
    if (status === undefined) {
      // Unmerged (U) or unknown (X) entries carry one path; report them as modified so nothing is dropped.
      files.push({ status: 'modified', path: fields[index++] });
      continue;
    }
    if (status === 'renamed' || status === 'copied') {
      const oldPath = fields[index++];
      const path = fields[index++];
      files.push({ status, path, oldPath });
    } else {
      files.push({ status, path: fields[index++] });
    }
  }
  return files;
}
