import { parser } from '@lezer/python';
import type { SyntaxNode, Tree } from '@lezer/common';
import type {
  PythonDefinition,
  PythonDynamicImport,
  PythonImport,
  PythonModuleFacts,
  PythonSyntaxError,
} from './facts.ts';

/** Bumped whenever the facts extracted from a file change shape or meaning, so cached facts are not reused. */
export const PYTHON_FACTS_VERSION = 1;

// Longer literals are prose or SQL, not file names; keeping them would only bloat the graph cache.
const MAX_PATH_LITERAL = 200;

/** Parses Python source with the Lezer grammar (error-tolerant; nothing is imported or executed). */
export function parsePythonSource(source: string): Tree {
  return parser.parse(source);
}

/** Maps character offsets to 1-based lines, built lazily because most files need few lookups. */
class LineIndex {
  private starts: number[] | undefined;
  private readonly source: string;
  constructor(source: string) {
    this.source = source;
  }

  position(offset: number): { line: number; column: number } {
    if (!this.starts) {
      const starts = [0];
      for (let i = this.source.indexOf('\n'); i !== -1; i = this.source.indexOf('\n', i + 1)) starts.push(i + 1);
      this.starts = starts;
    }
    const starts = this.starts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - starts[low] + 1 };
  }

  line(offset: number): number {
    return this.position(offset).line;
  }
}

/** The value of a plain string literal node (`'x'`, `r"x"`, `"""x"""`); undefined for f-strings and bytes. */
export function stringLiteralValue(raw: string): string | undefined {
  const prefix = /^[rRbBuU]*/.exec(raw)![0];
  if (/[bB]/.test(prefix)) return undefined;
  const body = raw.slice(prefix.length);
  const quote = body.startsWith('"""') || body.startsWith("'''") ? body.slice(0, 3) : body.slice(0, 1);
  if (quote !== '"' && quote !== "'" && quote !== '"""' && quote !== "'''") return undefined;
  if (!body.endsWith(quote) || body.length < quote.length * 2) return undefined;
  const inner = body.slice(quote.length, body.length - quote.length);
  // Paths rarely contain escapes; undoing the common ones keeps "a\\b" comparable with the file name.
  return /[rR]/.test(prefix) ? inner : inner.replace(/\\(["'\\])/g, '$1');
}

/** The literal text an expression starts with (`"plugins."` for `"plugins." + name` or `f"plugins.{name}"`). */
function literalPrefix(node: SyntaxNode, source: string): string {
  switch (node.name) {
    case 'String':
      return stringLiteralValue(source.slice(node.from, node.to)) ?? '';
    case 'FormatString': {
      const raw = source.slice(node.from, node.to);
      const prefix = /^[rRfFbBuU]*/.exec(raw)![0];
      const body = raw.slice(prefix.length);
      const quote = body.startsWith('"""') || body.startsWith("'''") ? 3 : 1;
      const inner = body.slice(quote);
      const brace = inner.indexOf('{');
      return brace === -1 ? inner.slice(0, Math.max(0, inner.length - quote)) : inner.slice(0, brace);
    }
    case 'ContinuedString':
    case 'BinaryExpression':
    case 'ParenthesizedExpression': {
      const first = node.firstChild;
      if (!first) return '';
      if (first.name === '(' && first.nextSibling) return literalPrefix(first.nextSibling, source);
      if (node.name === 'BinaryExpression') {
        const op = first.nextSibling;
        if (!op || source.slice(op.from, op.to) !== '+') return '';
      }
      return literalPrefix(first, source);
    }
    default:
      return '';
  }
}

/** The first positional argument of an ArgList node (keyword arguments are `name = value` runs of nodes). */
function firstPositionalArgument(argList: SyntaxNode): SyntaxNode | undefined {
  const first = argList.firstChild?.nextSibling;
  if (!first || first.name === ')' || first.name === ',') return undefined;
  if (first.nextSibling?.name === 'AssignOp') return undefined;
  return first;
}

/** Splits a dotted name with leading dots into its relative level and module (`..a.b` -> 2, `a.b`). */
function splitRelative(name: string): { level: number; module: string } {
  const dots = /^\.*/.exec(name)![0].length;
  return { level: dots, module: name.slice(dots) };
}

/** Reads `import a.b as c, d` and `from ..a import (b as c, d)` from an ImportStatement node. */
function readImportStatement(node: SyntaxNode, source: string, line: number): PythonImport[] {
  const first = node.firstChild;
  if (!first) return [];
  const text = (n: SyntaxNode) => source.slice(n.from, n.to);
  if (first.name === 'import') {
    const imports: PythonImport[] = [];
    let parts: string[] = [];
    let afterAs = false;
    let afterDot = false;
    const flush = () => {
      if (parts.length) imports.push({ module: parts.join('.'), level: 0, line, kind: 'import' });
      parts = [];
      afterAs = false;
    };
    for (let child = first.nextSibling; child; child = child.nextSibling) {
      if (child.name === ',') flush();
      else if (child.name === 'as') afterAs = true;
      else if (child.name === '.') afterDot = true;
      else if (child.name === 'VariableName' && !afterAs) {
        if (afterDot || parts.length === 0) parts.push(text(child));
        afterDot = false;
      }
    }
    flush();
    return imports;
  }
  if (first.name !== 'from') return [];
  let level = 0;
  const moduleParts: string[] = [];
  let child = first.nextSibling;
  for (; child && child.name !== 'import'; child = child.nextSibling) {
    if (child.name === '.') {
      if (moduleParts.length === 0) level += 1;
    } else if (child.name === 'Ellipsis') level += 3;
    else if (child.name === 'VariableName') moduleParts.push(text(child));
  }
  const names: string[] = [];
  let afterAs = false;
  for (child = child?.nextSibling ?? null; child; child = child.nextSibling) {
    if (child.name === 'as') afterAs = true;
    else if (child.name === ',') afterAs = false;
    else if (child.name === '*') names.push('*');
    else if (child.name === 'VariableName') {
      if (!afterAs) names.push(text(child));
      afterAs = false;
    }
  }
  return [{ module: moduleParts.join('.'), level, names, line, kind: 'from' }];
}

/** Literal strings of `pytest_plugins = [...]` / `__all__ = (...)` style values. */
function literalStrings(value: SyntaxNode, source: string): string[] {
  if (value.name === 'String') {
    const literal = stringLiteralValue(source.slice(value.from, value.to));
    return literal === undefined ? [] : [literal];
  }
  const out: string[] = [];
  if (value.name === 'ArrayExpression' || value.name === 'TupleExpression' || value.name === 'ParenthesizedExpression') {
    for (let child = value.firstChild; child; child = child.nextSibling) out.push(...literalStrings(child, source));
  }
  return out;
}

const DYNAMIC_IMPORT_FUNCTIONS = new Set(['import_module', '__import__']);

/**
 * Extracts imports, dynamic imports, path-like string literals, `__all__`, `pytest_plugins` and the first syntax
 * error from Python source. Imports anywhere count (inside functions, `try/except ImportError`, `if TYPE_CHECKING`):
 * any of them may run, so the dependency is real for safety.
 */
export function analyzePythonSource(source: string): PythonModuleFacts {
  const tree = parsePythonSource(source);
  const lines = new LineIndex(source);
  const imports: PythonImport[] = [];
  const dynamicImports: PythonDynamicImport[] = [];
  const strings = new Set<string>();
  let all: string[] | undefined;
  let syntaxError: PythonSyntaxError | undefined;

  const cursor = tree.cursor();
  for (;;) {
    const type = cursor.type;
    let descend = true;
    if (type.isError) {
      syntaxError ??= lines.position(cursor.from);
    } else {
      switch (type.name) {
        case 'ImportStatement':
          imports.push(...readImportStatement(cursor.node, source, lines.line(cursor.from)));
          descend = false;
          break;
        case 'String': {
          if (cursor.to - cursor.from <= MAX_PATH_LITERAL + 8) {
            const value = stringLiteralValue(source.slice(cursor.from, cursor.to));
            if (value && value.length <= MAX_PATH_LITERAL && !value.includes('\n') && /[./\\]/.test(value)) {
              strings.add(value);
            }
          }
          break;
        }
        case 'CallExpression': {
          const node = cursor.node;
          const callee = node.firstChild;
          const args = node.lastChild;
          if (callee && args?.name === 'ArgList') {
            const calleeName =
              callee.name === 'VariableName'
                ? source.slice(callee.from, callee.to)
                : callee.name === 'MemberExpression' && callee.lastChild?.name === 'PropertyName'
                  ? source.slice(callee.lastChild.from, callee.lastChild.to)
                  : '';
            if (DYNAMIC_IMPORT_FUNCTIONS.has(calleeName)) {
              const target = firstPositionalArgument(args);
              const line = lines.line(cursor.from);
              const literal =
                target?.name === 'String' ? stringLiteralValue(source.slice(target.from, target.to)) : undefined;
              if (literal !== undefined) {
                const { level, module } = splitRelative(literal);
                imports.push({ module, level, line, kind: 'dynamic' });
              } else {
                const { level, module } = splitRelative(target ? literalPrefix(target, source) : '');
                const text = source.slice(cursor.from, cursor.to).replace(/\s+/g, ' ');
                dynamicImports.push({ prefix: module, level, line, text: text.length > 80 ? `${text.slice(0, 77)}...` : text });
              }
            }
          }
          break;
        }
        case 'AssignStatement': {
          const target = cursor.node.firstChild;
          if (target?.name === 'VariableName') {
            const name = source.slice(target.from, target.to);
            const value = target.nextSibling?.nextSibling;
            if (value && target.nextSibling?.name === 'AssignOp' && value.nextSibling === null) {
              if (name === 'pytest_plugins') {
                const line = lines.line(cursor.from);
                for (const plugin of literalStrings(value, source)) {
                  imports.push({ module: plugin, level: 0, line, kind: 'plugin' });
                }
              } else if (name === '__all__') {
                all = literalStrings(value, source);
              }
            }
          }
          break;
        }
      }
    }
    if (descend && cursor.firstChild()) continue;
    while (!cursor.nextSibling()) {
      if (!cursor.parent()) {
        const facts: PythonModuleFacts = { imports, dynamicImports, strings: [...strings] };
        if (all) facts.all = all;
        if (syntaxError) facts.syntaxError = syntaxError;
        return facts;
      }
    }
  }
}

/**
 * Lists the functions, methods and classes of a module with their qualified names and line ranges, from the same
 * parser (the function-level impact map compares these between two versions of a file).
 */
export function listPythonDefinitions(source: string): PythonDefinition[] {
  const tree = parsePythonSource(source);
  const lines = new LineIndex(source);
  const definitions: PythonDefinition[] = [];
  const visit = (node: SyntaxNode, scope: string[], inFunction: boolean) => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      let definition = child;
      let start = child.from;
      if (child.name === 'DecoratedStatement') {
        const inner = child.lastChild;
        if (!inner || (inner.name !== 'FunctionDefinition' && inner.name !== 'ClassDefinition')) {
          visit(child, scope, inFunction);
          continue;
        }
        definition = inner;
        start = child.from;
      }
      if (definition.name === 'FunctionDefinition' || definition.name === 'ClassDefinition') {
        const nameNode = definition.getChild('VariableName');
        const body = definition.getChild('Body');
        if (!nameNode || !body) continue;
        const name = source.slice(nameNode.from, nameNode.to);
        const qualified = [...scope, name];
        const kind = definition.name === 'FunctionDefinition' ? 'function' : 'class';
        // Python trims trailing blank lines and comments from a body; the grammar keeps them, so trim here too.
        const bodyText = source.slice(body.from, body.to).replace(/\s+$/, '');
        definitions.push({
          qualifiedName: qualified.join('.'),
          kind,
          startLine: lines.line(start),
          endLine: lines.line(body.from + Math.max(0, bodyText.length - 1)),
          bodyStartLine: lines.line(body.from),
        });
        visit(body, kind === 'function' ? [...qualified, '<locals>'] : qualified, kind === 'function');
      } else if (child.firstChild && child.name !== 'String') {
        visit(child, scope, inFunction);
      }
    }
  };
  visit(tree.topNode, [], false);
  return definitions;
}
