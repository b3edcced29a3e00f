import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The root of the git work tree around `dir`, or undefined outside one (or without git). Synchronous: the command
 * line settles its repository folder before anything runs.
 */
export function workTreeRoot(dir: string): string | undefined {
  if (!mayBeInRepository(dir)) return undefined;
  const result = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, encoding: 'utf8' });
  const top = result.status === 0 ? result.stdout.trim() : '';
  return top === '' ? undefined : resolve(top);
}

/** Variables that can make git find a repository elsewhere than in `dir` and the folders above it. */
const REPOSITORY_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_COMMON_DIR',
  'GIT_CONFIG_PARAMETERS',
  'GIT_CONFIG_COUNT',
];

/**
 * False only when git's answer is certain to be "not a repository" without asking it (and saves starting git, a few
 * milliseconds of a run outside a checkout): no variable points git elsewhere, and neither
 * `dir` nor a folder above it (as given and with links resolved) holds a `.git` or looks like a git directory (`HEAD`).
 */
export function mayBeInRepository(dir: string): boolean {
  if (REPOSITORY_VARIABLES.some((name) => process.env[name] !== undefined)) return true;
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    return true;
  }
  return [resolve(dir), real].some((start) => {
    for (let folder = start; ; folder = dirname(folder)) {
      if (existsSync(join(folder, '.git')) || existsSync(join(folder, 'HEAD'))) return true;
      if (dirname(folder) === folder) return false;
    }
  });
}
