import { DEFAULT_MAX_CHARS, plainText } from './text.ts';

/**
 * Untrusted text as inline Markdown for GitHub (comments, step summaries, tables): it shows as the same characters
 * and does nothing else. No HTML (`<`, `>`, `&` become entities), no emphasis, links or images (their punctuation is
 * backslash-escaped), no autolinked URLs, no @mentions (a zero-width space after `@`), no table cell breaks (`\|`),
 * one line (controls shown as `\n`), bounded length.
 */
export function mdText(value: unknown, max = DEFAULT_MAX_CHARS): string {
  return breakLinksAndMentions(
    plainText(value, max)
      .replace(/[\\`*_{}[\]()!|~]/g, '\\$&')
      // What starts a block (heading, quote, list, setext line) when the text opens a line or a list item.
      .replace(/^(\s*)([#+=-])(?=[\s#=-]|$)/, '$1\\$2')
      .replace(/^(\s*\d{1,9})([.)])(?=\s|$)/, '$1\\$2')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;'),
  );
}

/** @mentions, team mentions and URL autolinks stay text: a zero-width space breaks each. */
function breakLinksAndMentions(text: string): string {
  return text
    .replace(/@/g, '@&#8203;')
    .replace(/:\/\//g, ':&#8203;//')
    .replace(/\bwww\./gi, (match) => `${match.slice(0, 3)}&#8203;.`);
}

/**
 * Untrusted text (a path, a test or benchmark name) as a Markdown code span: literal inside, with a fence longer
 * than any run of backticks in it. `inTable` escapes `|`, which GitHub splits cells on even inside code spans.
 */
export function mdCode(value: unknown, options: { max?: number; inTable?: boolean } = {}): string {
  let text = plainText(value, options.max ?? DEFAULT_MAX_CHARS);
  if (options.inTable) text = text.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  // A space on each side keeps a leading or trailing backtick from joining the fence (CommonMark strips one each).
  const pad = text.startsWith('`') || text.endsWith('`') || text.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${text === '' ? ' ' : text}${pad}${fence}`;
}

/**
 * A URL that may be the target of a Markdown link we write: `https://` with a host and only characters that cannot
 * end the link or add markup (no spaces, parentheses, brackets, angle brackets, quotes or backslashes). Anything else
 * gives undefined, and the caller leaves the link out.
 */
export function safeLinkUrl(url: string | undefined): string | undefined {
  if (url === undefined || url.length > 2000) return undefined;
  return /^https:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9\-._~/%?=&+,;:@!$*]*)?$/.test(url) ? url : undefined;
}
