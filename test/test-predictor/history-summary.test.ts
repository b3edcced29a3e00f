import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendRecord, DirStore } from '@ci-optimizer/core/store';
import {
  appendRun,
  changeOfRun,
  decodeHistorySummary,
  encodeHistorySummary,
  factsOfHistory,
  HISTORY_LOG,
  HISTORY_SUMMARY_KEY,
  historyStats,
  labelFlaky,
  predictTests,
  rankingFor,
  readHistory,
  readHistorySummary,
  SLOW_FLOOR,
  storeHistorySummary,
  storedSummaryOf,
  type ChangeContext,
  type HistoryFacts,
  type RunRecord,
} from '@ci-optimizer/core/test-predictor';
import { syntheticHistory } from './synthetic-history.ts';

// record stores a summary of the history beside it (history-summary.ts) and predict reads it instead of every run.
// The summary must answer every question a prediction asks as the runs themselves do, and be ignored whenever it
// may not describe the history in the store (another history, another version, a broken or altered document).

/** A generated history with what flaky labels and the facts look at: reruns, retries, skips, no diff, no file. */
function variedHistory(seed: number, runs = 40): RunRecord[] {
  const history = syntheticHistory({ runs, seed });
  const withExtras = history.map((run, r) => {
    const cases = run.cases.map((c, k) => (k === r % 7 && r % 5 === 0 ? { ...c, outcome: 'skipped' as const } : c));
    if (r % 6 === 1) {
      const failed = cases.find((c) => c.outcome === 'failed');
      if (failed) cases.push({ ...failed, outcome: 'passed', retry: true });
    }
    if (r % 9 === 4) cases.push({ file: '', id: 'unattributed::case', outcome: 'failed', duration: 0.3, retry: false });
    return { ...run, cases, ...(r % 11 === 3 ? { changes: null, reach: null } : {}) };
  });
  // A rerun of a commit where its failures pass: they were flaky.
  const at = Math.min(12, runs >> 1);
  const rerun = withExtras[at];
  withExtras.splice(at + 1, 0, {
    ...rerun,
    id: `rerun-${seed}`,
    time: new Date(Date.parse(rerun.time) + 1000).toISOString(),
    cases: rerun.cases.map((c) => ({ ...c, outcome: 'passed' as const })),
  });
  return withExtras;
}

const segments = [{ key: `${HISTORY_LOG.area}/segments/20260101T000000000Z-abc-0000.jsonl`, size: 1234 }];

function factsOf(history: readonly RunRecord[]): { facts: HistoryFacts; flaky: ReturnType<typeof labelFlaky> } {
  const flaky = labelFlaky(history);
  return { facts: factsOfHistory(history, flaky, historyStats(history, flaky)), flaky };
}

/** Everything a prediction asks of the facts, for the files and commits of the history and some it does not have. */
function answers(facts: HistoryFacts, history: readonly RunRecord[]) {
  const files = [...new Set(history.flatMap((run) => run.cases.map((c) => c.file))), 'tests/test_new.py'];
  const commits = [...new Set(history.map((run) => run.commit)), 'unknown'];
  const changes: ChangeContext[] = [...history.slice(-3).map(changeOfRun), { changes: [], reach: null }];
  return {
    runs: facts.runs,
    usableRuns: facts.usableRuns,
    known: facts.stats.knownFiles(),
    perFile: files.map((file) => ({
      duration: facts.stats.duration(file),
      rates: [facts.stats.failureRate(file), facts.stats.decayedFailureRate(file)],
      rows: changes.map((change) => Array.from(facts.stats.features(change, file))),
      priors: changes.map((change) => facts.stats.graphPrior(change, file)),
    })),
    seen: [...facts.filesSeen(files)].sort(),
    failedOn: commits.map((commit) => [...facts.failedOn(commit)].sort()),
    totals: facts.recentTotals(),
    recentFiles: facts.recentFiles(),
    slow: [SLOW_FLOOR, 0.5, 1, 3, 5].map((threshold) => facts.slowTests(threshold)),
  };
}

describe('the history summary', () => {
  it('answers as the runs it was made from, on histories with reruns, retries, skips and runs without a diff', () => {
    for (const seed of [1, 2, 3]) {
      const history = variedHistory(seed);
      const { facts, flaky } = factsOf(history);
      const text = encodeHistorySummary(history, flaky, facts, segments)!;
      const decoded = decodeHistorySummary(text, segments)!;
      expect(decoded).toBeDefined();
      const expected = answers(facts, history);
      expect(answers(decoded, history)).toEqual(expected);
      // The histories exercise what the summary keeps: failures, flaky labels, slow cases, failures on commits.
      expect(expected.slow[0]!.length).toBeGreaterThan(0);
      expect(expected.failedOn.some((files) => files.length > 0)).toBe(true);
      expect(flaky.flakyIds.size).toBeGreaterThan(0);
    }
  });

  it('gives the prediction the history gives, and refuses what only the runs can answer', () => {
    const history = variedHistory(7);
    const { facts, flaky } = factsOf(history.slice(0, -1));
    const decoded = decodeHistorySummary(
      encodeHistorySummary(history.slice(0, -1), flaky, facts, segments)!,
      segments,
    )!;
    const last = history.at(-1)!;
    const request = {
      history: history.slice(0, -1),
      change: changeOfRun(last),
      candidates: [...new Set(last.cases.map((c) => c.file))].filter((f) => f !== '').sort(),
      mustRun: new Map<string, string>(),
      minHistory: 5,
      shards: 3,
      slowThreshold: 1,
    };
    const ranking = rankingFor({ ...request, timeFraction: 1 / 3 });
    for (const budget of [{ kind: 'all' as const }, { kind: 'fraction' as const, fraction: 0.3 }]) {
      const fromRuns = predictTests({ ...request, budget, ranking });
      const fromSummary = predictTests({ ...request, history: [], facts: decoded, budget, ranking });
      expect(fromSummary.ordered).toEqual(fromRuns.ordered);
      expect(fromSummary.selection).toEqual(fromRuns.selection);
      expect(fromSummary.shards).toEqual(fromRuns.shards);
      expect(fromSummary.slowTests).toEqual(fromRuns.slowTests);
      expect(fromSummary.usableRuns).toEqual(fromRuns.usableRuns);
    }
    // With the runs beside it (predict reads them at case granularity), the case statistics take the summary's flaky
    // failures instead of labelling the runs: the same cases, scores and selection.
    for (const budget of [{ kind: 'all' as const }, { kind: 'fraction' as const, fraction: 0.3 }]) {
      const fromRuns = predictTests({ ...request, budget, ranking, granularity: 'case' });
      const withRuns = { ...decoded, history: request.history };
      const fromSummary = predictTests({ ...request, facts: withRuns, budget, ranking, granularity: 'case' });
      expect(fromSummary.items).toEqual(fromRuns.items);
      expect(fromSummary.selection).toEqual(fromRuns.selection);
      expect(fromSummary.wholeFiles).toEqual(fromRuns.wholeFiles);
      expect(fromRuns.items.filter((item) => item.file.endsWith('::test_it')).length).toBeGreaterThan(10);
    }
    expect(decoded.flakyFailures).toEqual(flaky.flakyFailures);
    expect(flaky.flakyFailures.size).toBeGreaterThan(0);
    const budget = { kind: 'all' as const };
    expect(() =>
      predictTests({ ...request, history: [], facts: decoded, budget, ranking, granularity: 'case' }),
    ).toThrow(/needs the runs/);
    expect(() => predictTests({ ...request, history: [], facts: decoded, budget })).toThrow(/needs the runs/);
    expect(decoded.slowTests(SLOW_FLOOR / 2)).toBeUndefined();
  });

  it('is ignored when it names other segments, another format or code, or any field is off', () => {
    const history = variedHistory(4, 20);
    const { facts, flaky } = factsOf(history);
    const text = encodeHistorySummary(history, flaky, facts, segments)!;
    expect(decodeHistorySummary(text, segments)).toBeDefined();
    expect(decodeHistorySummary(text, [{ ...segments[0], size: 1235 }])).toBeUndefined();
    expect(
      decodeHistorySummary(text, [{ ...segments[0], key: segments[0].key.replace('abc', 'abd') }]),
    ).toBeUndefined();
    expect(decodeHistorySummary(text, [...segments, { key: `${HISTORY_LOG.area}/segments/x.jsonl`, size: 1 }])).toBe(
      undefined,
    );
    expect(decodeHistorySummary(text.slice(0, -1), segments)).toBeUndefined();
    type Row = unknown[];
    interface Doc {
      format: number;
      code: string;
      runs: number;
      usableRuns: number;
      stats?: { files: Row[]; touched: [string, number, [string, number][]][]; byDistance: Row[] };
      slow: Row[];
      slowFloor: number;
      recentTotals: number[];
      failedOn: unknown;
      caseFiles: unknown;
    }
    const file = (doc: Doc) => doc.stats!.files[0];
    const tampered: ((doc: Doc) => void)[] = [
      (doc) => (doc.format = 2),
      (doc) => (doc.code = 'another-version'),
      (doc) => (doc.runs += 1),
      (doc) => (doc.usableRuns = doc.runs + 1),
      (doc) => (file(doc)[1] = `${file(doc)[1]}1`),
      (doc) => (file(doc)[4] = Number(file(doc)[4]) + 1),
      (doc) => (file(doc)[2] = null),
      (doc) => (file(doc)[7] = [1, 2, 3, 4, 5, 6]),
      (doc) => (doc.stats!.touched[0][2][0][1] = doc.stats!.touched[0][1] + 1),
      (doc) => (doc.stats!.byDistance[0][1] = -1),
      (doc) => doc.stats!.files.push(file(doc)),
      (doc) => (doc.slow[0][2] = 'slow'),
      (doc) => (doc.slowFloor = 0),
      (doc) => (doc.recentTotals = [0]),
      (doc) => (doc.failedOn = [['c1', [1]]]),
      (doc) => (doc.caseFiles = 'tests/test_a.py'),
      (doc) => delete doc.stats,
    ];
    for (const change of tampered) {
      const doc = JSON.parse(text) as Doc;
      change(doc);
      expect(decodeHistorySummary(JSON.stringify(doc), segments), String(change)).toBeUndefined();
    }
  });
});

describe('the summary record stores after each run', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  let fromSummary = 0;
  /**
   * What record does: read the history (and its stored summary, which gives the statistics when it names the
   * segments read), append and compact, then store the summary of what was kept.
   */
  async function record(store: DirStore, run: RunRecord, keepRuns: number): Promise<void> {
    const text = (await store.read(HISTORY_SUMMARY_KEY))?.toString('utf8');
    const history = await readHistory(store, () => {});
    const stored = storedSummaryOf(store, history, text);
    let before: { stats: ReturnType<typeof historyStats>; flakyFailures: ReadonlySet<string> };
    if (stored) {
      fromSummary++;
      expect(answers(stored, history)).toEqual(answers(factsOf(history).facts, history));
      before = { stats: stored.stats, flakyFailures: stored.flakyFailures };
    } else {
      const flakyBefore = labelFlaky(history);
      before = { stats: historyStats(history, flakyBefore), flakyFailures: flakyBefore.flakyFailures };
    }
    const withRun = [...history, run];
    const appended = await appendRun(store, run, keepRuns, history);
    if (appended.outcome !== 'added') throw new Error('not added');
    await storeHistorySummary(store, appended, withRun, labelFlaky(withRun), before);
  }

  async function expectCurrent(store: DirStore): Promise<void> {
    const history = await readHistory(store, () => {});
    const stored = await readHistorySummary(store);
    expect(stored).toBeDefined();
    expect(answers(stored!, history)).toEqual(answers(factsOf(history).facts, history));
  }

  it('describes the history after new commits, a rerun of a commit and runs dropped by history-limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-opt-summary-'));
    dirs.push(dir);
    const store = new DirStore(dir);
    const runs = variedHistory(5, 30);
    // A rerun of a commit with the same outcomes: no earlier label changes (the statistics are updated in place).
    const again = runs[20];
    runs.splice(21, 0, { ...again, id: 'again', time: new Date(Date.parse(again.time) + 500).toISOString() });
    for (const [i, run] of runs.entries()) {
      // history-limit 25: the last runs drop the oldest (the statistics are worked out again then).
      await record(store, run, 25);
      if (i % 4 === 0 || i >= 20) await expectCurrent(store);
    }
    expect((await readHistory(store, () => {})).length).toBe(25);
    // Every record after the first took the statistics of the history before it from the summary.
    expect(fromSummary).toBe(runs.length - 1);
  });

  it('is not used once the log holds a pending record or the legacy file, and not written over newer lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-opt-summary-'));
    dirs.push(dir);
    const store = new DirStore(dir);
    const runs = variedHistory(6, 8);
    for (const run of runs.slice(0, 6)) await record(store, run, 100);
    await expectCurrent(store);
    // Another job appended and has not compacted yet.
    await appendRecord(store, HISTORY_LOG, runs[6]);
    expect(await readHistorySummary(store)).toBeUndefined();
    const text = (await store.read(HISTORY_SUMMARY_KEY))?.toString('utf8');
    expect(storedSummaryOf(store, await readHistory(store, () => {}), text)).toBeUndefined();
    await record(store, runs[7], 100);
    await expectCurrent(store);
    await store.write(HISTORY_LOG.legacyKey!, `${JSON.stringify(runs[0])}\n`);
    expect(await readHistorySummary(store)).toBeUndefined();

    // A newer version's line: a read warns about it, so no summary is stored and the old one no longer matches.
    const other = new DirStore(mkdtempSync(join(tmpdir(), 'ci-opt-summary-')));
    dirs.push(other.root);
    for (const run of runs.slice(0, 3)) await record(other, run, 100);
    await other.write(`${HISTORY_LOG.area}/pending/newer.json`, `${JSON.stringify({ ...runs[3], schema: 99 })}\n`);
    await record(other, runs[4], 100);
    expect(await readHistorySummary(other)).toBeUndefined();
    expect(await other.read(HISTORY_SUMMARY_KEY)).toBeDefined();
  });
});
