// The first hour as a user (issue 18), through the shipped bundles: dist/cli/index.js and dist/<action>/index.js
// in child processes, on real git repositories and real pytest runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, RunnerJob, runActionStep } from '../support/action-runner.ts';
import { type TempGitRepo, tempDir } from '../support/git-repo.ts';
import { timeoutFor } from '../support/timeouts.ts';
import { pythonProject, runPytest } from '../test-predictor/python-project.ts';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'index.js');
// Each CLI call starts a Node process, git and (for selection) a parse of the project: generous on a loaded machine.
const SLOW = timeoutFor(6, 10_000);

function cli(args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function project(): TempGitRepo {
  const repo = pythonProject();
  cleanups.push(() => repo.remove());
  // The JUnit reports and the store stay out of the commits (as a user's .gitignore keeps them).
  repo.write({ '.gitignore': 'reports/\n.ci-optimizer/\n' }).commit('ignore reports and the store');
  return repo;
}

function scratch(): string {
  const dir = tempDir();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('1. no silent zero: a configuration under which no test file is found is an error', () => {
  it(
    'a wrong project-dir stops test-filter with exit 2 naming the input, the value and the fix (CLI and config file)',
    () => {
      const repo = project();
      repo.write({ 'src/shop/pricing.py': 'def total(items):\n    return sum(items) + 0\n' }).commit('change');
      const flag = cli(['test-filter', '--project-dir', 'nope', '--base', 'HEAD~1'], repo.dir);
      expect(flag.code).toBe(2);
      expect(flag.stdout).toBe('');
      expect(flag.stderr).toMatch(
        /Input 'project-dir'.* has value 'nope', which is not a folder of the repository at HEAD\. Set it to the folder pytest runs in/,
      );

      repo.write({ '.github/ci-optimizer.yml': 'test-filter:\n  project-dir: nope\n' }).commit('config');
      const config = cli(['test-filter', '--base', 'HEAD~1', '--json'], repo.dir);
      expect(config.code).toBe(2);
      expect(config.stderr).toContain("has value 'nope'");
    },
    SLOW,
  );

  it(
    'a project where pytest discovery finds no test file fails instead of "selected 0, total 0"',
    () => {
      const repo = project();
      // pytest.ini points discovery at a folder without tests.
      repo
        .write({ 'pytest.ini': '[pytest]\ntestpaths = tests\npython_files = check_*.py\npythonpath = src\n' })
        .commit('discovery matches nothing');
      const run = cli(['test-filter', '--base', 'HEAD~1', '--json'], repo.dir);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(
        /test-filter found no test file in the repository at [0-9a-f]{12}: pytest's discovery .* matches nothing there/,
      );
    },
    SLOW,
  );

  it(
    'the action fails the step (setFailed) on a wrong project-dir instead of outputting selected-count 0',
    async () => {
      const repo = project();
      repo.write({ 'src/shop/stock.py': 'def available(n):\n    return n >= 1\n' }).commit('change');
      const job = new RunnerJob();
      cleanups.push(() => job.remove());
      const { main } = await runActionStep({
        action: 'test-filter',
        workspace: repo.dir,
        job,
        inputs: { 'project-dir': 'nope', base: 'HEAD~1' },
      });
      expect(main.exitCode).toBe(1);
      expect(main.annotations).toContainEqual(
        expect.objectContaining({ level: 'error', message: expect.stringContaining("has value 'nope'") }),
      );
      expect(main.outputs['selected-count']).toBeUndefined();
    },
    SLOW,
  );
});

describe('2. the savings add up', () => {
  it(
    'test-plan records the test time test-filter left out (not 0), and report from the CLI keeps metrics without RUNNER_TEMP',
    () => {
      const repo = project();
      // A full run with real durations in the history.
      const junit = runPytest(repo, 'full');
      const recorded = cli(
        ['test-predictor', '--mode', 'record', '--junit', junit, '--full-run', 'true', '--json'],
        repo.dir,
      );
      expect(recorded.code, recorded.stderr).toBe(0);
      repo.write({ 'src/shop/stock.py': 'def available(n):\n    return n >= 1\n' }).commit('stock only');
      const plan = cli(['test-plan', '--base', 'HEAD~1', '--json'], repo.dir);
      expect(plan.code, plan.stderr).toBe(0);
      const outputs = JSON.parse(plan.stdout);
      expect(outputs.tests).toEqual(['tests/test_stock.py']);
      // test_health sleeps 50 ms and test_pricing runs too: what was not run is more than 0.
      expect(outputs.metrics.counters['test-time-saved-ms']).toBeGreaterThan(40);
      expect(outputs.metrics.counters['run-all']).toBe(0);

      // No RUNNER_TEMP: the steps' metrics were kept in the repository's .ci-optimizer/ and report adds them up.
      const report = cli(['report', '--json', '--record', 'true'], repo.dir);
      expect(report.code, report.stderr).toBe(0);
      const dashboard = JSON.parse(report.stdout);
      expect(dashboard.steps).toBeGreaterThanOrEqual(2);
      expect(dashboard['pipeline-ms']).toBeGreaterThan(0);
      expect(dashboard['tests-selected']).toBe(1);
      expect(dashboard['tests-total']).toBe(3);
      // The report's run history in the store (files under .ci-optimizer/report).
      const reportHistory = () =>
        readdirSync(join(repo.dir, '.ci-optimizer'), { recursive: true })
          .map(String)
          .filter((f) => f.startsWith('report') && statSync(join(repo.dir, '.ci-optimizer', f)).isFile())
          .map((f) => readFileSync(join(repo.dir, '.ci-optimizer', f), 'utf8'))
          .join('\n');
      const historyFiles = reportHistory();
      expect(historyFiles).toContain('"testsSelected":1');

      // The next report starts the next run: nothing has run since, so it reports nothing and records nothing.
      const before = historyFiles;
      const empty = cli(['report', '--json'], repo.dir);
      expect(empty.code, empty.stderr).toBe(0);
      expect(JSON.parse(empty.stdout)).toMatchObject({ steps: 0, 'pipeline-ms': null, 'slo-passed': null });
      expect(empty.stderr).toContain('no ci-optimizer step has run in this job yet');
      expect(reportHistory()).toBe(before);

      // --metrics-dir keeps them elsewhere; an explicit metrics-file that is not there is a usage error.
      const elsewhere = scratch();
      const kept = cli(['test-predictor', '--mode', 'predict', '--metrics-dir', elsewhere, '--json'], repo.dir);
      expect(kept.code, kept.stderr).toBe(0);
      expect(readFileSync(join(elsewhere, 'metrics.jsonl'), 'utf8')).toContain('"action":"test-predictor"');
      const missing = cli(['report', '--metrics-file', join(elsewhere, 'nope.jsonl')], repo.dir);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain("Input 'metrics-file' has value");
    },
    SLOW,
  );
});

describe('4. wrong paths and refs get clear answers', () => {
  it(
    'names the folder for --repo that does not exist, a file, or a folder that is no git checkout',
    () => {
      const dir = scratch();
      const missing = cli(['test-filter', '--repo', join(dir, 'nonexistent')], dir);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(
        `--repo '${join(dir, 'nonexistent')}': ${join(dir, 'nonexistent')} does not exist`,
      );
      expect(missing.stderr).not.toContain('this is a bug');

      const plain = join(dir, 'plain');
      mkdirSync(plain);
      for (const args of [['test-filter'], ['test-predictor', '--mode', 'predict']]) {
        const run = cli([...args, '--repo', plain, '--json'], dir);
        expect(run.code, args.join(' ')).toBe(1);
        expect(run.stdout).toBe('');
        expect(run.stderr).toContain(`${plain} is not a git checkout`);
        expect(run.stderr).not.toContain('undefined');
      }
    },
    SLOW,
  );

  it(
    'an unknown --base, a --base without value, a bad boolean and a summary in a missing folder are usage errors (exit 2)',
    () => {
      const repo = project();
      const base = cli(['test-filter', '--base', 'no-such-branch', '--json'], repo.dir);
      expect(base.code).toBe(2);
      expect(base.stdout).toBe('');
      expect(base.stderr).toContain("Input 'base' has value 'no-such-branch', which is not a commit, branch or tag");
      const predictor = cli(['test-predictor', '--mode', 'predict', '--base', 'no-such-branch', '--json'], repo.dir);
      expect(predictor.code).toBe(2);
      expect(predictor.stdout).toBe('');

      const bare = cli(['test-filter', '--base', '--head', 'HEAD'], repo.dir);
      expect(bare.code).toBe(2);
      expect(bare.stderr).toContain("flag '--base' needs a value");
      // A boolean input may still be given bare.
      const boolean = cli(['test-predictor', '--mode', 'predict', '--graph', '--json'], repo.dir);
      expect(boolean.code, boolean.stderr).toBe(0);

      const hit = cli(['cache-key', '--cache-hit', 'yes-ish'], repo.dir);
      expect(hit.code).toBe(2);
      expect(hit.stderr).toContain("Input 'cache-hit' has value 'yes-ish', which is not a boolean");

      const summary = cli(['report', '--summary', join(repo.dir, 'nonexistent-dir', 'x.md')], repo.dir);
      expect(summary.code).toBe(2);
      expect(summary.stderr).toContain(`the folder ${join(repo.dir, 'nonexistent-dir')} does not exist`);
    },
    SLOW,
  );
});

describe('5. every input is checked before any work', () => {
  it(
    'test-predictor record with a bad max-miss-rate appends nothing to the history',
    () => {
      const repo = project();
      const junit = runPytest(repo, 'full');
      const run = cli(['test-predictor', '--mode', 'record', '--junit', junit, '--max-miss-rate', '-1'], repo.dir);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("Input 'max-miss-rate' has value '-1', below the minimum 0");
      const store = join(repo.dir, '.ci-optimizer');
      const files = existsSync(store) ? readdirSync(store, { recursive: true }).map(String) : [];
      expect(files.filter((f) => f.includes('history'))).toEqual([]);
    },
    SLOW,
  );

  it(
    'perf-comment with a bad comment mode fails before printing a comment (CLI and action)',
    async () => {
      const dir = scratch();
      const results = join(dir, 'results.json');
      writeFileSync(
        results,
        JSON.stringify({ benchmarks: [{ name: 'test_a', stats: { data: [1, 1.1, 0.9], mean: 1 } }] }),
      );
      const run = cli(['perf-comment', '--results', results, '--baseline', results, '--comment', 'sometimes'], dir);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(
        "Input 'comment' has value 'sometimes', which is not one of: 'always', 'on-change', 'never'",
      );

      const job = new RunnerJob();
      cleanups.push(() => job.remove());
      const { main } = await runActionStep({
        action: 'perf-comment',
        job,
        inputs: { results, baseline: results, comment: 'sometimes' },
      });
      expect(main.exitCode).toBe(1);
      expect(main.summary).toBe('');
      expect(main.annotations).toContainEqual(
        expect.objectContaining({ level: 'error', message: expect.stringContaining("'sometimes'") }),
      );
    },
    SLOW,
  );
});

describe('7. a module skipped at collection (pytest.importorskip) is a skipped file', () => {
  it(
    'is attributed to its file, keeps full-run true, and is not a "new test file" afterwards',
    () => {
      const repo = project();
      repo
        .write({
          'tests/test_async.py':
            'import pytest\n\nasgiref = pytest.importorskip("no_such_module_for_ci_optimizer")\n\n\ndef test_async():\n    pass\n',
        })
        .commit('importorskip');
      const junit = runPytest(repo, 'full');
      expect(readFileSync(junit, 'utf8')).toMatch(/<testcase classname="" name="tests.test_async"/);
      const recorded = cli(['test-predictor', '--mode', 'record', '--junit', junit, '--json'], repo.dir);
      expect(recorded.code, recorded.stderr).toBe(0);
      expect(recorded.stderr).not.toContain('name no test file');
      expect(JSON.parse(recorded.stdout)['full-run']).toBe(true);

      repo.write({ 'src/shop/stock.py': 'def available(n):\n    return n >= 1\n' }).commit('stock only');
      const predicted = cli(['test-predictor', '--mode', 'predict', '--base', 'HEAD~1', '--json'], repo.dir);
      expect(predicted.code, predicted.stderr).toBe(0);
      expect(predicted.stdout).not.toContain('new test file');
      expect(JSON.parse(predicted.stdout).tests).toContain('tests/test_async.py');
    },
    SLOW,
  );
});

describe('8. run-all means every test runs, in every action', () => {
  it(
    'test-predictor with candidates: run-all false, all-candidates-selected true',
    () => {
      const repo = project();
      const run = cli(
        ['test-predictor', '--mode', 'predict', '--candidates', '["tests/test_stock.py"]', '--json'],
        repo.dir,
      );
      expect(run.code, run.stderr).toBe(0);
      const outputs = JSON.parse(run.stdout);
      expect(outputs.selected).toEqual(['tests/test_stock.py']);
      expect(outputs['run-all']).toBe(false);
      expect(outputs['all-candidates-selected']).toBe(true);
      const all = JSON.parse(cli(['test-predictor', '--mode', 'predict', '--json'], repo.dir).stdout);
      expect(all['run-all']).toBe(true);
    },
    SLOW,
  );
});

describe('12. one store per repository, readable plain output', () => {
  it(
    'a run from a subfolder uses the repository root; plain output is the summary and plain values on stdout',
    () => {
      const repo = project();
      repo.write({ 'src/shop/stock.py': 'def available(n):\n    return n >= 1\n' }).commit('stock only');
      const sub = join(repo.dir, 'src', 'shop');
      const run = cli(['test-filter', '--base', 'HEAD~1'], sub);
      expect(run.code, run.stderr).toBe(0);
      expect(existsSync(join(sub, '.ci-optimizer'))).toBe(false);
      expect(existsSync(join(repo.dir, '.ci-optimizer'))).toBe(true);
      expect(run.stderr).toContain(`working in the repository root ${repo.dir}`);
      // stdout: the readable summary, then plain outputs; no JSON blob.
      expect(run.stdout).toContain('### test-filter');
      expect(run.stdout).toMatch(/^selected-count: 1$/m);
      expect(run.stdout).toMatch(/^tests: tests\/test_stock.py$/m);
      expect(run.stdout).not.toMatch(/^[\w-]+: [[{]/m);
      expect(run.stdout).toContain('structured outputs, printed with --json');
      expect(run.stderr).not.toContain('### test-filter');
    },
    SLOW,
  );
});
