import { errorMessage } from '../errors/index.ts';
import { redactSecrets, redactUrl } from './redact.ts';

interface S3ErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

function shape(error: unknown): S3ErrorShape {
  return typeof error === 'object' && error !== null ? (error as S3ErrorShape) : {};
}

/** The HTTP status of a failed S3 call, when the server answered. */
export function s3Status(error: unknown): number | undefined {
  const e = shape(error);
  return e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
}

/** The S3 error code (`NoSuchKey`, `SlowDown`, ...) or the Node error code (`ECONNREFUSED`, ...). */
export function s3ErrorCode(error: unknown): string {
  const e = shape(error);
  const nested = shape(e.cause);
  return e.Code ?? e.code ?? nested.code ?? e.name ?? 'Error';
}

/** True when the object (not the bucket) is absent. */
export function isNoSuchKey(error: unknown): boolean {
  const code = s3ErrorCode(error);
  return code === 'NoSuchKey' || (code === 'NotFound' && s3Status(error) === 404);
}

/** True when a conditional write lost the race (`If-None-Match: *` on an existing key). */
export function isPreconditionFailed(error: unknown): boolean {
  const status = s3Status(error);
  const code = s3ErrorCode(error);
  return status === 412 || status === 409 || code === 'PreconditionFailed' || code === 'ConditionalRequestConflict';
}

/** True when the store does not implement a header or call we sent (e.g. conditional writes on an older Ceph). */
export function isNotImplemented(error: unknown): boolean {
  return s3Status(error) === 501 || s3ErrorCode(error) === 'NotImplemented';
}

/** True when the failure came from our own deadline or cancellation, not from the store. */
export function isAbort(error: unknown): boolean {
  const name = shape(error).name;
  return name === 'AbortError' || s3ErrorCode(error) === 'ABORT_ERR';
}

/**
 * One sentence naming the cause of an S3 failure and what to check, for warnings. Never includes credentials: the
 * endpoint is printed without `user:password@`, and what the server said is quoted only after redactSecrets removed
 * anything that looks like a credential or a header value we sent.
 */
export function describeS3Error(error: unknown, where: { bucket: string; endpoint?: string }): string {
  const code = s3ErrorCode(error);
  const status = s3Status(error);
  const endpoint = where.endpoint === undefined ? undefined : redactUrl(where.endpoint);
  const place = endpoint ? `bucket '${where.bucket}' at ${endpoint}` : `bucket '${where.bucket}'`;
  // One line: the server's or the SDK's text may span several (an annotation is one line).
  const said = () => redactSecrets(errorMessage(error)).replace(/\s*\n\s*/g, ' ');
  if (code === 'StoreUnresponsive') return `${place} stopped answering: ${said()}.`;
  if ((error as { firstByteTimeout?: boolean } | undefined)?.firstByteTimeout)
    return `${place} did not answer: ${said()}.`;
  switch (code) {
    case 'NoSuchBucket':
      return `${place} does not exist (NoSuchBucket): create it or fix the 'bucket' input.`;
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
    case 'InvalidToken':
    case 'ExpiredToken':
    case 'CredentialsProviderError':
      return `the credentials were rejected by ${place} (${code}): check the AWS credentials of the job (env, OIDC role, profile).`;
    case 'AccessDenied':
    case 'Forbidden':
      return `access to ${place} was denied (${code}): the role needs s3:GetObject, s3:PutObject, s3:ListBucket and s3:DeleteObject on it.`;
    case 'SlowDown':
    case 'ServiceUnavailable':
    case 'RequestLimitExceeded':
    case 'Throttling':
    case 'ThrottlingException':
      return `${place} kept throttling the requests (${code}) after all retries.`;
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
    case 'TimeoutError':
    case 'RequestTimeout':
      return `${place} could not be reached (${code}): ${said()}`;
    default:
      break;
  }
  if (isAbort(error)) return `the operation on ${place} took longer than its timeout and was cancelled.`;
  const statusText = status === undefined ? '' : ` (HTTP ${status})`;
  return `${redactSecrets(`${place} answered with ${code}${statusText}`)}: ${said()}`;
}
