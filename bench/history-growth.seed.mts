// Seeds a `dir:` store with recorded runs through the core's own appendRun (append one object, then compact under
// the history's bounds: the code path `test-predictor --mode record` ends in), without parsing a JUnit file or
// starting the CLI for each run. Used by history-growth.mjs. Run with --experimental-transform-types.
// Usage: node --experimental-transform-types bench/history-growth.seed.mts STORE_DIR FIRST_RUN LAST_RUN CASES PER_FILE
import { DirStore } from '../packages/core/src/store/dir-store.ts';
import { appendRun, type CaseRecord, type RunRecord } from '../packages/core/src/test-history/history.ts';

const [storeDir, first, last, cases, perFile] = process.argv.slice(2);
const store = new DirStore(storeDir);
const total = Number(cases);
const per = Number(perFile);
for (let run = Number(first); run <= Number(last); run++) {
  const records: CaseRecord[] = [];
  for (let i = 0; i < total; i++) {
    const file = Math.floor(i / per);
    const path = `tests/pkg_${file % 100}/test_mod_${file}.py`;
    // The same durations the benchmark's JUnit report has for this run.
    records.push({ file: path, id: `${path}::test_case_${i % per}`, outcome: 'passed', duration: ((i * 7919 + run * 104729) % 1000) / 1000, retry: false });
  }
  const record: RunRecord = {
    schema: 1,
    id: `seed-${run}`,
    time: new Date(Date.UTC(2026, 0, 1) + run * 3_600_000).toISOString(),
    commit: `seed${run}`,
    base: null,
    event: 'push',
    full: true,
    changes: null,
    reach: null,
    cases: records,
  };
  await appendRun(store, record, 1000);
}
