// Seeds a `dir:` store with recorded runs without parsing a JUnit file or starting the CLI for each run. Used by
// history-growth.mjs. Run with --experimental-transform-types.
// Usage: node --experimental-transform-types bench/history-growth.seed.mts STORE_DIR FIRST_RUN LAST_RUN CASES PER_FILE [store|memory]
//   store  (default): each run through the core's appendRun (append one object, then compact under the history's
//          bounds: the code path `test-predictor --mode record` ends in), one store read and write per run.
//   memory: the history the same appendRuns would leave, computed in memory (the log's records so far, then
//          boundHistory after each run, as each compaction does) and written once through appendRecord and
//          compactRecordLog. boundHistory keeps the newest runs and folds or drops older ones only, so applying it
//          after every run gives the same runs as applying it once more at the end; the bench checks that a small
//          seeding gives the same history both ways (--check).
import { DirStore } from '../packages/core/src/store/dir-store.ts';
import { appendRecord, compactRecordLog, readRecordLog } from '../packages/core/src/store/record-log.ts';
import {
  appendRun,
  boundHistory,
  HISTORY_LOG,
  type CaseRecord,
  type RunRecord,
} from '../packages/core/src/test-history/history.ts';

const [storeDir, first, last, cases, perFile, mode = 'store'] = process.argv.slice(2);
const store = new DirStore(storeDir);
const total = Number(cases);
const per = Number(perFile);
const KEEP_RUNS = 1000;

function runRecord(run: number): RunRecord {
  const records: CaseRecord[] = [];
  for (let i = 0; i < total; i++) {
    const file = Math.floor(i / per);
    const path = `tests/pkg_${file % 100}/test_mod_${file}.py`;
    // The same durations the benchmark's JUnit report has for this run.
    records.push({
      file: path,
      id: `${path}::test_case_${i % per}`,
      outcome: 'passed',
      duration: ((i * 7919 + run * 104729) % 1000) / 1000,
      retry: false,
    });
  }
  return {
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
}

if (mode === 'memory') {
  let kept = (await readRecordLog(store, HISTORY_LOG)).records;
  for (let run = Number(first); run <= Number(last); run++) kept = boundHistory([...kept, runRecord(run)], KEEP_RUNS);
  for (const record of kept) await appendRecord(store, HISTORY_LOG, record);
  await compactRecordLog(store, HISTORY_LOG, (runs) => boundHistory(runs, KEEP_RUNS));
} else {
  for (let run = Number(first); run <= Number(last); run++) await appendRun(store, runRecord(run), KEEP_RUNS);
}
// The helper's peak RSS (KB), for the benchmark's table.
process.stdout.write(`${process.resourceUsage().maxRSS}\n`);
