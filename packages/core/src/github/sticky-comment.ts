import type { GitHubClient } from './client.ts';

export interface IssueRef {
  owner: string;
  repo: string;
  /** Pull requests are issues for comments. */
  issueNumber: number;
}

export interface StickyComment {
  id: number;
  body: string;
  url: string;
}

/** The login GitHub gives the workflow's own GITHUB_TOKEN. */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

const identities = new WeakMap<GitHubClient, Promise<string | undefined>>();

/**
 * The login of the token the client uses (`GET /user`), or undefined where GitHub does not say: the workflow's own
 * GITHUB_TOKEN gets 403 there, and is github-actions[bot] anyway. Asked once per client.
 */
export function tokenIdentity(octokit: GitHubClient): Promise<string | undefined> {
  let identity = identities.get(octokit);
  if (!identity) {
    identity = octokit.rest.users.getAuthenticated().then(
      ({ data }) => data.login,
      () => undefined,
    );
    identities.set(octokit, identity);
  }
  return identity;
}

/**
 * The oldest comment on the issue that is ours: written by the token's identity or github-actions[bot], with `marker`
 * at the start of its body. Anyone can paste a marker into a comment; such a comment is never adopted (what a pull
 * request touches is data: docs/architecture.md#runner-contract). Searches every page.
 */
export async function findStickyComment(
  octokit: GitHubClient,
  ref: IssueRef,
  marker: string,
): Promise<StickyComment | undefined> {
  const matches = await listMarkedComments(octokit, ref, marker);
  return matches[0];
}

async function listMarkedComments(octokit: GitHubClient, ref: IssueRef, marker: string): Promise<StickyComment[]> {
  const authors = new Set([ACTIONS_BOT_LOGIN]);
  const identity = await tokenIdentity(octokit);
  if (identity) authors.add(identity);
  const found: StickyComment[] = [];
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: ref.owner,
    repo: ref.repo,
    issue_number: ref.issueNumber,
    per_page: 100,
  });
  for await (const page of pages) {
    for (const comment of page.data) {
      const author = comment.user?.login;
      if (comment.body?.startsWith(marker) && author !== undefined && authors.has(author)) {
        found.push({ id: comment.id, body: comment.body, url: comment.html_url });
      }
    }
  }
  return found.sort((a, b) => a.id - b.id);
}

export interface UpsertResult {
  action: 'created' | 'updated' | 'unchanged';
  id: number;
  url: string;
}

/**
 * Creates or updates the one comment carrying `marker`. Two jobs that both found none may both create one; the
 * check after creating keeps the oldest, deletes the rest and writes this body into the survivor, so reruns and
 * concurrent jobs converge on a single comment.
 */
export async function upsertStickyComment(
  octokit: GitHubClient,
  ref: IssueRef,
  marker: string,
  body: string,
): Promise<UpsertResult> {
  if (!body.startsWith(marker))
    throw new Error('The comment body must start with its marker, or it could never be found again.');
  const existing = await findStickyComment(octokit, ref, marker);
  if (existing) {
    if (existing.body === body) return { action: 'unchanged', id: existing.id, url: existing.url };
    const { data } = await octokit.rest.issues.updateComment({
      owner: ref.owner,
      repo: ref.repo,
      comment_id: existing.id,
      body,
    });
    return { action: 'updated', id: data.id, url: data.html_url };
  }
  const { data: created } = await octokit.rest.issues.createComment({
    owner: ref.owner,
    repo: ref.repo,
    issue_number: ref.issueNumber,
    body,
  });
  const all = await listMarkedComments(octokit, ref, marker);
  const survivor = all[0];
  if (!survivor || survivor.id === created.id) return { action: 'created', id: created.id, url: created.html_url };
  for (const duplicate of all.slice(1)) {
    // A concurrent job may have deleted it first.
    await octokit.rest.issues
      .deleteComment({ owner: ref.owner, repo: ref.repo, comment_id: duplicate.id })
      .catch((error: { status?: number }) => {
        if (error.status !== 404) throw error;
      });
  }
  const { data } = await octokit.rest.issues.updateComment({
    owner: ref.owner,
    repo: ref.repo,
    comment_id: survivor.id,
    body,
  });
  return { action: 'updated', id: data.id, url: data.html_url };
}
