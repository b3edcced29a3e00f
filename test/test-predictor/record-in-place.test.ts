import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirStore } from '@ci-optimizer/core/store';
import { appendRunSegment } from '@ci-optimizer/core/test-history';
import {
  advanceHistorySummary,
  appendRun,
  auditedRuns,
  computeMissRate,
  decodeRecordSummary,
  encodeHistorySummary,
  factsOfHistory,
  flakyIdsOf,
  HISTORY_LOG,
  HISTORY_SUMMARY_KEY,
  historyStats,
  labelFlaky,
  MAX_SEGMENTS,
  readHistory,
  readHistorySummary,
  readNeeded,
  readRecordSummary,
  realFailedFiles,
  storeAdvancedSummary,
  storeHistorySummary,
  storedSummaryOf,
  tailHasRun,
  type RecordSummary,
  type RunRecord,
  type SegmentIdentity,
} from '@ci-optimizer/core/test-predictor';
import { syntheticHistory } from './synthetic-history.ts';

// record appends a run of a new commit after the runs its stored summary describes, without reading them: the run
// goes into a segment of its own and the summary is brought up to date with the run alone (history-tail.ts). That
// must give exactly the summary a read of the whole history gives, and never lose a run when jobs record at once.

/** A generated history with audits, retries, skips, slow cases and a rerun: what the tail and the labels look at. */
function historyWithExtras(seed: number, runs = 30): RunRecord[] {
  const history = syntheticHistory({ runs, seed }).map((run, r) => {
    const cases = run.cases.map((c, k) => (k === r % 5 && r % 4 === 0 ? { ...c, outcome: 'skipped' as const } : c));
    if (r % 6 === 1) cases.push({ ...cases[0], outcome: 'passed', retry: true, duration: 9 });
    // Test files that come and go: the recent files are those of the newest runs only.
    if (r % 4 === 2) cases.push({ ...cases[1], file: `tests/test_rare_${r}.py`, id: `tests/test_rare_${r}.py::t` });
    const failed = cases.filter((c) => c.outcome === 'failed').map((c) => c.file);
    const audit =
      r % 3 === 0
        ? { failedFiles: failed, missedByTestFilter: [], missedByPredictor: failed.slice(0, 1), budget: 'fraction:0.3' }
        : undefined;
    return {
      ...run,
      id: `run-${seed}-${r}`,
      cases,
      ...(audit ? { audit } : {}),
      ...(r % 7 === 2 ? { full: false } : {}),
    };
  });
  const again = history[runs >> 1];
  history.splice((runs >> 1) + 1, 0, {
    ...again,
    id: `rerun-${seed}`,
    time: new Date(Date.parse(again.time) + 1000).toISOString(),
    cases: again.cases.map((c) => ({ ...c, outcome: 'passed' as const })),
  });
  return history;
}

function summaryOf(history: readonly RunRecord[], segments: readonly SegmentIdentity[]): string {
  const flaky = labelFlaky(history);
  return encodeHistorySummary(history, flaky, factsOfHistory(history, flaky, historyStats(history, flaky)), segments)!;
}

const segment = (n: number): SegmentIdentity => ({
  key: `${HISTORY_LOG.area}/segments/2026${String(n).padStart(4, '0')}.jsonl`,
  size: 100 + n,
});

describe('appending a run after the stored summary, in place', () => {
  it('gives the summary of the longer history, for every run it takes and only for those', () => {
    let inPlace = 0;
    let read = 0;
    for (const seed of [11, 12, 13]) {
      const history = historyWithExtras(seed);
      for (let i = 1; i < history.length; i++) {
        const before = history.slice(0, i);
        const run = history[i];
        const segments = [segment(0), segment(1)];
        const summary = decodeRecordSummary(summaryOf(before, segments), segments);
        expect(summary).toBeDefined();
        expect(tailHasRun(summary!.document.tail, run.id!)).toBe(false);
        expect(tailHasRun(summary!.document.tail, before[0].id!)).toBe(true);
        // Safety: the audits the summary keeps give the miss rates the runs give.
        for (const window of [1, 3, 50])
          expect(computeMissRate(auditedRuns(summary!.document.tail), window, before[2]?.time)).toEqual(
            computeMissRate(before, window, before[2]?.time),
          );
        const reason = readNeeded(summary!.document.tail, run, 1000, segments.length);
        const rerun = before.some((other) => other.commit === run.commit);
        if (rerun) expect(reason).toMatch(/run of this commit/);
        if (reason) {
          read++;
          continue;
        }
        inPlace++;
        const flaky = labelFlaky([run]);
        const all = labelFlaky([...before, run]);
        // The labels of the run alone are those it gets in the whole history; the earlier ones do not change.
        expect([...flaky.flakyFailures].sort()).toEqual(
          [...all.flakyFailures].filter((key) => key.includes(`\u0000${run.commit}\u0000`)).sort(),
        );
        expect([...flakyIdsOf(all.flakyFailures)].sort()).toEqual([...all.flakyIds].sort());
        const stats = summary!.facts.stats;
        stats.add(run, realFailedFiles(flaky, run), flaky);
        const added = segment(99);
        const advanced = JSON.parse(advanceHistorySummary(summary!, run, flaky, stats, added));
        expect(advanced).toEqual(JSON.parse(summaryOf([...before, run], [...segments, added])));
      }
    }
    expect(inPlace).toBeGreaterThan(40);
    expect(read).toBeGreaterThan(3);
  });

  it('is refused when the tail of the summary is off', () => {
    const history = historyWithExtras(14, 15);
    const segments = [segment(0)];
    const text = summaryOf(history, segments);
    expect(decodeRecordSummary(text, segments)).toBeDefined();
    type Doc = { tail: Record<string, unknown[][]>; caseLastRun: number[] };
    const tampered: ((doc: Doc) => void)[] = [
      (doc) => doc.tail.runs.pop(),
      (doc) => (doc.tail.runs[0][3] = -1),
      (doc) => (doc.tail.runs[0][5] = 2),
      (doc) => doc.tail.window.pop(),
      (doc) => (doc.tail.window[0][0] = [doc.tail.cases.length, 1]),
      (doc) => (doc.tail.window[0][0] = [0, 1e9]),
      (doc) => (doc.tail.window[0][0] = [0]),
      (doc) => (doc.tail.window[0][1] = ['slow']),
      (doc) => (doc.tail.audits[0][1] = { failedFiles: 'a' }),
      (doc) => doc.caseLastRun.pop(),
      (doc) => (doc.caseLastRun[0] = 1000),
    ];
    for (const change of tampered) {
      const doc = JSON.parse(text) as Doc;
      change(doc);
      expect(decodeRecordSummary(JSON.stringify(doc), segments), String(change)).toBeUndefined();
    }
  });
});

describe('record in place, in a store', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const newStore = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-opt-in-place-'));
    dirs.push(dir);
    return new DirStore(dir);
  };

  /** What record does with the history: in place when the summary allows it, else read, append and compact. */
  async function record(store: DirStore, run: RunRecord, keepRuns: number): Promise<'in place' | 'read'> {
    const { text, summary } = await readRecordSummary(store);
    if (summary && !readNeeded(summary.document.tail, run, keepRuns, summary.segments.length)) {
      await recordInPlace(store, summary, run);
      return 'in place';
    }
    const history = await readHistory(store, () => {});
    const stored = storedSummaryOf(store, history, text);
    const flakyBefore = labelFlaky(history);
    const before = stored ?? { stats: historyStats(history, flakyBefore), flakyFailures: flakyBefore.flakyFailures };
    const withRun = [...history, run];
    const appended = await appendRun(store, run, keepRuns, history);
    if (appended.outcome !== 'added') throw new Error('not added');
    await storeHistorySummary(store, appended, withRun, labelFlaky(withRun), before);
    return 'read';
  }

  async function recordInPlace(store: DirStore, summary: RecordSummary, run: RunRecord): Promise<void> {
    const added = await appendRunSegment(store, run);
    await storeAdvancedSummary(store, summary, run, labelFlaky([run]), summary.facts.stats, added);
  }

  /** The stored summary is current, and says what a summary made from the history read says. */
  async function expectCurrent(store: DirStore): Promise<void> {
    const history = await readHistory(store, () => {});
    const { summary } = await readRecordSummary(store);
    expect(summary).toBeDefined();
    expect(await readHistorySummary(store)).toBeDefined();
    const flaky = labelFlaky(history);
    const facts = factsOfHistory(history, flaky, historyStats(history, flaky));
    const expected = JSON.parse(encodeHistorySummary(history, flaky, facts, summary!.segments)!);
    expect(JSON.parse(JSON.stringify(summary!.document))).toEqual(expected);
  }

  it('keeps the summary equal to the history, compacts when due and drops runs past history-limit', async () => {
    const store = newStore();
    const runs = historyWithExtras(21, 60);
    const ways: string[] = [];
    for (const [i, run] of runs.entries()) {
      ways.push(await record(store, run, 40));
      if (i % 5 === 0 || i > 55) await expectCurrent(store);
    }
    const history = await readHistory(store, () => {});
    expect(history.map((run) => run.id)).toEqual(runs.slice(-40).map((run) => run.id));
    expect(ways.filter((way) => way === 'in place').length).toBeGreaterThan(20);
    // A log of MAX_SEGMENTS segments is compacted by the next record.
    const segments = (await store.list(`${HISTORY_LOG.area}/segments/`)).length;
    expect(segments).toBeLessThanOrEqual(MAX_SEGMENTS);
  });

  it('loses no run when jobs record at once, and the next record reads the history again', async () => {
    const store = newStore();
    const runs = historyWithExtras(22, 12).filter((run) => !run.id!.startsWith('rerun'));
    for (const run of runs.slice(0, 8)) await record(store, run, 100);
    const { summary } = await readRecordSummary(store);
    expect(summary).toBeDefined();
    // Two jobs read the same summary and append at once (runs of two new commits, with times in order).
    const [a, b] = [runs[8], { ...runs[9], commit: 'c-other' }];
    await Promise.all([recordInPlace(store, summary!, a), recordInPlace(store, summary!, b)]);
    const history = await readHistory(store, () => {});
    expect(history.map((run) => run.id)).toEqual([...runs.slice(0, 9), b].map((run) => run.id));
    // Neither summary names both segments: it is no longer used, by predict nor record.
    expect((await readRecordSummary(store)).summary).toBeUndefined();
    expect(await readHistorySummary(store)).toBeUndefined();
    expect(await record(store, runs[10], 100)).toBe('read');
    await expectCurrent(store);
    expect((await readHistory(store, () => {})).map((run) => run.id)).toEqual(
      [...runs.slice(0, 9), b, runs[10]].map((run) => run.id),
    );
    expect(await record(store, runs[11], 100)).toBe('in place');
    await expectCurrent(store);
    // What it writes: one segment per run appended in place, beside the compacted one.
    expect((await store.list(`${HISTORY_LOG.area}/segments/`)).length).toBe(2);
    expect(await store.read(HISTORY_SUMMARY_KEY)).toBeDefined();
  });
});
