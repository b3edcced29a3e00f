import { afterAll, beforeAll, expect, it } from 'vitest';
import { CacheIndex, openS3Store, pruneCache, type S3ObjectStore } from '@ci-optimizer/core/s3';
import { setEnv, startS3Server, type S3TestServer } from '../support/s3-server.ts';

let server: S3TestServer;
let restoreEnv: () => void;

beforeAll(async () => {
  server = await startS3Server();
  restoreEnv = setEnv(server.env);
});
afterAll(async () => {
  restoreEnv();
  await server.dispose();
});

async function addEntry(store: S3ObjectStore, index: CacheIndex, key: string, size: number) {
  const archive = index.newArchiveObject('tar.zst');
  await store.putAtomic(archive, Buffer.alloc(size, 1));
  await index.publish({
    schema: 2,
    key,
    version: index.version,
    archive,
    size,
    sha256: 'f'.repeat(64),
    compression: 'zstd',
    createdAt: new Date().toISOString(),
    roots: ['abs/x'],
  });
  await new Promise((resolve) => setTimeout(resolve, 1100)); // distinct LastModified seconds
}

it('deletes by total size oldest first, then by age, plus unreferenced archives, touching nothing else', async () => {
  const store = openS3Store({ bucket: server.bucket, prefix: 'prune', endpoint: server.endpoint });
  const v1 = new CacheIndex(store, '1'.repeat(32));
  const v2 = new CacheIndex(store, '2'.repeat(32));
  await addEntry(store, v1, 'old', 3000);
  await addEntry(store, v2, 'middle', 2000);
  await addEntry(store, v1, 'new', 1000);
  await store.putAtomic(v1.newArchiveObject('tar.zst'), Buffer.alloc(500)); // an archive no entry refers to
  await store.putAtomic('unrelated/readme.txt', 'not ours');

  const dry = await pruneCache(store, { maxTotalBytes: 3500, dryRun: true });
  expect(dry).toMatchObject({ entriesDeleted: 1, deletedKeys: ['old'], orphansDeleted: 0, bytesKept: 3000 });
  expect(await v1.readEntry('old')).toBeDefined();

  const bySize = await pruneCache(store, { maxTotalBytes: 3500 });
  expect(bySize.deletedKeys).toEqual(['old']);
  expect(await v1.readEntry('old')).toBeUndefined();

  const later = new Date(Date.now() + 2 * 3600_000);
  const byAge = await pruneCache(store, { maxAgeMs: 3600_000, now: later });
  expect(byAge).toMatchObject({ deletedKeys: ['middle', 'new'], orphansDeleted: 1, entriesKept: 0, bytesKept: 0 });
  expect((await store.listAll('')).map((o) => o.key)).toEqual(['unrelated/readme.txt']);
});
