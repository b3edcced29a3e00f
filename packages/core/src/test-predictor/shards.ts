/** One shard of the selected tests. */
export interface Shard {
  /** 1-based. */
  index: number;
  tests: string[];
  /** Expected seconds. */
  seconds: number;
}

/** A test file with its expected duration, in the order it should run. */
export interface TimedTest {
  file: string;
  duration: number;
}

/** The `strategy.matrix` value: `matrix: ${{ fromJSON(needs.plan.outputs.shards) }}`. */
export interface ShardMatrix {
  include: { shard: number; total: number; tests: string; 'tests-json': string; 'duration-s': number }[];
}

const MAX_MATRIX_JOBS = 256;

/**
 * Splits tests into at most `count` duration-balanced shards, none empty: longest-processing-time greedy (each
 * test, longest first, to the least-loaded shard), then moves and swaps out of the heaviest shard while they lower
 * it. Deterministic; each shard keeps the tests in the order given (fail-fast order).
 */
export function buildShards(tests: readonly TimedTest[], count: number): Shard[] {
  const n = Math.max(0, Math.min(Math.floor(count), tests.length, MAX_MATRIX_JOBS));
  if (n === 0) return [];
  if (n === 1) return [oneShard(tests)];
  const position = new Map(tests.map((t, i) => [t.file, i]));
  const byLength = [...tests].sort((a, b) => b.duration - a.duration || position.get(a.file)! - position.get(b.file)!);
  const bins: TimedTest[][] = Array.from({ length: n }, () => []);
  const loads = new Float64Array(n);
  for (const test of byLength) {
    let best = 0;
    for (let i = 1; i < n; i++) if (loads[i] < loads[best]) best = i;
    bins[best].push(test);
    loads[best] += test.duration;
  }
  improve(bins, loads);
  return bins.map((bin, i) => ({
    index: i + 1,
    tests: [...bin].sort((a, b) => position.get(a.file)! - position.get(b.file)!).map((t) => t.file),
    seconds: loads[i],
  }));
}

/**
 * The one shard of `tests` (distinct files): all of them in the order given, with the load the greedy split sums
 * (longest first: a sum of the same numbers in the same order, without sorting the tests twice).
 */
function oneShard(tests: readonly TimedTest[]): Shard {
  const longestFirst = Float64Array.from(tests, (test) => test.duration)
    .sort()
    .reverse();
  let seconds = 0;
  for (const duration of longestFirst) seconds += duration;
  return { index: 1, tests: tests.map((test) => test.file), seconds };
}

/** Local search on the heaviest shard: a move or a pairwise swap is taken when it lowers the larger of the two. */
function improve(bins: TimedTest[][], loads: Float64Array): void {
  const n = bins.length;
  for (let round = 0; round < 50 * n; round++) {
    let heavy = 0;
    for (let i = 1; i < n; i++) if (loads[i] > loads[heavy]) heavy = i;
    let bestGain = 1e-9;
    let action: (() => void) | undefined;
    for (let other = 0; other < n; other++) {
      if (other === heavy) continue;
      const gap = loads[heavy] - loads[other];
      bins[heavy].forEach((item, a) => {
        // Moving `item` lowers the pair's maximum when it is smaller than the gap; keep the heavy shard non-empty.
        if (bins[heavy].length > 1 && item.duration < gap) {
          const gain = Math.min(item.duration, gap - item.duration);
          if (gain > bestGain) {
            bestGain = gain;
            action = () => move(bins, loads, heavy, a, other);
          }
        }
        bins[other].forEach((swap, b) => {
          const delta = item.duration - swap.duration;
          if (delta > 0 && delta < gap) {
            const gain = Math.min(delta, gap - delta);
            if (gain > bestGain) {
              bestGain = gain;
              action = () => {
                bins[heavy][a] = swap;
                bins[other][b] = item;
                loads[heavy] -= delta;
                loads[other] += delta;
              };
            }
          }
        });
      });
    }
    if (!action) return;
    action();
  }
}

function move(bins: TimedTest[][], loads: Float64Array, from: number, index: number, to: number): void {
  const [item] = bins[from].splice(index, 1);
  bins[to].push(item);
  loads[from] -= item.duration;
  loads[to] += item.duration;
}

/** The lower bound no split can beat: max(total / shards, longest test). */
export function shardLowerBound(durations: readonly number[], count: number): number {
  const total = durations.reduce((a, b) => a + b, 0);
  return Math.max(
    total / Math.max(1, Math.min(count, durations.length)),
    durations.length ? Math.max(...durations) : 0,
  );
}

/** The matrix JSON for `strategy.matrix` + `fromJSON`; `tests` is space-separated (quoted when a path has spaces). */
export function shardMatrix(shards: readonly Shard[]): ShardMatrix {
  return {
    include: shards.map((shard) => ({
      shard: shard.index,
      total: shards.length,
      tests: shard.tests.map(shellWord).join(' '),
      'tests-json': JSON.stringify(shard.tests),
      'duration-s': Math.round(shard.seconds * 1000) / 1000,
    })),
  };
}

function shellWord(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
