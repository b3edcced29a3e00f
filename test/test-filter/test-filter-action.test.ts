import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, RunnerJob, runActionStep } from '../support/action-runner.ts';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';
import { LoggingGitShim } from '../support/git-shim.ts';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** An origin with a pull request (base on main, one feature commit, GitHub's merge ref) and a depth-1 clone of it. */
function pullRequestCheckout() {
  const origin = new TempGitRepo();
  origin.write({
    'app/__init__.py': '',
    'app/ledger.py': 'def post(x):\n    return x\n',
    'app/rates.py': 'RATE = 2\n',
    'tests/test_ledger.py': 'from app.ledger import post\n\ndef test_post():\n    assert post(1) == 1\n',
    'tests/test_rates.py': 'from app.rates import RATE\n\ndef test_rate():\n    assert RATE == 2\n',
    Dockerfile: 'FROM python:3.12\n',
  });
  const base = origin.commit('base');
  origin.git('checkout', '-q', '-b', 'feature');
  origin.write({ 'app/ledger.py': 'def post(x):\n    return x + 0\n' });
  const featureHead = origin.commit('feature');
  origin.git('checkout', '-q', '-b', 'merge', 'main');
  origin.git('merge', '-q', '--no-ff', '-m', 'Merge feature', 'feature');
  origin.git('update-ref', 'refs/pull/1/merge', origin.head());
  origin.git('checkout', '-q', 'main');
  const clone = tempDir('ci-opt-clone-');
  git(clone, 'init', '-q');
  git(clone, 'remote', 'add', 'origin', `file://${origin.dir}`);
  git(clone, 'fetch', '-q', '--depth=1', 'origin', '+refs/pull/1/merge:refs/remotes/pull/1/merge');
  git(clone, 'checkout', '-q', '--detach', 'refs/remotes/pull/1/merge');
  return { origin, clone, base, featureHead };
}

describe('test-filter action (dist/test-filter/index.js)', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

  beforeAll(() => {
    if (!existsSync(join(REPO_ROOT, 'dist/test-filter/index.js'))) {
      execFileSync(process.execPath, ['scripts/bundle.mjs', 'test-filter'], { cwd: REPO_ROOT, stdio: 'ignore' });
    }
  });

  it('selects the tests of a pull request from a shallow clone and sets every output', async () => {
    const { origin, clone, base, featureHead } = pullRequestCheckout();
    const job = new RunnerJob();
    const storeDir = tempDir('ci-opt-store-');
    cleanup.push(
      () => origin.remove(),
      () => rmSync(clone, { recursive: true, force: true }),
      () => job.remove(),
      () => rmSync(storeDir, { recursive: true, force: true }),
    );
    const { main } = await runActionStep({
      action: 'test-filter',
      job,
      workspace: clone,
      inputs: { filters: 'docker:\n  - Dockerfile\npython:\n  - "**/*.py"\n', store: `dir:${storeDir}` },
      event: {
        name: 'pull_request',
        payload: {
          number: 1,
          pull_request: { number: 1, base: { sha: base, ref: 'main' }, head: { sha: featureHead, ref: 'feature' } },
        },
      },
    });
    expect(main.stderr).toBe('');
    expect(main.exitCode).toBe(0);
    expect(main.outputs['run-all']).toBe('false');
    expect(main.outputs.tests).toBe('tests/test_ledger.py');
    expect(JSON.parse(main.outputs['tests-json'])).toEqual(['tests/test_ledger.py']);
    expect(main.outputs['selected-count']).toBe('1');
    expect(main.outputs['total-count']).toBe('2');
    expect(main.outputs.reduction).toBe('0.5');
    expect(JSON.parse(main.outputs['changed-files-json'])).toEqual([{ status: 'modified', path: 'app/ledger.py' }]);
    expect(JSON.parse(main.outputs['filters-json'])).toEqual({ docker: false, python: true });
    expect(main.outputs.docker).toBe('false');
    expect(main.outputs.python).toBe('true');
    expect(main.outputs.base).toBe(base);
    const metrics = JSON.parse(main.outputs.metrics);
    expect(Object.keys(metrics.phases).sort()).toEqual(['diff', 'graph', 'history', 'impact-map', 'select']);
    expect(metrics.counters['tests-selected']).toBe(1);
    expect(main.summary).toContain('<details><summary>Why these 1 tests</summary>');
    expect(main.summary).toContain('tests/test_ledger.py');
    expect(existsSync(join(storeDir, 'test-filter', 'graph-python.json'))).toBe(true);
  });

  it('runs everything with the reason when the base cannot be found', async () => {
    const repo = new TempGitRepo();
    const job = new RunnerJob();
    cleanup.push(
      () => repo.remove(),
      () => job.remove(),
    );
    repo.write({ 'a.py': 'A = 1\n', 'test_a.py': 'import a\n', 'test_b.py': 'import os\n' });
    const head = repo.commit();
    const { main } = await runActionStep({
      action: 'test-filter',
      job,
      workspace: repo.dir,
      inputs: { store: 'none' },
      event: { name: 'push', payload: { before: '0000000000000000000000000000000000000000', after: head } },
    });
    expect(main.exitCode).toBe(0);
    expect(main.outputs['run-all']).toBe('true');
    expect(main.outputs.reasons).toMatch(/^The base commit is unknown \(/);
    expect(main.outputs.tests).toBe('test_a.py test_b.py');
    expect(main.annotations.some((a) => a.level === 'warning')).toBe(true);
  });

  it("asks git whether the folder is a checkout once, in the diff range's first round", async () => {
    // Every git process the step starts is logged by a `git` on PATH that runs the real one.
    const shim = new LoggingGitShim();
    const repo = new TempGitRepo();
    const job = new RunnerJob();
    cleanup.push(
      () => repo.remove(),
      () => job.remove(),
      () => shim.remove(),
    );
    repo.write({ 'a.py': 'A = 1\n', 'test_a.py': 'import a\n', 'test_b.py': 'import os\n' });
    const base = repo.commit('base');
    repo.write({ 'a.py': 'A = 2\n' });
    const head = repo.commit('change');
    shim.clear();
    const { main } = await runActionStep({
      action: 'test-filter',
      job,
      workspace: repo.dir,
      inputs: { store: 'none', base, head },
      env: { PATH: shim.path() },
    });
    expect(main.exitCode).toBe(0);
    expect(main.outputs.tests).toBe('test_a.py');
    const revParses = shim.calls().filter((call) => call.startsWith('rev-parse'));
    expect(revParses).toHaveLength(1);
    expect(revParses[0]).toContain('--is-inside-work-tree --is-shallow-repository');
    // With an explicit base and head that rev-parse also resolves both and finds their merge base (no
    // `cat-file --batch-check` or `merge-base` of their own), and the diff runs beside it, before the selection's reads.
    const commands = shim.calls().map((call) => call.split(' ')[0]);
    expect(commands.slice(0, 2).sort()).toEqual(['diff', 'rev-parse']);
    expect(commands).not.toContain('merge-base');
    expect(shim.calls().filter((call) => call.startsWith('cat-file --batch-check'))).toEqual([]);
  });

  it('a project-dir that is not a folder of the head fails the step with a message naming it', async () => {
    const repo = new TempGitRepo();
    const job = new RunnerJob();
    cleanup.push(
      () => repo.remove(),
      () => job.remove(),
    );
    repo.write({ 'a.py': 'A = 1\n', 'test_a.py': 'import a\n' });
    const base = repo.commit('base');
    repo.write({ 'a.py': 'A = 2\n' });
    const head = repo.commit('change');
    const { main } = await runActionStep({
      action: 'test-filter',
      job,
      workspace: repo.dir,
      inputs: { store: 'none', base, head, 'project-dir': 'a.py' },
    });
    expect(main.exitCode).not.toBe(0);
    expect(main.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /Input 'project-dir' .* has value 'a\.py', which is a file, not a folder,/,
    );
  });

  it('a bad input fails the step with a message naming it', async () => {
    const repo = new TempGitRepo();
    const job = new RunnerJob();
    cleanup.push(
      () => repo.remove(),
      () => job.remove(),
    );
    repo.write({ 'a.py': 'A = 1\n' });
    repo.commit();
    const { main } = await runActionStep({
      action: 'test-filter',
      job,
      workspace: repo.dir,
      inputs: { 'unknown-files': 'maybe', store: 'none' },
    });
    expect(main.exitCode).not.toBe(0);
    expect(main.annotations.find((a) => a.level === 'error')?.message).toContain("'unknown-files'");
  });
});
