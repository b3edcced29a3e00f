/**
 * optimize.yml's routing, read from the file and evaluated with the evaluator the end-to-end run uses: feature
 * branches skip the Docker build and the security scan, pull requests build and scan only when test-filter's path
 * filters say so, main and the schedule run everything and the full test suite.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_SERVICE_DIR } from '../examples/example-service.ts';
import { StrictObject, evaluateCondition, evaluateText, type EvaluationScope } from './workflow-expressions.ts';
import { evaluateEnv, githubContext, readWorkflow } from './workflow-runner.ts';

const workflow = readWorkflow(join(EXAMPLE_SERVICE_DIR, '.github', 'workflows', 'optimize.yml'));
const SELECTED = '["tests/inventory/test_forecast.py"]';

interface Trigger {
  event: string;
  ref: string;
  payload?: Record<string, unknown>;
}

const featurePush: Trigger = {
  event: 'push',
  ref: 'refs/heads/feature/faster-forecast',
  payload: { before: 'a'.repeat(40), after: 'b'.repeat(40) },
};
const mainPush: Trigger = {
  event: 'push',
  ref: 'refs/heads/main',
  payload: { before: 'a'.repeat(40), after: 'b'.repeat(40) },
};
const nightly: Trigger = { event: 'schedule', ref: 'refs/heads/main', payload: { schedule: '17 3 * * *' } };
const pullRequest: Trigger = {
  event: 'pull_request',
  ref: 'refs/pull/7/merge',
  payload: { number: 7, pull_request: { number: 7, base: { ref: 'main' }, head: { ref: 'feature/x' } } },
};

function github(trigger: Trigger): StrictObject {
  return githubContext({
    event: { name: trigger.event, payload: trigger.payload ?? {} },
    ref: trigger.ref,
    sha: 'b'.repeat(40),
    runId: '1',
  });
}

/** The `needs.plan` a downstream job sees, with the given path filters. */
function needsPlan(filters: Record<string, boolean>, shardCount = 2): StrictObject {
  const outputs: Record<string, string> = {
    filters: JSON.stringify(filters),
    'shard-count': String(shardCount),
    shards: '{"include":[]}',
  };
  return StrictObject.of('needs', {
    plan: StrictObject.of('needs.plan', { result: 'success', outputs: StrictObject.of('needs.plan.outputs', outputs) }),
  });
}

/** Whether a job runs: its `if:` after plan succeeded. */
function jobRuns(job: string, trigger: Trigger, filters: Record<string, boolean>, shardCount = 2): boolean {
  return evaluateCondition(workflow.jobs[job].if, {
    contexts: { github: github(trigger), needs: needsPlan(filters, shardCount) },
    status: 'success',
  });
}

/** The candidates the plan job hands test-predictor, given test-filter's selection. */
function candidates(trigger: Trigger): string {
  const plan = workflow.jobs.plan;
  const predict = plan.steps!.find((step) => step.id === 'predict')!;
  const env = evaluateEnv(workflow.env, { contexts: { github: github(trigger) } });
  const scope: EvaluationScope = {
    contexts: {
      github: github(trigger),
      env: StrictObject.of('env', env),
      steps: StrictObject.of('steps', {
        filter: StrictObject.of('steps.filter', {
          outputs: StrictObject.of('steps.filter.outputs', { 'tests-json': SELECTED }),
        }),
      }),
    },
  };
  return evaluateText(predict.with!.candidates, scope);
}

const everything = { docker: true, security: true, benchmarks: true };
const nothing = { docker: false, security: false, benchmarks: false };

describe('optimize.yml branch routing', () => {
  it('a feature-branch push skips the Docker build, the security scan and the perf job, even when its paths match', () => {
    expect(jobRuns('docker', featurePush, everything)).toBe(false);
    expect(jobRuns('security', featurePush, everything)).toBe(false);
    expect(jobRuns('perf', featurePush, everything)).toBe(false);
    expect(jobRuns('test', featurePush, everything)).toBe(true);
    expect(candidates(featurePush)).toBe(SELECTED);
  });

  it('main runs the Docker build and the security scan, whatever the paths, and the full suite', () => {
    expect(jobRuns('docker', mainPush, nothing)).toBe(true);
    expect(jobRuns('security', mainPush, nothing)).toBe(true);
    expect(jobRuns('perf', mainPush, everything)).toBe(false);
    // Empty candidates: test-predictor takes every test file.
    expect(candidates(mainPush)).toBe('');
  });

  it('the nightly schedule runs everything, the full suite and the model training', () => {
    expect(jobRuns('docker', nightly, nothing)).toBe(true);
    expect(jobRuns('security', nightly, nothing)).toBe(true);
    expect(candidates(nightly)).toBe('');
    const train = workflow.jobs.finish.steps!.find((step) => step.name === 'retrain the failure model (nightly)')!;
    const scope = (trigger: Trigger): EvaluationScope => ({ contexts: { github: github(trigger) }, status: 'success' });
    expect(evaluateCondition(train.if, scope(nightly))).toBe(true);
    expect(evaluateCondition(train.if, scope(mainPush))).toBe(false);
  });

  it('the impact map is learned on the nightly schedule only, and only when every shard passed', () => {
    const learn = workflow.jobs.finish.steps!.find((step) => step.id === 'learn')!;
    const needs = (result: string) =>
      StrictObject.of('needs', {
        test: StrictObject.of('needs.test', { result, outputs: StrictObject.of('needs.test.outputs', {}) }),
      });
    const learns = (trigger: Trigger, result: string) =>
      evaluateCondition(learn.if, { contexts: { github: github(trigger), needs: needs(result) }, status: 'success' });
    expect(learns(nightly, 'success')).toBe(true);
    expect(learns(nightly, 'failure')).toBe(false);
    expect(learns(mainPush, 'success')).toBe(false);
    expect(learns(pullRequest, 'success')).toBe(false);
    // The shards measure coverage on the same trigger.
    const pytest = workflow.jobs.test.steps!.find((step) => step.name === "pytest on this shard's test files")!;
    expect(evaluateText(pytest.env!.LEARN_IMPACT_MAP, { contexts: { github: github(nightly) } })).toBe('true');
    expect(evaluateText(pytest.env!.LEARN_IMPACT_MAP, { contexts: { github: github(pullRequest) } })).toBe('false');
  });

  it('a pull request builds and scans only what its path filters select, and gets the perf comment', () => {
    expect(jobRuns('docker', pullRequest, { docker: false, security: true, benchmarks: true })).toBe(false);
    expect(jobRuns('security', pullRequest, { docker: false, security: true, benchmarks: true })).toBe(true);
    expect(jobRuns('docker', pullRequest, { docker: true, security: false, benchmarks: false })).toBe(true);
    expect(jobRuns('perf', pullRequest, { docker: false, security: false, benchmarks: true })).toBe(true);
    expect(jobRuns('perf', pullRequest, nothing)).toBe(false);
    expect(candidates(pullRequest)).toBe(SELECTED);
  });

  it('the shard jobs start only when there is something to run; finish runs after failures too', () => {
    expect(jobRuns('test', pullRequest, nothing, 0)).toBe(false);
    const finish = (status: 'success' | 'failure') =>
      evaluateCondition(workflow.jobs.finish.if, {
        contexts: { github: github(pullRequest), needs: needsPlan(nothing) },
        status,
      });
    expect(finish('failure')).toBe(true);
    expect(finish('success')).toBe(true);
  });
});
