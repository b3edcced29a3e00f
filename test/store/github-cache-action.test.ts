import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, RunnerJob, runActionStep } from '../support/action-runner.ts';
import { startGitHubCacheServer, type GitHubCacheServer } from '../support/github-cache-server.ts';

// The cache-key action keeps its hit history in the store: each run adds one record, so `hit-rate-runs` says how
// much history the step saw, i.e. whether the store came back from the GitHub cache.
describe('store: github-cache through dist/ bundles', () => {
  let server: GitHubCacheServer;
  const jobs: RunnerJob[] = [];
  beforeAll(async () => {
    server = await startGitHubCacheServer();
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(() => {
    for (const job of jobs.splice(0)) job.remove();
    expect(server.violations).toEqual([]);
  });

  function newJob(): RunnerJob {
    const job = new RunnerJob();
    jobs.push(job);
    writeFileSync(join(job.workspace, 'requirements.txt'), 'requests==2.32.3\n');
    return job;
  }
  const inputs = (store: string, extra: Record<string, string>) => ({
    'probe-runtimes': 'false',
    'python-version': '3.12',
    ecosystems: 'pip',
    store,
    ...extra,
  });
  const lookups = () => server.requests.filter((request) => request.operation === 'GetCacheEntryDownloadURL').length;

  it('carries the store from one job to the next, and restores once per job', async () => {
    const store = 'github-cache:contract';
    const env = server.env;
    const first = newJob();
    const one = await runActionStep({
      action: 'cache-key',
      job: first,
      inputs: inputs(store, { 'record-restore': 'true' }),
      env,
    });
    expect(one.main.exitCode, one.main.stderr + one.main.stdout).toBe(0);
    expect(one.main.outputs['hit-rate-runs']).toBe('1');
    expect(one.main.annotations.filter((a) => a.message.includes('GitHub cache'))).toEqual([]);
    expect(server.entries().map((entry) => entry.key)).toEqual(['ci-optimizer-store/contract/0000000001']);

    const second = newJob();
    const before = lookups();
    const two = await runActionStep({
      action: 'cache-key',
      job: second,
      inputs: inputs(store, { 'cache-hit': 'true' }),
      env,
    });
    expect(two.main.exitCode, two.main.stderr + two.main.stdout).toBe(0);
    expect(two.main.outputs['hit-rate-runs']).toBe('2');
    expect(two.main.stdout).toContain(
      `Restored the store '${store}' from the GitHub cache entry '${server.entries()[0].key}'`,
    );
    // A later step of the same job: no second restore, and it sees the step before it.
    const three = await runActionStep({
      action: 'cache-key',
      job: second,
      inputs: inputs(store, { 'cache-hit': 'false' }),
      env,
    });
    expect(three.main.outputs['hit-rate-runs']).toBe('3');
    // One restore for the job; each of the two saves looks up the newest entry to merge into.
    expect(lookups()).toBe(before + 3);
    expect(three.main.stdout).not.toContain('Restored the store');
    expect(server.entries()).toHaveLength(3);

    const third = newJob();
    const four = await runActionStep({
      action: 'cache-key',
      job: third,
      inputs: inputs(store, { 'cache-hit': 'true' }),
      env,
    });
    expect(four.main.outputs['hit-rate-runs']).toBe('4');
  });

  it('warns and goes on with a local store when the step has no runtime token (a run: step)', async () => {
    const job = newJob();
    const { ACTIONS_RUNTIME_TOKEN: _token, ...env } = server.env;
    const run = await runActionStep({
      action: 'cache-key',
      job,
      inputs: inputs('github-cache', { 'record-restore': 'true' }),
      env,
    });
    expect(run.main.exitCode, run.main.stderr + run.main.stdout).toBe(0);
    expect(run.main.outputs['hit-rate-runs']).toBe('1');
    const warnings = run.main.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    expect(
      warnings.filter((m) => m.includes('cannot reach the GitHub cache: ACTIONS_RUNTIME_TOKEN is not set')),
    ).toHaveLength(1);
  });

  it("keeps the CLI's --json stdout clean while it restores and saves", async () => {
    const job = newJob();
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: job.root,
      GITHUB_SERVER_URL: 'https://github.com',
      RUNNER_TEMP: job.runnerTemp,
      GITHUB_RUN_ID: '77',
      ...server.env,
    };
    const args = [
      join(REPO_ROOT, 'dist/cli/index.js'),
      'cache-key',
      '--repo',
      job.workspace,
      '--ecosystems',
      'pip',
      '--probe-runtimes',
      'false',
      '--python-version',
      '3.12',
      '--record-restore',
      '--store',
      'github-cache:cli',
      '--json',
    ];
    // Not spawnSync: the service runs in this process and must answer while the CLI waits.
    const first = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: job.workspace, env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)['hit-rate-runs']).toBe(1);
    expect(first.stderr).toContain(
      "Saved the store 'github-cache:cli' to the GitHub cache as 'ci-optimizer-store/cli/0000000001'",
    );
    expect(first.stderr).not.toContain('::debug::');
  });
});
