import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { RunnerJob, runActionStep } from '../support/action-runner.ts';
import { TempGitRepo } from '../support/git-repo.ts';
import { CALC_PROJECT, recordCoverage, type LearnedRepo } from '../impact-map/support.ts';

describe('test-filter with the impact map, through dist/test-filter/index.js', () => {
  let repo: TempGitRepo | undefined;
  let job: RunnerJob | undefined;
  let project: LearnedRepo | undefined;
  afterEach(() => {
    repo?.remove();
    project?.remove();
    project = undefined;
    job?.remove();
  });

  it('learns the map from real per-test coverage, then narrows a function-body change to the test that ran it', async () => {
    project = recordCoverage(CALC_PROJECT);
    repo = project.repo;
    const base = project.commit;
    job = new RunnerJob();

    const learned = await runActionStep({
      action: 'test-filter',
      job,
      workspace: repo.dir,
      inputs: { mode: 'learn', coverage: project.sqliteFile },
    });

    expect(learned.main.exitCode, learned.main.stdout).toBe(0);
    expect(learned.main.outputs['map-commit']).toBe(base);
    expect(learned.main.outputs['map-test-files']).toBe('2');

    repo.write({ 'pkg/calc.py': 'def add(a, b):\n    return b + a\n\n\ndef mul(a, b):\n    return a * b\n' });
    const head = repo.commit('change the body of add');
    const selected = await runActionStep({ action: 'test-filter', job, workspace: repo.dir, inputs: { base, head } });

    expect(selected.main.exitCode, selected.main.stdout).toBe(0);
    expect(JSON.parse(selected.main.outputs['tests-json'])).toEqual(['tests/test_add.py']);
    expect(selected.main.outputs['impact-map-used']).toBe('true');
    expect(JSON.parse(selected.main.outputs['reasons-by-test'])['tests/test_add.py']).toContain('pkg.calc.add');
    expect(selected.main.summary).toContain('Impact map');

    const withoutMap = await runActionStep({
      action: 'test-filter',
      job,
      workspace: repo.dir,
      inputs: { base, head, store: 'none' },
    });
    expect(JSON.parse(withoutMap.main.outputs['tests-json']).sort()).toEqual([
      'tests/test_add.py',
      'tests/test_mul.py',
    ]);
    // pytest plus three action runs: over a minute on a loaded two-core machine.
  }, 180_000);

  it('learn with an unreachable store is a warning and the step passes (a fault of an optimisation)', async () => {
    repo = new TempGitRepo();
    repo.write({
      '.gitignore': '.coverage\n__pycache__/\n',
      'pkg/__init__.py': '',
      'pkg/calc.py': 'def add(a, b):\n    return a + b\n',
      'tests/test_add.py': 'from pkg.calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n',
    });
    repo.commit('base');
    execFileSync(
      '/usr/bin/python3',
      ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--cov=pkg', '--cov-context=test'],
      {
        cwd: repo.dir,
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
        stdio: 'pipe',
      },
    );
    job = new RunnerJob();
    const { main } = await runActionStep({
      action: 'test-filter',
      job,
      workspace: repo.dir,
      inputs: { mode: 'learn', coverage: '.coverage', store: 's3://ci-optimizer-nowhere/maps' },
      // Port 9 on loopback: nothing listens, so every request is refused at once.
      env: {
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      },
    });
    expect(main.exitCode, main.stdout).toBe(0);
    expect(main.outputs['map-commit']).toBe('');
    expect(
      main.annotations.some((a) => a.level === 'warning' && a.message.includes('The impact map was not saved')),
    ).toBe(true);
  });

  it('names the missing coverage input on learn', async () => {
    repo = new TempGitRepo();
    repo.write({ 'a.py': 'x = 1\n' });
    repo.commit('base');
    job = new RunnerJob();
    const { main } = await runActionStep({
      action: 'test-filter',
      job,
      workspace: repo.dir,
      inputs: { mode: 'learn' },
    });
    expect(main.exitCode).toBe(1);
    expect(main.annotations.find((a) => a.level === 'error')?.message).toContain(
      "Input 'coverage' is required with mode: learn",
    );
  });
});
