import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { UserError } from '../errors/index.ts';
import { boundedAgents } from './bounded-agent.ts';
import { redactUrl } from './redact.ts';

/** Where the bucket lives and how patient to be with it. Credentials are never part of this: they come from the AWS chain. */
export interface S3Settings {
  bucket: string;
  /** Key prefix for everything this tool writes ('' for the bucket root); no leading or trailing slash. */
  prefix: string;
  region: string;
  /** Custom endpoint for S3-compatible stores (MinIO, Ceph, R2, s3rver); undefined for AWS. */
  endpoint?: string;
  forcePathStyle: boolean;
  /** Attempts per request, including the first (the SDK backs off between them, throttling included). */
  maxAttempts: number;
  /** How long to wait for a TCP connection. */
  connectTimeoutMs: number;
  /** How long a socket may stay idle mid-request before it is dropped and the request retried. */
  idleTimeoutMs: number;
  /** How long to wait for the first byte of an answer once a request is sent. */
  firstByteTimeoutMs: number;
}

/** Defaults shared by the actions, the CLI and the store backend. */
export const S3_DEFAULTS = {
  region: 'us-east-1',
  maxAttempts: 5,
  connectTimeoutMs: 5_000,
  idleTimeoutMs: 20_000,
  firstByteTimeoutMs: 10_000,
  /** Requests in a row without an answer in time after which a client stops talking to the store. */
  giveUpAfterTimeouts: 3,
} as const;

/** Settings as given by the user, before defaults; `prefix` may carry slashes that are normalised away. */
export interface S3SettingsInput {
  bucket: string;
  prefix?: string;
  region?: string;
  endpoint?: string;
  /** undefined: path-style when an endpoint is given (what MinIO and Ceph expect), virtual-host style on AWS. */
  forcePathStyle?: boolean;
  maxAttempts?: number;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  firstByteTimeoutMs?: number;
}

/** Fills defaults (region from AWS_REGION / AWS_DEFAULT_REGION) and checks what can be checked without a request. */
export function resolveS3Settings(input: S3SettingsInput, env: NodeJS.ProcessEnv = process.env): S3Settings {
  const bucket = input.bucket.trim();
  if (bucket === '') {
    throw new UserError("Input 'bucket' is empty. Set it to the name of the S3 bucket that holds the cache.");
  }
  if (!/^[a-zA-Z0-9._-]{3,63}$/.test(bucket)) {
    throw new UserError(
      `Input 'bucket' has value '${bucket}', which is not a valid bucket name. ` +
        "Use 3-63 letters, digits, '.', '-' or '_' (no 's3://' and no path: put folders in 'prefix').",
    );
  }
  const endpoint = input.endpoint?.trim() || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new UserError(
      `Input 'endpoint' has value '${redactUrl(endpoint)}', which is not a URL. Use e.g. 'https://minio.internal:9000'.`,
    );
  }
  return {
    bucket,
    prefix: normalisePrefix(input.prefix ?? ''),
    region: input.region?.trim() || env.AWS_REGION || env.AWS_DEFAULT_REGION || S3_DEFAULTS.region,
    endpoint,
    forcePathStyle: input.forcePathStyle ?? endpoint !== undefined,
    maxAttempts: input.maxAttempts ?? S3_DEFAULTS.maxAttempts,
    connectTimeoutMs: input.connectTimeoutMs ?? S3_DEFAULTS.connectTimeoutMs,
    idleTimeoutMs: input.idleTimeoutMs ?? S3_DEFAULTS.idleTimeoutMs,
    firstByteTimeoutMs: input.firstByteTimeoutMs ?? S3_DEFAULTS.firstByteTimeoutMs,
  };
}

/** `/a//b/` -> `a/b`: keys are joined with '/', so stray slashes would create empty path segments. */
export function normalisePrefix(prefix: string): string {
  return prefix
    .split('/')
    .filter((part) => part !== '')
    .join('/');
}

/** The AWS SDK's S3 client class, the commands and the multipart upload (sdk.ts). */
type S3Sdk = typeof import('./sdk.ts');

let sdk: Promise<S3Sdk> | undefined;

/**
 * Loads the AWS SDK on first use. It is a dynamic import (chunks of their own in the bundles, ~1.5 MB with the
 * SDK's dependencies), so an action starts without it and pays for it only when it talks to S3 (bench/cold-start.mjs).
 */
function loadS3Sdk(): Promise<S3Sdk> {
  sdk ??= import('./sdk.ts');
  return sdk;
}

/**
 * An S3 client for AWS and S3-compatible stores, made on first use: `connect()` loads the SDK (see loadS3Sdk) and
 * creates the SDK's client once; every request of the stores sharing this connection goes through it.
 */
export class S3Connection {
  readonly settings: S3Settings;
  private opened: Promise<{ client: S3Client; sdk: S3Sdk }> | undefined;

  constructor(settings: S3Settings) {
    this.settings = settings;
  }

  /** The SDK's client and the SDK (for its command classes). */
  connect(): Promise<{ client: S3Client; sdk: S3Sdk }> {
    this.opened ??= loadS3Sdk().then((loaded) => ({
      client: new loaded.S3Client(s3ClientConfig(this.settings)),
      sdk: loaded,
    }));
    return this.opened;
  }
}

/** An S3 connection for `settings`; nothing is loaded or sent until its first request. */
export function createS3Client(settings: S3Settings): S3Connection {
  return new S3Connection(settings);
}

/**
 * The SDK client's configuration. Checksums are computed and validated only where the S3 API requires them: since
 * SDK 3.729 the default adds CRC32 headers and aws-chunked trailers to every upload, which MinIO before 2025, Ceph,
 * R2 and s3rver reject or store verbatim. Integrity is checked end to end instead (size + SHA-256 of the whole
 * archive, recorded in the cache entry).
 */
function s3ClientConfig(settings: S3Settings): S3ClientConfig {
  const agents = boundedAgents(
    {
      firstByteTimeoutMs: settings.firstByteTimeoutMs ?? S3_DEFAULTS.firstByteTimeoutMs,
      giveUpAfter: S3_DEFAULTS.giveUpAfterTimeouts,
      endpoint: settings.endpoint ?? `https://${settings.bucket}.s3.${settings.region}.amazonaws.com`,
    },
    { keepAlive: true, maxSockets: 64 },
  );
  return {
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: settings.maxAttempts,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: settings.connectTimeoutMs,
      socketTimeout: settings.idleTimeoutMs,
      httpAgent: agents.httpAgent,
      httpsAgent: agents.httpsAgent,
    },
  };
}

/** Splits `s3://bucket/some/prefix` into bucket and prefix (the `store: s3://...` input of docs/architecture.md#stores). */
export function parseS3Url(url: string, input = 'store'): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url.trim());
  if (!match) {
    throw new UserError(`Input '${input}' has value '${url}', which is not an S3 URL. Use 's3://bucket/prefix'.`);
  }
  return { bucket: match[1], prefix: normalisePrefix(match[2]) };
}
