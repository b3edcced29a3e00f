import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerJob, runActionStep } from '../support/action-runner.ts';

// A store that never works must be noticed: the warning names the store and its endpoint, the summary says history
// is not being kept, and store-required: true fails the step (through the report bundle, which records its run).
describe('a store that does not work (dist/report/index.js)', () => {
  const job = new RunnerJob();
  afterAll(() => job.remove());
  const env = {
    AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'y',
    AWS_MAX_ATTEMPTS: '1',
  };
  const store = 's3://no-such-bucket/history';
  // report reaches its store only for a run in which a step recorded metrics (an empty run is not history).
  beforeAll(() => {
    const step = {
      action: 'test-filter',
      version: '0',
      'duration-ms': 5,
      phases: {},
      counters: { 'tests-selected': 1, 'tests-total': 2 },
    };
    mkdirSync(join(job.runnerTemp, 'ci-optimizer'), { recursive: true });
    writeFileSync(join(job.runnerTemp, 'ci-optimizer', 'metrics.jsonl'), `${JSON.stringify(step)}\n`);
  });

  it('warns naming the store and the endpoint, and says so in the summary; the step goes on', async () => {
    const { main } = await runActionStep({ action: 'report', job, inputs: { store }, env });
    expect(main.exitCode, main.stdout).toBe(0);
    const warnings = main.annotations
      .filter((a) => a.level === 'warning')
      .map((a) => a.message)
      .join('\n');
    expect(warnings).toContain(`the store '${store}' (endpoint http://127.0.0.1:1) could not`);
    expect(main.summary).toContain('History is not being kept');
    expect(main.summary).toContain('store-required: true');
  });

  it('fails the step with store-required: true', async () => {
    const { main } = await runActionStep({ action: 'report', job, inputs: { store, 'store-required': 'true' }, env });
    expect(main.exitCode).toBe(1);
    expect(main.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /store-required is true and the store 's3:\/\/no-such-bucket\/history' \(endpoint http:\/\/127\.0\.0\.1:1\)/,
    );
  });

  it('refuses a store-required value that is not a boolean before doing anything', async () => {
    const { main } = await runActionStep({ action: 'report', job, inputs: { 'store-required': 'sometimes' } });
    expect(main.exitCode).toBe(1);
    expect(main.annotations.find((a) => a.level === 'error')?.message).toContain(
      "Input 'store-required' has value 'sometimes'",
    );
  });
});
