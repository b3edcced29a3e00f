import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BlockBlobClient } from '@azure/storage-blob';
import { UserError } from '@ci-optimizer/core/errors';
import { GitHubCacheStore, flushOpenStores, openStore, type StoreLog } from '@ci-optimizer/core/store';
import { startGitHubCacheServer, type GitHubCacheServer } from '../support/github-cache-server.ts';

// @actions/cache reads process.env, so each test sets the runner's variables there and puts them back after.
const VARIABLES = [
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_RUNTIME_TOKEN',
  'RUNNER_TEMP',
  'GITHUB_RUN_ID',
  'GITHUB_RUN_ATTEMPT',
  'GITHUB_SERVER_URL',
  'GITHUB_WORKSPACE',
  'ACTIONS_CACHE_MODE',
];

interface Log extends StoreLog {
  infos: string[];
  warnings: string[];
}
function collectingLog(): Log {
  const infos: string[] = [];
  const warnings: string[] = [];
  return { infos, warnings, info: (m) => void infos.push(m), warning: (m) => void warnings.push(m) };
}

describe('github-cache store', () => {
  let server: GitHubCacheServer;
  let root: string;
  let runnerTemp: string;
  let saved: Record<string, string | undefined>;
  let run = 100;

  beforeAll(async () => {
    server = await startGitHubCacheServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
    for (const name of VARIABLES) delete process.env[name];
    root = mkdtempSync(join(tmpdir(), 'ci-opt-ghcache-'));
    // Every job of these tests runs on a "fresh runner" with the same RUNNER_TEMP path, as hosted runners do.
    runnerTemp = join(root, 'runner-temp');
    Object.assign(process.env, server.env, { GITHUB_SERVER_URL: 'https://github.com' });
    newJob();
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(root, { recursive: true, force: true });
    expect(server.violations).toEqual([]);
  });

  /** A new job: an empty RUNNER_TEMP and a new run id. */
  function newJob(): void {
    rmSync(runnerTemp, { recursive: true, force: true });
    mkdirSync(runnerTemp, { recursive: true });
    process.env.RUNNER_TEMP = runnerTemp;
    process.env.GITHUB_RUN_ID = String(++run);
    process.env.GITHUB_RUN_ATTEMPT = '1';
  }
  const requestsOf = (operation: string) => server.requests.filter((request) => request.operation === operation).length;

  it('carries the files from one job to the next', async () => {
    const name = `round-trip-${run}`;
    const log = collectingLog();
    const first = new GitHubCacheStore(`github-cache:${name}`, { log, libraryOutput: 'stderr' });
    expect(await first.read('test-predictor/history.jsonl')).toBeUndefined();
    await first.write('test-predictor/history.jsonl', '{"schema":1}\n');
    await first.write('perf/baseline.json', '{"schema":1,"ms":12}');
    await first.flush();
    expect(log.warnings).toEqual([]);
    const saves = server.entries().filter((entry) => entry.key.startsWith(first.keyPrefix));
    expect(saves).toHaveLength(1);
    expect(saves[0].key).toBe(`ci-optimizer-store/${name}/0000000001`);

    newJob();
    const second = new GitHubCacheStore(`github-cache:${name}`, { log, libraryOutput: 'stderr' });
    expect((await second.read('test-predictor/history.jsonl'))?.toString()).toBe('{"schema":1}\n');
    expect((await second.list()).map((entry) => entry.key)).toEqual([
      'perf/baseline.json',
      'test-predictor/history.jsonl',
    ]);
    expect(log.warnings).toEqual([]);
    expect(log.infos.join('\n')).toContain(
      `Restored the store 'github-cache:${name}' from the GitHub cache entry '${saves[0].key}'`,
    );
  });

  it('restores the newest entry of the family, and only its own family', async () => {
    const name = `newest-${run}`;
    const writeJob = async (spec: string, value: string) => {
      newJob();
      const store = new GitHubCacheStore(spec, { log: collectingLog(), libraryOutput: 'stderr' });
      await store.read('x.json');
      await store.write('x.json', value);
      await store.flush();
    };
    await writeJob(`github-cache:${name}`, 'one');
    await writeJob(`github-cache:${name}`, 'two');
    await writeJob(`github-cache:${name}-other`, 'other family');
    newJob();
    const store = new GitHubCacheStore(`github-cache:${name}`, { log: collectingLog(), libraryOutput: 'stderr' });
    expect((await store.read('x.json'))?.toString()).toBe('two');
    const keys = server
      .entries()
      .filter((entry) => entry.key.startsWith(store.keyPrefix))
      .map((entry) => entry.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('saves nothing when the job did not write', async () => {
    const store = new GitHubCacheStore(`github-cache:read-only-${run}`, {
      log: collectingLog(),
      libraryOutput: 'stderr',
    });
    await store.read('x.json');
    await store.list();
    const creates = requestsOf('CreateCacheEntry');
    await store.flush();
    expect(requestsOf('CreateCacheEntry')).toBe(creates);
  });

  it("restores once per job: a later step keeps what the job's earlier steps wrote", async () => {
    const name = `marker-${run}`;
    const first = new GitHubCacheStore(`github-cache:${name}`, { log: collectingLog(), libraryOutput: 'stderr' });
    await first.write('x.json', 'saved');
    await first.flush();

    newJob();
    const lookups = requestsOf('GetCacheEntryDownloadURL');
    const step1 = new GitHubCacheStore(`github-cache:${name}`, { log: collectingLog(), libraryOutput: 'stderr' });
    expect((await step1.read('x.json'))?.toString()).toBe('saved');
    await step1.write('x.json', 'written by step 1');
    const step2 = new GitHubCacheStore(`github-cache:${name}`, { log: collectingLog(), libraryOutput: 'stderr' }); // another process, same RUNNER_TEMP
    expect((await step2.read('x.json'))?.toString()).toBe('written by step 1');
    expect(requestsOf('GetCacheEntryDownloadURL')).toBe(lookups + 1);
  });

  it('works as a local folder with a warning when the service is down, and never throws', async () => {
    const closed = await startGitHubCacheServer();
    await closed.close();
    process.env.ACTIONS_RESULTS_URL = closed.url;
    const log = collectingLog();
    const store = new GitHubCacheStore(`github-cache:down-${run}`, { log, libraryOutput: 'stderr' });
    expect(await store.read('x.json')).toBeUndefined();
    await store.write('x.json', 'local');
    expect((await store.read('x.json'))?.toString()).toBe('local');
    await store.flush();
    expect(log.warnings).toHaveLength(2);
    expect(log.warnings[0]).toMatch(/could not be restored from the GitHub cache: .*ECONNREFUSED.*It starts empty/s);
    expect(log.warnings[1]).toMatch(/was not saved to the GitHub cache: .*ECONNREFUSED/s);
  });

  it('says why when it runs outside a JavaScript action (no runtime token)', async () => {
    delete process.env.ACTIONS_RUNTIME_TOKEN;
    const log = collectingLog();
    const store = new GitHubCacheStore('github-cache', { log, libraryOutput: 'stderr' });
    await store.write('x.json', 'local');
    expect((await store.read('x.json'))?.toString()).toBe('local');
    await store.flush();
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain(
      "The store 'github-cache' cannot reach the GitHub cache: ACTIONS_RUNTIME_TOKEN is not set",
    );
    expect(store.folder).toBe(join(runnerTemp, 'ci-optimizer', 'github-cache', 'ci-optimizer', 'files'));
    expect(statSync(join(store.folder, 'x.json')).isFile()).toBe(true);
  });

  it('reports a save the service refuses as a warning with the cause', async () => {
    process.env.ACTIONS_RUNTIME_TOKEN = 'a-token-the-service-never-issued';
    const log = collectingLog();
    const store = new GitHubCacheStore(`github-cache:denied-${run}`, { log, libraryOutput: 'stderr' });
    await store.write('x.json', 'local');
    await store.flush();
    expect(log.warnings.join('\n')).toMatch(/could not be restored.*401/s);
    expect(log.warnings.join('\n')).toMatch(/was not saved to the GitHub cache/);
    // The refusals were this test's point, not the library's mistakes.
    server.violations.splice(
      0,
      server.violations.length,
      ...server.violations.filter((v) => !v.includes('a-token-the-service-never-issued')),
    );
  });

  it('opens github-cache specs through openStore, once per store, and saves them at flushOpenStores', async () => {
    const name = `open-${run}`;
    const store = openStore(`github-cache:${name}`, '/unused');
    expect(store.description).toBe(`github-cache:${name}`);
    expect(openStore(`github-cache:${name}`, '/unused')).toBe(store);
    expect(openStore('github-cache', '/unused').description).toBe('github-cache');
    await store.write('x.json', 'via openStore');
    const warnings: string[] = [];
    await flushOpenStores((m) => warnings.push(m));
    expect(warnings).toEqual([]);
    expect(server.entries().filter((entry) => entry.key.startsWith(`ci-optimizer-store/${name}/`))).toHaveLength(1);
    expect(openStore(`github-cache:${name}`, '/unused')).not.toBe(store);
    await flushOpenStores(() => undefined);
  });

  it('refuses a bad name with a UserError naming the input, the value and the fix', () => {
    for (const spec of [
      'github-cache:',
      'github-cache:has space',
      'github-cache:a,b',
      'github-cachex',
      `github-cache:${'n'.repeat(65)}`,
    ]) {
      let error: unknown;
      try {
        openStore(spec, '/unused');
      } catch (caught) {
        error = caught;
      }
      expect(error, spec).toBeInstanceOf(UserError);
      expect((error as Error).message).toContain(`Input 'store' has value '${spec}'`);
      expect((error as Error).message).toContain("'github-cache:NAME'");
    }
  });
});

describe('the local cache service', () => {
  let server: GitHubCacheServer;
  beforeAll(async () => {
    server = await startGitHubCacheServer();
  });
  afterAll(async () => {
    await server.close();
  });

  const twirp = (method: string, body: unknown, token = server.token) =>
    fetch(`${server.url}twirp/github.actions.results.api.v1.CacheService/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
  const version = 'a'.repeat(64);

  it('takes block uploads as @azure/storage-blob sends them, and keeps entries immutable', async () => {
    const created = (await (await twirp('CreateCacheEntry', { key: 'blocks-1', version })).json()) as {
      ok: boolean;
      signed_upload_url: string;
    };
    expect(created.ok).toBe(true);
    const data = Buffer.alloc(300_000, 7);
    const dir = mkdtempSync(join(tmpdir(), 'ci-opt-blob-'));
    try {
      const file = join(dir, 'cache.tzst');
      await import('node:fs/promises').then((fs) => fs.writeFile(file, data));
      await new BlockBlobClient(created.signed_upload_url).uploadFile(file, {
        blockSize: 100_000,
        maxSingleShotSize: 100_000,
        concurrency: 2,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(server.requests.filter((r) => r.operation === 'blob-put-block')).toHaveLength(3);
    const finalized = (await (
      await twirp('FinalizeCacheEntryUpload', { key: 'blocks-1', version, size_bytes: String(data.length) })
    ).json()) as { ok: boolean };
    expect(finalized.ok).toBe(true);

    const again = await twirp('CreateCacheEntry', { key: 'blocks-1', version });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({
      code: 'already_exists',
      msg: 'cache entry with the same key, version, and scope already exists',
    });

    const found = (await (
      await twirp('GetCacheEntryDownloadURL', { key: 'blocks-', restore_keys: [], version })
    ).json()) as { ok: boolean; matched_key: string; signed_download_url: string };
    expect(found).toMatchObject({ ok: true, matched_key: 'blocks-1' });
    expect(Buffer.from(await (await fetch(found.signed_download_url)).arrayBuffer()).equals(data)).toBe(true);
    const otherVersion = (await (
      await twirp('GetCacheEntryDownloadURL', { key: 'blocks-1', version: 'b'.repeat(64) })
    ).json()) as { ok: boolean };
    expect(otherVersion.ok).toBe(false);
    expect(server.violations).toEqual([]);
  });

  it("lets a pull request read the default branch's entries but not the other way round", async () => {
    const pr = server.tokenFor({ scope: 'refs/pull/7/merge', readScopes: ['refs/pull/7/merge', 'refs/heads/main'] });
    const create = async (key: string, token: string) => {
      const { signed_upload_url } = (await (await twirp('CreateCacheEntry', { key, version }, token)).json()) as {
        signed_upload_url: string;
      };
      const put = await fetch(signed_upload_url, {
        method: 'PUT',
        headers: { 'x-ms-blob-type': 'BlockBlob', 'x-ms-version': '2025-01-05' },
        body: key,
      });
      expect(put.status).toBe(201);
      await twirp('FinalizeCacheEntryUpload', { key, version, size_bytes: String(key.length) }, token);
    };
    await create('scope-main-1', server.token);
    await create('scope-pr-2', pr);
    const lookup = async (token: string) =>
      (
        (await (
          await twirp('GetCacheEntryDownloadURL', { key: 'scope-none', restore_keys: ['scope-'], version }, token)
        ).json()) as { matched_key: string }
      ).matched_key;
    expect(await lookup(pr)).toBe('scope-pr-2');
    expect(await lookup(server.token)).toBe('scope-main-1');
    expect(server.violations).toEqual([]);
  });

  it('records what the protocol does not allow', async () => {
    const before = server.violations.length;
    await twirp('CreateCacheEntry', { key: 'x', version, sizeBytes: 1 });
    await twirp('GetCacheEntryDownloadURL', { key: 'x', version: 'short', restoreKeys: ['x'] });
    await twirp('CreateCacheEntry', { key: 'y', version }, 'wrong-token');
    const found = server.violations.slice(before);
    server.violations.splice(before);
    expect(found.join('\n')).toMatch(/unknown field 'sizeBytes'/);
    expect(found.join('\n')).toMatch(/version 'short' is not a sha256/);
    expect(found.join('\n')).toMatch(/unknown field 'restoreKeys'/);
    expect(found.join('\n')).toMatch(/Authorization 'Bearer wrong-token'/);
  });
});
