import { importsOfExamples, MAX_PATH_LITERAL, SCANNER_TRIGGER_WORDS, stringLiteralValue } from './analyze-source.ts';
import { doctestSource, hasDoctestExamples } from './doctest-source.ts';
import type { PythonImport, PythonModuleFacts } from './facts.ts';
import { MAX_PARSED_SOURCE_CHARS } from './tree-sitter-parser.ts';

/**
 * A fast reading of a Python file's imports from its tokens, without a parse tree, for the cold build of the graph:
 * `import` is a hard keyword, so every import statement is found by a tokenizer that knows where code is (strings of
 * every kind, PEP 701 f-strings with their replacement fields, comments, line continuations, brackets), and `from X
 * import` is the only `from` followed by `import`. It gives exactly what `analyzePythonSource` gives for the facts the
 * graph is linked from (imports, path-like strings, `__all__`, `import a as b` aliases, doctest examples' imports), or
 * undefined when the file needs the full analysis:
 * - it names a computed import (`import_module`, `__import__`, `iter_modules`, `walk_packages`, entry points) or
 *   `pytest_plugins`, whose reading needs the tree;
 * - an `__all__` assignment or a string holding `>>>` is written in a shape the scanner does not read;
 * - it is larger than the full analysis parses (`MAX_PARSED_SOURCE_CHARS`: it then may import anything);
 * - the tokens are not Python's (an unterminated string, unbalanced brackets, a character Python has no token for,
 *   a bare carriage return): tree-sitter's error recovery decides what such a file imports.
 * What it does not judge: whether the file parses (`syntaxError`), and the dotted literals passed to calls
 * (`moduleArguments`). Its facts carry `scanned: true` until the full analysis replaces them.
 */
export function scanPythonSource(source: string, options: ScanOptions = {}): PythonModuleFacts | undefined {
  // The full analysis does not parse a file this large (it may import anything): the same answer, from there.
  if (source.length > MAX_PARSED_SOURCE_CHARS) return undefined;
  const scanner = new ImportScanner(source);
  if (!scanner.scanFile()) return undefined;
  const facts: PythonModuleFacts = { imports: scanner.imports, dynamicImports: [], strings: [...scanner.strings] };
  if (scanner.all) facts.all = scanner.all;
  if (scanner.aliases) facts.moduleAliases = scanner.aliases;
  const doctestImports = scanner.examples.length ? scannedExampleImports(scanner.examples, options) : [];
  if (doctestImports === undefined) return undefined;
  if (doctestImports.length) facts.doctestImports = doctestImports;
  facts.scanned = true;
  return facts;
}

/** How `scanPythonSource` may read a file. */
export interface ScanOptions {
  /**
   * false: never parse (the parser need not be loaded); a file with a doctest example the scan cannot read is then
   * left to the full analysis like any other it cannot read. Default true: such an example is parsed.
   */
  parser?: boolean;
}

/**
 * The imports of doctest examples (`>>>` lines of docstrings), at their lines in the file: each example's code is
 * scanned like a file, and parsed (as `analyzePythonSource` does) when the scan cannot read it; undefined when that
 * parse is needed and `options.parser` is false.
 */
function scannedExampleImports(
  examples: ReadonlyArray<{ text: string; line: number }>,
  options: ScanOptions,
): PythonImport[] | undefined {
  const out: PythonImport[] = [];
  for (const example of examples) {
    // The examples' code is made of parts of the text's lines: no `import` in the text, none in the code.
    if (!example.text.includes('import')) continue;
    const code = doctestSource(example.text);
    if (!/\bimport\b/.test(code)) continue;
    const scanner = new ImportScanner(code);
    const scanned = scanner.scanFile();
    if (!scanned && options.parser === false) return undefined;
    const imports = scanned ? scanner.imports : importsOfExamples([{ text: example.text, line: 1 }]);
    for (const imp of imports) out.push({ ...imp, line: imp.line + example.line - 1 });
  }
  return out;
}

/** Token kinds (only what the statements read is told apart). */
const Kind = { Name: 0, Op: 1, String: 2, Number: 3 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/** Operators Python has, longest first within each length (a token is the longest that matches). */
const OPERATORS_2 = new Set([
  '==',
  '!=',
  '<=',
  '>=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '@=',
  ':=',
  '->',
  '**',
  '//',
  '<<',
  '>>',
]);
const OPERATORS_1 = new Set([...'+-*/%&|^~@<>=.,:;']);
const OPERATOR_CODES_1 = new Set([...OPERATORS_1].map((op) => op.charCodeAt(0)));
/** The first characters of the two-character operators ending in `=`. */
const OPERATOR_BEFORE_EQUALS = new Set([...OPERATORS_2].filter((op) => op.endsWith('=')).map((op) => op.charCodeAt(0)));
const CLOSING: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
/** String prefixes (case-insensitive) Python accepts. */
const STRING_PREFIXES = new Set(['r', 'u', 'b', 'br', 'rb', 'f', 'fr', 'rf', 't', 'tr', 'rt']);
const TRIGGERS = new Set(SCANNER_TRIGGER_WORDS);
/** Tokens beside which a string holding `>>>` may still be a statement of its own (so its shape is not read). */
const OPEN_BEFORE = new Set([',', ':', ';', ')', ']', '}']);
const OPEN_AFTER = new Set([',', ':', ';', '=']);
/** Lengths of the names a statement is read from (`from`, `import`, `__all__`). */
const KEYWORD_LENGTHS = new Set([4, 6, 7]);
const TRIGGER_LENGTHS = new Set(SCANNER_TRIGGER_WORDS.map((word) => word.length));
/** What ends a run of plain text inside a string: its quote, a backslash, a line end, and an f-string's braces. */
const STRING_STOPS = [/["\\\n\r]/g, /["\\\n\r{}]/g, /['\\\n\r]/g, /['\\\n\r{}]/g];

const isNameStart = (code: number) =>
  (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || (code >= 0x80 && code !== 0xfeff);
const isNameChar = (code: number) => isNameStart(code) || (code >= 48 && code <= 57);
const isDigit = (code: number) => code >= 48 && code <= 57;

/**
 * The tokens of one logical line: parallel arrays reused from line to line, of which the first `length` entries are the
 * line's (clearing keeps the arrays' storage: a file has thousands of lines).
 */
class LineTokens {
  kind: Kind[] = [];
  start: number[] = [];
  end: number[] = [];
  line: number[] = [];
  /** Brackets open around the token (a string inside them is never a statement of its own). */
  depth: number[] = [];
  length = 0;
  push(kind: Kind, start: number, end: number, line: number, depth: number) {
    const index = this.length++;
    this.kind[index] = kind;
    this.depth[index] = depth;
    this.start[index] = start;
    this.end[index] = end;
    this.line[index] = line;
  }
  clear() {
    this.length = 0;
  }
}

/**
 * The length of the operator at `at` (the longest of Python's that matches: `**=`, `//=`, `>>=`, `<<=`, then OPERATORS_2,
 * then OPERATORS_1), or 0 when none does; read from character codes (operators are a third of the tokens).
 */
function operatorLength(source: string, at: number): number {
  const first = source.charCodeAt(at);
  const second = source.charCodeAt(at + 1);
  // `**`, `//`, `<<`, `>>`, and with `=` after them `**=`, `//=`, `<<=`, `>>=`.
  if (second === first && (first === 42 || first === 47 || first === 60 || first === 62))
    return source.charCodeAt(at + 2) === 61 ? 3 : 2;
  // `==`, `!=`, `<=`, `>=`, `:=` and the augmented assignments `+= -= *= /= %= &= |= ^= @=`.
  if (second === 61 && OPERATOR_BEFORE_EQUALS.has(first)) return 2;
  if (first === 45 && second === 62) return 2;
  return OPERATOR_CODES_1.has(first) ? 1 : 0;
}

class ImportScanner {
  readonly imports: PythonImport[] = [];
  readonly strings = new Set<string>();
  readonly examples: Array<{ text: string; line: number }> = [];
  all: string[] | undefined;
  aliases: Record<string, string> | undefined;
  private at = 0;
  private row = 1;
  private readonly tokens = new LineTokens();
  /** The `import` tokens of the line's `from` statements (read with them). */
  private readonly consumed = new Set<number>();
  /** Open brackets of the code outside strings. */
  private readonly brackets: string[] = [];

  private readonly source: string;

  constructor(source: string) {
    this.source = source;
  }

  /** Reads the whole file; false when it needs the full analysis. */
  scanFile(): boolean {
    const { source } = this;
    if (source.charCodeAt(0) === 0xfeff) this.at = 1;
    while (this.at < source.length) {
      const code = source.charCodeAt(this.at);
      if (code === 10) {
        this.at += 1;
        this.row += 1;
        if (this.brackets.length === 0 && this.tokens.length && !this.endLine()) return false;
        continue;
      }
      if (!this.token(code, false)) return false;
    }
    if (this.brackets.length) return false;
    return this.tokens.length === 0 || this.endLine();
  }

  /**
   * Reads one token (or skips blanks, a comment, a line continuation) at `at`, a newline excepted. Inside a replacement
   * field (`field`) the tokens are not kept: only the strings and the words that need the full analysis matter there.
   */
  private token(code: number, field: boolean): boolean {
    const { source } = this;
    const start = this.at;
    if (code === 32 || code === 9 || code === 12) {
      // A run of blanks at once (indentation).
      let at = this.at + 1;
      for (let next = source.charCodeAt(at); next === 32 || next === 9 || next === 12; next = source.charCodeAt(at))
        at += 1;
      this.at = at;
      return true;
    }
    if (code === 13) {
      // \r\n is a newline (tree-sitter counts rows by \n); a bare \r is left to the full analysis.
      if (source.charCodeAt(this.at + 1) !== 10) return false;
      this.at += 1;
      return true;
    }
    if (code === 35) {
      const end = source.indexOf('\n', this.at);
      this.at = end === -1 ? source.length : end;
      return true;
    }
    if (code === 92) {
      const next = source.charCodeAt(this.at + 1);
      if (next === 10) {
        this.at += 2;
        this.row += 1;
        return true;
      }
      if (next === 13 && source.charCodeAt(this.at + 2) === 10) {
        this.at += 3;
        this.row += 1;
        return true;
      }
      return false;
    }
    if (code === 34 || code === 39) return this.string(start, start, field);
    if (isNameStart(code)) {
      let end = this.at + 1;
      while (end < source.length && isNameChar(source.charCodeAt(end))) end += 1;
      const quote = source.charCodeAt(end);
      if ((quote === 34 || quote === 39) && STRING_PREFIXES.has(source.slice(start, end).toLowerCase()))
        return this.string(start, end, field);
      // Names are most of the tokens: only one of a trigger's length is cut out of the source and looked up.
      if (TRIGGER_LENGTHS.has(end - start) && TRIGGERS.has(source.slice(start, end))) return false;
      this.at = end;
      if (!field) this.tokens.push(Kind.Name, start, end, this.row, this.brackets.length);
      return true;
    }
    if (isDigit(code) || (code === 46 && isDigit(source.charCodeAt(this.at + 1)))) {
      let end = this.at + 1;
      while (end < source.length && (isNameChar(source.charCodeAt(end)) || source.charCodeAt(end) === 46)) end += 1;
      this.at = end;
      if (!field) this.tokens.push(Kind.Number, start, end, this.row, this.brackets.length);
      return true;
    }
    const char = source[this.at];
    if (char === '(' || char === '[' || char === '{') {
      this.brackets.push(char);
    } else if (char === ')' || char === ']' || char === '}') {
      if (this.brackets.pop() !== CLOSING[char]) return false;
    } else {
      const length = operatorLength(source, this.at);
      if (length === 0) return false;
      this.at += length;
      if (!field) this.tokens.push(Kind.Op, start, this.at, this.row, this.brackets.length);
      return true;
    }
    this.at += 1;
    if (!field) this.tokens.push(Kind.Op, start, this.at, this.row, this.brackets.length);
    return true;
  }

  /**
   * Open quotes of the strings being read. A string in a replacement field that would end one before Python 3.12 (the
   * same quote as a single-quoted f-string, the same triple quote) is left to the full analysis.
   */
  private readonly quotes: number[] = [];
  private readonly triples: boolean[] = [];

  /** A string literal whose prefix starts at `start` and quote at `quoteAt`; its value is kept if it may name a file. */
  private string(start: number, quoteAt: number, field: boolean): boolean {
    const { source } = this;
    const line = this.row;
    const prefix = start === quoteAt ? '' : source.slice(start, quoteAt).toLowerCase();
    const format = prefix.includes('f') || prefix.includes('t');
    const raw = prefix.includes('r');
    const quote = source.charCodeAt(quoteAt);
    const triple = source.charCodeAt(quoteAt + 1) === quote && source.charCodeAt(quoteAt + 2) === quote;
    for (let open = 0; open < this.quotes.length; open++)
      if (this.quotes[open] === quote && (triple || !this.triples[open])) return false;
    let at = quoteAt + (triple ? 3 : 1);
    this.quotes.push(quote);
    this.triples.push(triple);
    // The next character that matters, found by the regular expression engine (a docstring is mostly plain text).
    const stops = STRING_STOPS[(quote === 34 ? 0 : 2) + (format ? 1 : 0)];
    for (;;) {
      stops.lastIndex = at;
      if (!stops.test(source)) return false;
      at = stops.lastIndex - 1;
      const code = source.charCodeAt(at);
      if (code === 92) {
        const next = source.charCodeAt(at + 1);
        if (next === 123 || next === 125) at += 1;
        else if (format && !raw && next === 78 && source.charCodeAt(at + 2) === 123) {
          const close = source.indexOf('}', at);
          if (close === -1) return false;
          at = close + 1;
        } else {
          if (next === 10) this.row += 1;
          at += 2;
        }
        continue;
      }
      if (code === quote) {
        if (!triple) {
          at += 1;
          break;
        }
        if (source.charCodeAt(at + 1) === quote && source.charCodeAt(at + 2) === quote) {
          at += 3;
          break;
        }
        at += 1;
        continue;
      }
      if (code === 10) {
        if (!triple) return false;
        this.row += 1;
      } else if (code === 13 && source.charCodeAt(at + 1) !== 10) {
        return false;
      } else if (format && code === 123) {
        if (source.charCodeAt(at + 1) === 123) {
          at += 2;
          continue;
        }
        this.at = at + 1;
        if (!this.replacementField(triple)) return false;
        at = this.at;
        continue;
      } else if (format && code === 125) {
        if (source.charCodeAt(at + 1) !== 125) return false;
        at += 2;
        continue;
      }
      at += 1;
    }
    this.quotes.pop();
    this.triples.pop();
    this.at = at;
    const end = at;
    if (end - start <= MAX_PATH_LITERAL + 8) {
      // As `analyzePythonSource` keeps them: a value with a dot or a slash, short and on one line.
      const raw = source.slice(start, end);
      const value = /[./\\]/.test(raw) ? stringLiteralValue(raw) : undefined;
      if (value !== undefined && value.length <= MAX_PATH_LITERAL && !value.includes('\n') && /[./\\]/.test(value))
        this.strings.add(value);
    }
    if (!field) this.tokens.push(Kind.String, start, end, line, this.brackets.length);
    return true;
  }

  /**
   * The expression of a replacement field (`at` after its `{`), then its conversion and format spec, up to and past its
   * `}`. Brackets inside the expression nest; a `:` or `!` outside them ends it (`!=` does not).
   */
  private replacementField(triple: boolean): boolean {
    const { source } = this;
    const depth = this.brackets.length;
    for (;;) {
      if (this.at >= source.length) return false;
      const code = source.charCodeAt(this.at);
      if (this.brackets.length === depth) {
        if (code === 125) {
          this.at += 1;
          return true;
        }
        if (code === 58) return this.formatSpec(triple);
        if (code === 33 && source.charCodeAt(this.at + 1) !== 61) {
          // `!r`, `!s`, `!a`: a name, then the spec or the end.
          this.at += 1;
          while (this.at < source.length && isNameChar(source.charCodeAt(this.at))) this.at += 1;
          continue;
        }
      }
      if (code === 10) {
        // A line break inside a single-quoted f-string's field is Python 3.12's: left to the full analysis.
        if (!triple) return false;
        this.at += 1;
        this.row += 1;
        continue;
      }
      if (code === 33) {
        // `!=` inside the expression.
        this.at += 2;
        continue;
      }
      if (code === 35) return false;
      if (code === 125 && this.brackets.length === depth) return false;
      if (!this.token(code, true)) return false;
      if (this.brackets.length < depth) return false;
    }
  }

  /** A format spec (`at` on its `:`): literal text with nested replacement fields, up to and past the field's `}`. */
  private formatSpec(triple: boolean): boolean {
    const { source } = this;
    this.at += 1;
    for (;;) {
      if (this.at >= source.length) return false;
      const code = source.charCodeAt(this.at);
      if (code === 125) {
        this.at += 1;
        return true;
      }
      if (code === 123) {
        this.at += 1;
        if (!this.replacementField(triple)) return false;
        continue;
      }
      if (this.quotes.includes(code) || code === 92) return false;
      if (code === 10) {
        if (!triple) return false;
        this.row += 1;
      }
      this.at += 1;
    }
  }

  private text(index: number): string {
    return this.source.slice(this.tokens.start[index], this.tokens.end[index]);
  }

  /** Whether the token's text is `text` (compared in place: nothing is cut out of the source). */
  private is(index: number, text: string): boolean {
    const start = this.tokens.start[index];
    return this.tokens.end[index] - start === text.length && this.source.startsWith(text, start);
  }

  private isOp(index: number, op: string): boolean {
    return index < this.tokens.length && this.tokens.kind[index] === Kind.Op && this.is(index, op);
  }

  private isName(index: number, name?: string): boolean {
    return (
      index < this.tokens.length &&
      this.tokens.kind[index] === Kind.Name &&
      (name === undefined || this.is(index, name))
    );
  }

  /** The statements of one logical line: imports, `__all__`, doctest strings. False when it needs the full analysis. */
  private endLine(): boolean {
    const tokens = this.tokens;
    const count = tokens.length;
    const consumed = this.consumed;
    let ok = true;
    for (let index = 0; index < count && ok; index++) {
      const kind = tokens.kind[index];
      if (kind === Kind.String) ok = this.statementString(index);
      else if (
        kind === Kind.Name &&
        KEYWORD_LENGTHS.has(tokens.end[index] - tokens.start[index]) &&
        !consumed.has(index)
      ) {
        if (this.is(index, 'from')) ok = this.fromImport(index, consumed);
        else if (this.is(index, 'import')) ok = this.importStatement(index);
        else if (this.is(index, '__all__')) ok = this.allAssignment(index);
      }
    }
    tokens.clear();
    if (consumed.size) consumed.clear();
    return ok;
  }

  private statementStart(index: number): boolean {
    return index === 0 || this.isOp(index - 1, ';');
  }

  private statementEnd(index: number): boolean {
    return index >= this.tokens.length || this.isOp(index, ';');
  }

  /** A string holding `>>>`: a docstring-like statement of its own has doctest examples; any other shape is not read. */
  private statementString(index: number): boolean {
    const text = this.text(index);
    if (!text.includes('>>>') || this.tokens.depth[index] > 0) return true;
    if (this.statementStart(index) && this.statementEnd(index + 1)) {
      if (hasDoctestExamples(text)) this.examples.push({ text, line: this.tokens.line[index] });
      return true;
    }
    // An operand (`x = '''>>>...'''`, `doc + '''>>>...'''`, `'''>>>...'''.format()`) or a part of a concatenation is no
    // statement of its own; beside a comma or a colon it may be one (`'a', '''>>> x'''`, `class A: '''>>> x'''`).
    const { kind } = this.tokens;
    const operand =
      (index > 0 && kind[index - 1] === Kind.Op && !OPEN_BEFORE.has(this.text(index - 1))) ||
      (index + 1 < this.tokens.length &&
        (kind[index + 1] === Kind.String || (kind[index + 1] === Kind.Op && !OPEN_AFTER.has(this.text(index + 1)))));
    return operand;
  }

  /** `a.b.c` from index; the index after it, or -1. */
  private dotted(index: number): { name: string; next: number } | undefined {
    if (!this.isName(index)) return undefined;
    let name = this.text(index);
    let next = index + 1;
    while (this.isOp(next, '.') && this.isName(next + 1)) {
      name += `.${this.text(next + 1)}`;
      next += 2;
    }
    return { name, next };
  }

  /** `from <dots><module> import names`; a `from` that is not followed by an import (`yield from`, `raise ... from`). */
  private fromImport(index: number, consumed: Set<number>): boolean {
    let next = index + 1;
    let level = 0;
    while (this.isOp(next, '.')) {
      level += 1;
      next += 1;
    }
    let module = '';
    if (!this.isName(next, 'import')) {
      const name = this.dotted(next);
      if (!name) return level === 0;
      module = name.name;
      next = name.next;
    }
    if (!this.isName(next, 'import')) return level === 0 && module !== '' ? true : false;
    consumed.add(next);
    next += 1;
    const names: string[] = [];
    const parenthesised = this.isOp(next, '(');
    if (parenthesised) next += 1;
    if (this.isOp(next, '*')) {
      names.push('*');
      next += 1;
    } else {
      for (;;) {
        const name = this.dotted(next);
        if (!name) return false;
        names.push(name.name);
        next = name.next;
        if (this.isName(next, 'as')) {
          if (!this.isName(next + 1)) return false;
          next += 2;
        }
        if (!this.isOp(next, ',')) break;
        next += 1;
        if (parenthesised && this.isOp(next, ')')) break;
      }
    }
    if (parenthesised) {
      if (!this.isOp(next, ')')) return false;
      next += 1;
    }
    if (!this.statementEnd(next)) return false;
    this.imports.push({ module, level, names, line: this.tokens.line[index], kind: 'from' });
    return true;
  }

  /** `import a.b as c, d`. */
  private importStatement(index: number): boolean {
    let next = index + 1;
    const line = this.tokens.line[index];
    for (;;) {
      const name = this.dotted(next);
      if (!name) return false;
      next = name.next;
      this.imports.push({ module: name.name, level: 0, line, kind: 'import' });
      if (this.isName(next, 'as')) {
        if (!this.isName(next + 1)) return false;
        (this.aliases ??= {})[this.text(next + 1)] = name.name;
        next += 2;
      }
      if (!this.isOp(next, ',')) break;
      next += 1;
    }
    return this.statementEnd(next);
  }

  /**
   * `__all__ = [...]`, `(...)`, `'a', 'b'` or a string: its literal names (the last assignment wins). An `__all__` that
   * is assigned in another shape needs the full analysis; one that is only read or extended is no assignment.
   */
  private allAssignment(index: number): boolean {
    // An attribute (`x.__all__`), or a name inside brackets (a keyword argument, a dict key): no assignment.
    if ((index > 0 && this.isOp(index - 1, '.')) || this.tokens.depth[index] > 0) return true;
    const next = index + 1;
    const annotated = this.isOp(next, ':');
    if (!annotated && !this.isOp(next, '=')) return true;
    // `if x in __all__:` is no annotation; `__all__: list = [...]` (alone, or after a compound statement's colon) is.
    if (annotated) return !this.statementStart(index) && !this.isOp(index - 1, ':');
    if (!this.statementStart(index)) return false;
    let end = next + 1;
    while (!this.statementEnd(end)) end += 1;
    const values = this.literalStrings(next + 1, end);
    if (values === undefined) return false;
    this.all = values;
    return true;
  }

  /** The value of a run of string tokens (implicit concatenation); undefined when a part is an f-string or bytes. */
  private concatenated(from: number, to: number): string | undefined {
    let value = '';
    for (let index = from; index < to; index++) {
      const piece = stringLiteralValue(this.text(index));
      if (piece === undefined) return undefined;
      value += piece;
    }
    return value;
  }

  /** What `analyzePythonSource` reads from an `__all__` value made of strings, brackets and commas; else undefined. */
  private literalStrings(from: number, to: number): string[] | undefined {
    if (from >= to) return undefined;
    const { kind } = this.tokens;
    let first = from;
    let last = to;
    if (this.isOp(from, '(') || this.isOp(from, '[')) {
      if (!this.isOp(to - 1, this.text(from) === '(' ? ')' : ']')) return undefined;
      first += 1;
      last -= 1;
    } else {
      let strings = true;
      for (let index = from; index < to; index++) if (kind[index] !== Kind.String) strings = false;
      if (strings) {
        const value = this.concatenated(from, to);
        return value === undefined ? [] : [value];
      }
    }
    const out: string[] = [];
    let start = first;
    for (let index = first; index <= last; index++) {
      if (index < last && kind[index] === Kind.String) continue;
      if (index < last && !this.isOp(index, ',')) return undefined;
      if (index === start) {
        // An empty element: only after the last comma, or an empty list.
        if (index === last && (start === first || this.isOp(index - 1, ','))) break;
        return undefined;
      }
      const value = this.concatenated(start, index);
      if (value !== undefined) out.push(value);
      start = index + 1;
    }
    return out;
  }
}
