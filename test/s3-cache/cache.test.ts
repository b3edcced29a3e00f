import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3ObjectStore, createS3Client, resolveS3Settings, CacheIndex } from '@ci-optimizer/core/s3';
import { restoreCache, saveCache, type CacheSettings } from '@ci-optimizer/core/s3-cache';
import { setEnv, startS3Proxy, startS3Server, type S3TestProxy, type S3TestServer } from '../support/s3-server.ts';
import {
  RecordingLogger,
  RunnerDirs,
  buildTree,
  memoryBackedTempDir,
  snapshot,
  testSettings,
  writeFile,
} from './support.ts';

let server: S3TestServer;
let proxy: S3TestProxy;
let restoreEnv: () => void;
let dirs: RunnerDirs[] = [];
let prefixCounter = 0;
let prefix: string;

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
beforeEach(() => {
  prefix = `cache-${++prefixCounter}`;
});
afterEach(() => {
  proxy.rule = undefined;
  proxy.onResponseBytes = undefined;
  proxy.requests.length = 0;
  for (const d of dirs) d.remove();
  dirs = [];
});

function runner(name = 'runner', base?: string): RunnerDirs {
  const d = new RunnerDirs(name, base);
  dirs.push(d);
  return d;
}

function settings(d: RunnerDirs, paths: string[], overrides: Partial<CacheSettings> = {}): CacheSettings {
  return testSettings(d, { bucket: server.bucket, endpoint: proxy.endpoint, prefix }, paths, overrides);
}

function rawStore(): S3ObjectStore {
  const s = resolveS3Settings({ bucket: server.bucket, endpoint: server.endpoint, prefix });
  return new S3ObjectStore(createS3Client(s), s);
}

const request = (primaryKey: string, restoreKeys: string[] = [], lookupOnly = false) => ({
  primaryKey,
  restoreKeys,
  lookupOnly,
});

describe('hits and misses', () => {
  it('misses, saves, then restores an exact hit onto another runner with spaces, symlinks, modes and empty folders intact', async () => {
    const a = runner('runner-a');
    const b = runner('runner b');
    buildTree(join(a.workspace, 'my cache'), 'a');
    writeFile(join(a.home, '.tool/config'), 'tool config');
    const paths = ['my cache', '~/.tool'];
    const log = new RecordingLogger();

    const miss = await restoreCache(settings(a, paths), request('deps-1'), { log });
    expect(miss).toMatchObject({ kind: 'miss', matchedKey: '', archiveBytes: 0 });
    expect(log.infos.join('\n')).toContain('Cache not found for input keys: deps-1');

    const saved = await saveCache(settings(a, paths), 'deps-1', { log });
    expect(saved.outcome).toBe('saved');
    expect(saved.archiveBytes).toBeGreaterThan(0);

    const hit = await restoreCache(settings(b, paths), request('deps-1', ['deps-']), { log });
    expect(hit).toMatchObject({ kind: 'exact', matchedKey: 'deps-1', archiveBytes: saved.archiveBytes });
    expect(hit.bytesTransferred).toBe(saved.archiveBytes);
    expect(snapshot(join(b.workspace, 'my cache'))).toEqual(snapshot(join(a.workspace, 'my cache')));
    expect(readFileSync(join(b.home, '.tool/config'), 'utf8')).toBe('tool config');
    expect(readdirSync(b.temp)).toEqual([]);
    expect(log.warnings).toEqual([]);

    // Saving a key that exists is skipped, like actions/cache.
    expect((await saveCache(settings(a, paths), 'deps-1', { log })).outcome).toBe('exists');
  });

  it('takes the newest entry of the first restore key that matches, by save time rather than by name', async () => {
    const a = runner();
    const paths = ['out'];
    const log = new RecordingLogger();
    for (const [key, pause] of [
      ['deps-a', 1100],
      ['deps-c', 0],
      ['deps-b', 0], // same second as deps-c: the entry's own timestamp breaks the tie
      ['other-z', 0],
    ] as const) {
      writeFile(join(a.workspace, 'out/which.txt'), key);
      expect((await saveCache(settings(a, paths), key, { log })).outcome).toBe('saved');
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
    const b = runner('b');
    const hit = await restoreCache(settings(b, paths), request('deps-new', ['nothing-', 'deps-']), { log });
    expect(hit).toMatchObject({ kind: 'prefix', matchedKey: 'deps-b' });
    expect(readFileSync(join(b.workspace, 'out/which.txt'), 'utf8')).toBe('deps-b');
  });

  it('misses when the key matches nothing, and when only another version (other paths) has it', async () => {
    const a = runner();
    writeFile(join(a.workspace, 'x/file'), 'x');
    const log = new RecordingLogger();
    await saveCache(settings(a, ['x']), 'shared-key', { log });
    expect((await restoreCache(settings(a, ['x']), request('unknown', ['unk']), { log })).kind).toBe('miss');
    expect((await restoreCache(settings(a, ['x', 'y']), request('shared-key'), { log })).kind).toBe('miss');
    expect(log.warnings).toEqual([]);
  });

  it('lookup-only reports the hit without downloading or writing anything', async () => {
    const a = runner();
    writeFile(join(a.workspace, 'big/blob.bin'), randomBytes(200_000));
    const log = new RecordingLogger();
    await saveCache(settings(a, ['big']), 'look-1', { log });
    const b = runner('b');
    proxy.requests.length = 0;
    const found = await restoreCache(settings(b, ['big']), request('look-2', ['look-'], true), { log });
    expect(found).toMatchObject({ kind: 'prefix', matchedKey: 'look-1', bytesTransferred: 0 });
    expect(existsSync(join(b.workspace, 'big'))).toBe(false);
    expect(proxy.requests.filter((r) => r.method === 'GET' && r.url.includes('/data/'))).toEqual([]);
  });

  it('warns and saves nothing when no path exists', async () => {
    const a = runner();
    const log = new RecordingLogger();
    const result = await saveCache(settings(a, ['missing-dir', 'also/missing']), 'nothing', { log });
    expect(result.outcome).toBe('nothing-to-save');
    expect(log.warnings[0]).toMatch(
      /Path Validation Error: none of the paths to cache exist \(missing-dir, also\/missing\)/,
    );
  });
});

describe('concurrency', () => {
  it('two jobs saving one key at once leave one complete entry, never a mix', async () => {
    const a = runner('a');
    const b = runner('b');
    buildTree(join(a.workspace, 'tree'), 'alpha');
    buildTree(join(b.workspace, 'tree'), 'beta');
    writeFile(join(a.workspace, 'tree/blob'), randomBytes(6 * 1024 * 1024));
    writeFile(join(b.workspace, 'tree/blob'), randomBytes(6 * 1024 * 1024));
    const log = new RecordingLogger();
    const results = await Promise.all([
      saveCache(settings(a, ['tree']), 'race', { log }),
      saveCache(settings(b, ['tree']), 'race', { log }),
    ]);
    expect(results.map((r) => r.outcome).sort()).toContain('saved');
    expect(log.warnings).toEqual([]);
    const entryPuts = proxy.requests.filter((r) => r.method === 'PUT' && r.url.includes('/keys/race'));
    expect(entryPuts.length).toBeGreaterThanOrEqual(1);
    for (const put of entryPuts) expect(put.headers['if-none-match']).toBe('*');

    const c = runner('c');
    const hit = await restoreCache(settings(c, ['tree']), request('race'), { log });
    expect(hit.kind).toBe('exact');
    const restored = snapshot(join(c.workspace, 'tree'));
    const candidates = [snapshot(join(a.workspace, 'tree')), snapshot(join(b.workspace, 'tree'))];
    expect(candidates).toContainEqual(restored);
  });
});

describe('faults: a warning and a miss, never a half-extracted tree', () => {
  async function savedEntry(d: RunnerDirs, key: string, bytes = 3 * 1024 * 1024) {
    writeFile(join(d.workspace, 'data/payload.bin'), randomBytes(bytes));
    writeFile(join(d.workspace, 'data/small.txt'), 'small');
    const log = new RecordingLogger();
    expect((await saveCache(settings(d, ['data']), key, { log })).outcome).toBe('saved');
    const index = new CacheIndex(rawStore(), settings(d, ['data']).version);
    const entry = await index.readEntry(key);
    return { index, entry: entry! };
  }

  function existingTarget(d: RunnerDirs) {
    writeFile(join(d.workspace, 'data/local.txt'), 'local');
    return () => expect(snapshot(join(d.workspace, 'data'))).toEqual({ 'local.txt': expect.stringMatching(/^file /) });
  }

  it('a corrupt archive (same size, bytes changed) is a miss; the damaged entry is removed so it can be saved again', async () => {
    const a = runner();
    const { index, entry } = await savedEntry(a, 'corrupt');
    const bytes = (await index.store.get(entry.archive))!;
    for (let i = 1000; i < 1100; i++) bytes[Math.floor(bytes.length / 2) + i] ^= 0xff;
    await index.store.putAtomic(entry.archive, bytes);

    const b = runner('b');
    const untouched = existingTarget(b);
    const log = new RecordingLogger();
    const result = await restoreCache(settings(b, ['data']), request('corrupt'), { log });
    expect(result.kind).toBe('miss');
    expect(log.warnings[0]).toMatch(/Failed to restore cache 'corrupt': (zstd failed|the stored archive is damaged)/);
    untouched();
    expect(readdirSync(b.temp)).toEqual([]);
    expect(await index.readEntry('corrupt')).toBeUndefined();
    expect((await saveCache(settings(a, ['data']), 'corrupt', { log })).outcome).toBe('saved');
  });

  it('a corrupt archive that still decompresses is caught by the SHA-256 check', async () => {
    const a = runner();
    const { index, entry } = await savedEntry(a, 'swapped');
    // A different valid archive of the same size: only the checksum can tell.
    const other = runner('other');
    writeFile(join(other.workspace, 'data/evil.txt'), 'evil');
    const otherSettings = settings(other, ['data']);
    await saveCache({ ...otherSettings, version: settings(a, ['data']).version }, 'evil', {
      log: new RecordingLogger(),
    });
    const evil = (await index.readEntry('evil'))!;
    const evilBytes = (await index.store.get(evil.archive))!;
    await index.store.putAtomic(entry.archive, evilBytes);
    await index.store.putAtomic(index.entryObject('swapped'), JSON.stringify({ ...entry, size: evilBytes.length }));

    const b = runner('b');
    const log = new RecordingLogger();
    expect((await restoreCache(settings(b, ['data']), request('swapped'), { log })).kind).toBe('miss');
    expect(log.warnings[0]).toMatch(/damaged: archive of 'swapped' has SHA-256 [0-9a-f]{64}, not the recorded/);
    expect(existsSync(join(b.workspace, 'data'))).toBe(false);
    expect(existsSync(join(b.workspace, other.workspace.slice(1)))).toBe(false);
  });

  it('a truncated archive is a miss before anything is extracted', async () => {
    const a = runner();
    const { index, entry } = await savedEntry(a, 'truncated');
    const bytes = (await index.store.get(entry.archive))!;
    await index.store.putAtomic(entry.archive, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const b = runner('b');
    const untouched = existingTarget(b);
    const log = new RecordingLogger();
    expect((await restoreCache(settings(b, ['data']), request('truncated'), { log })).kind).toBe('miss');
    expect(log.warnings[0]).toMatch(/damaged: object '.*' holds \d+ bytes but \d+ were recorded/);
    untouched();
  });

  it('the server stopping mid-download is a miss with the cause named, and the target is untouched', async () => {
    const a = runner();
    await savedEntry(a, 'stopped', 4 * 1024 * 1024);
    const b = runner('b');
    const untouched = existingTarget(b);
    let stopping: Promise<void> | undefined;
    proxy.onResponseBytes = (r, bytes) => {
      if (!stopping && r.method === 'GET' && r.url.includes('/data/') && bytes > 64 * 1024) stopping = server.stop();
    };
    const log = new RecordingLogger();
    try {
      const result = await restoreCache(
        settings(b, ['data'], { transfer: { partSize: 256 * 1024, concurrency: 2 } }),
        request('stopped'),
        { log },
      );
      expect(stopping).toBeDefined();
      expect(result.kind).toBe('miss');
      expect(log.warnings[0]).toMatch(
        /Failed to restore cache 'stopped': .*(could not be reached|ECONNRESET|socket hang up|HTTP 50)/,
      );
      untouched();
      expect(readdirSync(b.temp)).toEqual([]);
    } finally {
      await stopping;
      await server.start();
    }
  });

  it('wrong credentials: restore misses and save is skipped, each with a warning that names the cause, not the secret', async () => {
    const a = runner();
    writeFile(join(a.workspace, 'c/file'), 'c');
    const restore = setEnv({ AWS_ACCESS_KEY_ID: 'NOT-A-KEY', AWS_SECRET_ACCESS_KEY: 'do-not-print-me' });
    try {
      const log = new RecordingLogger();
      expect((await restoreCache(settings(a, ['c']), request('k'), { log })).kind).toBe('miss');
      expect((await saveCache(settings(a, ['c']), 'k', { log })).outcome).toBe('failed');
      expect(log.warnings).toHaveLength(2);
      for (const warning of log.warnings) {
        expect(warning).toMatch(/credentials were rejected .*InvalidAccessKeyId/);
        expect(warning).not.toContain('do-not-print-me');
      }
    } finally {
      restore();
    }
  });

  it('a missing bucket: restore misses and save is skipped, naming the bucket', async () => {
    const a = runner();
    writeFile(join(a.workspace, 'c/file'), 'c');
    const log = new RecordingLogger();
    const s = settings(a, ['c']);
    const missing = { ...s, s3: { ...s.s3, bucket: 'no-such-bucket' } };
    expect((await restoreCache(missing, request('k'), { log })).kind).toBe('miss');
    expect((await saveCache(missing, 'k', { log })).outcome).toBe('failed');
    expect(log.warnings).toEqual([
      expect.stringMatching(/bucket 'no-such-bucket' at http:\/\/127\.0\.0\.1:\d+ does not exist \(NoSuchBucket\)/),
      expect.stringMatching(/Failed to save cache 'k': bucket 'no-such-bucket'.*NoSuchBucket/),
    ]);
  });

  it('throttling (503 SlowDown) is retried with backoff; throttling that never stops is a miss', async () => {
    const a = runner();
    await savedEntry(a, 'throttled');
    let throttled = 0;
    proxy.rule = (r) =>
      r.method === 'GET' && throttled++ < 2 ? { kind: 'error', status: 503, code: 'SlowDown' } : undefined;
    const b = runner('b');
    const log = new RecordingLogger();
    const s = settings(b, ['data']);
    const patient = { ...s, s3: { ...s.s3, maxAttempts: 4 } };
    expect((await restoreCache(patient, request('throttled'), { log })).kind).toBe('exact');
    expect(throttled).toBeGreaterThanOrEqual(2);

    proxy.rule = () => ({ kind: 'error', status: 503, code: 'SlowDown' });
    const c = runner('c');
    expect((await restoreCache(settings(c, ['data']), request('throttled'), { log })).kind).toBe('miss');
    expect(log.warnings.at(-1)).toMatch(/kept throttling the requests \(SlowDown\) after all retries/);
    expect(existsSync(join(c.workspace, 'data'))).toBe(false);
  });

  it('a store that accepts requests and never answers is a miss after the idle timeout', async () => {
    const a = runner();
    proxy.rule = () => ({ kind: 'hang' });
    const s = settings(a, ['x']);
    const log = new RecordingLogger();
    const hung = { ...s, s3: { ...s.s3, idleTimeoutMs: 300, maxAttempts: 2 } };
    const result = await restoreCache(hung, request('k'), { log });
    expect(result.kind).toBe('miss');
    expect(result.ms).toBeLessThan(5_000);
    expect(log.warnings[0]).toMatch(/Failed to restore cache 'k': .*(could not be reached|timed? ?out)/i);
  });

  it('an endpoint nobody listens on is a quick miss', async () => {
    const a = runner();
    const s = settings(a, ['x']);
    const log = new RecordingLogger();
    const down = { ...s, s3: { ...s.s3, endpoint: 'http://127.0.0.1:9' } };
    const result = await restoreCache(down, request('k'), { log });
    expect(result.kind).toBe('miss');
    expect(result.ms).toBeLessThan(10_000);
    expect(log.warnings[0]).toMatch(/could not be reached \(ECONNREFUSED\)/);
  });
});

describe('sizes', () => {
  it('a 1 GiB sparse file travels as a few KiB and comes back sparse', async () => {
    const a = runner();
    const file = join(a.workspace, 'vm/disk.img');
    mkdirSync(join(a.workspace, 'vm'));
    writeFileSync(file, 'boot sector');
    const { truncateSync } = await import('node:fs');
    truncateSync(file, 1024 ** 3);
    const log = new RecordingLogger();
    const saved = await saveCache(settings(a, ['vm']), 'sparse', { log });
    expect(saved.outcome).toBe('saved');
    expect(saved.archiveBytes).toBeLessThan(1024 * 1024);
    const b = runner('b');
    expect((await restoreCache(settings(b, ['vm']), request('sparse'), { log })).kind).toBe('exact');
    const back = lstatSync(join(b.workspace, 'vm/disk.img'));
    expect(back.size).toBe(1024 ** 3);
    expect(back.blocks * 512).toBeLessThan(1024 * 1024);
  });

  // [slow-ish] 20,000 files are created, archived, uploaded, downloaded and extracted: 1-3 s on 2 idle cores. The
  // folders live in memory (/dev/shm) when possible, so that a busy shared disk does not dominate the time.
  it('[20k files] saves and restores 20,000 small files', async () => {
    const memory = memoryBackedTempDir();
    const a = runner('a', memory);
    const base = join(a.workspace, 'many');
    for (let d = 0; d < 200; d++) {
      mkdirSync(join(base, `d${d}`), { recursive: true });
      for (let f = 0; f < 100; f++) writeFileSync(join(base, `d${d}`, `f${f}.txt`), `${d}/${f}\n`);
    }
    const log = new RecordingLogger();
    expect((await saveCache(settings(a, ['many']), 'many', { log })).outcome, log.warnings.join('\n')).toBe('saved');
    const b = runner('b', memory);
    expect((await restoreCache(settings(b, ['many']), request('many'), { log })).kind).toBe('exact');
    let count = 0;
    for (const d of readdirSync(join(b.workspace, 'many'))) count += readdirSync(join(b.workspace, 'many', d)).length;
    expect(count).toBe(20_000);
    expect(readFileSync(join(b.workspace, 'many/d123/f45.txt'), 'utf8')).toBe('123/45\n');
  });
});
