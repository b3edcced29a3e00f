import { describe, expect, it } from 'vitest';
import { buildShards, shardLowerBound, shardMatrix } from '@ci-optimizer/core/test-predictor';
import { SeededRandom } from '@ci-optimizer/core/model';

const TRIALS = 1000;

function randomSet(random: SeededRandom, trial: number) {
  const count = 2 + Math.floor(random.next() * 15);
  const tests = 5 * count + Math.floor(random.next() * 200);
  // Mixed shapes: uniform, heavy-tailed (a few very slow files), and near-equal durations.
  const shape = trial % 3;
  const durations = Array.from({ length: tests }, () => {
    const u = random.next();
    if (shape === 0) return 0.1 + 20 * u;
    if (shape === 1) return 0.05 / Math.max(1e-3, u) ** 0.8;
    return 5 + u;
  });
  return { count, tests: durations.map((duration, i) => ({ file: `tests/test_${i}.py`, duration })) };
}

describe('duration-balanced shards', () => {
  it(`keeps the largest shard within 5% of max(total/N, longest) in at least 95% of ${TRIALS} random duration sets`, () => {
    const random = new SeededRandom(20261126);
    let within = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const { count, tests } = randomSet(random, trial);
      const shards = buildShards(tests, count);
      const bound = shardLowerBound(
        tests.map((t) => t.duration),
        count,
      );
      const largest = Math.max(...shards.map((s) => s.seconds));
      expect(largest).toBeGreaterThanOrEqual(bound - 1e-9);
      if (largest <= bound * 1.05) within++;
      // Every test exactly once, no shard empty.
      expect(shards.flatMap((s) => s.tests).sort()).toEqual(tests.map((t) => t.file).sort());
      expect(shards.every((s) => s.tests.length > 0)).toBe(true);
    }
    expect(within / TRIALS).toBeGreaterThanOrEqual(0.95);
  });

  it('never makes an empty shard: fewer shards than asked when there are fewer tests', () => {
    const shards = buildShards(
      [
        { file: 'a', duration: 3 },
        { file: 'b', duration: 1 },
      ],
      5,
    );
    expect(shards.map((s) => s.tests)).toEqual([['a'], ['b']]);
    expect(buildShards([], 4)).toEqual([]);
  });

  it('makes one shard of every test in the given order, its load summed longest first as for more shards', () => {
    const random = new SeededRandom(11);
    const tests = Array.from({ length: 300 }, (_, i) => ({ file: `t${i}`, duration: random.next() * 3 }));
    const [shard, ...rest] = buildShards(tests, 1);
    expect(rest).toEqual([]);
    expect(shard.tests).toEqual(tests.map((t) => t.file));
    const longestFirst = tests.map((t) => t.duration).sort((a, b) => b - a);
    expect(shard.seconds).toBe(longestFirst.reduce((sum, d) => sum + d, 0));
    // Where the order of the sum shows: in the given order 1e-16 + 1e-16 + 1 is not 1.
    const tiny = [1e-16, 1e-16, 1].map((duration, i) => ({ file: `s${i}`, duration }));
    expect(buildShards(tiny, 1)).toEqual([{ index: 1, tests: ['s0', 's1', 's2'], seconds: 1 }]);
  });

  it('is deterministic and keeps the given (fail-fast) order inside each shard', () => {
    const random = new SeededRandom(7);
    const tests = Array.from({ length: 40 }, (_, i) => ({ file: `t${i}`, duration: 1 + random.next() * 9 }));
    const a = buildShards(tests, 3);
    const b = buildShards(tests, 3);
    expect(a).toEqual(b);
    for (const shard of a) {
      const positions = shard.tests.map((file) => tests.findIndex((t) => t.file === file));
      expect(positions).toEqual([...positions].sort((x, y) => x - y));
    }
  });

  it('writes a strategy.matrix JSON that fromJSON can fan out', () => {
    const matrix = shardMatrix(
      buildShards(
        [
          { file: 'tests/a b.py', duration: 2 },
          { file: 'tests/c.py', duration: 1 },
        ],
        2,
      ),
    );
    const parsed = JSON.parse(JSON.stringify(matrix)) as typeof matrix;
    expect(parsed.include).toEqual([
      { shard: 1, total: 2, tests: "'tests/a b.py'", 'tests-json': '["tests/a b.py"]', 'duration-s': 2 },
      { shard: 2, total: 2, tests: 'tests/c.py', 'tests-json': '["tests/c.py"]', 'duration-s': 1 },
    ]);
  });
});
