import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunHistory } from '@ci-optimizer/core/report';
import { DirStore } from '@ci-optimizer/core/store';
import { readHistory, type RunRecord } from '@ci-optimizer/core/test-predictor';
import { RunnerJob, runActionStep, type StepOutcome } from '../support/action-runner.ts';
import type { TempGitRepo } from '../support/git-repo.ts';
import { pythonProject, runPytest } from './python-project.ts';

// A history with a wrong-typed line, a truncated line and a line from a newer schema, and the same three in the
// report's run history: every action that reads them succeeds, with ONE warning about the skipped lines, through
// the shipped bundles.
const TEST_FILES = ['tests/api/test_health.py', 'tests/test_pricing.py', 'tests/test_stock.py'];

function goodRun(i: number): RunRecord {
  const module = i % 2 === 0 ? 'pricing' : 'stock';
  return {
    schema: 1,
    time: new Date(Date.UTC(2026, 10, 1, i)).toISOString(),
    commit: `seed${i}`,
    base: i === 0 ? null : `seed${i - 1}`,
    event: 'pull_request',
    full: true,
    changes: [{ path: `src/shop/${module}.py`, status: 'modified', added: 3, removed: 1 }],
    reach: { [`tests/test_${module}.py`]: 1 },
    cases: TEST_FILES.map((file) => ({
      file,
      id: `${file}::test_x`,
      outcome: i % 4 < 2 && file === `tests/test_${module}.py` ? 'failed' : 'passed',
      duration: 0.5,
      retry: false,
    })),
  };
}

function badLines(good: object): string[] {
  const wrongType = JSON.stringify(good).replace(/"duration":0\.5/, '"duration":"slow"');
  const truncated = JSON.stringify(good).slice(0, 90);
  const newer = JSON.stringify({ ...good, schema: 99, time: '2026-11-30T00:00:00.000Z', somethingNew: [1, 2] });
  return [wrongType, truncated, newer];
}

const warningsOf = (step: StepOutcome) => step.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
const about = (warnings: string[]) => warnings.filter((w) => /unusable line/.test(w));

describe('stores survive bad lines (dist bundles)', () => {
  let repo: TempGitRepo;
  let job: RunnerJob;
  let base: string;
  let head: string;

  beforeAll(() => {
    repo = pythonProject();
    repo.write({ '.gitignore': '.ci-optimizer/\nreports/\n' });
    base = repo.commit('ignore');
    repo.write({ 'src/shop/pricing.py': 'def total(items):\n    return sum(items) + 1\n' });
    head = repo.commit('break pricing');
    const history = Array.from({ length: 8 }, (_, i) => JSON.stringify(goodRun(i)));
    const folder = join(repo.dir, '.ci-optimizer', 'test-predictor');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'test_history.json'),
      `${[...history.slice(0, 4), ...badLines(goodRun(20)), ...history.slice(4)].join('\n')}\n`,
    );
    const reportRun = {
      schema: 1,
      time: '2026-11-01T00:00:00.000Z',
      kind: 'pr',
      ref: 'refs/pull/1/merge',
      sha: 'abc',
      pipelineMs: 60000,
      testsSelected: 2,
      testsTotal: 3,
      testTimeSavedMs: 1000,
      cache: 'exact',
    };
    mkdirSync(join(repo.dir, '.ci-optimizer', 'report'), { recursive: true });
    const reportBad = [
      JSON.stringify({ ...reportRun, pipelineMs: 'slow' }),
      JSON.stringify(reportRun).slice(0, 40),
      JSON.stringify({ ...reportRun, schema: 7 }),
    ];
    writeFileSync(
      join(repo.dir, '.ci-optimizer', 'report', 'runs.jsonl'),
      `${[JSON.stringify(reportRun), ...reportBad].join('\n')}\n`,
    );
    job = new RunnerJob();
  });
  afterAll(() => {
    repo.remove();
    job.remove();
  });

  it('record, train, predict, test-filter and report succeed with one warning each', async () => {
    runPytest(repo, 'run');
    const record = (
      await runActionStep({
        action: 'test-predictor',
        job,
        workspace: repo.dir,
        inputs: { mode: 'record', junit: 'reports/*.xml', base, head },
      })
    ).main;
    expect(record.exitCode, record.stdout).toBe(0);
    expect(record.outputs['recorded-cases']).toBe('4');
    expect(about(warningsOf(record)), record.stdout).toHaveLength(1);
    expect(about(warningsOf(record))[0]).toMatch(/^3 unusable line\(s\) in dir:.*test-predictor\/history skipped/);
    expect(about(warningsOf(record))[0]).toContain('schema 99 is newer');
    expect(warningsOf(record).join('\n')).not.toMatch(/this is a bug|not recorded/);

    // The wrong-typed and truncated lines are gone with the compaction; the newer line is kept for the newer version.
    const runs = await readHistory(new DirStore(join(repo.dir, '.ci-optimizer')), () => undefined);
    expect(runs).toHaveLength(9);

    const train = (
      await runActionStep({ action: 'test-predictor', job, workspace: repo.dir, inputs: { mode: 'train' } })
    ).main;
    expect(train.exitCode, train.stdout).toBe(0);
    expect(about(warningsOf(train)), train.stdout).toHaveLength(1);
    expect(about(warningsOf(train))[0]).toMatch(/^1 unusable line\(s\).*schema 99 is newer/);

    const predict = (
      await runActionStep({
        action: 'test-predictor',
        job,
        workspace: repo.dir,
        inputs: { mode: 'predict', base, head },
      })
    ).main;
    expect(predict.exitCode, predict.stdout).toBe(0);
    expect(about(warningsOf(predict))).toHaveLength(1);
    expect(JSON.parse(predict.outputs['tests-json']).sort()).toEqual(TEST_FILES);

    const filter = (await runActionStep({ action: 'test-filter', job, workspace: repo.dir, inputs: { base, head } }))
      .main;
    expect(filter.exitCode, filter.stdout).toBe(0);
    expect(about(warningsOf(filter))).toHaveLength(1);
    const counters = JSON.parse(filter.outputs.metrics).counters as Record<string, unknown>;
    for (const [name, value] of Object.entries(counters))
      expect(Number.isFinite(value), `${name}: ${String(value)}`).toBe(true);
    expect(Number.isFinite(Number(filter.outputs.reduction))).toBe(true);

    const report = (await runActionStep({ action: 'report', job, workspace: repo.dir, inputs: {} })).main;
    expect(report.exitCode, report.stdout).toBe(0);
    expect(about(warningsOf(report)), report.stdout).toHaveLength(1);
    expect(about(warningsOf(report))[0]).toMatch(/^3 unusable line\(s\) in dir:.*report\/runs skipped/);
    for (const name of ['pipeline-ms', 'tests-selected', 'tests-total', 'minutes-saved', 'cost-saved']) {
      expect(Number.isFinite(Number(report.outputs[name])), `${name}: ${report.outputs[name]}`).toBe(true);
    }
    const remembered = await readRunHistory(new DirStore(join(repo.dir, '.ci-optimizer')));
    expect(remembered.runs).toHaveLength(2);
  }, 600_000);
});
