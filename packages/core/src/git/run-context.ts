import { InputError, UserError } from '../errors/index.ts';
import { type ChangedFile, listChangedFiles, listChangedFilesFromMergeBase } from './changed-files.ts';
import {
  assertGitCheckout,
  ZERO_SHA,
  deepenUntilMergeBase,
  fetchCommit,
  isInsideWorkTree,
  isPlainRevision,
  isShallow,
  mergeBase,
  openRepo,
  probeCheckout,
  probeCheckoutAndRange,
  resolveSha,
  resolveShas,
  type CheckoutProbe,
  type CheckoutRangeProbe,
  type FetchLog,
  type KnownAnswers,
  type ObjectLookup,
  type Repo,
} from './revisions.ts';

/** The two commits a change is judged between (docs/architecture.md#git). `base` is undefined when it cannot be known. */
export interface DiffRange {
  /** The commit to diff from (the merge base for pull requests and explicit bases), or undefined. */
  base?: string;
  /** The commit to diff to. */
  head: string;
  /** How the range was chosen, for logs and summaries. */
  source: string;
  /** Why no base could be found; callers take the safe answer (run everything) and show this. */
  fallbackReason?: string;
  /** What was fetched to get there (`fetch <sha>`, `deepen 50`, ...). */
  fetchSteps: string[];
  /** The files changed from `base` to `head` (listChangedFiles), when `listChanges` was asked and a base was found. */
  changes?: ChangedFile[];
  /** The tree of `head`'s commit, when the first git round answered it (an explicit plain base and head). */
  headTree?: string;
}

export interface DiffRangeOptions {
  repoDir: string;
  eventName: string;
  payload: Record<string, unknown>;
  /** Explicit base (input or CLI flag): a sha or a ref; overrides the event. Diffed from its merge base. */
  base?: string;
  /** Explicit head; default: the event's head, else HEAD. */
  head?: string;
  /** How many commits a shallow clone may be deepened before unshallowing. */
  maxDeepen?: number;
  /**
   * Also list the changed files of the range (DiffRange.changes). With an explicit base, `git diff BASE...HEAD` starts
   * with the first questions instead of after them; its answer is used when they show it is the diff of the range.
   */
  listChanges?: boolean;
  /**
   * A `git cat-file --batch` reader of `repoDir` the caller reads the change's objects with afterwards (test-filter's
   * selection session): the questions on commits asked before anything is fetched (the given refs, a pull request's
   * merge commit and base) are asked there, without a git process of their own.
   */
  objects?: ObjectLookup;
}

/** Resolves base and head from the event or the inputs, fetching and deepening a shallow clone as needed. */
export async function resolveDiffRange(options: DiffRangeOptions): Promise<DiffRange> {
  const git = openRepo(options.repoDir);
  const log: FetchLog = { steps: [] };
  const finish = async (found: Omit<DiffRange, 'fetchSteps'>): Promise<DiffRange> => {
    // A commit's tree is the same whatever was fetched since: the rev-parse's answer holds for its head.
    const answers = await early?.range;
    const range = answers?.head === found.head ? { ...found, headTree: answers.headTree } : found;
    if (!options.listChanges || !range.base) return { ...range, fetchSteps: log.steps };
    const changes = await changesOf(options.repoDir, range.base, range.head, log.steps.length > 0 ? undefined : early);
    return { ...range, fetchSteps: log.steps, changes };
  };
  // The reader's process may have started before a fetch: it is asked only while nothing was fetched.
  const objects = () => (log.steps.length === 0 ? options.objects : undefined);
  const payload = options.payload ?? {};
  // HEAD does not move while the range is found (fetches only add objects): resolved once, not per question.
  // The first questions are asked at once, in as few git processes as answer them (each costs a process start):
  // whether the folder is a checkout, whether it is shallow and HEAD (probeCheckout); the given refs (resolveShas);
  // with an explicit base, their merge base — all in one `git rev-parse` with an explicit base and head
  // (probeCheckoutAndRange). A fetch later on makes the answers stale, so they are only used until the first fetch
  // (`commitOf`, `known`, `changesOf`).
  let early: EarlyQuestions | undefined;
  const ask = () => (early ??= askEarly(git, options));
  // A wrong folder or ref the user gave is a mistake to fix, not a reason to run everything quietly.
  await assertGitCheckout(
    options.repoDir,
    async () => (await ask().probe)?.insideWorkTree ?? (await isInsideWorkTree(options.repoDir)),
  );
  const { local, shallow, explicitMergeBase } = earlyAnswers(git, ask());
  /** What deepenUntilMergeBase need not ask again: answers of before any fetch, while nothing was fetched. */
  const known = (mergeBase?: Promise<string | undefined>): KnownAnswers =>
    log.steps.length > 0 ? {} : { shallow, ...(mergeBase ? { mergeBase } : {}) };
  const checkedOut = await local.get('HEAD');
  const commitOfRef = (rev: string) => commitOf(git, rev, log, local);
  const headOf = (rev: string) => (rev === 'HEAD' && checkedOut ? Promise.resolve(checkedOut) : commitOfRef(rev));
  if (!checkedOut && !options.head) {
    throw new UserError(
      `${options.repoDir} has no commit checked out (HEAD does not resolve). Commit first, or check out a branch.`,
    );
  }
  if (options.head && !(await commitOfRef(options.head))) {
    throw new InputError(
      `Input 'head' has value '${options.head}', which is not a commit, branch or tag of ${options.repoDir} nor of its remote. ` +
        'Use an existing ref (e.g. HEAD or a full sha), or fetch it first (actions/checkout with fetch-depth: 0).',
    );
  }

  if (options.base) {
    const head = await headOf(options.head ?? 'HEAD');
    if (!head)
      return finish({
        head: options.head ?? 'HEAD',
        source: 'inputs',
        fallbackReason: `head '${options.head ?? 'HEAD'}' is not a commit in this repository`,
      });
    const base = await commitOfRef(options.base);
    if (!base) {
      throw new InputError(
        `Input 'base' has value '${options.base}', which is not a commit, branch or tag of ${options.repoDir} nor of its remote. ` +
          "Use an existing ref (e.g. 'origin/main', 'HEAD~1' or a full sha), or fetch it first (actions/checkout with fetch-depth: 0).",
      );
    }
    // The merge base asked early (of the refs as given) is of these two commits when both resolved locally.
    const sameCommits = (await local.get(options.base)) === base && (await local.get(options.head ?? 'HEAD')) === head;
    const found = await deepenUntilMergeBase(
      git,
      base,
      head,
      log,
      options.maxDeepen,
      known(sameCommits ? explicitMergeBase : undefined),
    );
    if (!found)
      return finish({ head, source: 'inputs', fallbackReason: `no merge base between '${options.base}' and the head` });
    return finish({ base: found, head, source: `merge base of ${options.base} and ${shortSha(head)}` });
  }

  switch (options.eventName) {
    case 'pull_request':
    case 'pull_request_target':
      return finish(await pullRequestRange(git, payload, log, options, checkedOut, known(), objects));
    case 'push':
      return finish(await pushRange(git, payload, log, options, objects));
    case 'merge_group': {
      const group = record(payload.merge_group);
      const baseSha = stringOf(group.base_sha);
      const headSha = options.head ?? stringOf(group.head_sha) ?? 'HEAD';
      const head = await headOf(headSha);
      if (!head)
        return finish({
          head: headSha,
          source: 'merge_group',
          fallbackReason: `merge queue head ${headSha} is not available`,
        });
      if (!baseSha || !(await fetchCommit(git, baseSha, log, objects()))) {
        return finish({
          head,
          source: 'merge_group',
          fallbackReason: `merge queue base ${baseSha ?? '(none)'} is not available`,
        });
      }
      const found = await deepenUntilMergeBase(git, baseSha, head, log, options.maxDeepen, known());
      if (!found)
        return finish({
          head,
          source: 'merge_group',
          fallbackReason: 'no merge base between the merge queue base and head',
        });
      return finish({ base: found, head, source: 'merge_group base..head' });
    }
    default: {
      const head = (await headOf(options.head ?? 'HEAD')) ?? 'HEAD';
      const event = options.eventName || 'none (local run)';
      return finish({
        head,
        source: 'inputs',
        fallbackReason: `event '${event}' gives no base revision; set the 'base' input to compare against a branch or commit`,
      });
    }
  }
}

async function pullRequestRange(
  git: Repo,
  payload: Record<string, unknown>,
  log: FetchLog,
  options: DiffRangeOptions,
  checkedOut: string | undefined,
  known: KnownAnswers,
  objects: () => ObjectLookup | undefined,
): Promise<Omit<DiffRange, 'fetchSteps'>> {
  const pr = record(payload.pull_request);
  const prHead = stringOf(record(pr.head).sha);
  const prBase = stringOf(record(pr.base).sha);
  // actions/checkout checks out the merge commit; its first parent is the accurate base (docs/architecture.md#git).
  if (!options.head && checkedOut && prHead) {
    const parents = await parentsOf(git, checkedOut, objects());
    if (parents.length === 2 && parents[1] === prHead && (await fetchCommit(git, parents[0], log, objects()))) {
      return { base: parents[0], head: checkedOut, source: 'pull_request merge commit (HEAD^1..HEAD)' };
    }
  }
  const headRef = options.head ?? prHead ?? 'HEAD';
  const head = headRef === 'HEAD' && checkedOut ? checkedOut : await commitOf(git, headRef, log);
  if (!head)
    return { head: headRef, source: 'pull_request', fallbackReason: `pull request head ${headRef} is not available` };
  if (!prBase || !(await fetchCommit(git, prBase, log, objects()))) {
    return {
      head,
      source: 'pull_request',
      fallbackReason: `pull request base ${prBase ?? '(missing from the event)'} is not available`,
    };
  }
  const found = await deepenUntilMergeBase(git, prBase, head, log, options.maxDeepen, known);
  if (!found)
    return { head, source: 'pull_request', fallbackReason: 'no merge base between the pull request base and head' };
  return { base: found, head, source: 'pull_request merge base' };
}

async function pushRange(
  git: Repo,
  payload: Record<string, unknown>,
  log: FetchLog,
  options: DiffRangeOptions,
  objects: () => ObjectLookup | undefined,
): Promise<Omit<DiffRange, 'fetchSteps'>> {
  const before = stringOf(payload.before);
  const afterRef = options.head ?? stringOf(payload.after) ?? 'HEAD';
  const head = await commitOf(git, afterRef, log);
  if (!head) return { head: afterRef, source: 'push', fallbackReason: `pushed commit ${afterRef} is not available` };
  if (!before || before === ZERO_SHA) {
    return {
      head,
      source: 'push',
      fallbackReason: 'the push created the branch: there is no previous commit to compare with',
    };
  }
  if (!(await fetchCommit(git, before, log, objects()))) {
    return {
      head,
      source: 'push',
      fallbackReason: `the push's previous commit ${shortSha(before)} is not in the repository (force push?)`,
    };
  }
  return { base: before, head, source: 'push before..after' };
}

/** The git processes started first, before the folder is known to be a checkout. */
interface EarlyQuestions {
  probe: Promise<CheckoutProbe | undefined>;
  /** The given refs other than HEAD, and their commits. */
  refs: string[];
  shas: Promise<(string | undefined)[]>;
  /** `git merge-base BASE HEAD` of an explicit base and head as given (refs, not yet resolved). */
  explicitMergeBase?: Promise<string | undefined>;
  /** An explicit range's answers from the one process that asked all the questions (undefined when it failed). */
  range?: Promise<CheckoutRangeProbe | undefined>;
  /** `git diff BASE...HEAD` of an explicit range, asked with the questions (listChanges); undefined when it failed. */
  changes?: Promise<ChangedFile[] | undefined>;
}

function askEarly(git: Repo, options: DiffRangeOptions): EarlyQuestions {
  const head = options.head ?? 'HEAD';
  const refs = [...new Set([options.head, options.base])].filter(
    (rev): rev is string => rev !== undefined && rev !== 'HEAD',
  );
  if (options.base !== undefined && isPlainRevision(options.base) && isPlainRevision(head))
    return askWithRange(git, options, refs, options.base, head);
  return askSeparately(git, options, refs);
}

/**
 * An explicit base and head: every first question in one `git rev-parse` (probeCheckoutAndRange), and with listChanges
 * the range's `git diff` beside it; when the rev-parse fails (a ref to fetch, no commit, not a checkout), the questions
 * are asked one by one as without a base (askSeparately), and the diff waits for the range.
 */
function askWithRange(
  git: Repo,
  options: DiffRangeOptions,
  refs: string[],
  base: string,
  head: string,
): EarlyQuestions {
  const range = probeCheckoutAndRange(options.repoDir, base, head);
  let separately: EarlyQuestions | undefined;
  const alone = () => (separately ??= askSeparately(git, options, refs));
  const early: EarlyQuestions = {
    probe: range.then((answers) => (answers ? answers.checkout : alone().probe)),
    refs,
    shas: range.then((answers) =>
      answers ? refs.map((rev) => (rev === base ? answers.base : answers.head)) : alone().shas,
    ),
    explicitMergeBase: range.then((answers) => (answers ? answers.mergeBases[0] : alone().explicitMergeBase)),
    range,
  };
  if (options.listChanges)
    early.changes = listChangedFilesFromMergeBase(options.repoDir, base, head).catch(() => undefined);
  for (const pending of [early.probe, early.shas, early.explicitMergeBase]) pending?.catch(() => {});
  return early;
}

function askSeparately(git: Repo, options: DiffRangeOptions, refs: string[]): EarlyQuestions {
  const head = options.head ?? 'HEAD';
  const early: EarlyQuestions = {
    probe: probeCheckout(options.repoDir),
    refs,
    shas: refs.length > 0 ? resolveShas(git, options.repoDir, refs, options.objects) : Promise.resolve([]),
  };
  // Only refs git cannot take for options; the answer is used only when both resolve locally (the same commits).
  if (options.base !== undefined && !options.base.startsWith('-') && !head.startsWith('-'))
    early.explicitMergeBase = mergeBase(git, options.base, head);
  for (const pending of [early.probe, early.shas, early.explicitMergeBase]) pending?.catch(() => {});
  return early;
}

/**
 * The early answers as the range needs them, once the folder is a checkout: the local commit of HEAD and of each given
 * ref, and whether the clone is shallow. When the probe could not be read, HEAD and shallowness are asked on their own.
 */
function earlyAnswers(git: Repo, early: EarlyQuestions) {
  const local = new Map<string, Promise<string | undefined>>();
  local.set(
    'HEAD',
    early.probe.then((probe) => (probe ? probe.head : resolveSha(git, 'HEAD'))),
  );
  early.refs.forEach((rev, i) =>
    local.set(
      rev,
      early.shas.then((shas) => shas[i]),
    ),
  );
  const shallow = early.probe.then((probe) => (probe ? probe.shallow : isShallow(git)));
  for (const pending of [...local.values(), shallow]) pending.catch(() => {});
  return { local, shallow, explicitMergeBase: early.explicitMergeBase };
}

/**
 * The files changed from `base` to `head`: the diff asked with the first questions when nothing was fetched since and
 * it is this range's (`base` is the only merge base the rev-parse found of the commits it resolved, `head` its head),
 * else a diff of its own.
 */
async function changesOf(
  repoDir: string,
  base: string,
  head: string,
  early: EarlyQuestions | undefined,
): Promise<ChangedFile[]> {
  const answers = await early?.range;
  if (early?.changes && answers?.mergeBases.length === 1 && answers.mergeBases[0] === base && answers.head === head) {
    const changes = await early.changes;
    if (changes) return changes;
  }
  return listChangedFiles(repoDir, base, head);
}

/** The commit `rev` names, fetched when missing; the local answer comes from `early` while nothing was fetched yet. */
async function commitOf(
  git: Repo,
  rev: string,
  log: FetchLog,
  early?: ReadonlyMap<string, Promise<string | undefined>>,
): Promise<string | undefined> {
  const asked = log.steps.length === 0 ? early?.get(rev) : undefined;
  const local = await (asked ?? resolveSha(git, rev));
  if (local) return local;
  if (/^[0-9a-f]{40}$/i.test(rev) && (await fetchCommit(git, rev, log))) return rev.toLowerCase();
  // A branch name that only exists on the remote.
  const remote = await resolveSha(git, `origin/${rev}`);
  if (remote) return remote;
  try {
    log.steps.push(`fetch ${rev}`);
    await git.raw(['fetch', '--no-tags', '--quiet', 'origin', rev]);
    return await resolveSha(git, 'FETCH_HEAD');
  } catch {
    return undefined;
  }
}

/**
 * The parents of a commit, from its header (one git process, or a read through `objects`; none when the commit is not
 * in the clone).
 */
async function parentsOf(git: Repo, sha: string, objects?: ObjectLookup): Promise<string[]> {
  let text: string;
  try {
    const read = objects ? await objects.read(`${sha}^{commit}`).catch(() => null) : null;
    text = read === null ? await git.raw(['cat-file', 'commit', sha]) : read?.type === 'commit' ? read.text : '';
  } catch {
    return [];
  }
  // The header ends at the first empty line; the message after it may hold any text.
  const header = text.split('\n\n', 1)[0];
  return header
    .split('\n')
    .filter((line) => line.startsWith('parent '))
    .map((line) => line.slice('parent '.length).trim());
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function shortSha(sha: string): string {
  return sha.slice(0, 12);
}
