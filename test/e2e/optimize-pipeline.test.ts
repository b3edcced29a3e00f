/**
 * The reference workflow, examples/python-service/.github/workflows/optimize.yml, run step by step on a git copy
 * of the example: ci-optimizer steps through their dist bundles, pytest for real, every `with:` evaluated from
 * the previous steps' outputs (workflow-runner.ts says what is emulated or skipped, and why). Two runs share a
 * cache service, as on GitHub: a push to main (the full suite; it leaves the history and the dependency cache)
 * and then a pull request that changes one module.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DirStore } from '@ci-optimizer/core/store';
import { readHistory } from '@ci-optimizer/core/test-predictor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubApiServer, installIssueComments, type IssueCommentsFake } from '../support/github-api-server.ts';
import { TempGitRepo } from '../support/git-repo.ts';
import { EXAMPLE_SERVICE_DIR, copyExampleService, type ExampleCopy } from '../examples/example-service.ts';
import {
  CacheService,
  readWorkflow,
  runWorkflow,
  type JobRecord,
  type StepRecord,
  type WorkflowRun,
} from './workflow-runner.ts';
import { timeoutFor } from '../support/timeouts.ts';

// One whole workflow run (several jobs, real pytest in shards, A/B benchmarks): up to about 90 s on an idle machine.
const WORKFLOW_RUN = timeoutFor(1, 90_000);

const WORKFLOW = join(EXAMPLE_SERVICE_DIR, '.github', 'workflows', 'optimize.yml');
const PR_NUMBER = 7;
const CHANGED_MODULE = 'src/service/inventory/forecast.py';

interface Shard {
  shard: number;
  total: number;
  tests: string;
  'tests-json': string;
  'duration-s': number;
}

function step(job: JobRecord, idOrName: string): StepRecord {
  const found = job.steps.find((s) => s.id === idOrName || s.name === idOrName);
  if (!found)
    throw new Error(
      `job ${job.name} has no step '${idOrName}' (steps: ${job.steps.map((s) => s.id ?? s.name).join(', ')})`,
    );
  return found;
}

function expectSucceeded(run: WorkflowRun, jobs: string[]): void {
  for (const record of run.jobs.filter((job) => jobs.includes(job.job))) {
    const failed = record.steps.filter((s) => s.outcome === 'failure');
    expect(failed.map((s) => `${record.name} / ${s.name}:\n${s.log}`)).toEqual([]);
    expect(record.result, record.name).toBe('success');
  }
}

/** The test files pytest collects by default, found independently of the actions: tests/**\/test_*.py minus benchmarks. */
function collectableTestFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) {
        if (name !== 'benchmarks' && name !== '__pycache__') walk(full);
      } else if (/^test_.*\.py$/.test(name)) found.push(relative(root, full));
    }
  };
  walk(join(root, 'tests'));
  return found.sort();
}

/** The test files a JUnit report has cases of (pytest's classname is the dotted module, maybe plus a class). */
function junitFiles(xml: string, candidates: string[]): { files: string[]; cases: number; unmatched: string[] } {
  const classnames = [...xml.matchAll(/<testcase [^>]*classname="([^"]+)"/g)].map((m) => m[1]);
  const modules = candidates.map((file) => ({ file, module: file.replace(/\.py$/, '').replace(/\//g, '.') }));
  const files = new Set<string>();
  const unmatched: string[] = [];
  for (const classname of classnames) {
    const match = modules.find((m) => classname === m.module || classname.startsWith(`${m.module}.`));
    if (match) files.add(match.file);
    else unmatched.push(classname);
  }
  return { files: [...files].sort(), cases: classnames.length, unmatched };
}

/** Every metrics record a report step can see: the downloaded jobs' files plus its own job's, before it ran. */
function metricsLinesSeenByReport(finish: JobRecord): number {
  let lines = 0;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.jsonl')) lines += readFileSync(full, 'utf8').trim().split('\n').filter(Boolean).length;
    }
  };
  walk(join(finish.workspace, 'ci-metrics'));
  const own = readFileSync(join(finish.runnerTemp, 'ci-optimizer', 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n');
  // The report appends its own record after reading.
  return lines + own.length - 1;
}

/** Checks the plan -> shards -> record -> report hand-offs that both runs share; returns the shards. */
function checkHandOffs(run: WorkflowRun, expectedTests: string[]): Shard[] {
  const plan = run.job('plan');
  const predict = step(plan, 'predict');
  const shards = (JSON.parse(predict.outputs.shards) as { include: Shard[] }).include;
  expect(plan.outputs['shard-count']).toBe(String(shards.length));
  expect(plan.outputs.shards).toBe(predict.outputs.shards);

  // Shards cover exactly the selected tests, each once, and the predictor ran all of its candidates.
  const sharded = shards.flatMap((s) => JSON.parse(s['tests-json']) as string[]);
  expect([...sharded].sort()).toEqual(expectedTests);
  expect(new Set(sharded).size).toBe(sharded.length);
  expect([...(JSON.parse(predict.outputs['selected-json']) as string[])].sort()).toEqual(expectedTests);

  // One matrix job per shard; its pytest ran exactly the shard's files, and the JUnit report says so.
  const testJobs = run.instances('test');
  expect(testJobs.map((job) => job.name).sort()).toEqual(shards.map((s) => `pytest ${s.shard}/${s.total}`).sort());
  let cases = 0;
  for (const job of testJobs) {
    const shard = shards.find((s) => s.shard === job.matrix!.shard)!;
    const pytest = step(job, "pytest on this shard's test files");
    expect(pytest.kind).toBe('run');
    expect(pytest.env.TESTS_JSON).toBe(shard['tests-json']);
    const report = junitFiles(
      readFileSync(join(job.workspace, 'reports', `junit-${shard.shard}.xml`), 'utf8'),
      expectedTests,
    );
    expect(report.unmatched).toEqual([]);
    expect(report.files).toEqual([...(JSON.parse(shard['tests-json']) as string[])].sort());
    cases += report.cases;
  }

  // The record step read every shard's JUnit file (downloaded from their artifacts).
  const finish = run.job('finish');
  const record = step(finish, 'record');
  expect(record.inputs.junit).toBe('reports/*.xml');
  expect(Number(record.outputs['recorded-cases'])).toBe(cases);

  // The report gathered the metrics of every job that ran a ci-optimizer step.
  const report = step(finish, 'report');
  expect(Number(report.outputs.steps)).toBe(metricsLinesSeenByReport(finish));
  for (const section of ['ci-metrics-plan', ...shards.map((s) => `ci-metrics-test-${s.shard}`)]) {
    expect(report.outcomeDetail!.summary).toContain(`section ${section}`);
  }
  return shards;
}

describe('optimize.yml end to end on the example service', () => {
  let copy: ExampleCopy;
  let origin: TempGitRepo;
  let api: GitHubApiServer;
  let comments: IssueCommentsFake;
  const cache = new CacheService();
  const workflow = readWorkflow(WORKFLOW);
  const runs: WorkflowRun[] = [];
  let nightly: WorkflowRun | undefined;
  let docsCommit: string;
  let allTests: string[];

  beforeAll(async () => {
    copy = copyExampleService();
    origin = new TempGitRepo(copy.dir);
    origin.git('init', '-q', '-b', 'main');
    origin.git('config', 'user.name', 'Test');
    origin.git('config', 'user.email', 'test@example.invalid');
    origin.git('config', 'commit.gpgsign', 'false');
    origin.commit('the example service');
    allTests = collectableTestFiles(copy.dir);
    api = await GitHubApiServer.start();
    comments = installIssueComments(api);
  });

  afterAll(async () => {
    for (const run of runs) run.remove();
    nightly?.remove();
    cache.remove();
    copy?.remove();
    await api?.close();
  });

  // The runs build on each other (the PR restores what main saved; the nightly run comes last so the PR's figures
  // do not depend on its map), so they run in this order.
  it(
    'a push to main runs the full suite in shards, records the history and saves the store',
    async () => {
      const before = origin.head();
      writeFileSync(
        join(copy.dir, 'README.md'),
        `${readFileSync(join(copy.dir, 'README.md'), 'utf8')}\nA line of docs.\n`,
      );
      docsCommit = origin.commit('docs: one more line');
      const run = await runWorkflow({
        workflow,
        origin: copy.dir,
        checkoutRef: 'refs/heads/main',
        event: {
          name: 'push',
          payload: { ref: 'refs/heads/main', before, after: docsCommit, repository: { default_branch: 'main' } },
        },
        ref: 'refs/heads/main',
        sha: docsCommit,
        runId: '1001',
        cache,
        env: { GITHUB_API_URL: api.url },
      });
      runs.push(run);

      expectSucceeded(run, ['plan', 'test', 'docker', 'security', 'finish']);
      expect(run.job('perf').result).toBe('skipped');
      // main runs everything: the image build and the scan are on (their steps need Docker or the network).
      expect(run.job('docker').steps.map((s) => s.kind)).toEqual(['emulated', 'skipped', 'skipped']);
      expect(run.job('security').steps.filter((s) => s.kind === 'skipped')).toHaveLength(3);

      const plan = run.job('plan');
      const filter = step(plan, 'filter');
      // A docs-only push selects nothing, yet main runs every test: the candidates are left empty on purpose.
      expect(JSON.parse(filter.outputs['changed-files-json'])).toEqual([{ status: 'modified', path: 'README.md' }]);
      expect(filter.outputs['selected-count']).toBe('0');
      expect(filter.outputs['total-count']).toBe(String(allTests.length));
      expect(step(plan, 'predict').inputs.candidates).toBe('');
      expect(step(plan, 'restore the ci-optimizer store').outputs['cache-hit']).toBe('');

      const shards = checkHandOffs(run, allTests);
      expect(shards).toHaveLength(2);

      // The dependency cache missed; the shards' cache-key steps recorded it and the store saved the run.
      for (const job of run.instances('test')) {
        expect(step(job, 'record the dependency cache outcome').outputs['hit-outcome']).toBe('miss');
      }
      const finish = run.job('finish');
      expect(step(finish, 'record').outputs['full-run']).toBe('true');
      expect(step(finish, 'retrain the failure model (nightly)').kind).toBe('not-run');
      const report = step(finish, 'report');
      expect(report.outputs['tests-selected']).toBe(String(allTests.length));
      expect(JSON.parse(report.outputs['slo-json']).map((s: { name: string }) => s.name)).toContain(
        'main pipeline time',
      );
      expect(cache.list()).toEqual(
        expect.arrayContaining([
          { key: 'ci-optimizer-store-1001-1', scope: 'refs/heads/main' },
          { key: step(run.instances('test')[0], 'deps-key').outputs.key, scope: 'refs/heads/main' },
        ]),
      );
    },
    WORKFLOW_RUN,
  );

  it(
    'a pull request that changes one module runs only its tests, A/B-benchmarks it and reports the savings',
    async () => {
      expect(docsCommit, 'the main run comes first').toBeDefined();
      origin.git('checkout', '-q', '-b', 'feature/fsum');
      const source = readFileSync(join(copy.dir, CHANGED_MODULE), 'utf8');
      writeFileSync(
        join(copy.dir, CHANGED_MODULE),
        source.replace('return sum(history[-window:]) / window', 'return math.fsum(history[-window:]) / window'),
      );
      const head = origin.commit('forecast: moving average with math.fsum');
      // GitHub checks out the merge of the PR into its base, published as refs/pull/N/merge.
      origin.git('checkout', '-q', '--detach', docsCommit);
      origin.git('merge', '-q', '--no-ff', '--no-edit', head);
      const merge = origin.head();
      origin.git('update-ref', `refs/pull/${PR_NUMBER}/merge`, merge);
      origin.git('checkout', '-q', 'main');

      const run = await runWorkflow({
        workflow,
        origin: copy.dir,
        checkoutRef: `refs/pull/${PR_NUMBER}/merge`,
        event: {
          name: 'pull_request',
          payload: {
            action: 'synchronize',
            number: PR_NUMBER,
            pull_request: {
              number: PR_NUMBER,
              base: { ref: 'main', sha: docsCommit },
              head: { ref: 'feature/fsum', sha: head },
            },
            repository: { default_branch: 'main' },
          },
        },
        ref: `refs/pull/${PR_NUMBER}/merge`,
        sha: merge,
        runId: '1002',
        cache,
        env: { GITHUB_API_URL: api.url },
      });
      runs.push(run);

      expectSucceeded(run, ['plan', 'test', 'perf', 'docker', 'security', 'finish']);
      const plan = run.job('plan');
      const restore = step(plan, 'restore the ci-optimizer store');
      expect(restore.outputs).toMatchObject({ 'cache-hit': 'false', 'cache-matched-key': 'ci-optimizer-store-1001-1' });

      const filter = step(plan, 'filter');
      const selected = JSON.parse(filter.outputs['tests-json']) as string[];
      expect(selected).toEqual(['tests/inventory/test_forecast.py', 'tests/inventory/test_reorder_simulation.py']);
      expect(JSON.parse(filter.outputs['changed-files-json'])).toEqual([{ status: 'modified', path: CHANGED_MODULE }]);
      expect(JSON.parse(filter.outputs['filters-json'])).toEqual({ docker: true, security: true, benchmarks: true });
      // test-filter's selection is test-predictor's candidate list, as the runner hands it over.
      const predict = step(plan, 'predict');
      expect(predict.inputs.candidates).toBe(filter.outputs['tests-json']);
      expect([...(JSON.parse(predict.outputs['tests-json']) as string[])].sort()).toEqual(selected);

      const shards = checkHandOffs(run, selected);
      // Balanced by the durations main's run recorded.
      expect(shards.every((s) => s['duration-s'] > 0)).toBe(true);
      for (const job of run.instances('test')) {
        expect(step(job, 'record the dependency cache outcome').outputs['hit-outcome']).toBe('exact');
      }

      // Same-job A/B: base and head benchmarked in turn; the verdict is published and the API used correctly.
      const perf = step(run.job('perf'), 'perf');
      expect(perf.inputs['ab-runs']).toBe('3');
      expect(['regression', 'improvement', 'inconclusive', 'unchanged']).toContain(perf.outputs.verdict);
      expect(perf.log).toMatch(/A\/B run 6 of 6: (base|head)/);
      expect(perf.outputs['payload-file']).toBe('');
      expect(comments.onIssue(PR_NUMBER).length).toBe(perf.outputs['comment-url'] === '' ? 0 : 1);
      api.assertNoViolations();

      const finish = run.job('finish');
      expect(step(finish, 'record').outputs['full-run']).toBe('false');
      const history = await readHistory(new DirStore(join(finish.workspace, '.ci-optimizer')), (m) => expect.fail(m));
      expect(history.map((run) => run.commit)).toEqual([docsCommit, merge]);

      const report = step(finish, 'report');
      expect(report.outputs['tests-selected']).toBe(String(selected.length));
      expect(report.outputs['tests-total']).toBe(String(allTests.length));
      expect(report.outcomeDetail!.summary).toContain(`${selected.length} of ${allTests.length} test files selected`);
      expect(report.outcomeDetail!.summary).toContain('section ci-metrics-perf');
      expect(JSON.parse(report.outputs['slo-json']).map((s: { name: string }) => s.name)).toContain('PR pipeline time');
      expect(cache.list()).toContainEqual({ key: 'ci-optimizer-store-1002-1', scope: `refs/pull/${PR_NUMBER}/merge` });
    },
    WORKFLOW_RUN,
  );

  it(
    'the nightly schedule runs the full suite with per-test coverage and learns the impact map into the store',
    async () => {
      expect(runs, 'the main and PR runs come first').toHaveLength(2);
      const run = await runWorkflow({
        workflow,
        origin: copy.dir,
        checkoutRef: 'refs/heads/main',
        event: { name: 'schedule', payload: { schedule: '17 3 * * *', repository: { default_branch: 'main' } } },
        ref: 'refs/heads/main',
        sha: docsCommit,
        runId: '1003',
        cache,
        env: { GITHUB_API_URL: api.url },
      });
      nightly = run;

      expectSucceeded(run, ['plan', 'test', 'docker', 'security', 'finish']);
      checkHandOffs(run, allTests);
      // Every shard measured its tests and handed the data file on.
      for (const job of run.instances('test')) {
        expect(step(job, "pytest on this shard's test files").env.LEARN_IMPACT_MAP).toBe('true');
        expect(readdirSync(join(job.workspace, 'coverage'))).toEqual([`.coverage.${job.matrix!.shard}`]);
        expect(step(job, 'hand the per-test coverage to the impact map (nightly)').kind).toBe('emulated');
      }
      const finish = run.job('finish');
      expect(step(finish, 'one coverage file of the whole suite (nightly)').kind).toBe('run');
      const learn = step(finish, 'learn');
      expect(learn.kind).toBe('action');
      expect(learn.outputs['map-commit']).toBe(docsCommit);
      // Every collected test file ran some service code, so each has its set of executed functions.
      expect(Number(learn.outputs['map-test-files'])).toBe(allTests.length);
      expect(Number(learn.outputs['map-functions'])).toBeGreaterThan(50);
      expect(step(finish, 'retrain the failure model (nightly)').kind).toBe('action');
      // The map travels in the store the run saved, for the next pull request's test-filter and test-predictor.
      const map = JSON.parse(
        readFileSync(join(finish.workspace, '.ci-optimizer', 'test-filter', 'impact-map.json'), 'utf8'),
      ) as { commit: string };
      expect(map.commit).toBe(docsCommit);
      expect(cache.list()).toContainEqual({ key: 'ci-optimizer-store-1003-1', scope: 'refs/heads/main' });
    },
    WORKFLOW_RUN,
  );

  // The dashboard's facts come from the well-known counters (packages/core/src/metrics/well-known.ts) that each
  // action publishes; these check each fact against what the steps above did.
  describe('the report of each run', () => {
    const summaries = () => {
      expect(runs, 'both runs come first').toHaveLength(2);
      return runs.map((run) => step(run.job('finish'), 'report').outcomeDetail!.summary);
    };

    it('states the dependency cache outcome the shards recorded', () => {
      const [mainReport, prReport] = summaries();
      expect(mainReport).toContain('| Cache | miss');
      expect(prReport).toContain('| Cache | exact hit');
    });

    it('states the test selection: files run of all test files, no run-all for a partial selection', () => {
      const [mainReport, prReport] = summaries();
      expect(mainReport).toContain(`all ${allTests.length} test files run`);
      const selected = JSON.parse(step(runs[1].job('plan'), 'filter').outputs['tests-json']) as string[];
      expect(prReport).toContain(`${selected.length} of ${allTests.length} test files run`);
      expect(prReport).not.toContain('run-all triggered');
    });

    it('states the perf verdict of the A/B job', () => {
      const prReport = summaries()[1];
      const perf = step(runs[1].job('perf'), 'perf').outputs;
      const regressions = (JSON.parse(perf.regressions) as unknown[]).length;
      const improvements = (JSON.parse(perf.improvements) as unknown[]).length;
      // Table cells are escaped Markdown (GitHub shows `\(` as a plain parenthesis).
      expect(prReport).toContain(
        `| Performance | ${regressions} regression\\(s\\), ${improvements} improvement\\(s\\) |`,
      );
    });
  });
});
