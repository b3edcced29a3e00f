import { describe, expect, it } from 'vitest';
import { parseBudget, selectForBudget, type ScoredTest } from '@ci-optimizer/core/test-predictor';

const tests: ScoredTest[] = [
  { file: 'a', probability: 0.6, duration: 10, graphReached: true },
  { file: 'b', probability: 0.3, duration: 5, graphReached: false },
  { file: 'c', probability: 0.05, duration: 1, graphReached: true },
  { file: 'd', probability: 0.04, duration: 20, graphReached: false },
  { file: 'e', probability: 0.01, duration: 4, graphReached: false, mustRun: 'test file modified' },
];

describe('budgets', () => {
  it('parses the four forms and rejects others with the fix', () => {
    expect(parseBudget('all')).toEqual({ kind: 'all' });
    expect(parseBudget('recall:0.99')).toEqual({ kind: 'recall', target: 0.99 });
    expect(parseBudget('time:5m')).toEqual({ kind: 'time', seconds: 300 });
    expect(parseBudget('fraction:0.3')).toEqual({ kind: 'fraction', fraction: 0.3 });
    expect(() => parseBudget('recall:1.5')).toThrow(/Input 'budget' has value 'recall:1.5'.*at most 1/);
    expect(() => parseBudget('time:soon')).toThrow(/'soon' is not a duration/);
    expect(() => parseBudget('half')).toThrow(/not a budget. Use 'all'/);
  });

  it('all: every test, must-run first, then most expected failures per second (likelier first among equals)', () => {
    const s = selectForBudget(tests, { kind: 'all' });
    // e is must-run; a and b both find 0.06 failures a second; c 0.05; d 0.002.
    expect(s.selected).toEqual(['e', 'a', 'b', 'c', 'd']);
    expect(s.estimatedRecall).toBe(1);
  });

  it('recall: keeps every graph-reached and must-run test, adds by probability until the estimate is reached', () => {
    const s = selectForBudget(tests, { kind: 'recall', target: 0.9 });
    // a, c (graph), e (must-run) = 0.66 of 1.0; b brings it to 0.96.
    expect(s.selected).toEqual(['e', 'a', 'b', 'c']);
    expect(s.estimatedRecall).toBeCloseTo(0.96, 10);
    expect(s.droppedReached).toEqual([]);
  });

  it('time: a hard box that may drop graph-reached tests, and says which', () => {
    const s = selectForBudget(tests, { kind: 'time', seconds: 15 });
    // e (must-run, 4 s) first; a (10 s) fits; b (5 s) does not; c (1 s) does.
    expect(s.selected).toEqual(['e', 'a', 'c']);
    expect(s.selectedSeconds).toBe(15);
    expect(s.droppedReached).toEqual([]);
    const tight = selectForBudget(tests, { kind: 'fraction', fraction: 0.25 });
    expect(tight.selected).toEqual(['e', 'b', 'c']);
    expect(tight.droppedReached).toEqual(['a']);
  });
});
