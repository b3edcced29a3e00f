import { describe, expect, it } from 'vitest';
import { renderDashboard, type Dashboard } from '@ci-optimizer/core/report';

function view(tests: Partial<Dashboard['tests']>) {
  const dashboard: Dashboard = {
    steps: 2,
    stepsMs: 3_000,
    pipelineMs: 40_000,
    cache: { exact: 0, partial: 0, miss: 0 },
    tests: { selected: 2, total: 21, savedMs: 0, savedKnown: false, runAll: false, seen: true, ...tests },
    predictions: { predicted: 0, actual: 0, caught: 0, seen: false },
    perf: { regressions: 0, improvements: 0, seen: false },
  };
  return renderDashboard({ title: 'CI', dashboard, records: [], slos: [], pricePerMinute: 0.008 }).join('\n');
}

describe('the dashboard shows the savings as they are', () => {
  it('a few seconds saved read as seconds, not "0.0 min"', () => {
    const text = view({ savedMs: 7_400, savedKnown: true });
    expect(text).toContain('7.4 s of test time saved (< $0.01)');
    expect(text).toContain('7.4 s of test time not run');
    expect(text).not.toContain('0.0 min');
  });

  it('without recorded durations the time not run is unknown, never "0 ms"', () => {
    const text = view({ savedMs: 0, savedKnown: false });
    expect(text).toContain('time not run unknown, no test durations recorded yet');
    expect(text).not.toContain('0 ms of test time not run');
    expect(text).not.toContain('test time saved');
  });
});
