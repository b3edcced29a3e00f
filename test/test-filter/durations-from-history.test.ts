import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
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

/** Two modules, each with the test file that imports it. */
const TWO_MODULES = {
  'pkg/__init__.py': '',
  'pkg/a.py': 'def a():\n    return 1\n',
  'pkg/b.py': 'def b():\n    return 2\n',
  'tests/test_a.py': 'from pkg.a import a\n\ndef test_a():\n    assert a() == 1\n',
  'tests/test_b.py': 'from pkg.b import b\n\ndef test_b():\n    assert b() == 2\n',
};

describe('test-filter reduction by time from the test history', () => {
  let repo: TempGitRepo | undefined;
  let job: RunnerJob | undefined;
  afterEach(() => {
    repo?.remove();
    job?.remove();
  });

  it('measures the reduction and the time saved with historic durations from the same store', async () => {
    repo = new TempGitRepo();
    repo.write(TWO_MODULES);
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

  it("reads test-predictor's summary of its history instead of every run, with the same durations", async () => {
    repo = new TempGitRepo();
    repo.write({ ...TWO_MODULES, '.gitignore': '.ci-optimizer/\nreports/\n' });
    let commit = repo.commit('base');
    job = new RunnerJob();
    // Three runs recorded by test-predictor's own action: it writes the history and its summary.
    const secondsOfB = [9, 7, 20];
    for (const [i, seconds] of secondsOfB.entries()) {
      repo.write({ 'pkg/b.py': `def b():\n    return ${i + 2}\n` });
      const base = commit;
      commit = repo.commit(`run ${i}`);
      mkdirSync(join(repo.dir, 'reports'), { recursive: true });
      writeFileSync(
        join(repo.dir, 'reports', 'junit.xml'),
        '<testsuites><testsuite name="pytest" tests="2">' +
          '<testcase classname="tests.test_a" name="test_a" file="tests/test_a.py" time="1.0"/>' +
          `<testcase classname="tests.test_b" name="test_b" file="tests/test_b.py" time="${seconds}"/>` +
          '</testsuite></testsuites>',
      );
      const recorded = await runActionStep({
        action: 'test-predictor',
        job,
        workspace: repo.dir,
        inputs: { mode: 'record', junit: 'reports/*.xml', base, head: commit },
        event: { name: 'push', payload: {} },
      });
      expect(recorded.main.exitCode, recorded.main.stderr + recorded.main.stdout).toBe(0);
    }
    const summaryFile = join(repo.dir, '.ci-optimizer', 'test-predictor', 'history-summary.json');
    expect(existsSync(summaryFile)).toBe(true);
    repo.write({ 'pkg/a.py': 'def a():\n    return 1 + 0\n' });
    const base = commit;
    const head = repo.commit('change a');

    const fromSummary = await runActionStep({
      action: 'test-filter',
      job,
      workspace: repo.dir,
      inputs: { base, head },
    });
    expect(fromSummary.main.exitCode, fromSummary.main.stdout).toBe(0);
    expect(fromSummary.main.stdout).toContain(
      "Test durations: 2 test files, from test-predictor's summary of its history (3 runs).",
    );
    // test_b's expected duration is the median of its runs (9, 7, 20 s): one slow run does not make it 12 s.
    const counters = JSON.parse(fromSummary.main.outputs.metrics).counters;
    expect(counters).toMatchObject({ 'tests-selected': 1, 'tests-total': 2, 'test-time-saved-ms': 9000 });
    expect(Number(fromSummary.main.outputs.reduction)).toBeCloseTo(9 / 10, 3);

    // Without the summary the runs are read, and give the same durations.
    rmSync(summaryFile);
    const fromRuns = await runActionStep({ action: 'test-filter', job, workspace: repo.dir, inputs: { base, head } });
    expect(fromRuns.main.exitCode, fromRuns.main.stdout).toBe(0);
    expect(fromRuns.main.stdout).toContain('Test durations: 2 test files, from its history (3 runs).');
    expect(fromRuns.main.outputs.reduction).toBe(fromSummary.main.outputs.reduction);
    expect(JSON.parse(fromRuns.main.outputs.metrics).counters['test-time-saved-ms']).toBe(9000);
  });

  it('a store without test-predictor history measures the reduction by count', async () => {
    repo = new TempGitRepo();
    repo.write({
      'pkg/__init__.py': '',
      'pkg/a.py': 'def a():\n    return 1\n',
      'tests/test_a.py': 'from pkg.a import a\n\ndef test_a():\n    assert a() == 1\n',
      'tests/test_other.py': 'def test_other():\n    assert True\n',
    });
    const base = repo.commit('base');
    repo.write({ 'pkg/a.py': 'def a():\n    return 1 + 0\n' });
    const head = repo.commit('change a');
    job = new RunnerJob();
    const { main } = await runActionStep({ action: 'test-filter', job, workspace: repo.dir, inputs: { base, head } });
    expect(main.exitCode, main.stdout).toBe(0);
    expect(main.outputs['reduction-basis']).toBe('count');
    expect(main.stdout).not.toContain('Test durations:');
    expect(JSON.parse(main.outputs.metrics).counters).not.toHaveProperty('test-time-saved-ms');
  });
});
