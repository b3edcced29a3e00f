import type { MetricsRecord } from '../metrics/index.ts';
import { formatDuration, markdownTable } from '../summary/index.ts';

/** The summary table of every ci-optimizer step of the job: duration, phases and counters. */
export function stepsTable(records: MetricsRecord[]): string {
  const rows = records.map((record) => [
    record.step === 'post' ? `${record.action} (post)` : record.action,
    formatDuration(record['duration-ms']),
    Object.entries(record.phases ?? {})
      .map(([name, ms]) => `${name} ${formatDuration(ms)}`)
      .join(', '),
    Object.entries(record.counters ?? {})
      .map(([name, value]) => `${name}: ${formatNumber(value)}`)
      .join(', '),
    record.outcome === 'failure' ? '❌' : '✅',
  ]);
  return markdownTable(['Step', 'Duration', 'Phases', 'Counters', ''], rows, [
    'left',
    'right',
    'left',
    'left',
    'center',
  ]);
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}
