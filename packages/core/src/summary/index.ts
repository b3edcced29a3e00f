/** GitHub keeps at most 1 MiB of step summary per step; stay clearly below it. */
export const STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024;
const SAFE_LIMIT_BYTES = STEP_SUMMARY_LIMIT_BYTES - 16 * 1024;

import { mdText, mermaidLabel } from '../escape/index.ts';

/** Text for a Markdown table cell or any inline place: shown as it is, with no markup of its own (see mdText). */
export function escapeCell(text: string): string {
  return mdText(text, 1000);
}

/** A cell that is already Markdown, built from escaped parts (e.g. code spans made with mdCode(..., { inTable: true })). */
export interface MarkdownCell {
  readonly markdown: string;
}

export type Cell = string | number | boolean | null | undefined | MarkdownCell;

/** Marks Markdown the caller built from escaped parts, so markdownTable leaves it as it is. */
export function markdownCell(markdown: string): MarkdownCell {
  return { markdown };
}
export type Align = 'left' | 'right' | 'center';

/** A Markdown table; cells are escaped, numbers right-aligned unless `align` says otherwise. */
export function markdownTable(headers: string[], rows: Cell[][], align?: Align[]): string {
  const alignment = headers.map((_, column) => {
    const chosen =
      align?.[column] ?? (rows.length > 0 && rows.every((row) => typeof row[column] === 'number') ? 'right' : 'left');
    return chosen === 'right' ? '---:' : chosen === 'center' ? ':---:' : '---';
  });
  const text = (cell: Cell) =>
    cell === null || cell === undefined ? '' : typeof cell === 'object' ? cell.markdown : escapeCell(String(cell));
  const line = (cells: Cell[]) => `| ${cells.map(text).join(' | ')} |`;
  return [line(headers), `| ${alignment.join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** A collapsible section; the body is Markdown. */
export function details(summaryLine: string, body: string, open = false): string {
  return `<details${open ? ' open' : ''}><summary>${escapeCell(summaryLine)}</summary>\n\n${body}\n\n</details>`;
}

/** A fenced mermaid block. */
export function mermaid(diagram: string): string {
  return `\`\`\`mermaid\n${diagram}\n\`\`\``;
}

/** A mermaid horizontal-axis bar chart (xychart-beta) of labelled values. */
export function mermaidBarChart(title: string, yLabel: string, bars: { label: string; value: number }[]): string {
  const labels = bars.map((bar) => `"${mermaidLabel(bar.label)}"`);
  const values = bars.map((bar) => (Number.isFinite(bar.value) ? Number(bar.value.toFixed(3)) : 0));
  const max = Math.max(1, ...values);
  return mermaid(
    [
      'xychart-beta',
      `  title "${mermaidLabel(title, 80)}"`,
      `  x-axis [${labels.join(', ')}]`,
      `  y-axis "${mermaidLabel(yLabel)}" 0 --> ${Math.ceil(max * 1.1)}`,
      `  bar [${values.join(', ')}]`,
    ].join('\n'),
  );
}

/** A mermaid gantt chart of tasks on one timeline (start and duration in milliseconds). */
export function mermaidGantt(
  title: string,
  tasks: { section?: string; name: string; startMs: number; durationMs: number }[],
): string {
  const lines = ['gantt', `  title ${mermaidLabel(title, 80)}`, '  dateFormat x', '  axisFormat %M:%S'];
  let section: string | undefined;
  tasks.forEach((task, index) => {
    if (task.section !== undefined && task.section !== section) {
      section = task.section;
      lines.push(`  section ${mermaidLabel(task.section) || '_'}`);
    }
    const name = mermaidLabel(task.name) || '_';
    const start = Number.isFinite(task.startMs) ? Math.round(task.startMs) : 0;
    const duration = Number.isFinite(task.durationMs) ? Math.max(1, Math.round(task.durationMs)) : 1;
    lines.push(`  ${name} :t${index}, ${start}, ${duration}ms`);
  });
  return mermaid(lines.join('\n'));
}

/** Human duration: `850 ms`, `12.3 s`, `4m 05s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

/** Human size: `512 B`, `1.5 MB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/**
 * Joins Markdown sections and keeps the result under the step-summary limit: sections that do not fit are
 * dropped, with a closing line saying how many were left out.
 */
export function fitSummary(sections: string[], limitBytes = SAFE_LIMIT_BYTES): string {
  const kept: string[] = [];
  let size = 0;
  let dropped = 0;
  for (const section of sections) {
    const bytes = Buffer.byteLength(section, 'utf8') + 2;
    if (size + bytes > limitBytes) {
      dropped++;
      continue;
    }
    kept.push(section);
    size += bytes;
  }
  if (dropped > 0) kept.push(`_${dropped} section(s) left out to stay under GitHub's 1 MiB step-summary limit._`);
  return kept.join('\n\n');
}
