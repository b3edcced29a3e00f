import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunnerJob, runActionStep } from '../support/action-runner.ts';

const record = (action: string, ms: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ action, version: '0.1.0', 'duration-ms': ms, phases: { diff: 12, select: 30 }, counters: { 'tests-selected': 7 }, ...extra });

describe('report action through dist/report/index.js', () => {
  let job: RunnerJob;
  afterEach(() => job?.remove());

  it('summarises every metrics record of the job and publishes its own timing outputs', async () => {
    job = new RunnerJob();
    mkdirSync(join(job.runnerTemp, 'ci-optimizer'), { recursive: true });
    writeFileSync(join(job.runnerTemp, 'ci-optimizer', 'metrics.jsonl'), `${record('cache-key', 150)}\n${record('test-filter', 1250)}\n`);

    const { main } = await runActionStep({ action: 'report', job });

    expect(main.exitCode).toBe(0);
    expect(main.outputs.steps).toBe('2');
    expect(main.outputs['total-ms']).toBe('1400');
    expect(Number(main.outputs['duration-ms'])).toBeGreaterThanOrEqual(0);
    const metrics = JSON.parse(main.outputs.metrics);
    expect(metrics).toMatchObject({ action: 'report', version: '0.1.0', counters: { steps: 2, 'malformed-lines': 0 } });
    expect(Object.keys(metrics.phases)).toEqual(['read', 'render']);
    expect(main.summary).toContain('| Step | Duration |');
    expect(main.summary).toMatch(/\| cache-key \| 150 ms \|/);
    expect(main.summary).toMatch(/\| test-filter \| 1\.3 s \| diff 12 ms, select 30 ms \| tests-selected: 7 \|/);
  });

  it('warns about a malformed line with its line number and still summarises the rest', async () => {
    job = new RunnerJob();
    mkdirSync(join(job.runnerTemp, 'ci-optimizer'), { recursive: true });
    writeFileSync(
      join(job.runnerTemp, 'ci-optimizer', 'metrics.jsonl'),
      `${record('cache-key', 100)}\n{"action": "broken", \n${JSON.stringify({ action: 'x' })}\n${record('s3-cache', 900)}\n`,
    );

    const { main } = await runActionStep({ action: 'report', job });

    expect(main.exitCode).toBe(0);
    expect(main.outputs.steps).toBe('2');
    expect(main.outputs['malformed-lines']).toBe('2');
    const warnings = main.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    expect(warnings.some((w) => w.includes('line 2') && w.includes('not JSON'))).toBe(true);
    expect(warnings.some((w) => w.includes('line 3') && w.includes("'duration-ms'"))).toBe(true);
    expect(main.summary).toContain('s3-cache');
    expect(main.summary).toContain('line 2, 3');
  });

  it('appends its own record to the job metrics file, so a later report sees it', async () => {
    job = new RunnerJob();
    await runActionStep({ action: 'report', job });
    const second = await runActionStep({ action: 'report', job });
    expect(second.main.outputs.steps).toBe('1');
    expect(second.main.summary).toMatch(/\| report \|/);
  });

  it('fails with file, line and key when the config file has an unknown key, and still writes its timing', async () => {
    job = new RunnerJob();
    mkdirSync(join(job.workspace, '.github'), { recursive: true });
    writeFileSync(join(job.workspace, '.github', 'ci-optimizer.yml'), 'report:\n  titel: typo\n');
    const failed = await runActionStep({ action: 'report', job });
    expect(failed.main.exitCode).toBe(1);
    const errors = failed.main.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors[0]).toContain(".github/ci-optimizer.yml:2: unknown key 'report.titel'");
    expect(failed.main.outputs['duration-ms']).toBeDefined();
  });
});
