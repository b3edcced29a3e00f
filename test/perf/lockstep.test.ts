import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runSameJobAb } from '@ci-optimizer/core/perf';
import { tempDir } from '../support/git-repo.ts';
import { timeoutFor } from '../support/timeouts.ts';

/**
 * Same-job A/B in lockstep (`ab-interleave: rounds`), with Debian's real pytest and pytest-benchmark: the base and
 * the PR side run at the same time and take turns round by round. Each benchmark call appends its side and a
 * system-wide monotonic time to a shared log, so the order in which the two processes really ran can be checked.
 */
const PYTHON = '/usr/bin/python3';
const QUICK =
  '--benchmark-only --benchmark-save-data --benchmark-max-time=0.1 --benchmark-min-rounds=5 --benchmark-warmup=off';

/** One side's checkout: two benchmarks of a call that sleeps `sleepMs`; with `rounds`, pedantic with that many rounds. */
function side(
  root: string,
  name: 'base' | 'head',
  log: string,
  sleepMs: number,
  rounds?: number,
  tests = ['first', 'second'],
): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'pkg'), { recursive: true });
  writeFileSync(
    join(dir, 'pkg', 'test_turns.py'),
    `import os, time

LOG = ${JSON.stringify(log)}


def work():
    fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, ("%s %d\\n" % (os.environ["PERF_SIDE"], time.monotonic_ns())).encode())
    os.close(fd)
    time.sleep(${sleepMs / 1000})


${tests.map((test) => `def test_${test}(benchmark):\n    ${rounds ? `benchmark.pedantic(work, rounds=${rounds})` : 'benchmark(work)'}\n`).join('\n\n')}`,
  );
  return dir;
}

/** Share of consecutive log lines (in time order) that switch side. */
function switches(log: string): number {
  const lines = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' '))
    .sort((a, b) => (BigInt(a[1]) < BigInt(b[1]) ? -1 : 1))
    .map(([s]) => s);
  let count = 0;
  for (let i = 1; i < lines.length; i++) if (lines[i] !== lines[i - 1]) count++;
  return count / (lines.length - 1);
}

describe('same-job A/B in lockstep (real pytest-benchmark)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function ab(
    interleave: 'rounds' | 'runs',
    sleeps: { base: number; head: number },
    command?: string,
    rounds?: { base: number; head: number },
    headTests?: string[],
    extra?: { maxExtraPairs: number; morePairs: () => Promise<boolean> },
  ) {
    const root = tempDir('perf-lockstep-');
    dirs.push(root);
    const log = join(root, 'turns.log');
    const notices: string[] = [];
    const runs = await runSameJobAb({
      command: command ?? `${PYTHON} -m pytest -q -p no:cacheprovider pkg ${QUICK} --benchmark-json={output}`,
      baseDir: side(root, 'base', log, sleeps.base, rounds?.base),
      headDir: side(root, 'head', log, sleeps.head, rounds?.head, headTests),
      runsPerSide: 2,
      outDir: join(root, 'results'),
      env: { PYTEST_ADDOPTS: '' },
      interleave,
      onFallback: (why) => notices.push(why),
      ...extra,
    });
    return { runs, log, notices };
  }

  it(
    'rounds: the two sides run at the same time and alternate call by call; runs: one side after the other',
    async () => {
      // As many rounds on both sides (pedantic): every call but the first of the second test switches side.
      const lockstep = await ab('rounds', { base: 2, head: 2 }, undefined, { base: 20, head: 20 });
      expect(lockstep.runs.interleave).toBe('rounds');
      expect(lockstep.notices).toEqual([]);
      expect(lockstep.runs.base).toHaveLength(2);
      expect(lockstep.runs.head).toHaveLength(2);
      expect(switches(lockstep.log)).toBeGreaterThan(0.95);
      for (const file of [...lockstep.runs.base, ...lockstep.runs.head]) {
        const data = JSON.parse(readFileSync(file, 'utf8')) as { benchmarks: { name: string }[] };
        expect(data.benchmarks.map((b) => b.name).sort()).toEqual(['test_first', 'test_second']);
      }

      const whole = await ab('runs', { base: 2, head: 2 }, undefined, { base: 20, head: 20 });
      expect(whole.runs.interleave).toBe('runs');
      expect(whole.runs.order).toEqual(['base', 'head', 'head', 'base']);
      expect(switches(whole.log)).toBeLessThan(0.05);
    },
    timeoutFor(8, 5_000),
  );

  it(
    'rounds a side ran after the other side had finished the test are dropped, and its statistics recomputed',
    async () => {
      // The base makes 40 rounds, the PR 10: after the PR's tenth, the base runs the rest of its rounds alone (its
      // eleventh may still start on the PR's last turn).
      const { runs } = await ab('rounds', { base: 2, head: 2 }, undefined, { base: 40, head: 10 });
      const base = JSON.parse(readFileSync(runs.base[0], 'utf8')) as {
        benchmarks: {
          stats: { data: number[]; rounds: number; min: number; median: number };
          extra_info: Record<string, number>;
        }[];
      };
      for (const benchmark of base.benchmarks) {
        expect(benchmark.extra_info.ci_optimizer_rounds_dropped).toBeGreaterThanOrEqual(29);
        expect(benchmark.extra_info.ci_optimizer_rounds_dropped).toBeLessThanOrEqual(30);
        expect(benchmark.stats.rounds).toBe(40 - benchmark.extra_info.ci_optimizer_rounds_dropped);
        expect(benchmark.stats.data).toHaveLength(benchmark.stats.rounds);
        expect(benchmark.stats.min).toBe(Math.min(...benchmark.stats.data));
      }
      const head = JSON.parse(readFileSync(runs.head[0], 'utf8')) as {
        benchmarks: { stats: { rounds: number }; extra_info: Record<string, number> }[];
      };
      for (const benchmark of head.benchmarks) {
        expect(benchmark.stats.rounds).toBe(10);
        expect(benchmark.extra_info.ci_optimizer_rounds_dropped).toBeUndefined();
      }
    },
    timeoutFor(4, 5_000),
  );

  it(
    'a benchmark the PR adds in the middle: both sides still agree whose turn it is, and finish',
    async () => {
      const { runs } = await ab('rounds', { base: 1, head: 1 }, undefined, { base: 10, head: 10 }, [
        'first',
        'added',
        'second',
      ]);
      expect(runs.interleave).toBe('rounds');
      const names = (file: string) =>
        (JSON.parse(readFileSync(file, 'utf8')) as { benchmarks: { name: string }[] }).benchmarks
          .map((b) => b.name)
          .sort();
      expect(names(runs.base[1])).toEqual(['test_first', 'test_second']);
      expect(names(runs.head[1])).toEqual(['test_added', 'test_first', 'test_second']);
    },
    timeoutFor(4, 5_000),
  );

  it(
    'an extra pair (ab-extra-runs) runs in lockstep too',
    async () => {
      let asked = 0;
      const { runs, notices, log } = await ab(
        'rounds',
        { base: 1, head: 1 },
        undefined,
        { base: 10, head: 10 },
        undefined,
        {
          maxExtraPairs: 2,
          morePairs: async () => ++asked === 1,
        },
      );
      expect(asked).toBe(2);
      expect(runs.extraPairs).toBe(1);
      expect(runs.interleave).toBe('rounds');
      expect(notices).toEqual([]);
      expect(runs.base).toHaveLength(3);
      expect(runs.head).toHaveLength(3);
      expect(runs.order).toEqual(['base', 'head', 'base', 'head', 'base', 'head']);
      expect(switches(log)).toBeGreaterThan(0.9);
    },
    timeoutFor(6, 5_000),
  );

  it(
    'a command that is not a pytest session falls back to whole runs one after the other, and says so',
    async () => {
      const command = `${PYTHON} -c "import json, os; json.dump([{'name': 'x', 'unit': 's', 'value': 1}], open(os.environ['PERF_OUTPUT'], 'w'))"`;
      const { runs, notices } = await ab('rounds', { base: 1, head: 1 }, command);
      expect(runs.interleave).toBe('runs');
      expect(runs.order).toEqual(['base', 'head', 'head', 'base']);
      expect(runs.base).toHaveLength(2);
      expect(runs.head).toHaveLength(2);
      expect(notices.join(' ')).toMatch(/did not load the lockstep plugin .*runs alternate whole/);
    },
    timeoutFor(4, 2_000),
  );
});
