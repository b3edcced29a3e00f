import { describe, expect, it } from 'vitest';
import { historyStats, labelFlaky, predictTests, rankingFor, type RunRecord } from '@ci-optimizer/core/test-predictor';
import { syntheticHistory } from './synthetic-history.ts';

// predict and record label the history, build its per-file statistics and choose the ranking as soon as the history
// (and the model) are read, while git still works (test-predictor-modes.ts, readHistoryAhead and rankingAhead), and
// hand them to predictTests: the prediction must be the one predictTests makes from the history alone.
describe('predictTests with the flaky labels and statistics worked out ahead', () => {
  it('predicts the same as from the history alone, for every budget and both granularities', () => {
    const history: RunRecord[] = syntheticHistory({ runs: 40, seed: 11 });
    const last = history.at(-1)!;
    const candidates = [...new Set(last.cases.map((c) => c.file))].sort();
    const change = { changes: last.changes ?? [], reach: last.reach, reachAll: false };
    const flaky = labelFlaky(history.slice(0, -1));
    const stats = historyStats(history.slice(0, -1), flaky);
    for (const budget of [
      { kind: 'all' as const },
      { kind: 'fraction' as const, fraction: 0.3 },
      { kind: 'recall' as const, target: 0.9 },
    ]) {
      for (const granularity of ['file', 'case'] as const) {
        const request = {
          history: history.slice(0, -1),
          change,
          candidates,
          mustRun: new Map([[candidates[3], 'new test file']]),
          budget,
          minHistory: 5,
          shards: 2,
          slowThreshold: 1,
          granularity,
        };
        const alone = predictTests(request);
        const ranking = rankingFor({ ...request, timeFraction: 1 / 3 });
        const ahead = predictTests({ ...request, flaky, stats, ranking });
        expect(ahead.ordered).toEqual(alone.ordered);
        expect(ahead.items).toEqual(alone.items);
        expect(ahead.selection).toEqual(alone.selection);
        expect(ahead.shards).toEqual(alone.shards);
        expect(ahead.ranking).toEqual(alone.ranking);
        expect(ahead.ordered.some((t) => t.probability > 0.05)).toBe(true);
      }
    }
  });

  it('runs the ranking it is given', () => {
    const history = syntheticHistory({ runs: 30, seed: 5 });
    const candidates = [...new Set(history[0].cases.map((c) => c.file))].sort();
    const request = {
      history,
      change: { changes: history[0].changes ?? [], reach: history[0].reach, reachAll: false },
      candidates,
      mustRun: new Map<string, string>(),
      budget: { kind: 'all' as const },
      minHistory: 5,
      shards: 1,
      slowThreshold: 60,
    };
    const chosen = predictTests(request).ranking.chosen;
    const other = chosen === 'failure-frequency' ? 'co-failure' : 'failure-frequency';
    const given = { chosen: other, reason: 'given by the caller', heldOut: {} } as const;
    expect(predictTests({ ...request, ranking: given }).ranking).toEqual(given);
  });
});
