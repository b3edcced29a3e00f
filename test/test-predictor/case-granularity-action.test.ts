import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerJob, runActionStep } from '../support/action-runner.ts';
import type { TempGitRepo } from '../support/git-repo.ts';
import { pythonProject, runPytest } from './python-project.ts';

/**
 * granularity: case through the shipped bundle, against real pytest: the node ids test-predictor lists come from real
 * pytest JUnit reports, go through the NUL-separated tests-file, and real pytest must run exactly those cases (a node
 * id pytest does not know is exit code 4, "not found").
 */
describe('test-predictor granularity: case (dist/test-predictor/index.js, real pytest)', () => {
  let repo: TempGitRepo;
  let job: RunnerJob;
  let base: string;
  let head: string;
  const store = 'dir:.ci-optimizer';

  beforeAll(() => {
    repo = pythonProject();
    repo.write({
      '.gitignore': '.ci-optimizer/\nreports/\n',
      // Parameter ids with a space, a dash, a non-ASCII character (pytest escapes it) and brackets; a nested class.
      'tests/test_params.py': [
        'import pytest',
        'from shop.pricing import total',
        '',
        '',
        '@pytest.mark.parametrize("items", [[1, 2], [3]], ids=["a b", "c-d"])',
        'def test_sum(items):',
        '    assert total(items) == sum(items)',
        '',
        '',
        '@pytest.mark.parametrize("name", ["\u00fc", "x[1]"])',
        'def test_names(name):',
        '    assert name',
        '',
        '',
        'class TestOuter:',
        '    class TestInner:',
        '        def test_inner(self):',
        '            assert total([]) == 0',
        '',
      ].join('\n'),
    });
    base = repo.commit('params');
    repo.write({ 'src/shop/pricing.py': 'def total(items):\n    return sum(items) + 1\n' });
    head = repo.commit('break pricing');
    job = new RunnerJob();
  });
  afterAll(() => {
    repo.remove();
    job.remove();
  });

  it('records real pytest runs, lists node ids, and pytest runs exactly those cases from the NUL-separated file', async () => {
    const report = runPytest(repo, 'run');
    const record = await runActionStep({
      action: 'test-predictor',
      job,
      workspace: repo.dir,
      inputs: { mode: 'record', store, junit: 'reports/*.xml', base, head },
      event: { name: 'pull_request', payload: {} },
    });
    expect(record.main.exitCode, record.main.stderr + record.main.stdout).toBe(0);
    rmSync(report);

    const predict = await runActionStep({
      action: 'test-predictor',
      job,
      workspace: repo.dir,
      inputs: { mode: 'predict', store, base, head, granularity: 'case', budget: 'all', shards: '2' },
      event: { name: 'pull_request', payload: {} },
    });
    expect(predict.main.exitCode, predict.main.stderr + predict.main.stdout).toBe(0);
    expect(predict.main.outputs.granularity).toBe('case');
    const listed = readFileSync(predict.main.outputs['tests-file'], 'utf8').split('\0').filter(Boolean);
    expect(listed).toEqual(JSON.parse(predict.main.outputs['tests-json']));
    expect(listed).toEqual(
      expect.arrayContaining([
        'tests/test_params.py::test_sum[a b]',
        'tests/test_params.py::test_sum[c-d]',
        'tests/test_params.py::test_names[\\xfc]',
        'tests/test_params.py::test_names[x[1]]',
        'tests/test_params.py::TestOuter::TestInner::test_inner',
        'tests/test_pricing.py::TestEmpty::test_empty',
      ]),
    );
    // The cases of the file that failed with pricing.py come first.
    expect(listed[0]).toMatch(/^tests\/test_(pricing|params)\.py::/);
    expect(predict.main.summary).toMatch(/test cases \(in \d+ of \d+ test files\) selected/);

    // The README's way: NUL-separated names through xargs, each pytest call its own report (a long list may take
    // several calls).
    const run = spawnSync(
      'sh',
      [
        '-c',
        `xargs -0 -r sh -c 'exec /usr/bin/python3 -m pytest -q -p no:cacheprovider --junitxml="reports/part-$$.xml" -- "$@"' sh < "$TESTS_FILE"`,
      ],
      {
        cwd: repo.dir,
        encoding: 'utf8',
        env: { ...process.env, TESTS_FILE: predict.main.outputs['tests-file'], PYTHONDONTWRITEBYTECODE: '1' },
      },
    );
    // xargs exits 123 when a pytest call exits 1-125 (failing tests); 4 ("not found") would also be 123, so the
    // reports decide: every listed case ran once.
    expect(run.stdout + run.stderr).not.toMatch(/ERROR: not found|no match in any of/);
    const reports = readdirSync(join(repo.dir, 'reports')).filter((f) => f.startsWith('part-'));
    expect(reports.length).toBeGreaterThan(0);
    const ran = reports.flatMap((f) => [
      ...readFileSync(join(repo.dir, 'reports', f), 'utf8').matchAll(/<testcase /g),
    ]).length;
    expect(ran).toBe(listed.length);
  }, 600_000);
});
