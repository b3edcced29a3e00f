import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirStore } from '@ci-optimizer/core/store';
import { readHistory, type RunRecord } from '@ci-optimizer/core/test-predictor';
import { CALC_PROJECT, PYTHON, recordCoverage, type LearnedRepo } from '../impact-map/support.ts';
import { RunnerJob, runActionStep } from '../support/action-runner.ts';

describe("test-predictor with test-filter's impact map in the same store (dist bundles)", () => {
  let learned: LearnedRepo | undefined;
  let job: RunnerJob | undefined;
  afterEach(() => {
    learned?.remove();
    job?.remove();
  });

  // Coverage under pytest and four bundle steps: minutes on a loaded 2-core machine, not the default 60 s.
  it('records which reached tests never ran the changed function, audits test-filter with the map, and ranks them last', async () => {
    learned = recordCoverage(CALC_PROJECT);
    const { repo, commit: base } = learned;
    job = new RunnerJob();
    const learn = await runActionStep({
      action: 'test-filter',
      job,
      workspace: repo.dir,
      inputs: { mode: 'learn', coverage: learned.sqliteFile },
    });
    expect(learn.main.exitCode, learn.main.stdout).toBe(0);

    // A fault in the body of add: only test_add ran add, so only it can fail.
    repo.write({ 'pkg/calc.py': 'def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n' });
    const head = repo.commit('break add');
    spawnSync(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--junitxml=report.xml'], {
      cwd: repo.dir,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });

    const recorded = await runActionStep({
      action: 'test-predictor',
      job,
      workspace: repo.dir,
      inputs: { mode: 'record', base, head, junit: 'report.xml', 'full-run': 'true' },
    });
    expect(recorded.main.exitCode, recorded.main.stdout).toBe(0);
    expect(JSON.parse(recorded.main.outputs['failed-tests'])).toEqual(['tests/test_add.py']);
    const runs = await readHistory(new DirStore(join(repo.dir, '.ci-optimizer')), (m) => expect.fail(m));
    const run: RunRecord = runs[runs.length - 1];
    expect(Object.keys(run.reach!).sort()).toEqual(['tests/test_add.py', 'tests/test_mul.py']);
    expect(run.mapRemoved).toEqual(['tests/test_mul.py']);
    // test-filter with the map would have run the failing test: nothing missed.
    expect(run.audit?.missedByTestFilter).toEqual([]);
    expect(recorded.main.stdout).toContain('Impact map:');

    const predicted = await runActionStep({
      action: 'test-predictor',
      job,
      workspace: repo.dir,
      inputs: { mode: 'predict', base, head },
    });
    expect(predicted.main.exitCode, predicted.main.stdout).toBe(0);
    expect(JSON.parse(predicted.main.outputs['tests-json'])).toEqual(['tests/test_add.py', 'tests/test_mul.py']);
    const p = JSON.parse(predicted.main.outputs.probabilities) as Record<string, number>;
    expect(p['tests/test_mul.py']).toBeLessThan(p['tests/test_add.py'] / 5);
    expect(predicted.main.summary).toContain('1 test file(s) the import graph reaches never ran the changed functions');

    // Without the map both tests are one import away: test_mul is no longer ranked down for never running add (with
    // the map it is, by how much less often the map's removed tests failed in this history: a likelihood ratio of
    // 0.5 after one run, smaller as such tests keep passing).
    const withoutMap = await runActionStep({
      action: 'test-predictor',
      job,
      workspace: repo.dir,
      inputs: { mode: 'predict', base, head, 'impact-map': 'false' },
    });
    const q = JSON.parse(withoutMap.main.outputs.probabilities) as Record<string, number>;
    expect(q['tests/test_mul.py']).toBeGreaterThanOrEqual(p['tests/test_mul.py'] * 1.9);
    expect(withoutMap.main.summary).not.toContain('never ran the changed functions');
  }, 240_000);
});
