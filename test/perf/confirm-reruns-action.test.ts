import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerJob, runActionStep } from '../support/action-runner.ts';
import { TempGitRepo } from '../support/git-repo.ts';

/**
 * Confirmation re-runs through the action bundle (dist/perf-comment/index.js in a child process, as the runner
 * starts it) on a real benchmark package (test/perf/fixtures/bench_pkg) with Debian's pytest and pytest-benchmark:
 * five default-branch runs stored with mode store-baseline, then pull-request runs compared with them, the flagged
 * benchmarks re-run by the action with `confirm-command`.
 */
const PACKAGE = fileURLToPath(new URL('./fixtures/bench_pkg', import.meta.url));
const PYTHON = '/usr/bin/python3';
const PYTEST = `${PYTHON} -m pytest -q -p no:cacheprovider bench_pkg --benchmark-only --benchmark-save-data --benchmark-max-time=0.05 --benchmark-min-rounds=5`;
const prEvent = {
  name: 'pull_request',
  payload: { pull_request: { number: 7, base: { sha: 'a'.repeat(40) }, head: { sha: 'b'.repeat(40) } } },
};

interface PytestBenchmarkJson {
  benchmarks: { fullname: string; stats: Record<string, unknown> & { data: number[] } }[];
}

describe('confirmation re-runs (dist/perf-comment, real pytest-benchmark)', () => {
  let repo: TempGitRepo;
  let job: RunnerJob;
  /** The user's own benchmark step: pytest as a workflow runs it (rootdir of its own choosing). */
  const bench = (file: string) =>
    execFileSync('/bin/sh', ['-c', `${PYTEST} --benchmark-json=${file}`], {
      cwd: repo.dir,
      stdio: 'ignore',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
  const compare = (inputs: Record<string, string>) =>
    runActionStep({
      action: 'perf-comment',
      job,
      workspace: repo.dir,
      inputs: { results: 'pr.json', comment: 'never', ...inputs },
      event: prEvent,
    });
  const rerunFiles = () => {
    const dir = join(job.runnerTemp, 'ci-optimizer', 'perf-confirm');
    return existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => /^rerun-\d+\.json$/.test(f))
          .map((f) => join(dir, f))
      : [];
  };
  const benchmarksIn = (file: string) =>
    (JSON.parse(readFileSync(file, 'utf8')) as PytestBenchmarkJson).benchmarks.map((b) =>
      b.fullname.replace(/^.*::/, ''),
    );
  /** A lone transient in the PR's results file: `test` ran `factor` times slower in that one run (every round). */
  const slowInFile = (file: string, test: string, factor: number) => {
    const data = JSON.parse(readFileSync(file, 'utf8')) as PytestBenchmarkJson;
    for (const b of data.benchmarks.filter((x) => x.fullname.endsWith(`::${test}`))) {
      for (const [key, value] of Object.entries(b.stats))
        if (typeof value === 'number' && /^(min|max|mean|median|q1|q3)$/.test(key)) b.stats[key] = value * factor;
      b.stats.data = b.stats.data.map((v) => v * factor);
    }
    writeFileSync(file, JSON.stringify(data));
  };

  // The slowdowns are large (8x, 10x) on purpose: the five baseline runs are real, and on a loaded shared machine one
  // of them can be half again as slow as the others, which makes a 4x change inconclusive before any re-run.
  beforeAll(async () => {
    job = new RunnerJob();
    repo = new TempGitRepo();
    cpSync(PACKAGE, join(repo.dir, 'bench_pkg'), { recursive: true });
    repo.write({ '.gitignore': '.ci-optimizer/\n*.json\n' });
    repo.commit('base');
    for (let i = 1; i <= 5; i++) {
      repo.write({ 'bench_pkg/notes.txt': `main ${i}\n` });
      const commit = repo.commit(`main ${i}`);
      bench('base.json');
      const stored = await runActionStep({
        action: 'perf-comment',
        job,
        workspace: repo.dir,
        inputs: { mode: 'store-baseline', results: 'base.json' },
        event: { name: 'push', payload: {} },
        env: { GITHUB_SHA: commit, GITHUB_REF: 'refs/heads/main' },
      });
      expect(stored.main.exitCode, stored.main.stderr).toBe(0);
    }
  }, 600_000);
  afterAll(() => {
    repo?.remove();
    job?.remove();
  });

  it('an 8x slower benchmark is flagged, re-run alone in the job, and stays a regression', async () => {
    repo.git('checkout', '-q', '-B', 'pr-slow', 'main');
    const work = join(repo.dir, 'bench_pkg', 'work.py');
    writeFileSync(work, readFileSync(work, 'utf8').replace('CHECKSUM_SIZE = 20000', 'CHECKSUM_SIZE = 160000'));
    repo.commit('pr: checksum does 8x the work');
    bench('pr.json');
    const step = await compare({ 'confirm-command': `${PYTEST} --benchmark-json={output}` });
    expect(step.main.exitCode, step.main.stderr).toBe(0);
    expect(JSON.parse(step.main.outputs.regressions)).toEqual(['bench_pkg/test_bench.py::test_checksum']);
    const summary = step.main.summary.replaceAll('\\', '');
    const [, flagged] =
      /Confirmed by re-runs: the (\d+) flagged benchmarks? (?:was|were) re-run 2 times in this job/.exec(summary)!;
    // Only the flagged benchmarks ran again (the select plugin), checksum among them, in both re-runs.
    const files = rerunFiles();
    expect(files).toHaveLength(2);
    for (const file of files) {
      const ran = benchmarksIn(file);
      expect(ran).toContain('test_checksum');
      expect(ran).toHaveLength(Number(flagged));
    }
    expect(Number(flagged)).toBeLessThan(5);
    expect(summary).toMatch(/persisted in 2 re-runs in this job \(1: \+\d+(\.\d)?%.*, 2: \+\d+(\.\d)?%/);
  }, 600_000);

  it('a lone transient in the PR run (one benchmark 10x in that run only) does not persist on re-run: inconclusive', async () => {
    repo.git('checkout', '-q', '-B', 'pr-same', 'main');
    repo.write({ 'bench_pkg/notes.txt': 'a comment-only change\n' });
    repo.commit('pr: no code change');
    bench('pr.json');
    slowInFile(join(repo.dir, 'pr.json'), 'test_running_max', 10);
    const step = await compare({ 'ab-command': `${PYTEST} --benchmark-json={output}` });
    expect(step.main.exitCode, step.main.stderr).toBe(0);
    expect(JSON.parse(step.main.outputs.regressions)).toEqual([]);
    const summary = step.main.summary.replaceAll('\\', '');
    expect(summary).toMatch(
      /\+\d+(\.\d)?% in this run, but it did not persist on re-run \(re-run 1: [+−]\d+(\.\d)?%.*, 2: /,
    );
    expect(summary).toMatch(/did not persist on re-run \(now inconclusive/);

    // The same results file where the job has no benchmark command: today's verdict, and the comment says a re-run
    // would confirm it.
    const alone = await compare({});
    expect(alone.main.exitCode, alone.main.stderr).toBe(0);
    expect(JSON.parse(alone.main.outputs.regressions)).toEqual(['bench_pkg/test_bench.py::test_running_max']);
    expect(alone.main.summary).toMatch(
      /Not confirmed: 1 flagged benchmark rests on this PR run alone[\s\S]*A re-run would confirm/,
    );
  }, 600_000);

  it('a benchmark command that fails leaves the one-stage verdicts and a warning, never a failed step', async () => {
    const step = await compare({ 'confirm-command': 'exit 3' });
    expect(step.main.exitCode, step.main.stderr).toBe(0);
    expect(JSON.parse(step.main.outputs.regressions)).toEqual(['bench_pkg/test_bench.py::test_running_max']);
    expect(step.main.annotations.map((a) => a.message).join('\n')).toMatch(
      /re-run that would confirm the flagged benchmarks failed \(The benchmark command failed with exit code 3[\s\S]*Fix 'confirm-command'/,
    );
    expect(step.main.summary).toMatch(
      /Not confirmed: 1 flagged benchmark rests on this PR run alone \(the re-run failed/,
    );
  }, 600_000);
});
