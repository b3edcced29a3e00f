import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { computeCacheKeys, readRestoreHistory } from '@ci-optimizer/core/cache-key';
import { DirStore } from '@ci-optimizer/core/store';
import { RunnerJob, runActionStep } from '../support/action-runner.ts';

describe('cache-key action through dist/cache-key/index.js', () => {
  let job: RunnerJob;
  afterEach(() => job?.remove());

  function workspace(): string {
    job = new RunnerJob();
    writeFileSync(join(job.workspace, 'requirements.txt'), 'requests==2.32.3\n');
    writeFileSync(join(job.workspace, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
    writeFileSync(join(job.workspace, 'package.json'), '{"name":"web"}');
    return job.workspace;
  }

  it('publishes key, multi-line restore-keys, paths, hash, ecosystems-json and metrics', async () => {
    const dir = workspace();
    const inputs = { 'probe-runtimes': 'false', 'python-version': '3.12', 'node-version': '22', 'cache-version': '3' };
    const { main } = await runActionStep({
      action: 'cache-key',
      job,
      workspace: dir,
      inputs,
      env: { ImageOS: 'ubuntu24' },
    });
    expect(main.exitCode, main.stderr + main.stdout).toBe(0);

    const expected = await computeCacheKeys({
      root: dir,
      os: 'Linux',
      image: 'ubuntu24',
      arch: 'X64',
      probe: false,
      cacheVersion: '3',
      runtimeInputs: { python: '3.12', node: '22' },
    });
    expect(main.outputs.key).toBe(expected.key);
    expect(main.outputs.key).toMatch(/^deps-pip\+npm-ubuntu24-x64-cpython3\.12\+node22-v3-[0-9a-f]{20}$/);
    expect(main.outputs['restore-keys'].split('\n')).toEqual(expected.restoreKeys);
    expect(main.outputs.paths.split('\n')).toEqual(['~/.cache/pip', '~/.npm']);
    expect(main.outputs.hash).toBe(expected.hash);
    const ecosystems = JSON.parse(main.outputs['ecosystems-json']);
    expect(ecosystems.map((e: { id: string }) => e.id)).toEqual(['pip', 'npm']);
    expect(ecosystems[0]).toMatchObject({ files: ['requirements.txt'], runtime: { segment: 'cpython3.12' } });
    expect(main.outputs['hit-outcome']).toBe('');
    const metrics = JSON.parse(main.outputs.metrics);
    expect(metrics).toMatchObject({ action: 'cache-key', counters: { ecosystems: 2, 'dependency-files': 2 } });
    expect(Object.keys(metrics.phases)).toContain('keys');
    expect(main.summary).toContain(expected.key);
  });

  it('uses the real interpreter on PATH when asked to probe', async () => {
    const dir = workspace();
    const minor = execFileSync('python3', ['-c', 'import sys;print("%d.%d"%sys.version_info[:2])'], {
      encoding: 'utf8',
    }).trim();
    const { main } = await runActionStep({ action: 'cache-key', job, workspace: dir, inputs: { ecosystems: 'pip' } });
    expect(main.exitCode, main.stderr + main.stdout).toBe(0);
    expect(main.outputs.key).toContain(`-linux-x64-cpython${minor}-v0-`);
  });

  it('records restore outcomes in the store and reports the rate against the target', async () => {
    const dir = workspace();
    const common = {
      'probe-runtimes': 'false',
      'python-version': '3.12',
      'node-version': '22',
      'hit-rate-window': '10',
    };
    const first = await runActionStep({
      action: 'cache-key',
      job,
      workspace: dir,
      inputs: { ...common, 'record-restore': 'true' },
    });
    expect(first.main.exitCode, first.main.stderr).toBe(0);
    expect(first.main.outputs['hit-outcome']).toBe('miss');
    expect(first.main.outputs['hit-rate']).toBe('0');
    expect(
      first.main.annotations.some((a) => a.level === 'warning' && a.message.includes('below the target 80%')),
    ).toBe(true);

    const key = first.main.outputs.key;
    const second = await runActionStep({
      action: 'cache-key',
      job,
      workspace: dir,
      inputs: { ...common, 'cache-hit': 'true' },
    });
    const third = await runActionStep({
      action: 'cache-key',
      job,
      workspace: dir,
      inputs: {
        ...common,
        'cache-hit': 'false',
        'cache-matched-key': `${first.main.outputs['restore-keys']}00000000000000000000`,
      },
    });
    expect(second.main.outputs['hit-outcome']).toBe('exact');
    expect(third.main.outputs['hit-outcome']).toBe('partial');
    expect(third.main.outputs['hit-rate-runs']).toBe('3');
    expect(Number(third.main.outputs['hit-rate'])).toBeCloseTo((2 / 3) * 100, 0);
    expect(third.main.outputs['hit-rate-met']).toBe('false');
    const history = (await readRestoreHistory(new DirStore(join(dir, '.ci-optimizer')))).records;
    expect(history.map((record) => record.outcome)).toEqual(['miss', 'exact', 'partial']);
    expect(history[0].key).toBe(key);
    // The log is compacted into one segment; no record is left as a JSON Lines file of the old kind.
    expect(existsSync(join(dir, '.ci-optimizer', 'cache-key', 'hits.jsonl'))).toBe(false);
    expect(third.main.summary).toContain('This restore: **partial**');
  });

  it('fails with the input, the value and the fix on a bad ecosystem name', async () => {
    const dir = workspace();
    const { main } = await runActionStep({
      action: 'cache-key',
      job,
      workspace: dir,
      inputs: { ecosystems: 'pip, rubygems' },
    });
    expect(main.exitCode).toBe(1);
    const error = main.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(error).toContain("Input 'ecosystems' has value 'rubygems'");
    expect(error).toContain('pip, poetry');
    expect(existsSync(join(dir, '.ci-optimizer'))).toBe(false);
  });
});
