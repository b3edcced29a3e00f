import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerJob, runActionStep } from '../support/action-runner.ts';
import type { TempGitRepo } from '../support/git-repo.ts';
import { LoggingGitShim } from '../support/git-shim.ts';
import { pythonProject } from './python-project.ts';

// A warm predict (the store holds test-filter's graph of an earlier tree) starts only the git processes its answer
// needs: the change view's `git cat-file --batch` reader also answers the diff range's questions on commits (the given
// refs; a pull request's merge commit and base), so none of them starts a process of its own. Every git process the
// step starts is logged by a `git` on PATH that runs the real one.
describe('the git processes of a warm predict (dist bundle)', () => {
  let repo: TempGitRepo;
  let shim: LoggingGitShim;
  const jobs: RunnerJob[] = [];
  const shas: Record<string, string> = {};

  beforeAll(() => {
    shim = new LoggingGitShim();
    repo = pythonProject();
    repo.write({ '.gitignore': 'stores/\n' });
    shas.base = repo.commit('ignore the store');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write({ 'src/shop/pricing.py': 'def total(items):\n    return sum(items) + 0\n' });
    shas.first = repo.commit('first change');
    repo.write({ 'src/shop/stock.py': 'def available(n):\n    return n >= 1\n' });
    shas.feature = repo.commit('second change');
    shas.merge = repo.mergeCommit(shas.base, shas.feature);
  });
  afterAll(() => {
    repo.remove();
    shim.remove();
    for (const job of jobs) job.remove();
  });

  /** A predict step on `store`; with `logged`, the git commands (first word after the options) it started, sorted. */
  async function predict(
    store: string,
    inputs: Record<string, string>,
    event: { name: string; payload: Record<string, unknown> },
  ) {
    const job = new RunnerJob();
    jobs.push(job);
    shim.clear();
    const { main } = await runActionStep({
      action: 'test-predictor',
      job,
      workspace: repo.dir,
      inputs: { mode: 'predict', store: `dir:stores/${store}`, ...inputs },
      event,
      env: { PATH: shim.path() },
    });
    expect(main.exitCode, main.stderr + main.stdout).toBe(0);
    return {
      outputs: main.outputs,
      commands: shim
        .calls()
        .map((call) => call.split(' ')[0])
        .sort(),
    };
  }

  it('with a base and head given: one rev-parse (probe, refs, merge base), the diff and one object reader', {
    timeout: 300_000,
  }, async () => {
    const event = { name: 'push', payload: {} };
    // Cold, on the first change: test-filter's graph of its tree is stored.
    await predict('refs', { base: shas.base, head: shas.first }, event);
    const warm = await predict('refs', { base: shas.base, head: shas.feature }, event);
    // Before: a `cat-file --batch-check` for the two refs and a `merge-base` besides the view's `cat-file --batch`; the
    // refs and their merge base now come with the checkout questions from one `git rev-parse` (probeCheckoutAndRange).
    expect(warm.commands).toEqual(['cat-file', 'diff', 'rev-parse']);
    expect(JSON.parse(warm.outputs['tests-json'] ?? '[]')).toContain('tests/test_stock.py');
  });

  it("on a pull request's merge commit: the probe, the diff and one object reader", { timeout: 300_000 }, async () => {
    const event = {
      name: 'pull_request',
      payload: { pull_request: { base: { sha: shas.base }, head: { sha: shas.feature } } },
    };
    await predict('pull-request', { base: shas.base, head: shas.first }, { name: 'push', payload: {} });
    const warm = await predict('pull-request', {}, event);
    // Before: `cat-file commit` of the merge commit and `cat-file -e` of its first parent besides the view's reader.
    expect(warm.commands).toEqual(['cat-file', 'diff', 'rev-parse']);
    expect(JSON.parse(warm.outputs['tests-json'] ?? '[]')).toContain('tests/test_stock.py');
  });
});
