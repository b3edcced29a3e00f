import { htmlText, safeLinkUrl } from '../escape/index.ts';
import { svgBarChart, svgGantt, type GanttTask } from './svg-charts.ts';

/**
 * The report's Markdown (what the step summary shows) as a standalone HTML page, for a file a person opens in a
 * browser. Escapes by default: every character of the input becomes text, except the few constructs ci-optimizer
 * writes itself (headings, paragraphs, lists, quotes, tables, code spans, bold/italic, https links, `<br>`, `<sub>`,
 * `<details>`/`<summary>` on lines of their own), which become fixed tags with escaped content. Mermaid charts are
 * drawn server-side as inline SVG; the page has no script, and its Content-Security-Policy forbids any.
 */
export function renderReportHtml(markdown: string, title: string): string {
  const html: string[] = [];
  const lines = markdown.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^(`{3,}|~{3,})\s*(\S*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      while (++i < lines.length && !lines[i].startsWith(fence[1])) body.push(lines[i]);
      html.push(fence[2] === 'mermaid' ? mermaidToSvg(body) : `<pre><code>${htmlText(body.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    if (heading) {
      const level = heading[1].length;
      html.push(`<h${level}>${inline(heading[2])}</h${level}>`);
      continue;
    }
    if (/^\s*\|/.test(line)) {
      const rows: string[] = [];
      while (i < lines.length && /^\s*\|/.test(lines[i])) rows.push(lines[i++]);
      i--;
      html.push(table(rows));
      continue;
    }
    const block = blockTag(line);
    if (block !== undefined) {
      html.push(block);
      continue;
    }
    if (/^\s*[-*] /.test(line)) {
      const items: string[] = [];
      while (i < lines.length && /^\s*[-*] /.test(lines[i])) items.push(lines[i++].replace(/^\s*[-*] /, ''));
      i--;
      html.push(`<ul>${items.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`);
      continue;
    }
    if (line.startsWith('>')) {
      const quoted: string[] = [];
      while (i < lines.length && lines[i].startsWith('>')) quoted.push(lines[i++].replace(/^> ?/, ''));
      i--;
      html.push(
        `<blockquote>${quoted
          .filter((q) => !/^\[!\w+\]$/.test(q.trim()))
          .map(inline)
          .join('<br>')}</blockquote>`,
      );
      continue;
    }
    if (line.trim() !== '') html.push(`<p>${inline(line)}</p>`);
  }
  return page(title, html.join('\n'));
}

function page(title: string, body: string): string {
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n' +
    // No script, no remote resource: only inline styles and data: images.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${htmlText(title)}</title>\n<style>${STYLE}</style></head>\n` +
    `<body>\n${body}\n</body></html>\n`
  );
}

const STYLE = [
  'body{font-family:"DejaVu Sans",system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;color:#1f2328}',
  'table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;vertical-align:top}',
  'th{background:#f6f8fa}pre{background:#f6f8fa;padding:.5rem;overflow:auto}code{background:#eff1f3;padding:0 .2rem}',
  'blockquote{border-left:.25rem solid #d0d7de;margin:.5rem 0;padding:0 .75rem;color:#57606a}',
  '.ok{color:#1a7f37;font-weight:bold}.fail{color:#cf222e;font-weight:bold}.warn{color:#9a6700}',
  '.dot-red{color:#cf222e}.dot-green{color:#1a7f37}.dot-white{color:#8c959f}.dot-yellow{color:#bf8700}.dot-black{color:#1f2328}',
  'svg.chart{display:block;margin:.5rem 0;max-width:100%;height:auto}svg.chart text{font:11px "DejaVu Sans",sans-serif;fill:#1f2328}',
].join('');

/** `<details>`, `<details open>`, `</details>` and `<summary>…</summary>` on a line of their own; else undefined. */
function blockTag(line: string): string | undefined {
  const trimmed = line.trim();
  if (trimmed === '<details>' || trimmed === '<details open>' || trimmed === '</details>') return trimmed;
  const withSummary = /^<details( open)?><summary>(.*)<\/summary>$/.exec(trimmed);
  if (withSummary) return `<details${withSummary[1] ?? ''}><summary>${inline(withSummary[2])}</summary>`;
  const summary = /^<summary>(.*)<\/summary>$/.exec(trimmed);
  if (summary) return `<summary>${inline(summary[1])}</summary>`;
  return undefined;
}

/** A GFM table; a header row with no text is left out (it shows as an empty bar otherwise). */
function table(rows: string[]): string {
  const cells = (row: string) => splitCells(row.trim().replace(/^\|/, '').replace(/\|$/, ''));
  const [head, delimiter, ...body] = rows;
  if (delimiter === undefined || !/^[\s|:-]+$/.test(delimiter))
    return rows.map((row) => `<p>${inline(row)}</p>`).join('\n');
  const aligns = cells(delimiter).map((cell) => (/^:-+:$/.test(cell) ? 'center' : /-+:$/.test(cell) ? 'right' : ''));
  const align = (index: number) => (aligns[index] ? ` style="text-align:${aligns[index]}"` : '');
  const headCells = cells(head);
  const out = ['<table>'];
  if (headCells.some((cell) => cell.trim() !== '')) {
    out.push(
      `<thead><tr>${headCells.map((cell, index) => `<th${align(index)}>${inline(cell)}</th>`).join('')}</tr></thead>`,
    );
  }
  out.push('<tbody>');
  for (const row of body)
    out.push(
      `<tr>${cells(row)
        .map((cell, index) => `<td${align(index)}>${inline(cell)}</td>`)
        .join('')}</tr>`,
    );
  out.push('</tbody></table>');
  return out.join('');
}

/** Splits a table row on `|` that is not escaped (`\|` stays in the cell, as a `|`, also inside code spans). */
function splitCells(row: string): string[] {
  const cells: string[] = [];
  let current = '';
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '\\' && row[i + 1] === '|') {
      current += '\\|';
      i++;
    } else if (row[i] === '|') {
      cells.push(current.trim());
      current = '';
    } else {
      current += row[i];
    }
  }
  cells.push(current.trim());
  return cells;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
const SYMBOLS: Record<string, string> = {
  '✅': '<span class="ok" role="img" aria-label="passed">✓</span>',
  '❌': '<span class="fail" role="img" aria-label="failed">✗</span>',
  '⚠️': '<span class="warn" role="img" aria-label="warning">⚠</span>',
  '🔴': '<span class="dot-red" aria-hidden="true">●</span>',
  '🟢': '<span class="dot-green" aria-hidden="true">●</span>',
  '⚪': '<span class="dot-white" aria-hidden="true">●</span>',
  '🟡': '<span class="dot-yellow" aria-hidden="true">●</span>',
  '⚫': '<span class="dot-black" aria-hidden="true">●</span>',
};

/**
 * Inline Markdown to HTML. The input is scanned once; what is not one of our constructs is text, escaped on output.
 * Entities (`&lt;`, `&#8203;`) and backslash escapes give back their character as text, so an escaped `<script>` stays
 * visible text and nothing decoded can become markup.
 */
function inline(source: string): string {
  let out = '';
  let text = '';
  const flush = () => {
    out += symbols(htmlText(text));
    text = '';
  };
  for (let i = 0; i < source.length; ) {
    const rest = source.slice(i);
    const ticks = /^`+/.exec(rest);
    if (ticks) {
      const close = source.indexOf(ticks[0], i + ticks[0].length);
      if (close > 0) {
        flush();
        let code = source.slice(i + ticks[0].length, close).replace(/\\\|/g, '|');
        if (code.startsWith(' ') && code.endsWith(' ') && code.trim() !== '') code = code.slice(1, -1);
        out += `<code>${htmlText(code)}</code>`;
        i = close + ticks[0].length;
        continue;
      }
      text += ticks[0];
      i += ticks[0].length;
      continue;
    }
    if (source[i] === '\\' && i + 1 < source.length && /[!-/:-@[-`{-~]/.test(source[i + 1])) {
      text += source[i + 1];
      i += 2;
      continue;
    }
    const entity = /^&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,8});/i.exec(rest);
    if (entity) {
      text += decodeEntity(entity[1]) ?? entity[0];
      i += entity[0].length;
      continue;
    }
    const tag = /^<(br|sub|\/sub)>/.exec(rest);
    if (tag) {
      flush();
      out += `<${tag[1]}>`;
      i += tag[0].length;
      continue;
    }
    const strong = /^\*\*([^*]+)\*\*/.exec(rest);
    if (strong) {
      flush();
      out += `<strong>${inline(strong[1])}</strong>`;
      i += strong[0].length;
      continue;
    }
    const emphasis = /^_([^_\s][^_]*)_(?![\p{L}\p{N}])/u.exec(rest);
    if (emphasis && (i === 0 || !/[\p{L}\p{N}]/u.test(source[i - 1]))) {
      flush();
      out += `<em>${inline(emphasis[1])}</em>`;
      i += emphasis[0].length;
      continue;
    }
    const link = /^\[([^\]\\]*(?:\\.[^\]\\]*)*)\]\(([^()\s]*)\)/.exec(rest);
    if (link) {
      const url = safeLinkUrl(link[2]);
      flush();
      out += url ? `<a href="${htmlText(url)}" rel="nofollow noopener">${inline(link[1])}</a>` : inline(link[1]);
      i += link[0].length;
      continue;
    }
    text += source[i];
    i += 1;
  }
  flush();
  return out;
}

function decodeEntity(name: string): string | undefined {
  if (name.startsWith('#')) {
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return Number.isInteger(code) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
      ? String.fromCodePoint(code)
      : undefined;
  }
  return NAMED_ENTITIES[name.toLowerCase()];
}

/** Emoji many systems lack a font for, as plain glyphs with a colour (on already escaped text). */
function symbols(escaped: string): string {
  return escaped.replace(/✅|❌|⚠️|🔴|🟢|⚪|🟡|⚫/gu, (emoji) => SYMBOLS[emoji] ?? emoji);
}

/** Draws the mermaid blocks ci-optimizer writes (xychart-beta bars and lines, gantt) as SVG; others as code. */
function mermaidToSvg(lines: string[]): string {
  const kind = lines.find((line) => line.trim() !== '')?.trim();
  if (kind === 'xychart-beta') {
    const title = stringArgument(lines, 'title');
    const labels = listArgument(lines, 'x-axis').map((value) => value.replace(/^"(.*)"$/, '$1'));
    const bars = listArgument(lines, 'bar').map(Number);
    const line = listArgument(lines, 'line').map(Number);
    const values = bars.length > 0 ? bars : line;
    if (values.length > 0 && values.every(Number.isFinite)) {
      return svgBarChart({
        title,
        yLabel: stringArgument(lines, 'y-axis'),
        labels,
        values,
        style: bars.length > 0 ? 'bar' : 'line',
      });
    }
  }
  if (kind === 'gantt') {
    const tasks: GanttTask[] = [];
    let section = '';
    for (const raw of lines) {
      const line = raw.trim();
      if (line.startsWith('section ')) section = line.slice(8);
      const task = /^(.*?)\s*:\s*t\d+,\s*(-?\d+),\s*(\d+)ms$/.exec(line);
      if (task) tasks.push({ section, name: task[1], startMs: Number(task[2]), durationMs: Number(task[3]) });
    }
    if (tasks.length > 0)
      return svgGantt({
        title:
          lines
            .find((l) => l.trim().startsWith('title '))
            ?.trim()
            .slice(6) ?? '',
        tasks,
      });
  }
  return `<pre><code>${htmlText(lines.join('\n'))}</code></pre>`;
}

function stringArgument(lines: string[], keyword: string): string {
  const line = lines.map((l) => l.trim()).find((l) => l.startsWith(`${keyword} `));
  if (!line) return '';
  const quoted = /"([^"]*)"/.exec(line);
  return quoted ? quoted[1] : line.slice(keyword.length + 1);
}

function listArgument(lines: string[], keyword: string): string[] {
  const line = lines.map((l) => l.trim()).find((l) => l.startsWith(`${keyword} [`));
  const list = line ? /\[(.*)\]/.exec(line)?.[1] : undefined;
  if (!list) return [];
  return Array.from(list.matchAll(/"[^"]*"|[^,\s][^,]*/g), (match) => match[0].trim());
}
