/**
 * Keeping secrets out of logs. Everything an S3 endpoint says back (error messages can echo request headers) and
 * every URL we print goes through here first.
 */

const SENT_LIMIT = 256;
/** Header values recently sent to a store (Authorization, session tokens, ...): never quoted back. */
const sentValues = new Set<string>();

/** Remembers a header value that we sent, so that a server echoing it cannot put it into a warning. */
export function rememberSentValue(value: string): void {
  if (value.length < 12 || sentValues.has(value)) return;
  sentValues.add(value);
  // Signature parts of an Authorization header, when a server quotes only a piece of it.
  for (const part of value.split(/[\s,]+/)) if (part.length >= 20) sentValues.add(part.replace(/^[A-Za-z-]+=/, ''));
  while (sentValues.size > SENT_LIMIT) sentValues.delete(sentValues.values().next().value as string);
}

const SECRET_ENV = [
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_ACCESS_KEY_ID',
  'GITHUB_TOKEN',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
];

const PATTERNS: [RegExp, string][] = [
  // AWS access key ids.
  [/\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b/g, '[redacted]'],
  // SigV4 pieces in headers and presigned URLs.
  [/\b(Signature|Credential|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=[^\s&,"<]+/gi, '$1=[redacted]'],
  [/\bAWS4-HMAC-SHA256\b[^<"\n]*/g, '[redacted]'],
  // GitHub tokens and bearer tokens.
  [/\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, '[redacted]'],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}\b/g, '[redacted]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  // key=value, key: value and "key": "value" where the key says secret.
  [
    /\b([A-Za-z_-]*(?:secret|token|password|passwd|authorization|credential)[A-Za-z_-]*)(["']?\s*[:=]\s*["']?)[^\s"'<&,]+/gi,
    '$1$2[redacted]',
  ],
];

/** Replaces anything that looks like a credential, or was sent by us as a header value, with `[redacted]`. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let result = text;
  const literal = [
    ...sentValues,
    ...SECRET_ENV.map((name) => env[name]).filter((v): v is string => !!v && v.length >= 4),
  ];
  for (const value of literal.sort((a, b) => b.length - a.length)) result = result.split(value).join('[redacted]');
  for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

/** A URL fit for a log line: no `user:password@`, no signature or token in the query. */
export function redactUrl(url: string): string {
  return redactSecrets(url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@'));
}
