// Re-judges same-job A/B trials kept by bench/perf-ab.ts (PERF_AB_KEEP=<folder>: one folder per trial with
// base-N.json and head-N.json) with the current pair verdict (compare-run-pairs.ts), as made in lockstep, on the
// first 3 pairs and on 3 pairs plus the extra pairs the rule would ask for (up to 2, when the folder has them).
// Usage: node_modules/.bin/node bench/perf-ab-rejudge.ts <folder>...
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { BenchmarkSet } from '../packages/core/src/perf/benchmark-types.ts';
import { compareRunPairs, oneDeviantPairHidesAChange } from '../packages/core/src/perf/compare-run-pairs.ts';
import { readBenchmarkFile } from '../packages/core/src/perf/parse-benchmarks.ts';

const label = (name: string) => name.slice(name.lastIndexOf('::') + 2).replace(/^test_/, '');

async function sides(dir: string): Promise<{ base: BenchmarkSet[]; head: BenchmarkSet[] }> {
  const base: BenchmarkSet[] = [];
  const head: BenchmarkSet[] = [];
  for (let n = 1; existsSync(join(dir, `base-${n}.json`)) && existsSync(join(dir, `head-${n}.json`)); n++) {
    base.push(await readBenchmarkFile(join(dir, `base-${n}.json`)));
    head.push(await readBenchmarkFile(join(dir, `head-${n}.json`)));
  }
  return { base, head };
}

for (const root of process.argv.slice(2)) {
  for (const trial of readdirSync(root).sort()) {
    const { base, head } = await sides(join(root, trial));
    if (base.length < 3) continue;
    let pairs = 3;
    let comparison = compareRunPairs(base.slice(0, pairs), head.slice(0, pairs), { setAsideDeviantPair: true });
    while (pairs < Math.min(5, base.length) && oneDeviantPairHidesAChange(comparison)) {
      pairs++;
      comparison = compareRunPairs(base.slice(0, pairs), head.slice(0, pairs), { setAsideDeviantPair: true });
    }
    const rows = comparison.benchmarks.map(
      (b) =>
        `${label(b.name)} ${b.verdict} ${b.change === undefined ? '' : `${(b.change * 100).toFixed(1)}%`} [${(b.pairChanges ?? []).map((c) => (c * 100).toFixed(1)).join('/')}]${b.pairSetAside === undefined ? '' : ` set aside ${b.pairSetAside + 1}`}`,
    );
    console.log(`${basename(root)}/${trial} (${pairs} of ${base.length} pairs): ${rows.join('; ')}`);
  }
}
