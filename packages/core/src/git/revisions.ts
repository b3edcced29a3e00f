import { existsSync, statSync } from 'node:fs';
import { simpleGit, type SimpleGit } from 'simple-git';
import { UserError } from '../errors/index.ts';
import type { GitObject } from './git-objects.ts';
import { runGit, runGitStatus, runGitWithInput } from './run-git.ts';
import { mayBeInRepository } from './work-tree.ts';

export const ZERO_SHA = '0000000000000000000000000000000000000000';

/**
 * Reads objects through a `git cat-file --batch` process the caller keeps for later reads (GitObjectReader): a question
 * asked there costs no process start. Only for questions asked before anything is fetched (the process may predate a
 * fetch).
 */
export interface ObjectLookup {
  read(spec: string): Promise<GitObject | undefined>;
}

/** The commit `rev` names, read through `objects`; undefined when it names none, null when the reader failed. */
async function commitThrough(objects: ObjectLookup, rev: string): Promise<GitObject | undefined | null> {
  try {
    const object = await objects.read(`${rev}^{commit}`);
    return object?.type === 'commit' ? object : undefined;
  } catch {
    return null;
  }
}

/** True when the commit is in the local object database (asked through `objects` when given, else its own process). */
export async function hasCommit(git: Repo, rev: string, objects?: ObjectLookup): Promise<boolean> {
  const read = objects && !/[\r\n]/.test(rev) && rev !== '' ? await commitThrough(objects, rev) : null;
  if (read !== null) return read !== undefined;
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

/**
 * The full shas of several revisions from ONE `git cat-file --batch-check` (each `rev^{commit}`, as resolveSha asks
 * `rev-parse --verify`), or through `objects` when given (no process of its own); undefined for those that do not
 * resolve. A revision that cannot be one line of the batch (empty, or with a line break) is asked on its own, as is
 * every revision when the batch fails.
 */
export async function resolveShas(
  git: Repo,
  repoDir: string,
  revs: readonly string[],
  objects?: ObjectLookup,
): Promise<(string | undefined)[]> {
  const batchable = revs.filter((rev) => rev !== '' && !/[\r\n]/.test(rev));
  let answers: string[] | undefined;
  if (batchable.length > 0 && objects) {
    const read = await Promise.all(batchable.map((rev) => commitThrough(objects, rev)));
    if (!read.includes(null)) answers = read.map((object) => object?.id ?? 'missing');
  }
  if (batchable.length > 0 && !answers) {
    try {
      const input = batchable.map((rev) => `${rev}^{commit}\n`).join('');
      const output = await runGitWithInput(repoDir, ['cat-file', '--batch-check=%(objectname)'], input);
      answers = output.split('\n').map((line) => line.trim());
    } catch {
      answers = undefined;
    }
  }
  const sha = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
  return Promise.all(
    revs.map((rev) => {
      const at = batchable.indexOf(rev);
      const answer = answers && at >= 0 ? answers[at] : undefined;
      // One line per question: a sha, or "<rev>^{commit} missing" (or "ambiguous"), which resolves to nothing.
      if (answers && at >= 0 && answer !== undefined) return sha.test(answer) ? answer : undefined;
      return resolveSha(git, rev);
    }),
  );
}

/** What one `git rev-parse --is-inside-work-tree --is-shallow-repository --verify --quiet HEAD^{commit}` tells. */
export interface CheckoutProbe {
  /** The folder is in a work tree (false in a bare repository or inside .git). */
  insideWorkTree: boolean;
  shallow: boolean;
  /** HEAD's commit; undefined when HEAD does not resolve (a repository without commits). */
  head: string | undefined;
}

/**
 * Three questions about a folder in one git process (each costs a process start, about 10 ms of the step's main
 * thread on a small runner): undefined when git fails there (not a repository, no git) or answers in a form this does
 * not read (a git too old to know --is-shallow-repository); callers then ask one question at a time.
 */
export async function probeCheckout(repoDir: string): Promise<CheckoutProbe | undefined> {
  const args = [
    'rev-parse',
    '--is-inside-work-tree',
    '--is-shallow-repository',
    '--verify',
    '--quiet',
    'HEAD^{commit}',
  ];
  let answer: { status: number; stdout: string };
  try {
    // Status 1: HEAD does not resolve; the two flags are answered all the same.
    answer = await runGitStatus(repoDir, args, [1]);
  } catch {
    return undefined;
  }
  const [inside, shallow, head = ''] = answer.stdout.split('\n').map((line) => line.trim());
  const flag = /^(true|false)$/;
  if (!flag.test(inside) || !flag.test(shallow)) return undefined;
  return {
    insideWorkTree: inside === 'true',
    shallow: shallow === 'true',
    head: answer.status === 0 ? head || undefined : undefined,
  };
}

/** What probeCheckout tells (`checkout`), and of an explicit range `base...head`: both commits and their merge bases. */
export interface CheckoutRangeProbe {
  checkout: CheckoutProbe;
  /** The commits `base` and `head` name. */
  base: string;
  head: string;
  /** The tree of `head`'s commit (a selection compares it with the tree its stored graph is of). */
  headTree: string;
  /** Their merge bases in git's order (the first is `git merge-base`'s answer); empty when they have none. */
  mergeBases: string[];
}

/**
 * A revision that can be one side of `A...B` for git with no doubt about what it means: not an option, no range or
 * line break in it. Others are asked on their own (resolveShas, mergeBase).
 */
export function isPlainRevision(rev: string): boolean {
  return rev !== '' && !rev.startsWith('-') && !rev.includes('..') && !/\s/.test(rev);
}

/**
 * probeCheckout's three questions and those of an explicit range in ONE git process:
 * `git rev-parse --is-inside-work-tree --is-shallow-repository HEAD^{commit} HEAD^{tree} BASE^{commit}...HEAD^{commit}`
 * (`HEAD` standing for `head`), whose symmetric difference prints the head's commit, the base's, then each merge base
 * as `^<sha>` (the order of `git merge-base --all`); the head's tree comes before them. Undefined when git fails (a ref that does not resolve here, HEAD without a commit, not a
 * checkout) or answers in a form this does not read: the caller then asks each question on its own, as before.
 * `base` and `head` must be plain revisions (isPlainRevision).
 */
export async function probeCheckoutAndRange(
  repoDir: string,
  base: string,
  head: string,
): Promise<CheckoutRangeProbe | undefined> {
  const args = [
    'rev-parse',
    '--is-inside-work-tree',
    '--is-shallow-repository',
    'HEAD^{commit}',
    `${head}^{tree}`,
    `${base}^{commit}...${head}^{commit}`,
  ];
  let lines: string[];
  try {
    lines = (await runGit(repoDir, args)).split('\n').map((line) => line.trim());
  } catch {
    return undefined;
  }
  const [inside, shallow, checkedOut, headTree, headSha, baseSha, ...rest] = lines;
  const flag = /^(true|false)$/;
  const sha = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
  const mergeBases = rest.filter((line) => line !== '').map((line) => line.slice(1));
  const read =
    flag.test(inside ?? '') &&
    flag.test(shallow ?? '') &&
    [checkedOut, headTree, headSha, baseSha].every((line) => sha.test(line ?? '')) &&
    rest.every((line) => line === '' || (line.startsWith('^') && sha.test(line.slice(1))));
  if (!read) return undefined;
  return {
    checkout: { insideWorkTree: inside === 'true', shallow: shallow === 'true', head: checkedOut },
    base: baseSha,
    head: headSha,
    headTree,
    mergeBases,
  };
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
 * Returns false when the remote does not have it. Whether it is here already is asked through `objects` when given.
 */
export async function fetchCommit(git: Repo, sha: string, log: FetchLog, objects?: ObjectLookup): Promise<boolean> {
  if (await hasCommit(git, sha, objects)) return true;
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

/** Answers git already gave before deepenUntilMergeBase starts (asked early, with other questions, nothing fetched since). */
export interface KnownAnswers {
  /** Whether the clone is shallow. */
  shallow?: Promise<boolean>;
  /** `git merge-base a b`. */
  mergeBase?: Promise<string | undefined>;
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
  known: KnownAnswers = {},
): Promise<string | undefined> {
  // Asked for together (two git processes at once); the answer on shallowness is only used when a base is found.
  const shallow = known.shallow ?? isShallow(git);
  shallow.catch(() => {});
  let found = await (known.mergeBase ?? mergeBase(git, a, b));
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

/** `git rev-parse --is-inside-work-tree`: false in a bare repository or inside .git; throws outside a repository. */
export async function isInsideWorkTree(repoDir: string): Promise<boolean> {
  return (await runGit(repoDir, ['rev-parse', '--is-inside-work-tree'])).trim() === 'true';
}

/** Folders this process found to be git checkouts (a checkout does not stop being one while a step runs). */
const knownCheckouts = new Set<string>();

/**
 * Fails with a message naming the folder and the fix when `repoDir` is not a git checkout (missing, a file, or a
 * folder outside any repository): a wrong path must stop the step, never select from an empty repository.
 * `insideWorkTree` asks git (by default `git rev-parse --is-inside-work-tree`; a caller that asks more questions of
 * the same process passes its own); it is only called when the folder exists and may be in a repository.
 */
export async function assertGitCheckout(
  repoDir: string,
  insideWorkTree: () => Promise<boolean> = () => isInsideWorkTree(repoDir),
): Promise<void> {
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
      if (await insideWorkTree()) {
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
