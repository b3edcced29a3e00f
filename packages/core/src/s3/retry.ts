import { setTimeout as sleep } from 'node:timers/promises';
import { s3ErrorCode, s3Status } from './errors.ts';

/** How often and how patiently to retry an operation the SDK cannot retry by itself (a body cut mid-stream). */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 200, maxDelayMs: 5_000 };

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'TimeoutError',
  'RequestTimeout',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'TruncatedBody',
]);

/** True for failures worth another attempt: the network, throttling and 5xx, never 4xx answers or integrity. */
export function isTransient(error: unknown): boolean {
  const status = s3Status(error);
  if (status !== undefined) return status >= 500 || status === 429 || status === 408;
  return TRANSIENT_CODES.has(s3ErrorCode(error)) || /socket hang up|aborted|premature/i.test(String(error));
}

/** Runs `fn` until it succeeds, a non-transient error occurs, the attempts run out or `signal` aborts. */
export async function withRetries<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || !isTransient(error) || signal?.aborted) throw error;
      // Full jitter spreads out the retries of parallel parts so they do not hit a throttled store in lockstep.
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.random() * ceiling, undefined, { signal });
    }
  }
}
