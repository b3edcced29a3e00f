import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import {
  guardLogMessage,
  htmlText,
  logValue,
  mdCode,
  mdText,
  mermaidLabel,
  safeLinkUrl,
  truncate,
} from '@ci-optimizer/core/escape';
import { renderReportHtml } from '@ci-optimizer/core/report';

const render = (markdown: string) =>
  micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });

describe('escape layer', () => {
  it('log values stay on one line and cannot start a workflow command', () => {
    expect(logValue('a\n::warning::x\r\n\u001b[31m')).toBe('a\\n::warning::x\\r\\n\\u001b[31m');
    expect(logValue('::add-mask::secret')).not.toMatch(/^::/);
    expect(logValue('x ##[error]y')).not.toContain('##[');
    expect(logValue('x'.repeat(1000)).length).toBe(300);
  });

  it('guards every line of a message, keeping its newlines', () => {
    const guarded = guardLogMessage('ok\n  ::set-output name=a::b\n##[group]x\n\u001b]0;title\u0007');
    const lines = guarded.split('\n');
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line.trimStart().startsWith('::')).toBe(false);
      expect(line).not.toContain('##[');
      expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    }
  });

  it('Markdown text renders as the same characters and nothing else (micromark, GFM)', () => {
    const hostile =
      '<b>x</b> [a](javascript:1) ![i](https://t.invalid/p) @team **bold** _em_ `c` a|b https://x.invalid www.x.invalid # h';
    const html = render(`| c |\n|---|\n| ${mdText(hostile)} |\n\n- ${mdText('# heading')}\n- ${mdText('1. list')}`);
    expect(html).not.toMatch(/<(b|a|img|strong|em|code|h1)\b/);
    expect(html).toContain(
      '<td>&lt;b&gt;x&lt;/b&gt; [a](javascript:1) ![i](https:\u200b//t.invalid/p) @\u200bteam **bold** _em_ `c` a|b https:\u200b//x.invalid www\u200b.x.invalid # h</td>',
    );
    expect(html).toContain('<li># heading</li>');
    expect(html).toContain('<li>1. list</li>');
  });

  it('code spans hold any backticks and stay in their table cell', () => {
    for (const text of ['`', '``a`', 'a ``` b', '`x`', '', ' lead']) {
      const html = render(`| c |\n|---|\n| ${mdCode(text, { inTable: true })} |`);
      expect(html, text).toMatch(/<td><code>[^<]*<\/code><\/td>/);
    }
    expect(render(mdCode('a|b `c` <d>'))).toBe('<p><code>a|b `c` &lt;d&gt;</code></p>');
  });

  it('mermaid labels keep to a safe alphabet; HTML text escapes quotes; links are https only', () => {
    expect(mermaidLabel('a"]\n```%%{init}%% <b>')).toBe("a'__n______init___ _b_");
    expect(htmlText(`<a href="x" onclick='y'>&`)).toBe('&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;');
    expect(safeLinkUrl('https://github.com/o/r/actions/runs/1')).toBe('https://github.com/o/r/actions/runs/1');
    for (const bad of ['javascript:alert(1)', 'http://x', 'https://x/a)b', 'https://x/ a', 'https://x/"', undefined])
      expect(safeLinkUrl(bad)).toBeUndefined();
    expect(truncate('😀😀😀', 4)).toBe('😀…');
  });
});

describe('HTML report renderer', () => {
  it('escapes by default: only our fixed tags come out, entities and escapes give back text', () => {
    const page = renderReportHtml(
      [
        '## T <script>x</script>',
        '<details><summary>s <img src=x onerror=y></summary>',
        '<img src=x onerror=y>',
        '&lt;script&gt; \\<b\\> **bold** `code <i>` [ok](https://example.invalid/a) [bad](javascript:alert(1))',
        '</details>',
        '| | |',
        '|---|---|',
        '| a\\|b | ✅ |',
      ].join('\n'),
      'title </title><script>',
    );
    const body = page.slice(page.indexOf('<body>'));
    const tags = Array.from(body.matchAll(/<([a-z0-9]+)/g), (m) => m[1]);
    expect(new Set(tags)).toEqual(
      new Set(['body', 'h2', 'details', 'summary', 'p', 'strong', 'code', 'a', 'table', 'tbody', 'tr', 'td', 'span']),
    );
    expect(body).toContain('&#60;script&#62; &#60;b&#62;');
    expect(body).toContain(
      '<a href="https://example.invalid/a" rel="nofollow noopener">ok</a> [bad](javascript:alert(1))',
    );
    expect(body).not.toContain('<thead>');
    expect(body).toContain('<td>a|b</td>');
    expect(page).toContain('<title>title &#60;/title&#62;&#60;script&#62;</title>');
  });

  it('draws xychart and gantt blocks as SVG', () => {
    const page = renderReportHtml(
      [
        '```mermaid',
        'xychart-beta',
        '  title "t"',
        '  x-axis ["a", "b"]',
        '  y-axis "ms" 0 --> 5',
        '  bar [1, -2]',
        '```',
        '```mermaid',
        'gantt',
        '  title g',
        '  section job',
        '  step one :t0, 0, 1200ms',
        '```',
      ].join('\n'),
      'x',
    );
    expect(page.match(/<svg class="chart"/g)).toHaveLength(2);
    expect(page.match(/<rect class="bar"/g)).toHaveLength(3);
    expect(page).not.toContain('xychart-beta');
  });
});
