import type { getOctokit } from '@actions/github';

/** The Octokit instance `@actions/github` builds (REST methods and pagination included). */
export type GitHubClient = ReturnType<typeof getOctokit>;

export interface GitHubClientOptions {
  token: string;
  /** API root; GITHUB_API_URL on runners (GitHub Enterprise), a local server in tests. */
  baseUrl?: string;
  /** Retries after a 5xx or a network error (default 3). */
  retries?: number;
  /** Longest wait for a rate-limit reset before giving up (default 60 s). */
  maxRateLimitWaitMs?: number;
  /** Injected in tests so retries do not sleep for real. */
  sleep?: (ms: number) => Promise<void>;
  /** Where retries and waits are reported. */
  log?: { warning(message: string): void; debug(message: string): void };
  /** Replaces the proxy-aware fetch of @actions/github (tests talking to 127.0.0.1). */
  fetch?: typeof fetch;
}

/** Raised when GitHub refuses for lack of permission (a fork's read-only token), not for rate limits. */
export class GitHubPermissionError extends Error {
  override readonly name = 'GitHubPermissionError';
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

/** Raised when the rate limit resets later than we are willing to wait. */
export class GitHubRateLimitError extends Error {
  override readonly name = 'GitHubRateLimitError';
  readonly resetAt?: Date;
  constructor(message: string, resetAt?: Date) {
    super(message);
    this.resetAt = resetAt;
  }
}

interface HttpErrorShape {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

/**
 * An Octokit client with the resilience the runner needs: retries with backoff on 5xx and network errors, waits
 * for primary (x-ratelimit-reset) and secondary (retry-after) rate limits when short, and a typed error for 403s
 * that mean "no permission" (fork PRs).
 */
export async function createGitHubClient(options: GitHubClientOptions): Promise<GitHubClient> {
  // Loaded when a client is made: Octokit with its proxy-aware fetch (undici) is 0.7 MB that runs which post nothing
  // (a push, `comment: never`, the CLI) need not load at start.
  const { getOctokit } = await import('@actions/github');
  const retries = options.retries ?? 3;
  const maxWait = options.maxRateLimitWaitMs ?? 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const octokit = getOctokit(options.token, {
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
  });
  octokit.hook.wrap('request', async (request, requestOptions) => {
    let attempt = 0;
    for (;;) {
      try {
        return await request(requestOptions);
      } catch (error) {
        const failure = error as HttpErrorShape;
        const status = failure.status ?? 0;
        const headers = failure.response?.headers ?? {};
        const what = `${requestOptions.method} ${requestOptions.url}`;
        const rateWait = rateLimitWait(status, headers, failure.message ?? '');
        if (rateWait !== undefined) {
          if (rateWait > maxWait || attempt >= retries) {
            const reset = Number(headers['x-ratelimit-reset']);
            throw new GitHubRateLimitError(
              `GitHub rate limit reached on ${what}; it resets in ${Math.ceil(rateWait / 1000)} s, longer than the ${Math.round(maxWait / 1000)} s we wait.`,
              Number.isFinite(reset) ? new Date(reset * 1000) : undefined,
            );
          }
          options.log?.warning(`GitHub rate limit on ${what}; waiting ${Math.ceil(rateWait / 1000)} s.`);
          await sleep(rateWait);
          attempt++;
          continue;
        }
        if (status === 403 || status === 401) {
          throw new GitHubPermissionError(
            `GitHub refused ${what} with ${status}: ${failure.message ?? ''}`.trim(),
            status,
          );
        }
        const transient = status >= 500 || status === 0;
        if (!transient || attempt >= retries) throw error;
        const delay = 1000 * 2 ** attempt;
        options.log?.debug(
          `GitHub answered ${status || 'a network error'} on ${what}; retry ${attempt + 1} of ${retries} in ${delay} ms.`,
        );
        await sleep(delay);
        attempt++;
      }
    }
  });
  return octokit;
}

/** Milliseconds to wait when a response is a rate limit (primary or secondary), else undefined. */
function rateLimitWait(
  status: number,
  headers: Record<string, string | number | undefined>,
  message: string,
): number | undefined {
  if (status !== 403 && status !== 429) return undefined;
  const retryAfter = Number(headers['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter * 1000;
  if (String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    return Number.isFinite(reset) ? Math.max(0, reset * 1000 - Date.now()) + 1000 : 60_000;
  }
  // Secondary limits sometimes come without headers; GitHub asks for at least a minute's pause.
  if (/secondary rate limit/i.test(message)) return 60_000;
  return undefined;
}
