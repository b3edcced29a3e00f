import { plainText } from './text.ts';

/**
 * Untrusted text as a mermaid label: only letters, digits and plain punctuation that cannot end a quoted label, add
 * markup, start a directive (`%%`) or close the Markdown fence; the rest become `_`. Short, on one line.
 */
export function mermaidLabel(value: unknown, max = 40): string {
  return plainText(value, max)
    .replace(/"/g, "'")
    .replace(/[:;#]/g, ' ')
    .replace(/[^\p{L}\p{N} .,'/()=+_-]/gu, '_')
    .trim();
}
