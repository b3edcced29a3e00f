import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  appendRecord,
  compactRecordLog,
  flushOpenStores,
  GitHubCacheStore,
  openStore,
  readRecordLog,
  takeStoreFaults,
  type RecordLogSpec,
  type Store,
  type StoreLog,
} from '@ci-optimizer/core/store';
import { startGitHubCacheServer, type GitHubCacheServer } from '../support/github-cache-server.ts';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';

// The one contract every store backend keeps (docs/adding-a-store.md), run against each of them as the actions open
// them: `dir:` on a temp folder, `s3://` on a real s3rver (with AWS's conditional-write answers, which s3rver lacks),
// `github-cache` on the local cache service. A new backend adds an entry to BACKENDS and passes the same tests.

/** One store of a backend, and the ways other writers and later jobs see it. */
interface Handle {
  store: Store;
  /** Another writer on the same store at the same time (another process; for github-cache, another step of the job). */
  sibling(): Store;
  /** What the next job opens: dir: and s3:// at once; github-cache after this job's save, on a fresh runner. */
  nextJob(): Promise<Store>;
}

interface Backend {
  name: string;
  /** An empty store of its own. */
  fresh(): Promise<Handle>;
  /** A store whose backend fails; `fault` is what the contract expects from it. */
  broken(): Promise<{ store: Store; where: RegExp; fault: 'rejects' | 'warns' }>;
}

const RUNNER_VARIABLES = [
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_RUNTIME_TOKEN',
  'RUNNER_TEMP',
  'GITHUB_RUN_ID',
  'GITHUB_RUN_ATTEMPT',
  'GITHUB_WORKSPACE',
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'GITHUB_REF',
  'GITHUB_BASE_REF',
  'GITHUB_HEAD_REF',
];
const savedEnv = Object.fromEntries(RUNNER_VARIABLES.map((name) => [name, process.env[name]]));
function resetEnv(values: Record<string, string>): void {
  for (const name of RUNNER_VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
}

const scratch = mkdtempSync(join(tmpdir(), 'ci-opt-contract-'));
let s3: S3TestServer;
let cache: GitHubCacheServer;
let serial = 0;
const warnings: string[] = [];
const log: StoreLog = { info: () => undefined, warning: (message) => void warnings.push(message) };

const dirBackend: Backend = {
  name: 'dir:',
  async fresh() {
    const spec = `dir:${join(scratch, `dir-${++serial}`)}`;
    return {
      store: openStore(spec, scratch),
      sibling: () => openStore(spec, scratch),
      nextJob: async () => openStore(spec, scratch),
    };
  },
  async broken() {
    // The store's folder is a file: nothing can be created under it.
    const file = join(scratch, `not-a-folder-${++serial}`);
    writeFileSync(file, 'x');
    return { store: openStore(`dir:${file}`, scratch), where: /folder .*not-a-folder/, fault: 'rejects' };
  },
};

const s3Backend: Backend = {
  name: 's3:// (s3rver)',
  async fresh() {
    resetEnv({ ...s3.env, AWS_ENDPOINT_URL: s3.endpoint });
    const spec = `s3://${s3.bucket}/contract-${++serial}`;
    return {
      store: openStore(spec, scratch),
      sibling: () => openStore(spec, scratch),
      nextJob: async () => openStore(spec, scratch),
    };
  },
  async broken() {
    resetEnv({ ...s3.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:1' });
    return {
      store: openStore(`s3://${s3.bucket}/unreachable-${++serial}`, scratch),
      where: /endpoint http:\/\/127\.0\.0\.1:1/,
      fault: 'rejects',
    };
  },
};

/** A job on a fresh runner: its own RUNNER_TEMP and run id (@actions/cache reads process.env). */
function githubJob(): void {
  const runnerTemp = join(scratch, `runner-${++serial}`);
  mkdirSync(runnerTemp, { recursive: true });
  resetEnv({ ...cache.env, RUNNER_TEMP: runnerTemp, GITHUB_RUN_ID: String(9000 + serial), GITHUB_RUN_ATTEMPT: '1' });
}

const githubBackend: Backend = {
  name: 'github-cache (local cache service)',
  async fresh() {
    githubJob();
    const spec = `github-cache:contract-${++serial}`;
    const open = () => new GitHubCacheStore(spec, { log, libraryOutput: 'stderr' });
    const store = open();
    const siblings: GitHubCacheStore[] = [store];
    return {
      store,
      sibling: () => {
        const other = open();
        siblings.push(other);
        return other;
      },
      async nextJob() {
        for (const writer of siblings) await writer.flush();
        githubJob();
        return open();
      },
    };
  },
  async broken() {
    githubJob();
    process.env.ACTIONS_RESULTS_URL = 'http://127.0.0.1:1/';
    return {
      store: new GitHubCacheStore(`github-cache:broken-${++serial}`, { log, libraryOutput: 'stderr' }),
      where: /cache service: http:\/\/127\.0\.0\.1:1/,
      fault: 'warns',
    };
  },
};

const BACKENDS = [dirBackend, s3Backend, githubBackend];

interface Entry {
  schema: number;
  id: string;
  time: string;
  writer: number;
}
const LOG: RecordLogSpec<Entry> = {
  area: 'contract/log',
  maxSchema: 1,
  validate: (value) =>
    typeof (value as Entry).id === 'string' && typeof (value as Entry).writer === 'number' ? undefined : 'not an entry',
  idOf: (entry) => entry.id,
  timeOf: (entry) => entry.time,
};

beforeAll(async () => {
  s3 = await startS3Server({ conditionalWrites: true });
  cache = await startGitHubCacheServer();
}, 120_000);
afterAll(async () => {
  resetEnv({});
  for (const [name, value] of Object.entries(savedEnv)) if (value !== undefined) process.env[name] = value;
  await s3?.dispose();
  await cache?.close();
  rmSync(scratch, { recursive: true, force: true });
});
afterEach(() => {
  takeStoreFaults();
  expect(cache.violations).toEqual([]);
});

describe.each(BACKENDS)('store contract: $name', (backend) => {
  it('get and put: absent is undefined, bytes round-trip exactly, a write replaces, the next job reads it', async () => {
    const { store, nextJob } = await backend.fresh();
    expect(await store.read('a/b/value.json')).toBeUndefined();
    await store.write('a/b/value.json', '{"schema":1}\n');
    expect((await store.read('a/b/value.json'))?.toString('utf8')).toBe('{"schema":1}\n');
    const bytes = Buffer.from([0, 255, 10, 13, 0x80, 0x7f]);
    await store.write('a/b/value.json', bytes);
    expect((await store.read('a/b/value.json'))?.equals(bytes)).toBe(true);
    await store.write('empty', '');
    expect((await store.read('empty'))?.length).toBe(0);
    const later = await nextJob();
    expect((await later.read('a/b/value.json'))?.equals(bytes)).toBe(true);
    expect(warnings).toEqual([]);
  }, 300_000);

  it('list: keys under a plain prefix, sorted, with sizes; delete removes and an absent key is no error', async () => {
    const { store, nextJob } = await backend.fresh();
    await store.write('runs/b.json', '12345');
    await store.write('runs/a.json', '1');
    await store.write('runs-other/c.json', '12');
    await store.write('top.json', '{}');
    expect((await store.list('runs/')).map((entry) => [entry.key, entry.size])).toEqual([
      ['runs/a.json', 1],
      ['runs/b.json', 5],
    ]);
    expect((await store.list('runs')).map((entry) => entry.key)).toEqual([
      'runs-other/c.json',
      'runs/a.json',
      'runs/b.json',
    ]);
    expect((await store.list()).map((entry) => entry.key)).toEqual([
      'runs-other/c.json',
      'runs/a.json',
      'runs/b.json',
      'top.json',
    ]);
    expect((await store.list('runs/'))[0].modified).toBeInstanceOf(Date);
    await store.delete('runs/a.json');
    await store.delete('runs/never-written.json');
    expect((await store.list('runs/')).map((entry) => entry.key)).toEqual(['runs/b.json']);
    expect(await store.read('runs/a.json')).toBeUndefined();
    const later = await nextJob();
    expect((await later.list('runs/')).map((entry) => entry.key)).toEqual(['runs/b.json']);
  }, 300_000);

  it('conditional write: create-only, replace only from the version read, versions change with the value', async () => {
    const { store } = await backend.fresh();
    expect(await store.readVersioned('doc.json')).toBeUndefined();
    expect(await store.writeIf('doc.json', 'one', undefined)).toBe(true);
    expect(await store.writeIf('doc.json', 'other', undefined)).toBe(false);
    const first = await store.readVersioned('doc.json');
    expect(first?.data.toString()).toBe('one');
    expect(await store.writeIf('doc.json', 'two', first!.version)).toBe(true);
    const second = await store.readVersioned('doc.json');
    expect(second?.data.toString()).toBe('two');
    expect(second!.version).not.toBe(first!.version);
    // A writer that read the first version lost: nothing is replaced.
    expect(await store.writeIf('doc.json', 'stale', first!.version)).toBe(false);
    expect((await store.read('doc.json'))?.toString()).toBe('two');
    // A plain write moves the version on too.
    await store.write('doc.json', 'three');
    expect(await store.writeIf('doc.json', 'stale', second!.version)).toBe(false);
    await store.delete('doc.json');
    expect(await store.writeIf('doc.json', 'gone', second!.version)).toBe(false);
    expect(await store.read('doc.json')).toBeUndefined();
  }, 300_000);

  it('concurrency: 20 writers incrementing one counter with conditional writes end at 20', async () => {
    const handle = await backend.fresh();
    const writers = Array.from({ length: 20 }, () => handle.sibling());
    let conflicts = 0;
    await Promise.all(
      writers.map(async (store) => {
        for (;;) {
          const current = await store.readVersioned('counter');
          const next = String(Number(current?.data.toString() ?? '0') + 1);
          if (await store.writeIf('counter', next, current?.version)) return;
          conflicts++;
        }
      }),
    );
    expect((await handle.store.read('counter'))?.toString()).toBe('20');
    expect(conflicts).toBeGreaterThan(0);
    const later = await handle.nextJob();
    expect((await later.read('counter'))?.toString()).toBe('20');
  }, 600_000);

  it('record log: 20 writers appending and compacting at once keep 20 records, and the next job reads them all', async () => {
    const handle = await backend.fresh();
    const writers = Array.from({ length: 20 }, () => handle.sibling());
    await Promise.all(
      writers.map(async (store, writer) => {
        const entry: Entry = {
          schema: 1,
          id: `entry-${writer}`,
          time: new Date(Date.UTC(2026, 0, 1, 0, writer)).toISOString(),
          writer,
        };
        await appendRecord(store, LOG, entry);
        await compactRecordLog(store, LOG);
      }),
    );
    const later = await handle.nextJob();
    const { records, skipped } = await readRecordLog(later, LOG);
    expect(skipped).toEqual([]);
    expect(records.map((entry) => entry.writer)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // One compaction more leaves one segment and nothing pending.
    await compactRecordLog(later, LOG);
    expect((await later.list('contract/log/')).map((entry) => entry.key.split('/')[2])).toEqual(['segments']);
  }, 600_000);

  it('faults: a backend that fails is named with where it points (an error, or a warning where the backend is optional)', async () => {
    const { store, where, fault } = await backend.broken();
    warnings.length = 0;
    if (fault === 'rejects') {
      await expect(store.write('x/y.json', '{}')).rejects.toThrow(where);
      await expect(store.read('x/y.json')).rejects.toThrow(where);
      await expect(store.writeIf('x/y.json', '{}', undefined)).rejects.toThrow(where);
      expect(
        takeStoreFaults()
          .map((recorded) => recorded.message)
          .join('\n'),
      ).toMatch(where);
    } else {
      // The GitHub cache is a carrier between jobs: without its service the store is the job's own folder.
      expect(await store.read('x/y.json')).toBeUndefined();
      await store.write('x/y.json', '{}');
      expect((await store.read('x/y.json'))?.toString()).toBe('{}');
      await (store as GitHubCacheStore).flush();
      expect(warnings.join('\n')).toMatch(where);
      expect(takeStoreFaults().length).toBeGreaterThan(0);
    }
    warnings.length = 0;
  }, 600_000);
});

describe('github-cache: conditional writes across jobs', () => {
  it("two jobs that replace the same version: the first saved wins, the second job's change of that key is dropped, its other changes kept", async () => {
    githubJob();
    const spec = `github-cache:cas-${++serial}`;
    const setup = new GitHubCacheStore(spec, { log, libraryOutput: 'stderr' });
    await setup.write('doc.json', 'base');
    await setup.flush();

    const runnerTemps = [0, 1].map(() => {
      githubJob();
      return { ...process.env };
    });
    const jobs: GitHubCacheStore[] = [];
    for (const [index, env] of runnerTemps.entries()) {
      resetEnv(env as Record<string, string>);
      const job = new GitHubCacheStore(spec, { log, libraryOutput: 'stderr' });
      const base = await job.readVersioned('doc.json');
      expect(base?.data.toString()).toBe('base');
      expect(await job.writeIf('doc.json', `job-${index}`, base!.version)).toBe(true);
      await job.write(`own-${index}.json`, String(index));
      jobs.push(job);
    }
    for (const [index, job] of jobs.entries()) {
      resetEnv(runnerTemps[index] as Record<string, string>);
      await job.flush();
    }
    githubJob();
    const after = new GitHubCacheStore(spec, { log, libraryOutput: 'stderr' });
    expect((await after.read('doc.json'))?.toString()).toBe('job-0');
    expect((await after.list('own-')).map((entry) => entry.key)).toEqual(['own-0.json', 'own-1.json']);
    expect(warnings).toEqual([]);
    await flushOpenStores(() => undefined);
  }, 600_000);
});
