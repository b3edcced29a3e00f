import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerJob, runActionStep } from '../support/action-runner.ts';
import type { TempGitRepo } from '../support/git-repo.ts';
import { pythonProject } from './python-project.ts';

// predict reads the history, the model and the safety state while git works out the diff (test-predictor-modes.ts,
// readAhead). Their warnings must still come after the diff's, in the order of reading one thing after the other.
describe('predict reads ahead but logs in order (dist bundle)', () => {
  let repo: TempGitRepo;
  let job: RunnerJob;
  let unrelated: string;

  beforeAll(() => {
    repo = pythonProject();
    repo.write({ '.gitignore': '.ci-optimizer/\n' });
    repo.commit('ignore');
    // A base with no merge base with HEAD: the diff step warns that every test is treated as reachable.
    const emptyTree = repo.git('mktree', '--missing');
    unrelated = repo.git('commit-tree', emptyTree, '-m', 'unrelated');
    const folder = join(repo.dir, '.ci-optimizer', 'test-predictor');
    mkdirSync(join(folder, 'history', 'segments'), { recursive: true });
    // One usable run and one line from a newer schema (the history's warning).
    const run = {
      schema: 1,
      time: '2026-11-01T00:00:00.000Z',
      commit: 'seed',
      base: null,
      event: 'push',
      full: true,
      changes: null,
      reach: null,
      cases: [
        {
          file: 'tests/test_stock.py',
          id: 'tests/test_stock.py::test_available',
          outcome: 'passed',
          duration: 1,
          retry: false,
        },
      ],
    };
    writeFileSync(
      join(folder, 'history', 'segments', '20261101T000000000Z-000000000000-0000.jsonl'),
      `${JSON.stringify(run)}\n${JSON.stringify({ ...run, schema: 99, time: '2026-11-02T00:00:00.000Z' })}\n`,
    );
    writeFileSync(join(repo.dir, 'broken-model.json'), '{ not json');
    writeFileSync(join(folder, 'safety.json'), '{ not json either');
    job = new RunnerJob();
  });
  afterAll(() => {
    repo.remove();
    job.remove();
  });

  it('logs the diff, history, model-file and safety warnings in that order', async () => {
    const step = (
      await runActionStep({
        action: 'test-predictor',
        job,
        workspace: repo.dir,
        inputs: { mode: 'predict', base: unrelated, head: 'HEAD', 'model-file': 'broken-model.json' },
      })
    ).main;
    expect(step.exitCode, step.stdout).toBe(0);
    const warnings = step.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    const at = (pattern: RegExp) => warnings.findIndex((w) => pattern.test(w));
    const order = [
      at(/no merge base.*every test is treated as reachable/),
      at(/unusable line\(s\).*schema 99 is newer/),
      at(/model-file .*broken-model\.json cannot be used/),
      at(/safety state .* cannot be read/),
    ];
    expect(
      order.every((index) => index >= 0),
      warnings.join('\n'),
    ).toBe(true);
    expect(
      [...order].sort((a, b) => a - b),
      warnings.join('\n'),
    ).toEqual(order);
  }, 300_000);
});
