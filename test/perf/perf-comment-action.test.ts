import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunnerJob, REPO_ROOT, runActionStep } from '../support/action-runner.ts';
import { TempGitRepo } from '../support/git-repo.ts';
import { GitHubApiServer, installIssueComments, type IssueCommentsFake } from '../support/github-api-server.ts';
import { lognormalTimings, normalSource, seededRandom } from './seeded-random.ts';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'index.js');

/** A generic results list: `parse` gets 30% slower on the PR side when `slow` is set. */
function results(seed: number, slow: boolean, slowParse = 13): string {
  const normal = normalSource(seededRandom(seed));
  return JSON.stringify([
    { name: 'parse', unit: 'ms', samples: lognormalTimings(normal, 25, slow ? slowParse : 10, 0.03) },
    { name: 'render', unit: 'ms', samples: lognormalTimings(normal, 25, 5, 0.03) },
    { name: 'throughput', unit: 'req/s', 'bigger-is-better': true, samples: lognormalTimings(normal, 25, 900, 0.03) },
  ]);
}

describe('perf-comment through the bundles (dist/cli and dist/perf-comment)', () => {
  let job: RunnerJob;
  let api: GitHubApiServer;
  let comments: IssueCommentsFake;

  beforeEach(async () => {
    job = new RunnerJob();
    api = await GitHubApiServer.start();
    comments = installIssueComments(api);
    writeFileSync(join(job.workspace, 'base.json'), results(1, false));
    writeFileSync(join(job.workspace, 'pr.json'), results(2, true));
  });
  afterEach(async () => {
    await api.close();
    job.remove();
  });

  it('CLI --json prints the verdict lists without any GitHub access', () => {
    const run = spawnSync(
      process.execPath,
      [CLI, 'perf-comment', '--results', 'pr.json', '--baseline', 'base.json', '--comment', 'never', '--json'],
      {
        cwd: job.workspace,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ verdict: 'regression', regressions: ['parse'], improvements: [], 'comment-url': '' });
    expect([...json.unchanged, ...json.inconclusive].sort()).toEqual(['render', 'throughput']);
  });

  it('CLI names a malformed results file and what is wrong with it', () => {
    writeFileSync(join(job.workspace, 'bad.json'), JSON.stringify([{ name: 'x', unit: 'ms', value: 'fast' }]));
    const run = spawnSync(
      process.execPath,
      [CLI, 'perf-comment', '--results', 'bad.json', '--baseline', 'base.json', '--comment', 'never', '--json'],
      {
        cwd: job.workspace,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/bad\.json: \[0\]\.value \('x'\) is "fast"; expected a number/);
  });

  // Usage errors: the message names the input, the value and the fix; the CLI exits 2 (a failed run exits 1), the
  // action fails the step with the same message (checked through dist/perf-comment/index.js).
  const usageErrors: [string, string[], RegExp][] = [
    [
      'results file that does not exist',
      ['--results', 'missing.json', '--baseline', 'base.json'],
      /Input 'results' has value 'missing\.json': cannot read benchmark results .*missing\.json.*Check the path/,
    ],
    [
      'baseline file that does not exist',
      ['--results', 'pr.json', '--baseline', 'nope/base.json'],
      /Input 'baseline' has value '.*nope\/base\.json': cannot read .*Check the path/,
    ],
    [
      'a CPU profile given as results',
      ['--results', 'prof.cpuprofile', '--baseline', 'base.json'],
      /Input 'results' has value '.*prof\.cpuprofile': .* is a CPU profile, not benchmark results\. Pass it as 'profile'/,
    ],
    [
      'min-change that is not a percentage',
      ['--results', 'pr.json', '--baseline', 'base.json', '--min-change', 'five'],
      /Input 'min-change' has value 'five', which is not a percentage\. Use e\.g\. '5%'/,
    ],
    [
      'ab-runs out of range',
      ['--mode', 'ab', '--ab-command', 'true', '--ab-runs', '0'],
      /Input 'ab-runs' has value '0', below the minimum 1/,
    ],
    [
      'ab-extra-runs out of range',
      ['--mode', 'ab', '--ab-command', 'true', '--ab-extra-runs', '11'],
      /Input 'ab-extra-runs' has value '11', above the maximum 10/,
    ],
    [
      'ab-interleave that does not exist',
      ['--mode', 'ab', '--ab-command', 'true', '--ab-interleave', 'tests'],
      /Input 'ab-interleave' has value 'tests'.*rounds.*runs/,
    ],
    ['mode ab without ab-command', ['--mode', 'ab'], /Input 'ab-command' is required but empty/],
    [
      'measure that does not exist',
      ['--results', 'pr.json', '--baseline', 'base.json', '--measure', 'cycles'],
      /Input 'measure' has value 'cycles'/,
    ],
    [
      'post without the payload artifact',
      ['--mode', 'post', '--payload', 'gone.json'],
      /Input 'payload' has value 'gone\.json': cannot read .*Download the 'perf-comment\.json' artifact/,
    ],
  ];
  for (const [what, args, message] of usageErrors) {
    it(`usage error, ${what}: CLI exits 2 and the action fails, both naming input, value and fix`, async () => {
      writeFileSync(
        join(job.workspace, 'prof.cpuprofile'),
        JSON.stringify({
          nodes: [
            { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, hitCount: 0 },
          ],
          startTime: 0,
          endTime: 1,
          samples: [],
          timeDeltas: [],
        }),
      );
      const run = spawnSync(process.execPath, [CLI, 'perf-comment', ...args, '--comment', 'never', '--json'], {
        cwd: job.workspace,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', RUNNER_TEMP: job.runnerTemp },
      });
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toMatch(message);
      const inputs: Record<string, string> = { comment: 'never' };
      for (let i = 0; i < args.length; i += 2) inputs[args[i].slice(2)] = args[i + 1];
      const step = await runActionStep({ action: 'perf-comment', job, workspace: job.workspace, inputs });
      expect(step.main.exitCode).toBe(1);
      expect(step.main.annotations.find((a) => a.level === 'error')?.message).toMatch(message);
    });
  }

  const prEvent = {
    name: 'pull_request',
    payload: { pull_request: { number: 7, base: { sha: 'a'.repeat(40) }, head: { sha: 'b'.repeat(40) } } },
  };
  const githubEnv = () => ({
    GITHUB_API_URL: api.url,
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_RUN_ID: '42',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_WORKFLOW: 'perf',
    GITHUB_JOB: 'bench',
  });

  it('posts one sticky comment on a PR, then updates it on the rerun (OpenAPI-validated)', async () => {
    const inputs = { results: 'pr.json', baseline: 'base.json', token: 'ghs_test', comment: 'always' };
    const first = await runActionStep({
      action: 'perf-comment',
      job,
      workspace: job.workspace,
      inputs,
      event: prEvent,
      env: githubEnv(),
    });
    expect(first.main.exitCode, first.main.stderr + first.main.stdout).toBe(0);
    expect(first.main.outputs.verdict).toBe('regression');
    expect(JSON.parse(first.main.outputs.regressions)).toEqual(['parse']);
    expect(first.main.outputs['comment-url']).toMatch(/\/pull\/7#issuecomment-\d+$/);
    expect(first.main.summary).toContain('🔴 Performance: 1 regression');
    const second = await runActionStep({
      action: 'perf-comment',
      job,
      workspace: job.workspace,
      inputs,
      event: prEvent,
      env: githubEnv(),
    });
    expect(second.main.outputs['comment-url']).toBe(first.main.outputs['comment-url']);
    expect(comments.onIssue(7)).toHaveLength(1);
    expect(comments.onIssue(7)[0].body).toContain('<!-- ci-optimizer:perf-comment id=perf/bench -->');
    api.assertNoViolations();
  });

  it('on a fork token (403) writes the summary, a perf-comment.json payload and a notice; the job passes', async () => {
    api.fault('issues/create-comment', { status: 403, body: { message: 'Resource not accessible by integration' } });
    const run = await runActionStep({
      action: 'perf-comment',
      job,
      workspace: job.workspace,
      inputs: { results: 'pr.json', baseline: 'base.json', token: 'ghs_fork', comment: 'always' },
      event: prEvent,
      env: githubEnv(),
    });
    expect(run.main.exitCode).toBe(0);
    expect(run.main.annotations.some((a) => a.level === 'notice' && /workflow_run/.test(a.message))).toBe(true);
    const payload = join(job.runnerTemp, 'ci-optimizer', 'perf-comment', 'perf-comment.json');
    expect(existsSync(payload)).toBe(true);
    expect(comments.onIssue(7)).toHaveLength(0);

    // The trusted workflow_run side: reads the artifact as data, finds the PR from the event, posts.
    writeFileSync(join(job.workspace, 'perf-comment.json'), readFileSync(payload));
    const post = await runActionStep({
      action: 'perf-comment',
      job,
      workspace: job.workspace,
      inputs: { mode: 'post', token: 'ghs_trusted' },
      event: { name: 'workflow_run', payload: { workflow_run: { pull_requests: [{ number: 7 }] } } },
      env: githubEnv(),
    });
    expect(post.main.exitCode, post.main.stderr + post.main.stdout).toBe(0);
    expect(comments.onIssue(7)).toHaveLength(1);
    expect(comments.onIssue(7)[0].body).toContain('🔴 Performance: 1 regression');
    api.assertNoViolations();
  });

  it('fail-on-regression fails the step naming the benchmark; ignore lets it pass', async () => {
    const failing = await runActionStep({
      action: 'perf-comment',
      job,
      workspace: job.workspace,
      inputs: { results: 'pr.json', baseline: 'base.json', 'fail-on-regression': 'true', comment: 'never' },
    });
    expect(failing.main.exitCode).toBe(1);
    expect(failing.main.annotations.find((a) => a.level === 'error')?.message).toMatch(/regression in parse/);
    // The gate fails the step only after the outputs are written, so later steps can still read the verdict.
    expect(failing.main.outputs.verdict).toBe('regression');
    expect(JSON.parse(failing.main.outputs.regressions)).toEqual(['parse']);
    const ignored = await runActionStep({
      action: 'perf-comment',
      job,
      workspace: job.workspace,
      inputs: {
        results: 'pr.json',
        baseline: 'base.json',
        'fail-on-regression': 'true',
        comment: 'never',
        ignore: 'pars*',
      },
    });
    expect(ignored.main.exitCode).toBe(0);
    expect(JSON.parse(ignored.main.outputs.regressions)).toEqual([]);
  });

  it('store-baseline keeps a run history in .ci-optimizer; one run is inconclusive, five runs flag the regression', async () => {
    const repo = new TempGitRepo();
    try {
      const storeRun = async (seed: number) => {
        repo.write({ 'base.json': results(seed, false) });
        const commit = repo.commit(`main ${seed}`);
        const stored = await runActionStep({
          action: 'perf-comment',
          job,
          workspace: repo.dir,
          inputs: { mode: 'store-baseline', results: 'base.json' },
          event: { name: 'push', payload: {} },
          env: { GITHUB_SHA: commit, GITHUB_REF: 'refs/heads/main' },
        });
        expect(stored.main.exitCode, stored.main.stderr).toBe(0);
        expect(stored.main.outputs.verdict).toBe('stored');
        return commit;
      };
      const pr = async () => {
        repo.git('checkout', '-q', '-B', 'pr');
        // Across jobs a change must stand out of the machine's run-to-run noise: parse takes 2x as long.
        repo.write({ 'pr.json': results(99, true, 20) });
        repo.commit('pr');
        const compared = await runActionStep({
          action: 'perf-comment',
          job,
          workspace: repo.dir,
          inputs: { results: 'pr.json', comment: 'never' },
          event: prEvent,
        });
        repo.git('checkout', '-q', 'main');
        expect(compared.main.exitCode, compared.main.stderr).toBe(0);
        return compared.main;
      };
      // The store travels in the cache, not in git.
      repo.write({ '.gitignore': '.ci-optimizer/\n' });
      const first = await storeRun(1);
      // The suite's store, like every other action; one small record per run next to the per-commit baseline.
      expect(existsSync(join(repo.dir, '.ci-optimizer', 'baselines', `${first}.json`))).toBe(true);
      expect(readdirSync(join(repo.dir, '.ci-optimizer', 'baseline-runs'))).toHaveLength(1);
      expect(existsSync(join(repo.dir, '.metrics'))).toBe(false);

      const early = await pr();
      expect(early.outputs.verdict).toBe('inconclusive');
      expect(early.summary).toContain('1 baseline run of the default branch');
      expect(early.summary).toMatch(/too few to know how much a run moves[\s\S]*mode: ab/);

      for (const seed of [2, 3, 4, 5]) await storeRun(seed);
      expect(readdirSync(join(repo.dir, '.ci-optimizer', 'baseline-runs'))).toHaveLength(5);
      const judged = await pr();
      expect(judged.outputs.verdict).toBe('regression');
      expect(JSON.parse(judged.outputs.regressions)).toEqual(['parse']);
      expect(judged.summary).toMatch(/against 5 baseline runs of the default branch, run-to-run noise ±\d/);
    } finally {
      repo.remove();
    }
  }, 300_000);

  it('reads baselines from the old default store dir:.metrics when .ci-optimizer has none, and says so', async () => {
    const repo = new TempGitRepo();
    try {
      repo.write({ 'base.json': results(1, false) });
      const base = repo.commit('base');
      const stored = await runActionStep({
        action: 'perf-comment',
        job,
        workspace: repo.dir,
        inputs: { mode: 'store-baseline', results: 'base.json', store: 'dir:.metrics' },
        event: { name: 'push', payload: {} },
        env: { GITHUB_SHA: base, GITHUB_REF: 'refs/heads/main' },
      });
      expect(stored.main.exitCode, stored.main.stderr).toBe(0);
      repo.write({ 'pr.json': results(2, true) });
      repo.commit('pr');
      const compared = await runActionStep({
        action: 'perf-comment',
        job,
        workspace: repo.dir,
        inputs: { results: 'pr.json', comment: 'never' },
        event: prEvent,
      });
      expect(compared.main.exitCode, compared.main.stderr).toBe(0);
      expect(compared.main.summary).toContain(`\`${base.slice(0, 12)}\``);
      expect(compared.main.annotations.map((a) => a.message).join('\n')).toMatch(/old default store/);
    } finally {
      repo.remove();
    }
  });

  it('store-baseline on a store that cannot be written warns and passes (verdict not-stored)', async () => {
    writeFileSync(join(job.workspace, 'blocker'), 'a file where the store folder should be');
    const stored = await runActionStep({
      action: 'perf-comment',
      job,
      workspace: job.workspace,
      inputs: { mode: 'store-baseline', results: 'base.json', store: 'dir:blocker/store' },
      event: { name: 'push', payload: {} },
      env: { GITHUB_SHA: 'c'.repeat(40), GITHUB_REF: 'refs/heads/main' },
    });
    expect(stored.main.exitCode, stored.main.stderr).toBe(0);
    expect(stored.main.outputs.verdict).toBe('not-stored');
    const warning = stored.main.annotations.find((a) => a.level === 'warning')?.message ?? '';
    expect(warning).toMatch(/Could not store the baseline of c{40} in dir:.*blocker/);
  });
});
