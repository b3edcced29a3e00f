import { describe, expect, it } from 'vitest';
import {
  details,
  fitSummary,
  formatBytes,
  formatDuration,
  markdownTable,
  mermaidBarChart,
  mermaidGantt,
} from '@ci-optimizer/core/summary';

describe('summary helpers', () => {
  it('builds tables with escaped cells and numeric columns right-aligned', () => {
    expect(
      markdownTable(
        ['Name', 'ms'],
        [
          ['a|b', 12],
          ['<x>\nline', 3],
        ],
      ),
    ).toBe('| Name | ms |\n| --- | ---: |\n| a\\|b | 12 |\n| &lt;x&gt;\\\\nline | 3 |');
  });

  it('folds long content into details and draws mermaid charts', () => {
    expect(details('Why 3 tests', '- a\n- b')).toBe(
      '<details><summary>Why 3 tests</summary>\n\n- a\n- b\n\n</details>',
    );
    const bars = mermaidBarChart('Slowest', 'ms', [
      { label: 'f "x"', value: 10 },
      { label: 'g', value: 5 },
    ]);
    expect(bars).toContain('xychart-beta');
    expect(bars).toContain(`x-axis ["f 'x'", "g"]`);
    expect(bars).toContain('bar [10, 5]');
    const gantt = mermaidGantt('Job', [{ section: 'cache', name: 'restore: pip', startMs: 0, durationMs: 1200 }]);
    expect(gantt).toContain('section cache');
    expect(gantt).toContain('restore  pip :t0, 0, 1200ms');
  });

  it('keeps the summary under the limit, saying how many sections it left out', () => {
    const big = 'x'.repeat(600);
    const text = fitSummary(['# Title', big, big, 'tail'], 1000);
    expect(text).toContain('# Title');
    expect(text).toContain('tail');
    expect(text).toContain('1 section(s) left out');
    expect(Buffer.byteLength(text)).toBeLessThan(1000 + 100);
  });

  it('formats durations and sizes for people', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4m 05s');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1_500_000)).toBe('1.5 MB');
  });
});
