import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CacheIndex,
  IntegrityError,
  S3ObjectStore,
  createS3Client,
  describeS3Error,
  downloadRanges,
  openS3Store,
  parseS3Url,
  resolveS3Settings,
  uploadStream,
  type S3Settings,
} from '@ci-optimizer/core/s3';
import { setEnv, startS3Proxy, startS3Server, type S3TestProxy, type S3TestServer } from '../support/s3-server.ts';

let server: S3TestServer;
let proxy: S3TestProxy;
let restoreEnv: () => void;

beforeAll(async () => {
  server = await startS3Server();
  proxy = await startS3Proxy(server.endpoint);
  restoreEnv = setEnv(server.env);
});
afterAll(async () => {
  restoreEnv();
  await proxy.close();
  await server.dispose();
});
afterEach(() => {
  proxy.rule = undefined;
  proxy.requests.length = 0;
});

function settings(overrides: Partial<S3Settings> = {}): S3Settings {
  return {
    ...resolveS3Settings({ bucket: server.bucket, prefix: 'unit', endpoint: proxy.endpoint }),
    maxAttempts: 3,
    ...overrides,
  };
}

function store(overrides: Partial<S3Settings> = {}): S3ObjectStore {
  const s = settings(overrides);
  return new S3ObjectStore(createS3Client(s), s);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function collect(s: S3ObjectStore, key: string, size: number, options = {}) {
  const chunks: Buffer[] = [];
  const result = await downloadRanges(s, key, size, async (chunk) => void chunks.push(chunk), options);
  return { data: Buffer.concat(chunks), result };
}

describe('settings', () => {
  it('normalises the prefix, defaults to path-style with an endpoint, and parses s3:// URLs', () => {
    const s = resolveS3Settings({ bucket: 'b-1', prefix: '/a//b/', endpoint: 'http://127.0.0.1:9' }, {});
    expect(s).toMatchObject({ prefix: 'a/b', forcePathStyle: true, region: 'us-east-1' });
    expect(resolveS3Settings({ bucket: 'b-1' }, { AWS_REGION: 'eu-west-3' })).toMatchObject({
      forcePathStyle: false,
      region: 'eu-west-3',
    });
    expect(parseS3Url('s3://bucket/some/prefix/')).toEqual({ bucket: 'bucket', prefix: 'some/prefix' });
  });

  it('names the input and the fix for a bad bucket or endpoint', () => {
    expect(() => resolveS3Settings({ bucket: 's3://x/y' }, {})).toThrow(
      /Input 'bucket' has value 's3:\/\/x\/y'.*prefix/,
    );
    expect(() => resolveS3Settings({ bucket: 'ok-bucket', endpoint: 'minio:9000' }, {})).toThrow(/Input 'endpoint'/);
    expect(() => parseS3Url('bucket/prefix')).toThrow(/Input 'store'.*s3:\/\/bucket\/prefix/);
  });
});

describe('object API', () => {
  it('puts, gets, lists (with continuation), heads and deletes under the prefix', async () => {
    const s = openS3Store({ bucket: server.bucket, prefix: 'api', endpoint: server.endpoint });
    expect(await s.get('missing')).toBeUndefined();
    expect(await s.head('missing')).toBeUndefined();
    expect(await s.putAtomic('dir/a.json', '{"a":1}')).toBe('written');
    await s.putAtomic('dir/b.json', Buffer.from('bb'));
    expect((await s.get('dir/a.json'))?.toString()).toBe('{"a":1}');
    expect((await s.head('dir/b.json'))?.size).toBe(2);
    const listed = await s.listAll('dir/');
    expect(listed.map((o) => o.key)).toEqual(['dir/a.json', 'dir/b.json']);
    await s.deleteMany(['dir/a.json', 'dir/b.json']);
    expect(await s.listAll('dir/')).toEqual([]);
  });

  it('sends If-None-Match: * on a conditional create', async () => {
    const s = store();
    await s.putAtomic('cond/x', 'one', { ifAbsent: true });
    const put = proxy.requests.find((r) => r.method === 'PUT' && r.url.includes('/cond/x'));
    expect(put?.headers['if-none-match']).toBe('*');
  });

  it('reports a lost conditional create as exists, and falls back to a plain PUT where the store answers 501', async () => {
    const s = store();
    proxy.rule = (r) => (r.method === 'PUT' ? { kind: 'error', status: 412, code: 'PreconditionFailed' } : undefined);
    expect(await s.putAtomic('cond/y', 'two', { ifAbsent: true })).toBe('exists');
    proxy.rule = (r) =>
      r.method === 'PUT' && r.headers['if-none-match']
        ? { kind: 'error', status: 501, code: 'NotImplemented' }
        : undefined;
    expect(await s.putAtomic('cond/y', 'three', { ifAbsent: true })).toBe('written');
    expect(s.conditionalWritesUnsupported).toBe(true);
    expect((await s.get('cond/y'))?.toString()).toBe('three');
  });
});

describe('transfers', () => {
  const data = randomBytes(11 * 1024 * 1024 + 123);

  it('uploads a stream in parallel parts and downloads it with ranged GETs, byte for byte', async () => {
    const s = store();
    const up = await uploadStream(s, 'big/object', Readable.from([data.subarray(0, 7e6), data.subarray(7e6)]), {
      partSize: 5 * 1024 * 1024,
      queueSize: 3,
    });
    expect(up).toEqual({ bytes: data.length, sha256: sha256(data) });
    const partPuts = proxy.requests.filter((r) => r.method === 'PUT' && r.url.includes('partNumber='));
    expect(partPuts).toHaveLength(3);

    proxy.requests.length = 0;
    const { data: back, result } = await collect(s, 'big/object', data.length, {
      partSize: 4 * 1024 * 1024,
      concurrency: 3,
    });
    expect(result.sha256).toBe(sha256(data));
    expect(back.equals(data)).toBe(true);
    const ranges = proxy.requests.filter((r) => r.method === 'GET').map((r) => r.headers.range);
    expect(ranges).toHaveLength(3);
    expect(ranges[0]).toBe('bytes=0-4194303');
  });

  it('carries no flexible-checksum headers or aws-chunked bodies, which S3-compatible stores reject', async () => {
    const s = store();
    await uploadStream(s, 'hdr/multi', Readable.from([data]), { partSize: 5 * 1024 * 1024 });
    await uploadStream(s, 'hdr/single', Readable.from([data.subarray(0, 1000)]));
    await s.putAtomic('hdr/put', 'x', { ifAbsent: true });
    await collect(s, 'hdr/multi', data.length);
    await s.listAll('hdr/');
    await s.delete('hdr/put');
    const methods = new Set(proxy.requests.map((r) => r.method));
    expect(methods).toEqual(new Set(['POST', 'PUT', 'GET', 'DELETE']));
    for (const request of proxy.requests) {
      const names = Object.keys(request.headers);
      expect(names.filter((n) => n.startsWith('x-amz-checksum-') || n === 'x-amz-sdk-checksum-algorithm')).toEqual([]);
      expect(names).not.toContain('x-amz-trailer');
      expect(names).not.toContain('x-amz-decoded-content-length');
      expect(request.headers['content-encoding'] ?? '').not.toMatch(/aws-chunked/);
      expect(String(request.headers['x-amz-content-sha256'])).toMatch(/^([0-9a-f]{64}|UNSIGNED-PAYLOAD)$/);
      expect(String(request.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=S3RVER\//);
    }
    const completes = proxy.requests.filter((r) => r.method === 'POST' && r.url.includes('uploadId='));
    expect(completes).toHaveLength(1);
  });

  it('retries throttled (503 SlowDown) and cut-short range requests, then succeeds', async () => {
    const s = store({ maxAttempts: 4 });
    await uploadStream(s, 'retry/object', Readable.from([data]), { partSize: 5 * 1024 * 1024 });
    let slowDowns = 0;
    let cuts = 0;
    proxy.rule = (r) => {
      if (r.method !== 'GET') return undefined;
      if (slowDowns < 2) {
        slowDowns++;
        return { kind: 'error', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' };
      }
      if (cuts < 1) {
        cuts++;
        return { kind: 'cut', afterBytes: 1000 };
      }
      return undefined;
    };
    const { data: back } = await collect(s, 'retry/object', data.length, {
      partSize: 4 * 1024 * 1024,
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
    });
    expect(back.equals(data)).toBe(true);
    expect(slowDowns).toBe(2);
    expect(cuts).toBe(1);
  });

  it('raises IntegrityError when the object is not the recorded size', async () => {
    const s = store();
    await s.putAtomic('short/object', data.subarray(0, 5000));
    await expect(collect(s, 'short/object', 6000)).rejects.toBeInstanceOf(IntegrityError);
    await expect(collect(s, 'short/object', 4000)).rejects.toThrow(/holds 5000 bytes but 4000/);
  });

  it('gives up after bounded retries when throttling never stops, naming the cause', async () => {
    const s = store({ maxAttempts: 2 });
    proxy.rule = () => ({ kind: 'error', status: 503, code: 'SlowDown' });
    const error = await s.get('anything').catch((e: unknown) => e);
    expect(describeS3Error(error, { bucket: server.bucket })).toMatch(/throttling.*SlowDown/);
    expect(proxy.requests.length).toBe(2);
  });
});

describe('failures the store reports', () => {
  it('names wrong credentials without echoing the secret', async () => {
    const restore = setEnv({ AWS_ACCESS_KEY_ID: 'WRONGKEY', AWS_SECRET_ACCESS_KEY: 'super-secret-value-123' });
    try {
      const error = await store()
        .get('x')
        .catch((e: unknown) => e);
      const text = describeS3Error(error, { bucket: server.bucket, endpoint: proxy.endpoint });
      expect(text).toMatch(/credentials were rejected.*InvalidAccessKeyId/);
      expect(text).not.toContain('super-secret-value-123');
    } finally {
      restore();
    }
  });

  it('names a missing bucket', async () => {
    const error = await store({ bucket: 'no-such-bucket' })
      .get('x')
      .catch((e: unknown) => e);
    expect(describeS3Error(error, { bucket: 'no-such-bucket' })).toMatch(
      /'no-such-bucket' does not exist \(NoSuchBucket\)/,
    );
  });

  it('names an endpoint nobody listens on', async () => {
    const error = await store({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 })
      .get('x')
      .catch((e: unknown) => e);
    expect(describeS3Error(error, { bucket: server.bucket })).toMatch(/could not be reached \(ECONNREFUSED\)/);
  });
});

describe('cache index', () => {
  it('finds the exact key first, then the newest entry of the first matching restore key', async () => {
    const s = store({ prefix: 'index' });
    const index = new CacheIndex(s, 'a'.repeat(32));
    const entry = (key: string) => ({
      schema: 2,
      key,
      version: index.version,
      archive: index.newArchiveObject('tar.zst'),
      size: 10,
      sha256: '0'.repeat(64),
      compression: 'zstd',
      createdAt: new Date().toISOString(),
      roots: ['abs/x'],
    });
    for (const key of ['deps-linux-1', 'deps-linux-2', 'deps-linux-3']) {
      expect(await index.publish(entry(key))).toBe('written');
      await new Promise((resolve) => setTimeout(resolve, 1100)); // S3 LastModified has one-second resolution
    }
    // An older key written last must win over lexically larger ones: order is by time, not by name.
    await index.publish(entry('deps-linux-0'));
    expect((await index.lookup('deps-linux-2', ['deps-']))?.kind).toBe('exact');
    const prefix = await index.lookup('deps-linux-9', ['other-', 'deps-linux-']);
    expect(prefix).toMatchObject({ kind: 'prefix', entry: { key: 'deps-linux-0' } });
    expect(await index.lookup('nope', ['nothing-'])).toBeUndefined();

    await s.putAtomic(index.entryObject('deps-broken'), '{"schema":1,');
    const skipped: string[] = [];
    expect(await index.readEntry('deps-broken', { onSkip: (k, why) => skipped.push(`${k}: ${why}`) })).toBeUndefined();
    expect(skipped).toEqual(['deps-broken: its entry record is not valid JSON (damaged or cut short)']);
  });
});

describe('ref scopes (GitHub cache semantics as key prefixes)', () => {
  it('derives write and read scopes from the run, and never reads another pull request', async () => {
    const { runRefsOf, storeScopes, scopeOfRef, storePrefixes } = await import('@ci-optimizer/core/s3');
    const repository = { full_name: 'o/r', default_branch: 'main' };
    const scopes = (event: string, env: Record<string, string>, payload: Record<string, unknown> = {}) =>
      storeScopes(runRefsOf(event, { repository, ...payload }, env), 'ref');
    expect(scopes('push', { GITHUB_REF: 'refs/heads/feature/x' })).toEqual({
      mode: 'ref',
      write: 'branch/feature%2Fx',
      read: ['branch/feature%2Fx', 'branch/main'],
    });
    expect(scopes('pull_request', { GITHUB_REF: 'refs/pull/7/merge', GITHUB_BASE_REF: 'release' })).toEqual({
      mode: 'ref',
      write: 'pr/7',
      read: ['pr/7', 'branch/release', 'branch/main'],
    });
    expect(scopes('push', { GITHUB_REF: 'refs/tags/v1.0' }).read).toEqual(['tag/v1.0', 'branch/main']);
    expect(
      scopes(
        'merge_group',
        { GITHUB_REF: 'refs/heads/gh-readonly-queue/main/pr-3-abc' },
        { merge_group: { base_ref: 'refs/heads/main' } },
      ).read,
    ).toEqual(['branch/gh-readonly-queue%2Fmain%2Fpr-3-abc', 'branch/main']);
    // pull_request_target runs on the base branch's ref: its scope is the base branch's, and it is untrusted.
    const target = runRefsOf(
      'pull_request_target',
      { repository, pull_request: { number: 7 } },
      { GITHUB_REF: 'refs/heads/main', GITHUB_BASE_REF: 'main' },
    );
    expect(target.untrustedReason).toMatch(/pull_request_target/);
    expect(storeScopes(target, 'ref').write).toBe('branch/main');
    expect(runRefsOf('push', { repository }, { GITHUB_REF: 'refs/heads/main' }).untrustedReason).toBeUndefined();
    expect(storeScopes(runRefsOf('', {}, {}), 'ref')).toEqual({ mode: 'shared', write: '', read: [''] });
    expect(scopeOfRef('refs/remotes/x')).toBe('ref/refs%2Fremotes%2Fx');
    expect(storePrefixes('team/ci', scopes('pull_request', { GITHUB_REF: 'refs/pull/2/merge' }))).toEqual({
      write: 'team/ci/pr/2',
      read: ['team/ci/pr/2', 'team/ci/branch/main'],
    });
  });
});
