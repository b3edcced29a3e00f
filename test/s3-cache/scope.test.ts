import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redactSecrets, redactUrl, resolveS3Settings, runRefsOf, storeScopes } from '@ci-optimizer/core/s3';
import { restoreCache, saveCache, type CacheSettings } from '@ci-optimizer/core/s3-cache';
import { setEnv, startS3Proxy, startS3Server, type S3TestProxy, type S3TestServer } from '../support/s3-server.ts';
import { RecordingLogger, RunnerDirs, testSettings, writeFile } from './support.ts';

let server: S3TestServer;
let proxy: S3TestProxy;
let restoreEnv: () => void;
let counter = 0;
let dirs: RunnerDirs[] = [];

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
  for (const d of dirs) d.remove();
  dirs = [];
});

function runner(name: string): RunnerDirs {
  const d = new RunnerDirs(name);
  dirs.push(d);
  return d;
}

const repository = { full_name: 'octo-org/octo-repo', default_branch: 'main' };
type Run = { event: string; ref: string; base?: string; payload?: Record<string, unknown> };
const push = (branch = 'main'): Run => ({ event: 'push', ref: `refs/heads/${branch}` });
const pr = (n: number, base = 'main'): Run => ({ event: 'pull_request', ref: `refs/pull/${n}/merge`, base });

/** Settings of a run of `run` against one shared prefix, scoped as the actions scope them. */
function settingsFor(d: RunnerDirs, prefix: string, run: Run, overrides: Partial<CacheSettings> = {}): CacheSettings {
  const env = { GITHUB_REF: run.ref, GITHUB_BASE_REF: run.base ?? '', GITHUB_REPOSITORY: repository.full_name };
  const refs = runRefsOf(run.event, { repository, ...(run.payload ?? {}) }, env);
  return testSettings(d, { bucket: server.bucket, endpoint: server.endpoint, prefix }, ['deps'], {
    scopes: storeScopes(refs, 'ref'),
    untrustedReason: refs.untrustedReason,
    ...overrides,
  });
}

async function save(prefix: string, run: Run, content: string, key: string) {
  const d = runner('saver');
  writeFile(join(d.workspace, 'deps/which.txt'), content);
  const log = new RecordingLogger();
  const result = await saveCache(settingsFor(d, prefix, run), key, { log });
  return { result, log };
}

async function restore(prefix: string, run: Run, key: string, restoreKeys: string[] = []) {
  const d = runner('restorer');
  const log = new RecordingLogger();
  const result = await restoreCache(
    settingsFor(d, prefix, run),
    { primaryKey: key, restoreKeys, lookupOnly: false },
    { log },
  );
  const path = join(d.workspace, 'deps/which.txt');
  let content: string | undefined;
  try {
    content = readFileSync(path, 'utf8');
  } catch {
    content = undefined;
  }
  return { result, content, log };
}

describe('entries are scoped by ref, like GitHub’s cache', () => {
  it("a pull request's save is invisible to the default branch and to other pull requests", async () => {
    const prefix = `scope-${++counter}`;
    expect((await save(prefix, pr(7), 'from PR 7', 'deps-1')).result.outcome).toBe('saved');
    expect((await restore(prefix, push('main'), 'deps-1', ['deps-'])).result.kind).toBe('miss');
    expect((await restore(prefix, pr(8), 'deps-1', ['deps-'])).result.kind).toBe('miss');
    expect((await restore(prefix, push('feature'), 'deps-1', ['deps-'])).result.kind).toBe('miss');
    // Its own later runs see it.
    expect(await restore(prefix, pr(7), 'deps-1')).toMatchObject({ result: { kind: 'exact' }, content: 'from PR 7' });
  });

  it("a pull request restores the default branch's entries, and its base branch's before those", async () => {
    const prefix = `scope-${++counter}`;
    await save(prefix, push('main'), 'from main', 'deps-1');
    expect(await restore(prefix, pr(9), 'deps-1')).toMatchObject({
      result: { kind: 'exact', matchedKey: 'deps-1' },
      content: 'from main',
    });
    await save(prefix, push('release'), 'from release', 'deps-1');
    expect(await restore(prefix, pr(10, 'release'), 'deps-1')).toMatchObject({ content: 'from release' });
    // A branch push reads its own scope, then the default branch's.
    expect(await restore(prefix, push('feature'), 'deps-2', ['deps-'])).toMatchObject({
      result: { kind: 'prefix' },
      content: 'from main',
    });
  });

  it("a poisoned pull request entry never displaces the default branch's", async () => {
    const prefix = `scope-${++counter}`;
    // The attacker's pull request saves first, under the exact key main will use, and a newer restore-key match.
    expect((await save(prefix, pr(66), 'poison', 'deps-1')).result.outcome).toBe('saved');
    const mainSave = await save(prefix, push('main'), 'from main', 'deps-1');
    expect(mainSave.result.outcome).toBe('saved'); // not "already exists"
    await save(prefix, pr(66), 'poison', 'deps-9');
    expect(await restore(prefix, push('main'), 'deps-1')).toMatchObject({ content: 'from main' });
    expect(await restore(prefix, push('main'), 'deps-2', ['deps-'])).toMatchObject({
      result: { matchedKey: 'deps-1' },
      content: 'from main',
    });
    expect(await restore(prefix, pr(67), 'deps-2', ['deps-'])).toMatchObject({
      result: { matchedKey: 'deps-1' },
      content: 'from main',
    });
  });

  it('untrusted triggers restore but do not save unless told to', async () => {
    const prefix = `scope-${++counter}`;
    await save(prefix, push('main'), 'from main', 'deps-1');
    const target: Run = {
      event: 'pull_request_target',
      ref: 'refs/heads/main',
      base: 'main',
      payload: { pull_request: { number: 5 } },
    };
    const fork: Run = {
      event: 'workflow_run',
      ref: 'refs/heads/main',
      payload: { workflow_run: { event: 'pull_request', head_repository: { full_name: 'mallory/octo-repo' } } },
    };
    const comment: Run = { event: 'issue_comment', ref: 'refs/heads/main' };
    for (const run of [target, fork, comment]) {
      expect(await restore(prefix, run, 'deps-1')).toMatchObject({ content: 'from main' });
      const { result, log } = await save(prefix, run, 'poison', 'deps-2');
      expect(result.outcome).toBe('untrusted');
      expect(log.infos.join('\n')).toMatch(
        /Not saving cache 'deps-2': .* could poison the cache of trusted runs\. Set 'save-untrusted: true'/,
      );
      expect((await restore(prefix, push('main'), 'deps-2')).result.kind).toBe('miss');
    }
    const sameRepo: Run = {
      ...fork,
      payload: { workflow_run: { head_repository: { full_name: repository.full_name } } },
    };
    expect((await save(prefix, sameRepo, 'trusted', 'deps-3')).result.outcome).toBe('saved');
    const d = runner('told');
    writeFile(join(d.workspace, 'deps/which.txt'), 'told to');
    const told = await saveCache({ ...settingsFor(d, prefix, target), saveUntrusted: true }, 'deps-4', {
      log: new RecordingLogger(),
    });
    expect(told.outcome).toBe('saved');
  });

  it('scope shared is one pool for every run', async () => {
    const prefix = `scope-${++counter}`;
    const d = runner('shared');
    writeFile(join(d.workspace, 'deps/which.txt'), 'from PR 7, shared');
    const shared = {
      scopes: storeScopes(runRefsOf('pull_request', {}, { GITHUB_REF: 'refs/pull/7/merge' }), 'shared'),
    };
    expect(
      (await saveCache({ ...settingsFor(d, prefix, pr(7)), ...shared }, 'deps-1', { log: new RecordingLogger() }))
        .outcome,
    ).toBe('saved');
    const m = runner('main');
    const log = new RecordingLogger();
    const result = await restoreCache(
      { ...settingsFor(m, prefix, push('main')), ...shared },
      { primaryKey: 'deps-1', restoreKeys: [], lookupOnly: false },
      { log },
    );
    expect(result.kind).toBe('exact');
  });
});

describe('every fault is bounded, no secret in any log', () => {
  let blackHole: Server;
  let blackHoleEndpoint: string;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // Accepts connections, reads nothing, answers nothing.
    blackHole = createServer((socket) => {
      sockets.add(socket);
      socket.pause();
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', () => resolve()));
    blackHoleEndpoint = `http://127.0.0.1:${(blackHole.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => blackHole.close(() => resolve()));
  });

  it('a save to a black hole ends with default timeouts in well under a minute, warning with the endpoint and the timeout', async () => {
    const d = runner('hole');
    writeFile(join(d.workspace, 'deps/blob.bin'), Buffer.alloc(8 * 1024 * 1024, 1));
    const s = settingsFor(d, 'hole', push('main'));
    const defaults = resolveS3Settings({ bucket: server.bucket, endpoint: blackHoleEndpoint, prefix: 'hole' }, {});
    const log = new RecordingLogger();
    const started = performance.now();
    const result = await saveCache({ ...s, s3: defaults, saveTimeoutMs: 30 * 60_000 }, 'deps-1', { log });
    const seconds = (performance.now() - started) / 1000;
    expect(result.outcome).toBe('failed');
    expect(seconds).toBeLessThan(60);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain(blackHoleEndpoint);
    expect(log.warnings[0]).toMatch(/within 10 s \(first-byte-timeout\)/);
  }, 90_000);

  it('a restore from a black hole is a miss in bounded time', async () => {
    const d = runner('hole-restore');
    const s = settingsFor(d, 'hole', push('main'));
    const log = new RecordingLogger();
    const started = performance.now();
    const result = await restoreCache(
      { ...s, s3: { ...s.s3, endpoint: blackHoleEndpoint, firstByteTimeoutMs: 1000, maxAttempts: 5 } },
      { primaryKey: 'k', restoreKeys: ['k'], lookupOnly: false },
      { log },
    );
    expect(result.kind).toBe('miss');
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(log.warnings[0]).toMatch(/stopped answering: .* answered none within 1 s \(first-byte-timeout\)/);
  });

  it('an endpoint with user:password is printed without them; a server echoing our headers has them removed', async () => {
    const d = runner('redact');
    writeFile(join(d.workspace, 'deps/x'), 'x');
    const s = settingsFor(d, 'redact', push('main'));
    const log = new RecordingLogger();
    const withPassword = { ...s, s3: { ...s.s3, endpoint: 'http://admin:hunter2-secret@127.0.0.1:9', maxAttempts: 1 } };
    await restoreCache(withPassword, { primaryKey: 'k', restoreKeys: [], lookupOnly: false }, { log });
    expect(log.warnings[0]).toContain('http://***@127.0.0.1:9');
    expect(log.warnings[0]).not.toContain('hunter2');

    proxy.rule = (request) => ({
      kind: 'error',
      status: 400,
      code: 'InvalidArgument',
      message: `Bad header: Authorization=${String(request.headers.authorization)} x-amz-security-token: ${String(request.headers['x-amz-security-token'])} ghp_${'a'.repeat(36)}`,
    });
    const restoreToken = setEnv({ AWS_SESSION_TOKEN: 'session-token-value-do-not-print' });
    try {
      const echoed = new RecordingLogger();
      const via = { ...s, s3: { ...s.s3, endpoint: proxy.endpoint, maxAttempts: 1 } };
      expect(
        (await restoreCache(via, { primaryKey: 'k', restoreKeys: [], lookupOnly: false }, { log: echoed })).kind,
      ).toBe('miss');
      expect(echoed.warnings[0]).toMatch(/answered with InvalidArgument \(HTTP 400\): Bad header: /);
      expect(echoed.warnings[0]).toContain('[redacted]');
      for (const secret of [
        'AWS4-HMAC-SHA256',
        'Signature=',
        'session-token-value',
        'ghp_aaaa',
        server.env.AWS_ACCESS_KEY_ID,
      ]) {
        expect(echoed.warnings[0]).not.toContain(secret);
      }
    } finally {
      restoreToken();
    }
  });

  it('redacts credentials in URLs and credential-like text', () => {
    expect(redactUrl('https://user:pa%40ss@minio.internal:9000/bucket')).toBe('https://***@minio.internal:9000/bucket');
    expect(
      redactUrl('https://s3.example/b/k?X-Amz-Signature=abcdef0123&X-Amz-Credential=AKIAABCDEFGHIJKLMNOP%2F2026&x=1'),
    ).toBe('https://s3.example/b/k?X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]&x=1');
    expect(redactSecrets('key AKIAIOSFODNN7EXAMPLE and "password": "p4ss" and Bearer abc.def.ghi', {})).toBe(
      'key [redacted] and "password": "[redacted]" and Bearer [redacted]',
    );
  });
});
