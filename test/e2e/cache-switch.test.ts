/**
 * optimize.yml uses actions/cache and documents a one-line switch to the suite's s3-cache. This checks that the
 * switch holds: every input the workflow gives an actions/cache step is an input of the matching s3-cache action,
 * and every output it reads from one is an s3-cache output, so only `uses:` and `bucket:` change.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXAMPLE_SERVICE_DIR } from '../examples/example-service.ts';
import { REPO_ROOT } from '../support/action-runner.ts';
import { readWorkflow } from './workflow-runner.ts';

const SWITCH: Record<string, string> = {
  'actions/cache': 's3-cache',
  'actions/cache/restore': 's3-cache/restore',
  'actions/cache/save': 's3-cache/save',
};

function metadata(action: string): { inputs: string[]; outputs: string[]; required: string[] } {
  const yml = parse(readFileSync(join(REPO_ROOT, 'actions', action, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, { required?: boolean }>;
    outputs?: Record<string, unknown>;
  };
  return {
    inputs: Object.keys(yml.inputs ?? {}),
    outputs: Object.keys(yml.outputs ?? {}),
    required: Object.entries(yml.inputs ?? {})
      .filter(([, input]) => input.required)
      .map(([name]) => name),
  };
}

describe('optimize.yml cache steps switch to s3-cache in one line', () => {
  const workflow = readWorkflow(join(EXAMPLE_SERVICE_DIR, '.github', 'workflows', 'optimize.yml'));
  const text = readFileSync(join(EXAMPLE_SERVICE_DIR, '.github', 'workflows', 'optimize.yml'), 'utf8');
  const cacheSteps = Object.values(workflow.jobs).flatMap((job) =>
    (job.steps ?? []).filter((step) => step.uses && SWITCH[step.uses.replace(/@.*$/, '')]),
  );

  it('has cache steps to switch (restore and save of the store, the dependency cache)', () => {
    expect(cacheSteps.map((step) => step.uses!.replace(/@.*$/, '')).sort()).toEqual([
      'actions/cache',
      'actions/cache/restore',
      'actions/cache/restore',
      'actions/cache/save',
    ]);
  });

  it('gives each only inputs its s3-cache counterpart has, which then needs nothing but bucket', () => {
    for (const step of cacheSteps) {
      const s3 = metadata(SWITCH[step.uses!.replace(/@.*$/, '')]);
      const given = Object.keys(step.with ?? {});
      expect(
        given.filter((input) => !s3.inputs.includes(input)),
        step.name ?? step.uses,
      ).toEqual([]);
      expect(s3.required.filter((input) => !given.includes(input))).toEqual(['bucket']);
    }
  });

  it('reads only outputs s3-cache also sets', () => {
    for (const step of cacheSteps.filter((s) => s.id)) {
      const read = [...text.matchAll(new RegExp(`steps\\.${step.id}\\.outputs\\.([A-Za-z0-9_-]+)`, 'g'))].map(
        (m) => m[1],
      );
      expect(read.length).toBeGreaterThan(0);
      const s3 = metadata(SWITCH[step.uses!.replace(/@.*$/, '')]);
      expect(read.filter((output) => !s3.outputs.includes(output))).toEqual([]);
    }
  });
});
