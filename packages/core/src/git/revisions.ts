import { existsSync, statSync } from 'node:fs';
import { simpleGit, type SimpleGit } from 'simple-git';
import { UserError } from '../errors/index.ts';
import { runGit } from './run-git.ts';
import { mayBeInRepository } from './work-tree.ts';

export const ZERO_SHA = '0000000000000000000000000000000000000000';

/** True when the commit is in the local object database. */
export async function hasCommit(git: Repo, rev: string): Promise<boolean> {
  try {
    await git.raw(['cat-file', '-e', `${rev}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/** The full sha of a revision, or undefined when it does not resolve. */
export async function resolveSha(git: Repo, rev: string): Promise<string | undefined> {
  try {
    return (await git.raw(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`])).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function isShallow(git: Repo): Promise<boolean> {
  return (await git.raw(['rev-parse', '--is-shallow-repository'])).trim() === 'true';
}

async function remoteName(git: Repo): Promise<string | undefined> {
  const remotes = (await git.raw(['remote']))
    .split('\n')
    .map((r) => r.trim())
    .filter(Boolean);
  return remotes.includes('origin') ? 'origin' : remotes[0];
}

/** The merge base of two commits, or undefined when git finds none (unrelated or cut off by a shallow clone). */
export async function mergeBase(git: Repo, a: string, b: string): Promise<string | undefined> {
  try {
    return (await git.raw(['merge-base', a, b])).trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface FetchLog {
  /** What was fetched, for the log: `fetch <sha>`, `deepen 50`, ... */
  steps: string[];
}

/**
 * Makes `sha` available locally: fetches it by id from the remote (without a depth, so a full clone stays full).
 * Returns false when the remote does not have it.
 */
export async function fetchCommit(git: Repo, sha: string, log: FetchLog): Promise<boolean> {
  if (await hasCommit(git, sha)) return true;
  const remote = await remoteName(git);
  if (!remote) return false;
  const shallow = await isShallow(git);
  try {
    // In a shallow clone fetch with a depth so the clone stays consistently shallow; in a full one, without.
    const args = ['fetch', '--no-tags', '--quiet', ...(shallow ? ['--depth=1'] : []), remote, sha];
    log.steps.push(`fetch ${sha.slice(0, 12)}`);
    await git.raw(args);
  } catch {
    return false;
  }
  return hasCommit(git, sha);
}

/**
 * Deepens a shallow clone until `a` and `b` have a merge base, doubling the depth each time up to `maxDeepen`
 * commits, then unshallowing once. Returns the merge base, or undefined when there is none.
 */
export async function deepenUntilMergeBase(
  git: Repo,
  a: string,
  b: string,
  log: FetchLog,
  maxDeepen = 2000,
): Promise<string | undefined> {
  // Asked for together (two git processes at once); the answer on shallowness is only used when a base is found.
  const shallow = isShallow(git);
  shallow.catch(() => {});
  let found = await mergeBase(git, a, b);
  if (found && !(await shallow)) return found;
  let step = 50;
  let total = 0;
  const remote = await remoteName(git);
  while (remote && (await isShallow(git))) {
    // In a shallow clone a merge base can be a cut-off point rather than the real one: keep deepening until
    // git finds one that is not a shallow boundary.
    if (found && !(await isShallowBoundary(git, found))) return found;
    if (total >= maxDeepen) {
      log.steps.push('unshallow');
      await git.raw(['fetch', '--no-tags', '--quiet', '--unshallow', remote]).catch(() => undefined);
      return mergeBase(git, a, b);
    }
    log.steps.push(`deepen ${step}`);
    try {
      await git.raw(['fetch', '--no-tags', '--quiet', `--deepen=${step}`, remote]);
    } catch {
      break;
    }
    total += step;
    step *= 2;
    found = await mergeBase(git, a, b);
  }
  return found;
}

async function isShallowBoundary(git: Repo, sha: string): Promise<boolean> {
  try {
    const path = (await git.raw(['rev-parse', '--git-path', 'shallow'])).trim();
    const { readFile } = await import('node:fs/promises');
    const { resolve } = await import('node:path');
    const root = (await git.raw(['rev-parse', '--show-toplevel'])).trim();
    const content = await readFile(resolve(root, path), 'utf8').catch(() => '');
    return content.split('\n').includes(sha);
  } catch {
    return false;
  }
}

/** Folders this process found to be git checkouts (a checkout does not stop being one while a step runs). */
const knownCheckouts = new Set<string>();

/**
 * Fails with a message naming the folder and the fix when `repoDir` is not a git checkout (missing, a file, or a
 * folder outside any repository): a wrong path must stop the step, never select from an empty repository.
 */
export async function assertGitCheckout(repoDir: string): Promise<void> {
  // A command checks its folder, then finds the diff range, which checks again: git is asked once per folder.
  if (knownCheckouts.has(repoDir)) return;
  const fix =
    "Point the 'repo' input (--repo DIR on the command line) at a clone of the repository; on GitHub, run actions/checkout first.";
  if (!existsSync(repoDir)) throw new UserError(`The repository folder ${repoDir} does not exist. ${fix}`);
  if (!statSync(repoDir).isDirectory())
    throw new UserError(`The repository folder ${repoDir} is a file, not a folder. ${fix}`);
  // One plain git call: a step that stops here (a wrong folder) does not load simple-git; and none where git's answer
  // is certain to be "no" (no .git around the folder).
  if (mayBeInRepository(repoDir)) {
    try {
      const inside = (await runGit(repoDir, ['rev-parse', '--is-inside-work-tree'])).trim();
      if (inside === 'true') {
        knownCheckouts.add(repoDir);
        return;
      }
    } catch {
      // Not a repository (or git is missing): the message below says what to do.
    }
  }
  throw new UserError(`${repoDir} is not a git checkout (git rev-parse finds no work tree there). ${fix}`);
}

/**
 * A repository folder's git: `raw(args)` runs one git command and gives its output, failing when git exits non-zero.
 * Local questions (rev-parse, cat-file, merge-base, rev-list, worktree...) start git directly: simple-git costs about
 * twice the CPU per call and starts queued processes tens of milliseconds apart, most of a warm selection's git time.
 * Commands that talk to a remote (`fetch`, `pull`, `clone`, `ls-remote`, `push`) go through simple-git, whose guard
 * refuses the options that make git run a command (`--upload-pack`, `-c protocol.ext.allow`...) when a ref from an
 * input or a stored file reaches them.
 */
export interface Repo {
  raw(args: string[]): Promise<string>;
}

const REMOTE_COMMANDS = new Set(['fetch', 'pull', 'clone', 'ls-remote', 'push']);

export function openRepo(repoDir: string): Repo {
  let remote: SimpleGit | undefined;
  return {
    raw: (args) => {
      if (!REMOTE_COMMANDS.has(args[0] ?? '')) return runGit(repoDir, args);
      remote ??= simpleGit({ baseDir: repoDir });
      return remote.raw(args);
    },
  };
}
