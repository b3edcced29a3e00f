import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendJsonLines, openStore, readJsonLines } from '@ci-optimizer/core/store';
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
    await appendJsonLines(store, 'report/runs.jsonl', [{ schema: 1, n: 2 }]);
    expect((await readJsonLines(store, 'report/runs.jsonl', 1)).records).toEqual([{ schema: 1 }, { schema: 1, n: 2 }]);
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
      const step = { action: 'test-filter', version: '0', 'duration-ms': 5, phases: {}, counters: { 'tests-selected': 1, 'tests-total': 2 } };
      mkdirSync(join(job.runnerTemp, 'ci-optimizer'), { recursive: true });
      writeFileSync(join(job.runnerTemp, 'ci-optimizer', 'metrics.jsonl'), `${JSON.stringify(step)}\n`);
      await runActionStep({ action: 'report', job, inputs: { store }, env });
      const second = await runActionStep({ action: 'report', job, inputs: { store }, env });
      expect(second.main.exitCode).toBe(0);
      const { records } = await readJsonLines(openStore(store, '/unused'), 'report/runs.jsonl', 1);
      expect(records).toHaveLength(2);
    } finally {
      job.remove();
    }
  });
});
