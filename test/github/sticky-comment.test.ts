import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createGitHubClient,
  findStickyComment,
  GitHubPermissionError,
  GitHubRateLimitError,
  upsertStickyComment,
} from '@ci-optimizer/core/github';
import { GitHubApiServer, installIssueComments, type IssueCommentsFake } from '../support/github-api-server.ts';

const ref = { owner: 'octo-org', repo: 'octo-repo', issueNumber: 7 };
const marker = '<!-- ci-optimizer:perf-comment id=test -->';

describe('sticky comment against the OpenAPI-validating GitHub server', () => {
  let api: GitHubApiServer;
  let fake: IssueCommentsFake;
  let sleeps: number[];
  const client = (overrides: Parameters<typeof createGitHubClient>[0] | object = {}) =>
    createGitHubClient({
      token: 'ghs_test',
      baseUrl: api.url,
      fetch,
      sleep: async (ms) => void sleeps.push(ms),
      ...overrides,
    });

  beforeEach(async () => {
    api = await GitHubApiServer.start();
    fake = installIssueComments(api);
    sleeps = [];
  });
  afterEach(async () => {
    await api.close();
  });

  it('creates the comment when none carries the marker, then updates it in place', async () => {
    const octokit = await client();
    const first = await upsertStickyComment(octokit, ref, marker, `${marker}\nfirst`);
    expect(first.action).toBe('created');
    const second = await upsertStickyComment(octokit, ref, marker, `${marker}\nsecond`);
    expect(second).toMatchObject({ action: 'updated', id: first.id });
    const third = await upsertStickyComment(octokit, ref, marker, `${marker}\nsecond`);
    expect(third.action).toBe('unchanged');
    expect(fake.onIssue(7).map((c) => c.body)).toEqual([`${marker}\nsecond`]);
    expect(api.calls('issues/create-comment')[0].headers.authorization).toBe('token ghs_test');
    api.assertNoViolations();
  });

  it('finds the marker on the third page of 250 comments (pagination over 100+ comments)', async () => {
    fake.seed(7, 230);
    fake.comments.push({
      id: 99_999,
      issue: 7,
      body: `${marker}\nold`,
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    });
    fake.seed(7, 19);
    fake.seed(8, 5, () => marker); // another PR's comment must not be found
    const octokit = await client();
    const found = await findStickyComment(octokit, ref, marker);
    expect(found?.id).toBe(99_999);
    expect(api.calls('issues/list-comments').map((r) => r.query.get('page') ?? '1')).toEqual(['1', '2', '3']);
    expect(api.calls('issues/list-comments').every((r) => r.query.get('per_page') === '100')).toBe(true);
    const result = await upsertStickyComment(octokit, ref, marker, `${marker}\nnew`);
    expect(result).toMatchObject({ action: 'updated', id: 99_999 });
    expect(fake.onIssue(7)).toHaveLength(250);
    api.assertNoViolations();
  });

  it("adopts only its own comments: a drive-by user's comment with the marker, or ours with the marker not at the start, is left alone", async () => {
    fake.seed(7, 1, () => `${marker}\nI pasted your marker`, 'drive-by-user');
    fake.seed(7, 1, () => `quoting the bot: ${marker}`);
    const octokit = await client();
    expect(await findStickyComment(octokit, ref, marker)).toBeUndefined();
    const result = await upsertStickyComment(octokit, ref, marker, `${marker}\nours`);
    expect(result.action).toBe('created');
    expect(fake.onIssue(7).map((c) => [c.author ?? 'github-actions[bot]', c.body])).toEqual([
      ['drive-by-user', `${marker}\nI pasted your marker`],
      ['github-actions[bot]', `quoting the bot: ${marker}`],
      ['github-actions[bot]', `${marker}\nours`],
    ]);
    // The next run finds its own comment (the token's identity is asked once per client: GITHUB_TOKEN gets 403).
    expect((await upsertStickyComment(octokit, ref, marker, `${marker}\nagain`)).id).toBe(result.id);
    expect(api.calls('users/get-authenticated')).toHaveLength(1);
    expect(api.calls('issues/update-comment').map((r) => r.params.comment_id)).toEqual([String(result.id)]);
    api.assertNoViolations();
  });

  it('converges on one comment when two jobs created one concurrently', async () => {
    const octokit = await client();
    // The other job's comment appears between our search and our create.
    api.route('issues/create-comment', (request) => {
      if (fake.onIssue(7).length === 0) fake.seed(7, 1, () => `${marker}\nother job`);
      const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const comment = {
        id: 5000 + fake.comments.length,
        issue: 7,
        body: (request.body as { body: string }).body,
        createdAt: stamp,
        updatedAt: stamp,
      };
      fake.comments.push(comment);
      return {
        status: 201,
        body: {
          id: comment.id,
          node_id: 'IC_x',
          url: `https://api.github.com/repos/octo-org/octo-repo/issues/comments/${comment.id}`,
          html_url: `https://github.com/octo-org/octo-repo/pull/7#issuecomment-${comment.id}`,
          issue_url: 'https://api.github.com/repos/octo-org/octo-repo/issues/7',
          body: comment.body,
          user: null,
          created_at: stamp,
          updated_at: stamp,
          author_association: 'NONE',
        },
      };
    });
    const result = await upsertStickyComment(octokit, ref, marker, `${marker}\nours`);
    expect(result.action).toBe('updated');
    expect(fake.onIssue(7).map((c) => c.body)).toEqual([`${marker}\nours`]);
    expect(api.calls('issues/delete-comment')).toHaveLength(1);
    api.assertNoViolations();
  });

  it('raises a permission error on the 403 a fork token gets', async () => {
    api.fault('issues/create-comment', {
      status: 403,
      body: {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
      },
    });
    const error = await upsertStickyComment(await client(), ref, marker, `${marker}\nx`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubPermissionError);
    expect((error as GitHubPermissionError).status).toBe(403);
    expect(fake.onIssue(7)).toHaveLength(0);
    api.assertNoViolations();
  });

  it('retries a 502 then a 503 with backoff and succeeds', async () => {
    api.fault('issues/list-comments', { status: 502, body: { message: 'Server Error' }, times: 2 });
    api.fault('issues/create-comment', { status: 503, body: { message: 'Unavailable' } });
    const result = await upsertStickyComment(await client(), ref, marker, `${marker}\nx`);
    expect(result.action).toBe('created');
    expect(sleeps).toEqual([1000, 2000, 1000]);
    expect(api.calls('issues/create-comment')).toHaveLength(2);
    api.assertNoViolations();
  });

  it('gives up after the configured retries on a persistent 500', async () => {
    api.fault('issues/list-comments', { status: 500, body: { message: 'boom' }, times: 10 });
    const error = await upsertStickyComment(await client({ retries: 2 }), ref, marker, `${marker}\nx`).catch(
      (e: { status?: number }) => e,
    );
    expect((error as { status?: number }).status).toBe(500);
    expect(api.calls('issues/list-comments')).toHaveLength(3);
  });

  it('waits for a short rate-limit reset (x-ratelimit-* headers) and for retry-after', async () => {
    const reset = Math.floor(Date.now() / 1000) + 5;
    api.fault('issues/list-comments', {
      status: 403,
      headers: {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(reset),
        'x-ratelimit-resource': 'core',
      },
      body: {
        message: 'API rate limit exceeded for installation ID 1.',
        documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
      },
    });
    api.fault('issues/create-comment', {
      status: 429,
      headers: { 'retry-after': '3' },
      body: { message: 'You have exceeded a secondary rate limit.' },
    });
    const result = await upsertStickyComment(await client(), ref, marker, `${marker}\nx`);
    expect(result.action).toBe('created');
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThan(3_000);
    expect(sleeps[0]).toBeLessThanOrEqual(6_000);
    expect(sleeps[1]).toBe(3_000);
    api.assertNoViolations();
  });

  it('fails with a rate-limit error when the reset is too far away', async () => {
    api.fault('issues/list-comments', {
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) },
      body: { message: 'API rate limit exceeded' },
    });
    const error = await findStickyComment(await client(), ref, marker).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubRateLimitError);
    expect(sleeps).toEqual([]);
  });

  it('records a contract violation when a handler answers off-spec', async () => {
    api.route('issues/get-comment', () => ({ status: 200, body: { id: 'not-a-number' } }));
    await (await client()).rest.issues.getComment({ owner: 'octo-org', repo: 'octo-repo', comment_id: 1 });
    await (await client())
      .request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: 'o',
        repo: 'r',
        issue_number: 1,
        bogus: 'x',
      })
      .catch(() => undefined);
    expect(api.violations.join('\n')).toMatch(/issues\/get-comment.*response body/);
    expect(api.violations.join('\n')).toMatch(/query parameter 'bogus'/);
    expect(() => api.assertNoViolations()).toThrow(/contract violations/);
  });
});
