// A small Markdown-to-HTML converter for the demo's report: headings, paragraphs, tables, lists, fenced code and
// the <details> blocks the step summary uses. Enough for what ci-optimizer writes, not general Markdown.
const escape = (text) => text.replace(/&(?!amp;|lt;|gt;|quot;)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const inline = (text) =>
  escape(text)
    .replace(/&lt;br&gt;/g, '<br>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/_([^_]+)_/g, '<em>$1</em>')
    .replace(/`([^`]+)`/g, '<code>$1</code>');

/** The Markdown as a standalone HTML page. */
export function markdownToHtml(markdown, title) {
  const lines = markdown.split('\n');
  const html = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('```')) {
      const lang = line.slice(3).trim();
      const body = [];
      while (++i < lines.length && !lines[i].startsWith('```')) body.push(lines[i]);
      html.push(`<pre class="${lang || 'code'}">${escape(body.join('\n'))}</pre>`);
    } else if (/^#{1,6} /.test(line)) {
      const level = line.indexOf(' ');
      html.push(`<h${level}>${inline(line.slice(level + 1))}</h${level}>`);
    } else if (line.startsWith('|')) {
      const rows = [];
      while (i < lines.length && lines[i].startsWith('|')) rows.push(lines[i++]);
      i--;
      const cells = (row) => row.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
      const [head, , ...body] = rows;
      html.push(`<table><thead><tr>${cells(head).map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>`);
      for (const row of body) html.push(`<tr>${cells(row).map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`);
      html.push('</tbody></table>');
    } else if (/^<\/?details|^<summary/.test(line)) {
      html.push(line);
    } else if (/^[-*] /.test(line)) {
      html.push(`<ul><li>${inline(line.slice(2))}</li></ul>`);
    } else if (line.trim() !== '') {
      html.push(`<p>${inline(line)}</p>`);
    }
  }
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>\n<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem}pre{background:#f6f8fa;padding:.5rem;overflow:auto}</style></head>\n<body>\n${html.join('\n')}\n</body></html>\n`;
}
