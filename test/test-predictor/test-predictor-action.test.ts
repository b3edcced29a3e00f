import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirStore } from '@ci-optimizer/core/store';
import { appendRun, readHistory, STORE_KEYS, type RunRecord } from '@ci-optimizer/core/test-predictor';
import { REPO_ROOT, RunnerJob, runActionStep } from '../support/action-runner.ts';
import type { TempGitRepo } from '../support/git-repo.ts';
import { pythonProject, runPytest } from './python-project.ts';

const TEST_FILES = ['tests/api/test_health.py', 'tests/test_pricing.py', 'tests/test_stock.py'];

/** A history over the project's real test files: changing a module breaks the tests that import it, now and then. */
function seededHistory(): RunRecord[] {
  const runs: RunRecord[] = [];
  for (let i = 0; i < 16; i++) {
    const module = i % 2 === 0 ? 'pricing' : 'stock';
    const broken = i % 4 < 2 ? `tests/test_${module}.py` : undefined;
    runs.push({
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
        outcome: file === broken ? 'failed' : 'passed',
        duration: file.includes('health') ? 1.5 : 0.2,
        retry: false,
      })),
    });
  }
  return runs;
}

describe('test-predictor action (dist/test-predictor/index.js)', () => {
  let repo: TempGitRepo;
  let job: RunnerJob;
  let c1: string;
  let c2: string;
  let c3: string;
  const store = 'dir:.ci-optimizer';

  beforeAll(() => {
    repo = pythonProject();
    repo.write({ '.gitignore': '.ci-optimizer/\nreports/\n' });
    c1 = repo.commit('ignore');
    repo.write({ 'src/shop/pricing.py': 'def total(items):\n    return sum(items) + 1\n' });
    c2 = repo.commit('break pricing');
    job = new RunnerJob();
  });
  afterAll(() => {
    repo.remove();
    job.remove();
  });

  it('record: appends the run from a real pytest JUnit report and reports the failure', async () => {
    runPytest(repo, 'run');
    const { main } = await runActionStep({
      action: 'test-predictor',
      job,
      workspace: repo.dir,
      inputs: { mode: 'record', store, junit: 'reports/*.xml', base: c1, head: c2 },
      event: { name: 'pull_request', payload: {} },
    });
    expect(main.exitCode, main.stderr + main.stdout).toBe(0);
    expect(main.outputs['recorded-cases']).toBe('4');
    expect(JSON.parse(main.outputs['failed-tests'])).toEqual(['tests/test_pricing.py']);
    expect(main.outputs['full-run']).toBe('true');
    expect(main.summary).toContain('recorded 4 test cases');
    const runs = await readHistory(new DirStore(join(repo.dir, '.ci-optimizer')), (m) => expect.fail(m));
    expect(runs).toHaveLength(1);
    const record: RunRecord = runs[0];
    expect(record).toMatchObject({ schema: 1, commit: c2, base: c1, full: true });
    expect(record.changes).toEqual([{ path: 'src/shop/pricing.py', status: 'modified', added: 1, removed: 1 }]);
    expect(record.reach).toEqual({ 'tests/test_pricing.py': 1 });
    expect(record.audit?.failedFiles).toEqual(['tests/test_pricing.py']);
    expect(record.audit?.missedByTestFilter).toEqual([]);
  });

  it('predict at cold start: must-run, then test-filter order plus durations, and says so', async () => {
    repo.write({ 'src/shop/stock.py': 'def available(n):\n    return n >= 1\n' });
    c3 = repo.commit('touch stock');
    const { main } = await runActionStep({
      action: 'test-predictor',
      job,
      workspace: repo.dir,
      inputs: { mode: 'predict', store, base: c2, head: c3, shards: '2' },
      event: { name: 'pull_request', payload: {} },
    });
    expect(main.exitCode, main.stderr + main.stdout).toBe(0);
    expect(main.outputs['cold-start']).toBe('true');
    // The base's failing test is a must-run; then what the graph reaches from the change; then the rest.
    expect(JSON.parse(main.outputs['tests-json'])).toEqual([
      'tests/test_pricing.py',
      'tests/test_stock.py',
      'tests/api/test_health.py',
    ]);
    expect(main.summary).toContain('failed on the base');
    expect(
      main.annotations.some((a) => a.level === 'notice' && /no usable model \(no trained model yet\)/.test(a.message)),
    ).toBe(true);
    expect(main.summary).toContain('**No usable model:**');
    // One recorded run is too little to prefer another ranking: co-failure weighed by the import graph's lift.
    expect(main.summary).toContain('**Ranking: co-failure-graph**');
    expect(main.summary).toMatch(
      /On the team's own history \(\d+ replayed run\(s\) with failures\) it caught [\d.]+% of the faulty changes at [\d.]+% of test time, APFDc /,
    );
  });

  it('train: fits the model on the history and stores it with its figures', async () => {
    const dirStore = new DirStore(join(repo.dir, '.ci-optimizer'));
    for (const run of seededHistory()) await appendRun(dirStore, run, 1000);
    const { main } = await runActionStep({
      action: 'test-predictor',
      job,
      workspace: repo.dir,
      inputs: { mode: 'train', store },
    });
    expect(main.exitCode, main.stderr + main.stdout).toBe(0);
    expect(main.outputs['model-status']).toBe('installed');
    expect(Number(main.outputs['training-rows'])).toBe(17 * 3);
    expect(main.summary).toContain('model installed');
    const document = JSON.parse(readFileSync(join(repo.dir, '.ci-optimizer', STORE_KEYS.model), 'utf8'));
    expect(document.schema).toBe(1);
    expect(document.window.runs).toBe(17);
    expect(document.xgboost.learner.objective.name).toBe('binary:logistic');
  });

  it('predict with the model: fail-fast order, a budget, and shards a matrix fans out with fromJSON', async () => {
    const { main } = await runActionStep({
      action: 'test-predictor',
      job,
      workspace: repo.dir,
      inputs: {
        mode: 'predict',
        store,
        base: c2,
        head: c3,
        shards: '2',
        budget: 'recall:0.9',
        'min-history': '5',
        'slow-threshold': '1s',
      },
      event: { name: 'pull_request', payload: {} },
    });
    expect(main.exitCode, main.stderr + main.stdout).toBe(0);
    expect(main.outputs['cold-start']).toBe('false');
    const ordered = JSON.parse(main.outputs['tests-json']) as string[];
    // On 17 runs the model is not significantly better than the simple rankings on its held-out runs, so
    // co-failure-graph runs, and says why; the test that failed on the base comes first, then the one that failed
    // with these files before.
    expect(main.outputs.ranking).toBe('co-failure-graph');
    expect(main.summary).toMatch(/\*\*Ranking: co-failure-graph\*\*.*the model is not significantly better/);
    expect(ordered.slice(0, 2)).toEqual(['tests/test_pricing.py', 'tests/test_stock.py']);
    expect([...ordered].sort()).toEqual(TEST_FILES);
    const probabilities = JSON.parse(main.outputs.probabilities) as Record<string, number>;
    expect(probabilities['tests/test_stock.py']).toBeGreaterThan(probabilities['tests/api/test_health.py']);
    const selected = JSON.parse(main.outputs['selected-json']) as string[];
    expect(selected).toContain('tests/test_stock.py');
    expect(Number(main.outputs['estimated-recall'])).toBeGreaterThanOrEqual(0.9);

    // What `strategy: matrix: ${{ fromJSON(needs.plan.outputs.shards) }}` sees: one job per include entry.
    const matrix = JSON.parse(main.outputs.shards) as {
      include: { shard: number; total: number; tests: string; 'tests-json': string }[];
    };
    expect(Number(main.outputs['shard-count'])).toBe(matrix.include.length);
    expect(matrix.include.length).toBe(Math.min(2, selected.length));
    expect(matrix.include.flatMap((entry) => JSON.parse(entry['tests-json']) as string[]).sort()).toEqual(
      [...selected].sort(),
    );
    for (const entry of matrix.include) {
      expect(entry.total).toBe(matrix.include.length);
      expect(entry.tests).not.toBe('');
      // Each matrix job runs its shard for real.
      const pytest = spawnSync(
        '/usr/bin/python3',
        ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...entry.tests.split(' ')],
        { cwd: repo.dir, encoding: 'utf8' },
      );
      expect(pytest.stdout).toMatch(/passed|failed/);
    }
    expect(JSON.parse(main.outputs['slow-tests'])).toEqual(['tests/api/test_health.py::test_x']);
    expect(main.summary).toMatch(/main reasons/);
  });

  it('the CLI prints the typed JSON the issue names', () => {
    const cli = join(REPO_ROOT, 'dist', 'cli', 'index.js');
    if (!existsSync(cli)) throw new Error('dist/cli/index.js is missing: run npm run bundle -- cli');
    const result = spawnSync(
      process.execPath,
      [
        cli,
        'test-predictor',
        '--mode',
        'predict',
        '--repo',
        repo.dir,
        '--base',
        c2,
        '--head',
        c3,
        '--store',
        store,
        '--min-history',
        '5',
        '--json',
      ],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      },
    );
    expect(result.status, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(
      expect.arrayContaining(['tests', 'probabilities', 'selected', 'shards', 'estimated-recall']),
    );
    expect(out.tests).toEqual(expect.arrayContaining(TEST_FILES));
    expect(Array.isArray(out.shards)).toBe(true);
    expect(typeof out['estimated-recall']).toBe('number');
  });

  it('a bad budget fails the step with the input, the value and the fix', async () => {
    const { main } = await runActionStep({
      action: 'test-predictor',
      job,
      workspace: repo.dir,
      inputs: { mode: 'predict', store, budget: 'most' },
    });
    expect(main.exitCode).toBe(1);
    expect(main.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /Input 'budget' has value 'most'.*Use 'all', 'recall:0.99'/,
    );
  });
});
