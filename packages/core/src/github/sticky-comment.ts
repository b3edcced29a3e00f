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

/** The oldest comment on the issue whose body contains `marker`, searching every page. */
export async function findStickyComment(octokit: GitHubClient, ref: IssueRef, marker: string): Promise<StickyComment | undefined> {
  const matches = await listMarkedComments(octokit, ref, marker);
  return matches[0];
}

async function listMarkedComments(octokit: GitHubClient, ref: IssueRef, marker: string): Promise<StickyComment[]> {
  const found: StickyComment[] = [];
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: ref.owner,
    repo: ref.repo,
    issue_number: ref.issueNumber,
    per_page: 100,
  });
  for await (const page of pages) {
    for (const comment of page.data) {
      if (comment.body?.includes(marker)) found.push({ id: comment.id, body: comment.body, url: comment.html_url });
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
export async function upsertStickyComment(octokit: GitHubClient, ref: IssueRef, marker: string, body: string): Promise<UpsertResult> {
  if (!body.includes(marker)) throw new Error('The comment body must contain its marker, or it could never be found again.');
  const existing = await findStickyComment(octokit, ref, marker);
  if (existing) {
    if (existing.body === body) return { action: 'unchanged', id: existing.id, url: existing.url };
    const { data } = await octokit.rest.issues.updateComment({ owner: ref.owner, repo: ref.repo, comment_id: existing.id, body });
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
    await octokit.rest.issues.deleteComment({ owner: ref.owner, repo: ref.repo, comment_id: duplicate.id }).catch((error: { status?: number }) => {
      if (error.status !== 404) throw error;
    });
  }
  const { data } = await octokit.rest.issues.updateComment({ owner: ref.owner, repo: ref.repo, comment_id: survivor.id, body });
  return { action: 'updated', id: data.id, url: data.html_url };
}
