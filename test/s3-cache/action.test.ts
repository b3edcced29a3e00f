import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, RunnerJob, runActionStep } from '../support/action-runner.ts';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';
import { buildTree, snapshot, writeFile } from './support.ts';

// Runner-contract tests: the bundles in dist/ run as the runner runs them, main and post, against s3rver.
let server: S3TestServer;
const jobs: RunnerJob[] = [];

beforeAll(async () => {
  server = await startS3Server();
});
afterAll(async () => {
  await server.dispose();
});
afterEach(() => {
  for (const job of jobs.splice(0)) job.remove();
});

function newJob(): RunnerJob {
  const job = new RunnerJob();
  jobs.push(job);
  return job;
}

const s3Inputs = () => ({ bucket: server.bucket, endpoint: server.endpoint, prefix: 'contract' });

describe('actions/s3-cache (restore in main, save in post)', () => {
  it('misses and saves in post, then hits exactly on another job and skips the save', async () => {
    const first = newJob();
    buildTree(join(first.workspace, 'deps dir'), 'one');
    const inputs = { ...s3Inputs(), path: 'deps dir', key: 'contract-deps-1', 'restore-keys': 'contract-deps-' };
    const run1 = await runActionStep({ action: 's3-cache', job: first, inputs, env: server.env });
    expect(run1.main.exitCode).toBe(0);
    expect(run1.main.outputs).toMatchObject({
      'cache-hit': 'false',
      'cache-primary-key': 'contract-deps-1',
      'cache-matched-key': '',
      'hit-kind': 'miss',
    });
    expect(JSON.parse(run1.main.outputs.metrics).counters).toMatchObject({ 'cache-miss': 1, 'cache-exact-hit': 0 });
    expect(run1.post?.exitCode).toBe(0);
    expect(run1.post?.stdout).toMatch(/Cache saved with key 'contract-deps-1'/);
    expect(run1.main.annotations.concat(run1.post?.annotations ?? [])).toEqual([]);

    const second = newJob();
    const run2 = await runActionStep({ action: 's3-cache', job: second, inputs, env: server.env });
    expect(run2.main.outputs).toMatchObject({
      'cache-hit': 'true',
      'cache-matched-key': 'contract-deps-1',
      'hit-kind': 'exact',
    });
    expect(Number(run2.main.outputs['archive-size'])).toBeGreaterThan(0);
    expect(JSON.parse(run2.main.outputs.metrics).counters).toMatchObject({ 'cache-exact-hit': 1, 'cache-miss': 0 });
    expect(snapshot(join(second.workspace, 'deps dir'))).toEqual(snapshot(join(first.workspace, 'deps dir')));
    expect(run2.post?.stdout).toMatch(/Cache hit occurred on the primary key contract-deps-1, not saving cache/);
  }, 180_000); // four bundle runs: room for a loaded machine

  it('save-always exports the variable that post-if reads, since inputs are not visible there', async () => {
    const job = newJob();
    const run = await runActionStep({
      action: 's3-cache',
      job,
      inputs: { ...s3Inputs(), path: 'nothing', key: 'always', 'save-always': 'true' },
      env: server.env,
      post: false,
    });
    expect(run.main.exitCode).toBe(0);
    const envFiles = readdirSync(join(job.root, 'files')).filter((name) => name.endsWith('-env'));
    const exported = envFiles.map((name) => readFileSync(join(job.root, 'files', name), 'utf8')).join('');
    expect(exported).toBe('CI_OPTIMIZER_S3_CACHE_SAVE_ALWAYS=true\n');
    const actionYml = readFileSync(join(REPO_ROOT, 'actions/s3-cache/action.yml'), 'utf8');
    expect(actionYml).toContain(`post-if: "success() || env.CI_OPTIMIZER_S3_CACHE_SAVE_ALWAYS == 'true'"`);
  });

  it('a store that is down is a warning and a miss; the job goes on', async () => {
    const job = newJob();
    writeFile(join(job.workspace, 'x/file'), 'x');
    const run = await runActionStep({
      action: 's3-cache',
      job,
      inputs: { ...s3Inputs(), endpoint: 'http://127.0.0.1:9', 'max-attempts': '1', path: 'x', key: 'down' },
      env: server.env,
    });
    expect(run.main.exitCode).toBe(0);
    expect(run.main.outputs['hit-kind']).toBe('miss');
    expect(run.main.annotations).toEqual([
      {
        level: 'warning',
        message: expect.stringMatching(/Failed to restore cache 'down': .*could not be reached \(ECONNREFUSED\)/),
      },
    ]);
    expect(run.post?.exitCode).toBe(0);
    expect(run.post?.annotations[0]?.message).toMatch(/Failed to save cache 'down'/);
  });
});

describe('actions/s3-cache/restore and /save', () => {
  it('save-only stores under key; restore-only finds it by prefix and reports the keys as outputs', async () => {
    const saver = newJob();
    writeFile(join(saver.workspace, 'build/out.txt'), 'built');
    const save = await runActionStep({
      action: 's3-cache/save',
      job: saver,
      inputs: { ...s3Inputs(), path: 'build', key: 'split-build-1' },
      env: server.env,
    });
    expect(save.main.exitCode).toBe(0);
    expect(save.main.outputs.saved).toBe('true');
    expect(Number(save.main.outputs['bytes-transferred'])).toBe(Number(save.main.outputs['archive-size']));

    const restorer = newJob();
    const restore = await runActionStep({
      action: 's3-cache/restore',
      job: restorer,
      inputs: { ...s3Inputs(), path: 'build', key: 'split-build-2', 'restore-keys': 'split-build-' },
      env: server.env,
    });
    expect(restore.main.outputs).toMatchObject({
      'cache-hit': 'false',
      'cache-primary-key': 'split-build-2',
      'cache-matched-key': 'split-build-1',
      'hit-kind': 'prefix',
    });
    expect(readFileSync(join(restorer.workspace, 'build/out.txt'), 'utf8')).toBe('built');
    expect(restore.main.state).toEqual({});
  });

  it('fail-on-cache-miss fails the step with the key in the message', async () => {
    const job = newJob();
    const run = await runActionStep({
      action: 's3-cache/restore',
      job,
      inputs: { ...s3Inputs(), path: 'p', key: 'never-saved', 'fail-on-cache-miss': 'true' },
      env: server.env,
    });
    expect(run.main.exitCode).toBe(1);
    expect(run.main.annotations.at(-1)?.message).toMatch(/fail-on-cache-miss is set\. Input key: never-saved/);
    expect(existsSync(join(job.workspace, 'p'))).toBe(false);
  });

  it('a bad input fails the step naming the input', async () => {
    const run = await runActionStep({
      action: 's3-cache/restore',
      job: newJob(),
      inputs: { ...s3Inputs(), path: 'p', key: 'a,b' },
      env: server.env,
    });
    expect(run.main.exitCode).toBe(1);
    expect(run.main.annotations.at(-1)?.message).toMatch(/Input 'key' has value 'a,b', which contains a comma/);
  });
});

describe('actions/s3-cache/prune', () => {
  it('reports with dry-run, then deletes entries by age', async () => {
    const job = newJob();
    writeFile(join(job.workspace, 'p/file'), 'p');
    const prefix = 'prune-contract';
    await runActionStep({
      action: 's3-cache/save',
      job,
      inputs: { ...s3Inputs(), prefix, path: 'p', key: 'old-entry' },
      env: server.env,
    });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const inputs = { bucket: server.bucket, endpoint: server.endpoint, prefix, 'max-age': '1s' };
    const dry = await runActionStep({
      action: 's3-cache/prune',
      job,
      inputs: { ...inputs, 'dry-run': 'true' },
      env: server.env,
    });
    expect(dry.main.outputs).toMatchObject({ 'entries-deleted': '1', 'entries-kept': '0' });
    const real = await runActionStep({ action: 's3-cache/prune', job, inputs, env: server.env });
    expect(JSON.parse(real.main.outputs['deleted-keys'])).toEqual(['old-entry']);
    const after = await runActionStep({ action: 's3-cache/prune', job, inputs, env: server.env });
    expect(after.main.outputs['entries-deleted']).toBe('0');
  }, 180_000); // four bundle runs: room for a loaded machine
});

describe('scoping and bounded faults, through the bundles', () => {
  const repository = { full_name: 'octo-org/octo-repo', default_branch: 'main' };
  const inputsFor = (key: string) => ({
    ...s3Inputs(),
    prefix: 'contract-scope',
    path: 'deps',
    key,
    'restore-keys': 'scoped-',
  });

  it("a pull request restores the default branch's entry and saves into its own scope; pull_request_target does not save", async () => {
    const main = newJob();
    writeFile(join(main.workspace, 'deps/which.txt'), 'main');
    const mainEvent = { name: 'push', payload: { repository } };
    const first = await runActionStep({
      action: 's3-cache',
      job: main,
      inputs: inputsFor('scoped-1'),
      env: server.env,
      event: mainEvent,
    });
    expect(first.post?.stdout).toMatch(/Cache saved with key 'scoped-1' in scope branch\/main/);

    const prJob = newJob();
    const prEvent = {
      name: 'pull_request',
      payload: { repository, pull_request: { number: 7, base: { ref: 'main' } } },
    };
    const prEnv = { ...server.env, GITHUB_REF: 'refs/pull/7/merge', GITHUB_BASE_REF: 'main' };
    const pr = await runActionStep({
      action: 's3-cache',
      job: prJob,
      inputs: inputsFor('scoped-2'),
      env: prEnv,
      event: prEvent,
    });
    expect(pr.main.outputs).toMatchObject({ 'hit-kind': 'prefix', 'cache-matched-key': 'scoped-1' });
    expect(readFileSync(join(prJob.workspace, 'deps/which.txt'), 'utf8')).toBe('main');
    expect(pr.post?.stdout).toMatch(/Cache saved with key 'scoped-2' in scope pr\/7/);

    // The pull request's entry is invisible to the default branch.
    const again = await runActionStep({
      action: 's3-cache/restore',
      job: newJob(),
      inputs: { ...inputsFor('scoped-2'), 'restore-keys': '' },
      env: server.env,
      event: mainEvent,
    });
    expect(again.main.outputs['hit-kind']).toBe('miss');

    const targetJob = newJob();
    writeFile(join(targetJob.workspace, 'deps/which.txt'), 'poison');
    const targetEvent = {
      name: 'pull_request_target',
      payload: { repository, pull_request: { number: 8, base: { ref: 'main' } } },
    };
    const target = await runActionStep({
      action: 's3-cache',
      job: targetJob,
      inputs: { ...inputsFor('scoped-3'), 'restore-keys': '' },
      env: { ...server.env, GITHUB_BASE_REF: 'main' },
      event: targetEvent,
    });
    expect(target.main.exitCode).toBe(0);
    expect(target.post?.exitCode).toBe(0);
    expect(target.post?.stdout).toMatch(
      /Not saving cache 'scoped-3': pull_request_target runs with the base branch's rights/,
    );
    const afterTarget = await runActionStep({
      action: 's3-cache/restore',
      job: newJob(),
      inputs: { ...inputsFor('scoped-3'), 'restore-keys': '' },
      env: server.env,
      event: mainEvent,
    });
    expect(afterTarget.main.outputs['hit-kind']).toBe('miss');
  }, 180_000);

  it('a save to a store that accepts connections and never answers ends in bounded time, exit 0, with a warning', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const hole = createServer((socket) => {
      sockets.push(socket);
      socket.pause();
    });
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', () => resolve()));
    const endpoint = `http://127.0.0.1:${(hole.address() as { port: number }).port}`;
    try {
      const job = newJob();
      writeFile(join(job.workspace, 'deps/blob.bin'), Buffer.alloc(1024 * 1024, 7));
      const started = performance.now();
      const run = await runActionStep({
        action: 's3-cache/save',
        job,
        inputs: { bucket: server.bucket, endpoint, path: 'deps', key: 'hole-1' },
        env: server.env,
      });
      const seconds = (performance.now() - started) / 1000;
      expect(run.main.exitCode).toBe(0);
      expect(run.main.outputs.saved).toBe('false');
      expect(seconds).toBeLessThan(60);
      expect(run.main.annotations).toEqual([
        {
          level: 'warning',
          message: expect.stringMatching(
            new RegExp(`Failed to save cache 'hole-1': .*${endpoint}.*within 10 s \\(first-byte-timeout\\)`),
          ),
        },
      ]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => hole.close(() => resolve()));
    }
  }, 120_000);
});
