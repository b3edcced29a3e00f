/**
 * A small TOML reader that is just enough for cache keys: it splits a document into `path = value` statements with
 * comments and insignificant whitespace removed, keeping string literals verbatim. It does not build values, so it
 * accepts every valid document (and degrades gracefully on invalid ones) without a TOML dependency.
 */

/** One `key = value` of a TOML document, with its table path joined in (`project.dependencies`). */
export interface TomlStatement {
  /** Dotted path of the table and key, quotes removed (`tool.poetry.group.dev.dependencies.pytest`). */
  path: string;
  /** The value's text with comments and whitespace outside strings removed. */
  value: string;
}

/** Splits TOML text into statements in document order; `[[array]]` tables get an index (`tool.x[0]`). */
export function readTomlStatements(text: string): TomlStatement[] {
  const statements: TomlStatement[] = [];
  const arrayTableCounts = new Map<string, number>();
  let table = '';
  let pos = 0;
  while (pos < text.length) {
    pos = skipBlank(text, pos);
    if (pos >= text.length) break;
    if (text[pos] === '[') {
      const isArray = text[pos + 1] === '[';
      const start = pos + (isArray ? 2 : 1);
      const end = findHeaderEnd(text, start);
      const name = normalizeKeyPath(text.slice(start, end));
      if (isArray) {
        const index = arrayTableCounts.get(name) ?? 0;
        arrayTableCounts.set(name, index + 1);
        table = `${name}[${index}]`;
      } else {
        table = name;
      }
      pos = skipToLineEnd(text, end);
      continue;
    }
    const equals = findOutsideQuotes(text, pos, '=');
    if (equals < 0) break;
    const key = normalizeKeyPath(text.slice(pos, equals));
    const { value, end } = readValue(text, equals + 1);
    statements.push({ path: table === '' ? key : `${table}.${key}`, value });
    pos = end;
  }
  return statements;
}

/** Statements rendered one per line: a canonical form that ignores comments, blank lines and indentation. */
export function canonicalToml(text: string): string {
  return readTomlStatements(text)
    .map((statement) => `${statement.path}=${statement.value}`)
    .join('\n');
}

function skipBlank(text: string, pos: number): number {
  while (pos < text.length) {
    const char = text[pos];
    if (char === '#') {
      pos = skipToLineEnd(text, pos);
    } else if (char === ' ' || char === '\t' || char === '\r' || char === '\n') {
      pos += 1;
    } else {
      break;
    }
  }
  return pos;
}

function skipToLineEnd(text: string, pos: number): number {
  const newline = text.indexOf('\n', pos);
  return newline < 0 ? text.length : newline + 1;
}

function findHeaderEnd(text: string, pos: number): number {
  let quote: string | undefined;
  for (let i = pos; i < text.length; i += 1) {
    const char = text[i];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === ']' || char === '\n') {
      return i;
    }
  }
  return text.length;
}

function findOutsideQuotes(text: string, pos: number, target: string): number {
  let quote: string | undefined;
  for (let i = pos; i < text.length; i += 1) {
    const char = text[i];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === target) {
      return i;
    } else if (char === '\n') {
      return -1;
    }
  }
  return -1;
}

/** `a . "b.c" . d` -> `a.b.c.d`: quotes dropped, spaces around dots dropped. Good enough for matching paths. */
function normalizeKeyPath(raw: string): string {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const char of raw) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '.') {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current.trim());
  return parts.join('.');
}

/** Reads a value up to the end of its statement (a newline outside strings and brackets). */
function readValue(text: string, pos: number): { value: string; end: number } {
  let out = '';
  let depth = 0;
  let i = pos;
  while (i < text.length) {
    const char = text[i];
    if (text.startsWith('"""', i) || text.startsWith("'''", i)) {
      const delimiter = text.slice(i, i + 3);
      const close = findClosing(text, i + 3, delimiter, delimiter === '"""');
      out += text.slice(i, close);
      i = close;
      continue;
    }
    if (char === '"' || char === "'") {
      const close = findClosing(text, i + 1, char, char === '"');
      out += text.slice(i, close);
      i = close;
      continue;
    }
    if (char === '#') {
      i = skipToLineEnd(text, i) - 1;
      if (depth === 0) return { value: stripTrailingComma(out), end: i + 1 };
      i += 1;
      continue;
    }
    if (char === '[' || char === '{') depth += 1;
    if (char === ']' || char === '}') depth = Math.max(0, depth - 1);
    if (char === '\n' && depth === 0) return { value: stripTrailingComma(out), end: i + 1 };
    if (char !== ' ' && char !== '\t' && char !== '\r' && char !== '\n') out += char;
    i += 1;
  }
  return { value: stripTrailingComma(out), end: text.length };
}

/** A trailing comma before a closing bracket is insignificant (`[a, b,]` equals `[a, b]`). */
function stripTrailingComma(value: string): string {
  return value.replace(/,(?=[\]}])/g, '');
}

/** Index just past the closing delimiter of a string starting at `pos` (after its opening delimiter). */
function findClosing(text: string, pos: number, delimiter: string, escapes: boolean): number {
  let i = pos;
  while (i < text.length) {
    if (escapes && text[i] === '\\') {
      i += 2;
      continue;
    }
    if (text.startsWith(delimiter, i)) {
      let end = i + delimiter.length;
      // A multi-line string may end with up to two extra quotes that belong to its content (`""""a""""`).
      while (delimiter.length === 3 && text[end] === delimiter[0] && end - i < 5) end += 1;
      return end;
    }
    if (delimiter.length === 1 && text[i] === '\n') return i;
    i += 1;
  }
  return text.length;
}
