import { htmlText, truncate } from '../escape/index.ts';

/** Inline SVG charts for the HTML report: drawn on the server from the numbers, no script or library in the page. */

const WIDTH = 720;

/** A bar or line chart of labelled values (negative values go below the zero line). */
export function svgBarChart(chart: {
  title: string;
  yLabel: string;
  labels: string[];
  values: number[];
  style: 'bar' | 'line';
}): string {
  const { values } = chart;
  const height = 260;
  const left = 56;
  const right = 12;
  const top = 28;
  const bottom = 64;
  const plotWidth = WIDTH - left - right;
  const plotHeight = height - top - bottom;
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  const span = max - min || 1;
  const y = (value: number) => top + ((max - value) / span) * plotHeight;
  const step = plotWidth / values.length;
  const parts: string[] = [];
  parts.push(
    `<text x="${WIDTH / 2}" y="16" text-anchor="middle" font-weight="bold">${htmlText(truncate(chart.title, 120))}</text>`,
  );
  parts.push(
    `<text x="12" y="${top + plotHeight / 2}" transform="rotate(-90 12 ${top + plotHeight / 2})" text-anchor="middle">${htmlText(truncate(chart.yLabel, 40))}</text>`,
  );
  for (const tick of [max, (max + min) / 2, min]) {
    parts.push(
      `<line x1="${left}" x2="${WIDTH - right}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" stroke="#d0d7de"/>`,
    );
    parts.push(
      `<text x="${left - 4}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end">${htmlText(formatTick(tick))}</text>`,
    );
  }
  const points: string[] = [];
  values.forEach((value, index) => {
    const x = left + index * step;
    const label = htmlText(truncate(chart.labels[index] ?? String(index + 1), 24));
    if (chart.style === 'bar') {
      const barTop = Math.min(y(value), y(0));
      const barHeight = Math.max(1, Math.abs(y(value) - y(0)));
      parts.push(
        `<rect class="bar" x="${(x + step * 0.15).toFixed(1)}" y="${barTop.toFixed(1)}" width="${(step * 0.7).toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${value < 0 ? '#1a7f37' : '#0969da'}"><title>${label}: ${htmlText(formatTick(value))}</title></rect>`,
      );
    } else {
      points.push(`${(x + step / 2).toFixed(1)},${y(value).toFixed(1)}`);
      parts.push(
        `<circle class="point" cx="${(x + step / 2).toFixed(1)}" cy="${y(value).toFixed(1)}" r="3" fill="#0969da"><title>${label}: ${htmlText(formatTick(value))}</title></circle>`,
      );
    }
    const labelX = x + step / 2;
    parts.push(
      `<text x="${labelX.toFixed(1)}" y="${top + plotHeight + 14}" transform="rotate(30 ${labelX.toFixed(1)} ${top + plotHeight + 14})">${label}</text>`,
    );
  });
  if (points.length > 0)
    parts.unshift(
      `<polyline class="line" points="${points.join(' ')}" fill="none" stroke="#0969da" stroke-width="2"/>`,
    );
  return svg(height, chart.title, parts);
}

export interface GanttTask {
  section: string;
  name: string;
  startMs: number;
  durationMs: number;
}

/** Steps on one timeline: a row per task, bars from start to end, times in seconds on the axis. */
export function svgGantt(chart: { title: string; tasks: GanttTask[] }): string {
  const rowHeight = 20;
  const left = 220;
  const right = 16;
  const top = 28;
  const height = top + chart.tasks.length * rowHeight + 28;
  const end = Math.max(1, ...chart.tasks.map((task) => task.startMs + task.durationMs));
  const x = (ms: number) => left + (ms / end) * (WIDTH - left - right);
  const parts = [
    `<text x="${WIDTH / 2}" y="16" text-anchor="middle" font-weight="bold">${htmlText(truncate(chart.title, 120))}</text>`,
  ];
  chart.tasks.forEach((task, index) => {
    const rowY = top + index * rowHeight;
    const name = htmlText(truncate(task.section ? `${task.section} · ${task.name}` : task.name, 36));
    parts.push(`<text x="${left - 6}" y="${rowY + 14}" text-anchor="end">${name}</text>`);
    const width = Math.max(2, x(task.startMs + task.durationMs) - x(task.startMs));
    parts.push(
      `<rect class="bar" x="${x(Math.max(0, task.startMs)).toFixed(1)}" y="${rowY + 3}" width="${width.toFixed(1)}" height="${rowHeight - 6}" fill="#0969da"><title>${name}: ${htmlText(formatSeconds(task.durationMs))}</title></rect>`,
    );
  });
  const axisY = top + chart.tasks.length * rowHeight + 14;
  for (const ms of [0, end / 2, end])
    parts.push(`<text x="${x(ms).toFixed(1)}" y="${axisY}" text-anchor="middle">${htmlText(formatSeconds(ms))}</text>`);
  return svg(height, chart.title, parts);
}

function svg(height: number, title: string, parts: string[]): string {
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${htmlText(truncate(title, 120))}">${parts.join('')}</svg>`;
}

function formatTick(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : Number(value.toFixed(2)).toString();
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
