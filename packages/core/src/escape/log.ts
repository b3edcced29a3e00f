import { DEFAULT_MAX_CHARS, plainText } from './text.ts';

/**
 * An untrusted value (a file or test name, a reason naming one) for a log line: one line, controls made visible
 * (`\n`), length bounded, and nothing the runner reads as a workflow command (see guardLogMessage).
 */
export function logValue(value: unknown, max = DEFAULT_MAX_CHARS): string {
  return breakCommands(plainText(value, max));
}

/**
 * Breaks what the GitHub runner would execute in a log line: `::command::` at the start of a line (after leading
 * whitespace, which the runner trims) and the older `##[command]` form, which it finds anywhere in a line. A zero-width
 * joiner goes between the two characters, so the text reads the same and runs nothing.
 */
function breakCommands(line: string): string {
  return line.replace(/^(\s*):(?=:)/, '$1:\u200d').replace(/#(?=#\[)/g, '#\u200d');
}

// Everything but newline and tab: ANSI escapes and carriage returns can rewrite what a log reader sees.
const LOG_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * The last line of defence for every message a logger prints: each line is guarded against workflow commands and
 * terminal controls. Values inside messages should still go through logValue, so they cannot add lines.
 */
export function guardLogMessage(message: string): string {
  return message
    .replace(LOG_CONTROL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .split('\n')
    .map(breakCommands)
    .join('\n');
}
