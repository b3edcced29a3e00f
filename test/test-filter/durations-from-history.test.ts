import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunnerJob, runActionStep } from '../support/action-runner.ts';
import { TempGitRepo } from '../support/git-repo.ts';

const run = (commit: string, time: string, durations: Record<string, number>) =>
  JSON.stringify({
    schema: 1,
    time,
    commit,
    base: null,
    event: 'push',
    full: true,
    changes: null,
    reach: null,
    cases: Object.entries(durations).map(([file, duration]) => ({
      file,
      id: `${file}::test_x`,
      outcome: 'passed',
      duration,
      retry: false,
    })),
  });

describe('test-filter reduction by time from the test history', () => {
  let repo: TempGitRepo | undefined;
  let job: RunnerJob | undefined;
  afterEach(() => {
    repo?.remove();
    job?.remove();
  });

  it('measures the reduction and the time saved with historic durations from the same store', async () => {
    repo = new TempGitRepo();
    repo.write({
      'pkg/__init__.py': '',
      'pkg/a.py': 'def a():\n    return 1\n',
      'pkg/b.py': 'def b():\n    return 2\n',
      'tests/test_a.py': 'from pkg.a import a\n\ndef test_a():\n    assert a() == 1\n',
      'tests/test_b.py': 'from pkg.b import b\n\ndef test_b():\n    assert b() == 2\n',
    });
    const base = repo.commit('base');
    repo.write({ 'pkg/a.py': 'def a():\n    return 1 + 0\n' });
    const head = repo.commit('change a');
    mkdirSync(join(repo.dir, '.ci-optimizer', 'test-predictor'), { recursive: true });
    writeFileSync(
      join(repo.dir, '.ci-optimizer', 'test-predictor', 'test_history.json'),
      `${run(base, '2026-11-20T10:00:00Z', { 'tests/test_a.py': 1, 'tests/test_b.py': 9 })}\n${run(base, '2026-11-20T11:00:00Z', { 'tests/test_a.py': 1.5, 'tests/test_b.py': 8.5 })}\n`,
    );
    job = new RunnerJob();

    const { main } = await runActionStep({ action: 'test-filter', job, workspace: repo.dir, inputs: { base, head } });

    expect(main.exitCode, main.stdout).toBe(0);
    expect(JSON.parse(main.outputs['tests-json'])).toEqual(['tests/test_a.py']);
    expect(main.outputs['reduction-basis']).toBe('duration');
    expect(Number(main.outputs.reduction)).toBeCloseTo(8.75 / 10, 3);
    const counters = JSON.parse(main.outputs.metrics).counters;
    expect(counters).toMatchObject({ 'tests-selected': 1, 'tests-total': 2, 'test-time-saved-ms': 8750, 'run-all': 0 });
  });
});
