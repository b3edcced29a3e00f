/**
 * A local GitHub Actions cache service (the v2 protocol @actions/cache 6 speaks when ACTIONS_CACHE_SERVICE_V2 is
 * set) on 127.0.0.1, for tests. It checks every request strictly and records each deviation as a violation, so a
 * test that talks to it fails when the code or the library talks to the service wrongly:
 * - Twirp JSON: `POST /twirp/github.actions.results.api.v1.CacheService/<Method>` with `Authorization: Bearer
 *   <token>` and `Content-Type: application/json`; the body's fields and types are those of the generated message
 *   definitions (lib/generated/results/api/v1/cache.js), in proto field names as the client sends them.
 * - Entries are immutable: creating a key+version that exists in the writer's scope fails with twirp
 *   `already_exists` (409) as the real service does. Lookups filter by version, search the token's scopes in
 *   order (own branch, then base and default branch) and in each: the exact key, the key as a prefix, then each
 *   restore key as a prefix, newest entry first.
 * - Uploads go to a signed URL in Azure blob form (`/<account>/<container>/<blob>?sig=...`): Put Blob, or Put Block
 *   + Put Block List, as @azure/storage-blob's BlockBlobClient.uploadFile sends them. Downloads are a plain GET of
 *   a signed URL. Signatures are HMACs of the path, permission and expiry, so an altered URL is refused.
 *
 * Usage: const server = await startGitHubCacheServer(); ...env(server.env)...; expect(server.violations).toEqual([]);
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const SERVICE = 'github.actions.results.api.v1.CacheService';
const ACCOUNT = 'devstoreaccount1';
const CONTAINER = 'actions-cache';

/** What a runtime token may do: write into `scope`, read `readScopes` in order (own scope first). */
export interface TokenScopes {
  scope: string;
  readScopes: string[];
}

export interface CacheEntry {
  id: number;
  key: string;
  version: string;
  scope: string;
  size: number;
  data: Buffer;
  /** Creation order; larger is newer. */
  sequence: number;
}

export interface CacheRequestLog {
  method: string;
  path: string;
  /** Twirp method or `blob-put`, `blob-put-block`, `blob-put-block-list`, `blob-get`. */
  operation: string;
  status: number;
}

export interface GitHubCacheServer {
  /** ACTIONS_RESULTS_URL (with the trailing slash the runner gives). */
  readonly url: string;
  /** The default token: scope `refs/heads/main`. */
  readonly token: string;
  /** The environment a step needs to use this service through @actions/cache. */
  readonly env: Record<string, string>;
  /** Every deviation from the protocol seen so far; a test asserts it is empty. */
  readonly violations: string[];
  readonly requests: CacheRequestLog[];
  /** Finalized entries, oldest first. */
  entries(): CacheEntry[];
  /** A token for another branch, e.g. a pull request's that also reads `refs/heads/main`. */
  tokenFor(scopes: TokenScopes): string;
  close(): Promise<void>;
}

interface Reservation {
  key: string;
  version: string;
  scope: string;
  blob: string;
  data?: Buffer;
  blocks: Map<string, Buffer>;
}

type FieldType = 'string' | 'int64' | 'bool' | 'string[]' | 'metadata';
const REQUEST_FIELDS: Record<string, Record<string, FieldType>> = {
  CreateCacheEntry: { metadata: 'metadata', key: 'string', version: 'string' },
  FinalizeCacheEntryUpload: { metadata: 'metadata', key: 'string', size_bytes: 'int64', version: 'string' },
  GetCacheEntryDownloadURL: { metadata: 'metadata', key: 'string', restore_keys: 'string[]', version: 'string' },
};

class TwirpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Starts the service on 127.0.0.1 on a free port. */
export async function startGitHubCacheServer(): Promise<GitHubCacheServer> {
  const secret = randomBytes(16);
  const violations: string[] = [];
  const requests: CacheRequestLog[] = [];
  const tokens = new Map<string, TokenScopes>();
  const entries: CacheEntry[] = [];
  const reservations = new Map<string, Reservation>(); // by blob name
  const blobs = new Map<string, Buffer>(); // finalized, by blob name
  const entryBlobs = new Map<CacheEntry, string>();
  let sequence = 0;
  const sockets = new Set<Socket>();

  const tokenFor = (scopes: TokenScopes) => {
    const token = `test-runtime-token-${randomBytes(8).toString('hex')}`;
    tokens.set(token, scopes);
    return token;
  };
  const token = tokenFor({ scope: 'refs/heads/main', readScopes: ['refs/heads/main'] });

  const sign = (path: string, permission: string, expiry: string) =>
    createHmac('sha256', secret).update(`${path}\n${permission}\n${expiry}`).digest('base64url');
  const signedUrl = (blob: string, permission: 'cw' | 'r') => {
    const path = `/${ACCOUNT}/${CONTAINER}/${blob}`;
    const expiry = new Date(Date.now() + 3_600_000).toISOString();
    const query = new URLSearchParams({
      sv: '2024-08-04',
      sr: 'b',
      sp: permission,
      se: expiry,
      sig: sign(path, permission, expiry),
    });
    return `${base}${path}?${query}`;
  };

  const server: Server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      violations.push(
        `internal error handling ${request.method} ${request.url}: ${(error as Error).stack ?? String(error)}`,
      );
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', base);
    const body = await readBody(request);
    const log = (operation: string, status: number) =>
      requests.push({ method: request.method ?? '', path: url.pathname, operation, status });
    if (url.pathname.startsWith('/twirp/')) {
      const method = url.pathname.slice(`/twirp/${SERVICE}/`.length);
      try {
        const result = twirp(request, url, body);
        log(method, 200);
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(result));
      } catch (error) {
        if (!(error instanceof TwirpError)) throw error;
        log(method, error.status);
        response
          .writeHead(error.status, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ code: error.code, msg: error.message }));
      }
      return;
    }
    if (url.pathname.startsWith(`/${ACCOUNT}/${CONTAINER}/`)) {
      const { status, headers, data, operation } = blobRequest(request, url, body);
      log(operation, status);
      response.writeHead(status, headers).end(data);
      return;
    }
    violations.push(`unexpected request ${request.method} ${url.pathname}`);
    log('unknown', 404);
    response.writeHead(404).end();
  }

  function twirp(request: IncomingMessage, url: URL, body: Buffer): Record<string, unknown> {
    const where = `POST ${url.pathname}`;
    if (request.method !== 'POST') violations.push(`${where}: method ${request.method}, twirp needs POST`);
    if (!url.pathname.startsWith(`/twirp/${SERVICE}/`)) {
      violations.push(`${where}: not a ${SERVICE} route`);
      throw new TwirpError(404, 'bad_route', 'no such service');
    }
    const method = url.pathname.slice(`/twirp/${SERVICE}/`.length);
    const fields = REQUEST_FIELDS[method];
    if (!fields) {
      violations.push(`${where}: unknown method '${method}'`);
      throw new TwirpError(404, 'bad_route', `no handler for ${method}`);
    }
    if (url.search !== '') violations.push(`${where}: unexpected query '${url.search}'`);
    if (!/^application\/json\b/.test(request.headers['content-type'] ?? '')) {
      violations.push(`${where}: Content-Type '${request.headers['content-type']}', expected application/json`);
    }
    const auth = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    const scopes = auth ? tokens.get(auth[1]) : undefined;
    if (!scopes) {
      violations.push(
        `${where}: Authorization '${request.headers.authorization ?? ''}' is not 'Bearer <a token this service issued>'`,
      );
      throw new TwirpError(401, 'unauthenticated', 'invalid token');
    }
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      violations.push(`${where}: body is not JSON`);
      throw new TwirpError(400, 'malformed', 'body is not JSON');
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      violations.push(`${where}: body is not a JSON object`);
      throw new TwirpError(400, 'malformed', 'body is not an object');
    }
    checkFields(where, message, fields);
    const key = typeof message.key === 'string' ? message.key : '';
    const version = typeof message.version === 'string' ? message.version : '';
    checkKey(where, key);
    if (!/^[0-9a-f]{64}$/.test(version)) violations.push(`${where}: version '${version}' is not a sha256 hex digest`);

    if (method === 'CreateCacheEntry') {
      const exists =
        entries.some((entry) => entry.key === key && entry.version === version && entry.scope === scopes.scope) ||
        [...reservations.values()].some((r) => r.key === key && r.version === version && r.scope === scopes.scope);
      if (exists)
        throw new TwirpError(409, 'already_exists', 'cache entry with the same key, version, and scope already exists');
      const blob = randomBytes(12).toString('hex');
      reservations.set(blob, { key, version, scope: scopes.scope, blob, blocks: new Map() });
      return { ok: true, signed_upload_url: signedUrl(blob, 'cw') };
    }
    if (method === 'FinalizeCacheEntryUpload') {
      const reservation = [...reservations.values()].find(
        (r) => r.key === key && r.version === version && r.scope === scopes.scope,
      );
      if (!reservation) {
        violations.push(`${where}: no reservation for key '${key}' version ${version} in scope ${scopes.scope}`);
        throw new TwirpError(404, 'not_found', 'cache entry not found');
      }
      if (!reservation.data) {
        violations.push(`${where}: finalized '${key}' before its blob was uploaded`);
        throw new TwirpError(400, 'failed_precondition', 'upload not complete');
      }
      const size = Number(message.size_bytes);
      if (size !== reservation.data.length) {
        violations.push(
          `${where}: size_bytes ${String(message.size_bytes)} but ${reservation.data.length} bytes were uploaded`,
        );
      }
      reservations.delete(reservation.blob);
      blobs.set(reservation.blob, reservation.data);
      const entry = {
        id: entries.length + 1,
        key,
        version,
        scope: scopes.scope,
        size: reservation.data.length,
        data: reservation.data,
        sequence: ++sequence,
      };
      entries.push(entry);
      entryBlobs.set(entry, reservation.blob);
      return { ok: true, entry_id: String(entry.id) };
    }
    // GetCacheEntryDownloadURL
    const restoreKeys = Array.isArray(message.restore_keys) ? (message.restore_keys as string[]) : [];
    if (restoreKeys.length + 1 > 10) violations.push(`${where}: ${restoreKeys.length + 1} keys; at most 10`);
    for (const restoreKey of restoreKeys) checkKey(where, restoreKey);
    const found = lookup(scopes.readScopes, key, restoreKeys, version);
    if (!found) return { ok: false, signed_download_url: '', matched_key: '' };
    return { ok: true, signed_download_url: signedUrl(entryBlobs.get(found)!, 'r'), matched_key: found.key };
  }

  function lookup(readScopes: string[], key: string, restoreKeys: string[], version: string): CacheEntry | undefined {
    const newestFirst = [...entries].sort((a, b) => b.sequence - a.sequence);
    for (const scope of readScopes) {
      const candidates = newestFirst.filter((entry) => entry.scope === scope && entry.version === version);
      const exact = candidates.find((entry) => entry.key === key);
      if (exact) return exact;
      for (const prefix of [key, ...restoreKeys]) {
        const match = candidates.find((entry) => entry.key.startsWith(prefix));
        if (match) return match;
      }
    }
    return undefined;
  }

  function checkKey(where: string, key: string): void {
    if (key === '') violations.push(`${where}: empty key`);
    if (key.length > 512) violations.push(`${where}: key longer than 512 characters`);
    if (key.includes(',')) violations.push(`${where}: key '${key}' contains a comma`);
  }

  function checkFields(where: string, message: Record<string, unknown>, fields: Record<string, FieldType>): void {
    for (const [name, value] of Object.entries(message)) {
      const type = fields[name];
      if (!type) {
        violations.push(`${where}: unknown field '${name}' (fields: ${Object.keys(fields).join(', ')})`);
        continue;
      }
      const ok =
        type === 'string'
          ? typeof value === 'string'
          : type === 'bool'
            ? typeof value === 'boolean'
            : type === 'int64'
              ? (typeof value === 'string' && /^-?\d+$/.test(value)) || Number.isSafeInteger(value)
              : type === 'string[]'
                ? Array.isArray(value) && value.every((item) => typeof item === 'string')
                : isMetadata(value);
      if (!ok) violations.push(`${where}: field '${name}' = ${JSON.stringify(value)} is not a ${type}`);
    }
    for (const required of ['key', 'version']) {
      if (!(required in message)) violations.push(`${where}: field '${required}' is missing`);
    }
  }

  function blobRequest(
    request: IncomingMessage,
    url: URL,
    body: Buffer,
  ): { status: number; headers: Record<string, string>; data?: Buffer; operation: string } {
    const blob = url.pathname.slice(`/${ACCOUNT}/${CONTAINER}/`.length);
    const where = `${request.method} ${url.pathname}${url.search.replace(/sig=[^&]*/, 'sig=***')}`;
    const permission = url.searchParams.get('sp') ?? '';
    const expiry = url.searchParams.get('se') ?? '';
    const expected = sign(url.pathname, permission, expiry);
    const headers = (extra: Record<string, string> = {}) => ({
      'x-ms-request-id': randomBytes(8).toString('hex'),
      'x-ms-version': request.headers['x-ms-version']?.toString() ?? '2024-08-04',
      Date: new Date().toUTCString(),
      ...extra,
    });
    if (url.searchParams.get('sig') !== expected || Date.parse(expiry) < Date.now()) {
      violations.push(`${where}: the signature does not match a URL this service issued`);
      return { status: 403, headers: headers(), operation: 'blob-denied' };
    }
    if (request.method === 'GET') {
      const data = blobs.get(blob);
      if (permission !== 'r') violations.push(`${where}: GET with an upload URL`);
      if (!data) {
        violations.push(`${where}: no such blob`);
        return { status: 404, headers: headers(), operation: 'blob-get' };
      }
      return {
        status: 200,
        headers: headers({ 'Content-Length': String(data.length), 'Content-Type': 'application/octet-stream' }),
        data,
        operation: 'blob-get',
      };
    }
    if (request.method !== 'PUT') {
      violations.push(`${where}: unexpected method`);
      return { status: 405, headers: headers(), operation: 'blob-unknown' };
    }
    if (permission !== 'cw') violations.push(`${where}: PUT with a download URL`);
    const reservation = reservations.get(blob);
    if (!reservation) {
      violations.push(`${where}: upload to a blob that is not reserved (or already finalized)`);
      return { status: 403, headers: headers(), operation: 'blob-put' };
    }
    if (!request.headers['x-ms-version']) violations.push(`${where}: no x-ms-version header`);
    const length = Number(request.headers['content-length']);
    if (length !== body.length)
      violations.push(`${where}: Content-Length ${request.headers['content-length']} but ${body.length} bytes`);
    const etag = `"0x${randomBytes(8).toString('hex').toUpperCase()}"`;
    const written = { ETag: etag, 'Last-Modified': new Date().toUTCString(), 'x-ms-request-server-encrypted': 'true' };
    const comp = url.searchParams.get('comp');
    if (comp === null) {
      if (request.headers['x-ms-blob-type'] !== 'BlockBlob')
        violations.push(`${where}: x-ms-blob-type '${request.headers['x-ms-blob-type']}', expected BlockBlob`);
      reservation.data = body;
      const md5 = createHash('md5').update(body).digest('base64');
      return { status: 201, headers: headers({ ...written, 'Content-MD5': md5 }), operation: 'blob-put' };
    }
    if (comp === 'block') {
      const id = url.searchParams.get('blockid') ?? '';
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(id)) violations.push(`${where}: blockid '${id}' is not base64`);
      const lengths = new Set([...reservation.blocks.keys(), id].map((item) => item.length));
      if (lengths.size > 1) violations.push(`${where}: block ids of one blob must all have the same length`);
      reservation.blocks.set(id, body);
      return {
        status: 201,
        headers: headers({ 'x-ms-request-server-encrypted': 'true' }),
        operation: 'blob-put-block',
      };
    }
    if (comp === 'blocklist') {
      const xml = body.toString('utf8');
      if (!/^(<\?xml[^>]*\?>)?\s*<BlockList>[\s\S]*<\/BlockList>\s*$/.test(xml))
        violations.push(`${where}: body is not a <BlockList> document`);
      const ids = [...xml.matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)].map((match) => match[2]);
      const missing = ids.filter((id) => !reservation.blocks.has(id));
      if (ids.length === 0 || missing.length > 0) {
        violations.push(`${where}: block list names ${ids.length} blocks, ${missing.length} not uploaded`);
        return { status: 400, headers: headers(), operation: 'blob-put-block-list' };
      }
      reservation.data = Buffer.concat(ids.map((id) => reservation.blocks.get(id)!));
      return { status: 201, headers: headers(written), operation: 'blob-put-block-list' };
    }
    violations.push(`${where}: unexpected comp=${comp}`);
    return { status: 400, headers: headers(), operation: 'blob-unknown' };
  }

  return {
    url: `${base}/`,
    token,
    env: { ACTIONS_CACHE_SERVICE_V2: 'True', ACTIONS_RESULTS_URL: `${base}/`, ACTIONS_RUNTIME_TOKEN: token },
    violations,
    requests,
    entries: () => [...entries],
    tokenFor,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function isMetadata(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const [name, item] of Object.entries(value)) {
    if (name === 'repository_id') {
      if (!((typeof item === 'string' && /^\d+$/.test(item)) || Number.isSafeInteger(item))) return false;
    } else if (name === 'scope') {
      if (!Array.isArray(item)) return false;
      for (const scope of item as unknown[]) {
        if (typeof scope !== 'object' || scope === null) return false;
        for (const [field, fieldValue] of Object.entries(scope)) {
          if (
            field === 'scope'
              ? typeof fieldValue !== 'string'
              : field === 'permission'
                ? !/^\d+$/.test(String(fieldValue))
                : true
          )
            return false;
        }
      }
    } else {
      return false;
    }
  }
  return true;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
