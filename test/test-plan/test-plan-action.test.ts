import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, RunnerJob, runActionStep } from '../support/action-runner.ts';
import { TempGitRepo } from '../support/git-repo.ts';
import { copyExampleService } from '../examples/example-service.ts';

describe('test plan (the root action.yml) through dist/test-plan/index.js', () => {
  let job: RunnerJob | undefined;
  let cleanup: (() => void) | undefined;
  afterEach(() => {
    job?.remove();
    cleanup?.();
    job = undefined;
    cleanup = undefined;
  });

  it('the root action.yml is the test-plan action, pointing into dist/', () => {
    const root = parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8'));
    const plan = parse(readFileSync(join(REPO_ROOT, 'actions/test-plan/action.yml'), 'utf8'));
    expect(root.runs.main).toBe('dist/test-plan/index.js');
    expect({ ...root, runs: undefined }).toEqual({ ...plan, runs: undefined });
  });

  it('selects what a pull request can break, orders it and shards it for a matrix', async () => {
    const example = copyExampleService();
    cleanup = () => example.remove();
    const exampleRepo = new TempGitRepo(example.dir);
    exampleRepo.git('init', '-q', '-b', 'main');
    exampleRepo.git('config', 'user.name', 'Test');
    exampleRepo.git('config', 'user.email', 'test@example.invalid');
    const base = exampleRepo.commit('baseline');
    const fees = join(example.dir, 'src/service/payments/refunds.py');
    writeFileSync(fees, `${readFileSync(fees, 'utf8')}\n\ndef _plan_probe():\n    return 1\n`);
    const head = exampleRepo.commit('change refunds');
    job = new RunnerJob();

    const { main } = await runActionStep({
      action: 'test-plan',
      job,
      workspace: example.dir,
      inputs: { shards: '2' },
      event: { name: 'pull_request', payload: { pull_request: { base: { sha: base }, head: { sha: head } } } },
    });

    expect(main.exitCode, main.stdout + main.stderr).toBe(0);
    expect(main.outputs['run-all']).toBe('false');
    const tests: string[] = JSON.parse(main.outputs['tests-json']);
    const total = Number(main.outputs['total-count']);
    expect(tests.length).toBeGreaterThan(0);
    expect(tests.length).toBeLessThan(total);
    expect(tests.some((test) => test.includes('refund'))).toBe(true);
    const matrix = JSON.parse(main.outputs.shards);
    expect(matrix.include).toHaveLength(Number(main.outputs['shard-count']));
    const sharded = matrix.include.flatMap((shard: { 'tests-json': string }) => JSON.parse(shard['tests-json']));
    expect(sharded.sort()).toEqual([...tests].sort());
    expect(main.outputs['cold-start']).toBe('true');
    const metrics = JSON.parse(main.outputs.metrics);
    expect(metrics.action).toBe('test-plan');
    expect(metrics.counters['tests-total']).toBe(total);
  });
});
