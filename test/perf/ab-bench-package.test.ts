import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  compareInstructionCounts,
  normalizeBenchmarkNames,
  readBenchmarkFile,
  requireCommonBenchmarks,
  type BenchmarkSet,
} from '@ci-optimizer/core/perf';
import { REPO_ROOT } from '../support/action-runner.ts';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';

/**
 * Same-job A/B on a small benchmark package with no pytest configuration (test/perf/fixtures/bench_pkg: five
 * linear workloads whose sizes are module constants), through the CLI bundle, with Debian's pytest and
 * pytest-benchmark and Valgrind.
 */
const PACKAGE = fileURLToPath(new URL('./fixtures/bench_pkg', import.meta.url));
const CLI = join(REPO_ROOT, 'dist', 'cli', 'index.js');
const PYTHON = '/usr/bin/python3';
const QUICK =
  '--benchmark-only --benchmark-save-data --benchmark-max-time=0.05 --benchmark-min-rounds=5 --benchmark-warmup=off';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI asynchronously (a long Valgrind run must not block the worker's event loop). */
function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'perf-comment', ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A repository with the package at `where`, the base commit, and a PR commit that rewrites the sizes. */
function benchRepo(
  where: string,
  extra: Record<string, string>,
  sizes: Record<string, number>,
  baseSize = 20000,
): TempGitRepo {
  const repo = new TempGitRepo();
  cpSync(PACKAGE, join(repo.dir, where), { recursive: true });
  const workFile = join(where, 'work.py');
  const source = readFileSync(join(repo.dir, workFile), 'utf8').replace(/_SIZE = \d+/g, `_SIZE = ${baseSize}`);
  repo.write({ [workFile]: source, ...extra });
  repo.commit('base');
  let changed = source;
  for (const [name, factor] of Object.entries(sizes))
    changed = changed.replace(`${name} = ${baseSize}`, `${name} = ${Math.round(baseSize * factor)}`);
  repo.write({ [workFile]: changed.replace('"""Five small', '"""(PR) Five small') });
  repo.commit('pr');
  return repo;
}

function verdicts(stdout: string): Record<string, string[]> {
  const data = JSON.parse(stdout) as { benchmarks: { name: string; verdict: string }[] };
  const out: Record<string, string[]> = {};
  for (const b of data.benchmarks) (out[b.verdict] ??= []).push(b.name);
  for (const list of Object.values(out)) list.sort();
  return out;
}

describe('benchmark names pair base and PR in any layout (real pytest-benchmark, mode ab through the CLI)', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0)) fn();
  });

  async function abNames(repo: TempGitRepo, command: string): Promise<{ run: CliRun; runnerTemp: string }> {
    const runnerTemp = tempDir('perf-ab-temp-');
    cleanup.push(() => repo.remove());
    // A pytest.ini above the base worktree: without a pinned rootdir, pytest would take that folder as the
    // base's rootdir and name its benchmarks 'ci-optimizer/perf-ab/base/...' (the reported failure).
    writeFileSync(join(runnerTemp, 'pytest.ini'), '[pytest]\n');
    const run = await cli(
      ['--mode', 'ab', '--ab-runs', '1', '--ab-command', command, '--comment', 'never', '--json'],
      repo.dir,
      { RUNNER_TEMP: runnerTemp },
    );
    return { run, runnerTemp };
  }

  it('no pytest config: every benchmark pairs, named relative to the checkout', async () => {
    const repo = benchRepo('bench_pkg', {}, {});
    const { run } = await abNames(
      repo,
      `${PYTHON} -m pytest -q -p no:cacheprovider bench_pkg ${QUICK} --benchmark-json={output}`,
    );
    expect(run.code, run.stderr).toBe(0);
    const names = (JSON.parse(run.stdout) as { benchmarks: { name: string; verdict: string }[] }).benchmarks;
    expect(names.map((b) => b.name).sort()).toEqual(
      ['checksum', 'digit_sum', 'horner', 'moving_sum', 'running_max'].map((n) => `bench_pkg/test_bench.py::test_${n}`),
    );
    expect(names.filter((b) => b.verdict === 'not-comparable')).toEqual([]);
  });

  it('config in a subfolder, pytest run from there: names pair', async () => {
    const repo = benchRepo('services/api/bench_pkg', { 'services/api/pytest.ini': '[pytest]\naddopts = -q\n' }, {});
    const { run } = await abNames(
      repo,
      `cd services/api && ${PYTHON} -m pytest -p no:cacheprovider bench_pkg ${QUICK} --benchmark-json={output}`,
    );
    expect(run.code, run.stderr).toBe(0);
    const names = (JSON.parse(run.stdout) as { benchmarks: { name: string; verdict: string }[] }).benchmarks;
    expect(names).toHaveLength(5);
    expect(
      names.every((b) => b.name.startsWith('services/api/bench_pkg/test_bench.py::') && b.verdict !== 'not-comparable'),
    ).toBe(true);
  });

  it('--rootdir in the command (relative) wins over the pin, and names still pair', async () => {
    const repo = benchRepo('bench_pkg', {}, {});
    const { run } = await abNames(
      repo,
      `${PYTHON} -m pytest --rootdir=bench_pkg -q -p no:cacheprovider bench_pkg ${QUICK} --benchmark-json={output}`,
    );
    expect(run.code, run.stderr).toBe(0);
    const names = (JSON.parse(run.stdout) as { benchmarks: { name: string; verdict: string }[] }).benchmarks;
    expect(names).toHaveLength(5);
    expect(names.filter((b) => b.verdict === 'not-comparable')).toEqual([]);
  });

  it('a run where nothing pairs is an error that shows both sides, never "all new"', async () => {
    const repo = benchRepo('bench_pkg', {}, {});
    // The PR side renames the test file: no name in common.
    const command = `if [ "$PERF_SIDE" = head ]; then cp bench_pkg/test_bench.py bench_pkg/test_other.py; T=bench_pkg/test_other.py; else T=bench_pkg/test_bench.py; fi; ${PYTHON} -m pytest -q -p no:cacheprovider $T ${QUICK} --benchmark-json={output}`;
    const { run } = await abNames(repo, command);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(
      /no benchmark of the base has the same name in the PR[\s\S]*test_bench\.py::test_[\s\S]*test_other\.py::test_[\s\S]*rootdir/,
    );
  });

  it('timings, default runs (3 a side): judged pair by pair; an A/A pull request flags nothing', async () => {
    const repo = benchRepo('bench_pkg', {}, {});
    cleanup.push(() => repo.remove());
    const runnerTemp = tempDir('perf-ab-temp-');
    const command = `${PYTHON} -m pytest -q -p no:cacheprovider bench_pkg ${QUICK} --benchmark-json={output}`;
    const run = await cli(['--mode', 'ab', '--ab-command', command, '--comment', 'never', '--json'], repo.dir, {
      RUNNER_TEMP: runnerTemp,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr + run.stdout).toMatch(/A\/B run 6 of 6/);
    const report = JSON.parse(run.stdout) as {
      benchmarks: { name: string; verdict: string; method: string; pairChanges: number[]; reason: string }[];
    };
    expect(report.benchmarks).toHaveLength(5);
    for (const b of report.benchmarks) {
      expect(b.method).toBe('run-pairs');
      expect(b.pairChanges).toHaveLength(3);
      expect(b.verdict, b.reason).toMatch(/^(unchanged|inconclusive)$/);
    }
  });
});

describe('benchmark names (unit)', () => {
  it('rewrites a name relative to an ancestor rootdir, keeps names already relative to the checkout', () => {
    const root = tempDir('perf-names-');
    mkdirSync(join(root, 'checkout', 'pkg'), { recursive: true });
    writeFileSync(join(root, 'checkout', 'pkg', 'test_x.py'), '');
    const set: BenchmarkSet = {
      format: 'pytest-benchmark',
      source: 'x.json',
      benchmarks: [
        'checkout/pkg/test_x.py::test_a',
        'pkg/test_x.py::test_b',
        `${join(root, 'checkout', 'pkg', 'test_x.py')}::test_c`,
        'plain',
      ].map((name) => ({
        name,
        label: name,
        unit: 's',
        biggerIsBetter: false,
        value: 1,
      })),
    };
    const names = normalizeBenchmarkNames(set, join(root, 'checkout')).benchmarks.map((b) => b.name);
    expect(names).toEqual(['pkg/test_x.py::test_a', 'pkg/test_x.py::test_b', 'pkg/test_x.py::test_c', 'plain']);
    const other: BenchmarkSet = { ...set, benchmarks: [{ ...set.benchmarks[0], name: 'elsewhere::x' }] };
    expect(() => requireCommonBenchmarks(set, other, 'Same-job A/B')).toThrow(
      /no benchmark of the base has the same name/,
    );
  });
});

describe('measure: instructions (Valgrind callgrind, real pytest, through the CLI)', () => {
  it('flags exactly the 2x, 1.15x and 1.08x benchmarks; runs of one commit agree within 0.5%; A/A flags nothing', async () => {
    // Smaller sizes than the timing tests: the counts scale the same, and Valgrind runs ~50x slower than native.
    const repo = benchRepo('bench_pkg', {}, { CHECKSUM_SIZE: 2, HORNER_SIZE: 1.15, RUNNING_MAX_SIZE: 1.08 }, 4000);
    const runnerTemp = tempDir('perf-instr-temp-');
    try {
      const run = await cli(
        [
          '--mode',
          'ab',
          '--measure',
          'instructions',
          '--ab-runs',
          '2',
          '--comment',
          'never',
          '--json',
          // Only the plugins the run needs: every autoloaded plugin's import is counted at ~50x under Valgrind.
          '--ab-command',
          `PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 ${PYTHON} -m pytest -q bench_pkg --benchmark-only --benchmark-json={output}`,
        ],
        repo.dir,
        { RUNNER_TEMP: runnerTemp },
      );
      expect(run.code, run.stderr).toBe(0);
      const got = verdicts(run.stdout);
      const name = (n: string) => `bench_pkg/test_bench.py::test_${n}`;
      expect(got.regression).toEqual([name('checksum'), name('horner'), name('running_max')]);
      expect(got.unchanged).toEqual([name('digit_sum'), name('moving_sum')]);
      const report = JSON.parse(run.stdout) as { benchmarks: { name: string; change: number; unit: string }[] };
      const change = (n: string) => report.benchmarks.find((b) => b.name === name(n))!.change;
      expect(change('checksum')).toBeCloseTo(1, 1);
      expect(change('horner')).toBeCloseTo(0.15, 2);
      // running_max's body is not exactly linear in its size (its branch and big-int costs depend on the values
      // drawn): its count grows 7-8% here, measured identically run after run.
      expect(change('running_max')).toBeGreaterThan(0.06);
      expect(change('running_max')).toBeLessThan(0.1);
      expect(report.benchmarks.every((b) => b.unit === 'instructions')).toBe(true);

      // Two runs of the same commit (each side ran twice): counts within 0.5%, and compared A/A nothing is flagged.
      const results = join(runnerTemp, 'ci-optimizer', 'perf-ab', 'results');
      for (const side of ['base', 'head']) {
        const [first, second] = await Promise.all(
          [1, 2].map((i) => readBenchmarkFile(join(results, `${side}-${i}.json`))),
        );
        for (const benchmark of first.benchmarks) {
          const other = second.benchmarks.find((b) => b.name === benchmark.name)!;
          expect(Math.abs(other.value / benchmark.value - 1), `${side} ${benchmark.name}`).toBeLessThan(0.005);
        }
        const aa = compareInstructionCounts(first, second);
        expect(aa.benchmarks.filter((b) => b.verdict === 'regression' || b.verdict === 'improvement')).toEqual([]);
      }
    } finally {
      repo.remove();
    }
  }, 3_600_000);

  it('without Valgrind on PATH: a usage error that says how to install it', async () => {
    const repo = benchRepo('bench_pkg', {}, {});
    try {
      const run = await cli(
        ['--mode', 'ab', '--measure', 'instructions', '--ab-command', 'true', '--comment', 'never'],
        repo.dir,
        {
          PATH: '/nonexistent-bin',
          RUNNER_TEMP: tempDir('perf-novg-'),
        },
      );
      // A usage error: exit code 1 today (issue 18 asks for 2 across the CLI).
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/Valgrind, which is not installed\. Install it .*apt-get install -y valgrind/);
    } finally {
      repo.remove();
    }
  });
});
