import type { Command, OutputValue, Outputs } from './types.ts';

/**
 * The text an output is written as on GitHub: strings as they are, numbers and booleans in plain form, lists of
 * plain values one per line, anything else as JSON.
 */
export function formatOutputValue(value: OutputValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number')) {
    return value.join('\n');
  }
  return JSON.stringify(value);
}

/** All outputs of a command as text, using its own formatters where it has them. */
export function formatOutputs(command: Command, outputs: Outputs): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(outputs)) {
    const format = command.formatOutput?.[name];
    text[name] = format ? format(value) : formatOutputValue(value);
  }
  return text;
}
