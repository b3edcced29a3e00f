import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunHistory } from '@ci-optimizer/core/report';
import { openStore, S3Store } from '@ci-optimizer/core/store';
import { RunnerJob, runActionStep } from '../support/action-runner.ts';
import { setEnv, startS3Server, type S3TestServer } from '../support/s3-server.ts';

describe('s3:// store (real s3rver on 127.0.0.1)', () => {
  let server: S3TestServer;
  let restoreEnv: () => void;
  beforeAll(async () => {
    server = await startS3Server();
    restoreEnv = setEnv({ ...server.env, AWS_ENDPOINT_URL: server.endpoint });
  });
  afterAll(async () => {
    restoreEnv();
    await server.dispose();
  });

  it('writes, reads, lists and deletes under the prefix', async () => {
    const store = openStore(`s3://${server.bucket}/team/ci`, '/unused');
    expect(store.description).toBe(`s3://${server.bucket}/team/ci`);
    await store.write('report/runs.jsonl', '{"schema":1}\n');
    expect((await store.read('report/runs.jsonl'))?.toString()).toBe('{"schema":1}\n');
    expect(await store.read('missing.json')).toBeUndefined();
    expect((await store.list('report/')).map((entry) => entry.key)).toEqual(['report/runs.jsonl']);
    await store.delete('report/runs.jsonl');
    expect(await store.list()).toEqual([]);
  });

  it('names the input when the URL has no bucket', async () => {
    const store = openStore('s3://', '/unused');
    await expect(store.read('x')).rejects.toThrow(/Input 'store' has value 's3:\/\/'/);
  });

  it('carries the report history of an action between runs', async () => {
    const job = new RunnerJob();
    try {
      const env = { ...server.env, AWS_ENDPOINT_URL: server.endpoint } as Record<string, string>;
      const store = `s3://${server.bucket}/history`;
      // report keeps only runs in which a step recorded metrics (an empty run is not history).
      const step = {
        action: 'test-filter',
        version: '0',
        'duration-ms': 5,
        phases: {},
        counters: { 'tests-selected': 1, 'tests-total': 2 },
      };
      mkdirSync(join(job.runnerTemp, 'ci-optimizer'), { recursive: true });
      writeFileSync(join(job.runnerTemp, 'ci-optimizer', 'metrics.jsonl'), `${JSON.stringify(step)}\n`);
      await runActionStep({ action: 'report', job, inputs: { store }, env });
      const second = await runActionStep({ action: 'report', job, inputs: { store }, env });
      expect(second.main.exitCode).toBe(0);
      // The runs were on refs/heads/main: their objects live under the branch's scope, nowhere else.
      const { runs, skipped } = await readRunHistory(openStore(`${store}/branch/main`, '/unused'));
      expect(skipped).toBe(0);
      expect(runs).toHaveLength(2);
      expect((await openStore(store, '/unused').list('report/')).map((entry) => entry.key)).toEqual([]);
    } finally {
      job.remove();
    }
  });
});

describe('s3:// store scopes', () => {
  let server: S3TestServer;
  let restoreEnv: () => void;
  beforeAll(async () => {
    server = await startS3Server();
    restoreEnv = setEnv(server.env); // credentials come from the process's AWS chain
  });
  afterAll(async () => {
    restoreEnv();
    await server.dispose();
  });

  it("a pull request's run reads the default branch's files, writes only its own scope, and main never sees them", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-opt-s3scope-'));
    try {
      const event = join(dir, 'event.json');
      writeFileSync(
        event,
        JSON.stringify({ repository: { full_name: 'o/r', default_branch: 'main' }, pull_request: { number: 7 } }),
      );
      const base = {
        ...server.env,
        AWS_ENDPOINT_URL: server.endpoint,
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_PATH: event,
      };
      const mainEnv = { ...base, GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main' };
      const prEnv = {
        ...base,
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_REF: 'refs/pull/7/merge',
        GITHUB_BASE_REF: 'main',
      };
      const url = `s3://${server.bucket}/scoped`;
      await new S3Store(url, mainEnv).write('baseline.json', 'main');
      const prStore = new S3Store(url, prEnv);
      expect((await prStore.read('baseline.json'))?.toString()).toBe('main');
      await prStore.write('baseline.json', 'pr');
      await prStore.write('pr-only.json', 'pr');
      expect((await prStore.read('baseline.json'))?.toString()).toBe('pr');
      expect((await prStore.list()).map((entry) => entry.key)).toEqual(['baseline.json', 'pr-only.json']);
      const mainStore = new S3Store(url, mainEnv);
      expect((await mainStore.read('baseline.json'))?.toString()).toBe('main');
      expect(await mainStore.read('pr-only.json')).toBeUndefined();
      // The layout, seen unscoped (outside Actions): each run's files under its own scope.
      // pull_request_target runs on main's ref: it reads main's files but its writes stay out of main's scope.
      const targetEnv = {
        ...base,
        GITHUB_EVENT_NAME: 'pull_request_target',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_BASE_REF: 'main',
      };
      const target = new S3Store(url, targetEnv);
      expect((await target.read('baseline.json'))?.toString()).toBe('main');
      await target.write('baseline.json', 'poison');
      expect((await target.read('baseline.json'))?.toString()).toBe('poison');
      expect((await new S3Store(url, mainEnv).read('baseline.json'))?.toString()).toBe('main');
      const root = new S3Store(url, { ...server.env, AWS_ENDPOINT_URL: server.endpoint });
      expect((await root.list()).map((entry) => entry.key)).toEqual([
        'branch/main/baseline.json',
        'pr/7/baseline.json',
        'pr/7/pr-only.json',
        'untrusted/pull_request_target/baseline.json',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
