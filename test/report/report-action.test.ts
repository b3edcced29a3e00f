import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readRunHistory } from '@ci-optimizer/core/report';
import { DirStore } from '@ci-optimizer/core/store';
import { RunnerJob, runActionStep } from '../support/action-runner.ts';

const record = (
  action: string,
  ms: number,
  counters: Record<string, number> = {},
  extra: Record<string, unknown> = {},
) =>
  JSON.stringify({ action, version: '0.1.0', 'duration-ms': ms, phases: { diff: 12, select: 30 }, counters, ...extra });

function writeMetrics(job: RunnerJob, lines: string[]): void {
  mkdirSync(join(job.runnerTemp, 'ci-optimizer'), { recursive: true });
  writeFileSync(join(job.runnerTemp, 'ci-optimizer', 'metrics.jsonl'), `${lines.join('\n')}\n`);
}

describe('report action through dist/report/index.js', () => {
  let job: RunnerJob;
  afterEach(() => job?.remove());

  it('summarises every metrics record of the job and publishes its own timing outputs', async () => {
    job = new RunnerJob();
    writeMetrics(job, [record('cache-key', 150), record('test-filter', 1250, { 'tests-selected': 7 })]);

    const { main } = await runActionStep({ action: 'report', job });

    expect(main.exitCode).toBe(0);
    expect(main.outputs.steps).toBe('2');
    expect(main.outputs['total-ms']).toBe('1400');
    expect(Number(main.outputs['duration-ms'])).toBeGreaterThanOrEqual(0);
    const metrics = JSON.parse(main.outputs.metrics);
    expect(metrics).toMatchObject({ action: 'report', version: '0.1.0', counters: { steps: 2, 'malformed-lines': 0 } });
    expect(Object.keys(metrics.phases)).toEqual(['read', 'history', 'render', 'record']);
    expect(main.summary).toContain('| Step | Duration |');
    expect(main.summary).toMatch(/\| cache-key \| 150 ms \|/);
    expect(main.summary).toMatch(/\| test-filter \| 1\.3 s \| diff 12 ms, select 30 ms \| tests-selected: 7 \|/);
  });

  it('warns about a malformed line with its line number and still summarises the rest', async () => {
    job = new RunnerJob();
    writeMetrics(job, [
      record('cache-key', 100),
      '{"action": "broken", ',
      JSON.stringify({ action: 'x' }),
      record('s3-cache', 900),
    ]);

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

  it('shows tests run vs total, time and money saved, cache hit kind and the SLO table of a pull request', async () => {
    job = new RunnerJob();
    const started = new Date(Date.now() - 30_000).toISOString();
    writeMetrics(job, [
      record('cache-key', 80, { 'cache-exact-hit': 1 }, { started }),
      record('test-filter', 400, {
        'tests-selected': 6,
        'tests-total': 40,
        'test-time-saved-ms': 180_000,
        'run-all': 0,
      }),
    ]);
    writeFileSync(
      join(job.workspace, 'coverage.xml'),
      '<?xml version="1.0" ?>\n<coverage version="7.2" line-rate="0.9134" branch-rate="0"></coverage>\n',
    );

    const { main } = await runActionStep({
      action: 'report',
      job,
      event: { name: 'pull_request', payload: { pull_request: { number: 7 } } },
    });

    expect(main.exitCode).toBe(0);
    expect(main.outputs['tests-selected']).toBe('6');
    expect(main.outputs['tests-total']).toBe('40');
    expect(main.outputs['minutes-saved']).toBe('3');
    expect(main.outputs['cost-saved']).toBe('0.018');
    expect(main.outputs['cache-hit-rate']).toBe('100');
    expect(Number(main.outputs['pipeline-ms'])).toBeGreaterThanOrEqual(30_000);
    const slos = JSON.parse(main.outputs['slo-json']);
    expect(slos.map((s: { name: string }) => s.name)).toEqual(['PR pipeline time', 'cache hit rate', 'coverage']);
    expect(slos[2]).toMatchObject({ measured: '91.3%', passed: true });
    expect(main.outputs['slo-passed']).toBe('true');
    expect(main.summary).toContain('6 of 40 test files run');
    expect(main.summary).toContain('3m 00s of test time saved (≈ $0.02)');
    expect(main.summary).toContain('| Cache | exact hit; rolling hit rate 100.0% |');
    expect(main.summary).toContain('```mermaid\ngantt');
  });

  it('remembers runs in the store: the rolling hit rate and the trend cover earlier runs', async () => {
    job = new RunnerJob();
    for (const counters of [{ 'cache-miss': 1 }, { 'cache-exact-hit': 1 }, { 'cache-partial-hit': 1 }] as Record<
      string,
      number
    >[]) {
      writeMetrics(job, [record('s3-cache', 100, counters)]);
      await runActionStep({ action: 'report', job, inputs: { trend: 'true' } });
    }
    writeMetrics(job, [record('s3-cache', 100, { 'cache-exact-hit': 1 })]);
    const { main } = await runActionStep({ action: 'report', job, inputs: { trend: 'true' } });

    expect(main.outputs['cache-hit-rate']).toBe('75');
    expect(main.summary).toContain('Pipeline minutes, last 4 runs');
    const { runs, skipped } = await readRunHistory(new DirStore(join(job.workspace, '.ci-optimizer')));
    expect(skipped).toBe(0);
    expect(runs.map((run) => run.cache)).toEqual(['miss', 'exact', 'partial', 'exact']);
  });

  it('gathers other jobs from a folder of downloaded metrics artifacts', async () => {
    job = new RunnerJob();
    writeMetrics(job, [record('test-filter', 300)]);
    const dir = join(job.root, 'artifacts');
    mkdirSync(join(dir, 'shard-1'), { recursive: true });
    mkdirSync(join(dir, 'shard-2'), { recursive: true });
    writeFileSync(join(dir, 'shard-1', 'metrics.jsonl'), `${record('test-predictor', 200)}\n`);
    writeFileSync(join(dir, 'shard-2', 'metrics.jsonl'), `${record('test-predictor', 250)}\nbad\n`);

    const { main } = await runActionStep({ action: 'report', job, inputs: { 'metrics-dir': dir } });

    expect(main.outputs.steps).toBe('3');
    expect(main.outputs['malformed-lines']).toBe('1');
    expect(main.summary).toContain('section shard-1');
    expect(main.summary).toContain('section shard-2');
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

  it('names the input and value when a number input is malformed', async () => {
    job = new RunnerJob();
    const { main } = await runActionStep({ action: 'report', job, inputs: { 'price-per-minute': 'cheap' } });
    expect(main.exitCode).toBe(1);
    expect(main.annotations.find((a) => a.level === 'error')?.message).toContain(
      "Input 'price-per-minute' has value 'cheap', which is not a number",
    );
  });
});
