/** Longest piece of untrusted text any sink shows by default; a 5 MB file name is cut to this many characters. */
export const DEFAULT_MAX_CHARS = 300;

/** Cuts `text` to at most `max` characters (never inside a surrogate pair), marking the cut with `…`. */
export function truncate(text: string, max = DEFAULT_MAX_CHARS): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

// C0 and C1 controls, DEL, and the Unicode line/paragraph separators and bidi overrides that reorder what a reader sees.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Replaces control characters (newlines included) with visible escapes: `\n`, `\r`, `\t`, `\u001b`. */
export function visibleControls(text: string): string {
  return text.replace(CONTROL, (char) => {
    if (char === '\n') return '\\n';
    if (char === '\r') return '\\r';
    if (char === '\t') return '\\t';
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Any value as one line of plain text: controls made visible, length bounded. */
export function plainText(value: unknown, max = DEFAULT_MAX_CHARS): string {
  return visibleControls(truncate(String(value), max));
}
