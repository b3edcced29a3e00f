import { parser as lezerParser } from '@lezer/python';
import type { Tree as LezerTree } from '@lezer/common';
import type { Node, Tree } from 'web-tree-sitter';
import type {
  PythonDefinition,
  PythonDynamicImport,
  PythonImport,
  PythonModuleArgument,
  PythonModuleFacts,
  PythonSyntaxError,
} from './facts.ts';
import { pythonQuery, withPythonTree } from './tree-sitter-parser.ts';

/** Bumped whenever the facts extracted from a file change shape or meaning, so cached facts are not reused. */
export const PYTHON_FACTS_VERSION = 2;

// Longer literals are prose or SQL, not file names; keeping them would only bloat the graph cache.
const MAX_PATH_LITERAL = 200;

/**
 * Parses Python source with the Lezer grammar (error-tolerant; nothing is imported or executed). Kept for the impact
 * map's unit shapes; the test filter's facts and `listPythonDefinitions` use tree-sitter's grammar, which accepts all
 * of CPython's syntax (Lezer's rejects e.g. a bare `yield` statement).
 */
export function parsePythonSource(source: string): LezerTree {
  return lezerParser.parse(source);
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

const line = (node: Node) => node.startPosition.row + 1;

/** Splits a dotted name with leading dots into its relative level and module (`..a.b` -> 2, `a.b`). */
function splitRelative(name: string): { level: number; module: string } {
  const dots = /^\.*/.exec(name)![0].length;
  return { level: dots, module: name.slice(dots) };
}

/** Named children, comments left out (a comment may sit between any two tokens). */
function namedChildren(node: Node): Node[] {
  const out: Node[] = [];
  for (let child = node.firstNamedChild; child; child = child.nextNamedSibling) if (child.type !== 'comment') out.push(child);
  return out;
}

/** The value of a string or implicitly concatenated strings with no f-string or bytes part; undefined otherwise. */
function plainStringValue(node: Node): string | undefined {
  if (node.type === 'string') {
    for (let child = node.firstNamedChild; child; child = child.nextNamedSibling) if (child.type === 'interpolation') return undefined;
    return stringLiteralValue(node.text);
  }
  if (node.type === 'concatenated_string') {
    let value = '';
    for (const part of namedChildren(node)) {
      const piece = plainStringValue(part);
      if (piece === undefined) return undefined;
      value += piece;
    }
    return value;
  }
  if (node.type === 'parenthesized_expression') {
    const inner = namedChildren(node);
    return inner.length === 1 ? plainStringValue(inner[0]) : undefined;
  }
  return undefined;
}

/** The literal text of one string node up to its first interpolation, and whether it has one. */
function stringPrefix(node: Node): { text: string; complete: boolean } {
  const start = node.firstChild;
  const prefix = start ? /^[A-Za-z]*/.exec(start.text)![0] : '';
  if (/[bB]/.test(prefix)) return { text: '', complete: false };
  const raw = /[rR]/.test(prefix);
  let text = '';
  for (let child = node.firstNamedChild; child; child = child.nextNamedSibling) {
    if (child.type === 'interpolation') return { text, complete: false };
    if (child.type === 'string_content') text += raw ? child.text : child.text.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
    else if (child.type === 'escape_sequence') text += raw ? child.text : child.text.length === 2 ? child.text[1] : '';
  }
  return { text, complete: true };
}

/** What a computed module name is made of: a literal start, and whether it starts with the module's own name. */
interface NameShape {
  prefix: string;
  /** The name starts with `__name__` (module) or `__package__`. */
  anchor?: '__name__' | '__package__';
  /** The whole expression is one identifier (a variable or parameter) with nothing known about it. */
  identifier?: string;
}

/**
 * The literal start of a computed name (`"plugins."` for `"plugins." + name`, `f"plugins.{name}"`,
 * `"plugins.%s" % name`, `"plugins.{}".format(name)`), with `__name__`/`__package__` anchors. Iterative: a long chain
 * of `+` is a deep left spine.
 */
function nameShape(expression: Node): NameShape {
  let prefix = '';
  let node: Node | null = expression;
  const anchorOf = (n: Node) => (n.type === 'identifier' && (n.text === '__name__' || n.text === '__package__') ? (n.text as '__name__' | '__package__') : undefined);
  // Walk down the left spine of `+`, keeping the right-hand literals for after the anchor or literal at the bottom.
  const rights: Node[] = [];
  for (;;) {
    if (!node) return { prefix: '' };
    if (node.type === 'parenthesized_expression') {
      const inner = namedChildren(node);
      if (inner.length !== 1) return { prefix: '' };
      node = inner[0];
      continue;
    }
    if (node.type === 'binary_operator' && node.childForFieldName('operator')?.type === '+') {
      const right = node.childForFieldName('right');
      if (right) rights.push(right);
      node = node.childForFieldName('left');
      continue;
    }
    break;
  }
  const bottom = node;
  let anchor = anchorOf(bottom);
  let complete = false;
  if (anchor) complete = true;
  else if (bottom.type === 'string' || bottom.type === 'concatenated_string') {
    const parts = bottom.type === 'string' ? [bottom] : namedChildren(bottom);
    complete = true;
    for (let i = 0; i < parts.length && complete; i++) {
      const piece = stringPrefix(parts[i]);
      // `f"{__name__}.{name}"`: the module's own name first.
      if (i === 0 && piece.text === '' && !piece.complete) {
        const interpolation = parts[i].firstNamedChild?.nextNamedSibling;
        const inner = interpolation?.type === 'interpolation' ? interpolation.childForFieldName('expression') : null;
        const innerAnchor = inner ? anchorOf(inner) : undefined;
        if (innerAnchor && interpolation) {
          anchor = innerAnchor;
          // The literal after the interpolation, up to the next one.
          let rest = '';
          for (let child = interpolation.nextNamedSibling; child; child = child.nextNamedSibling) {
            if (child.type === 'string_content') rest += child.text;
            else break;
          }
          return { prefix: rest, anchor };
        }
      }
      prefix += piece.text;
      complete = piece.complete;
    }
  } else if (bottom.type === 'binary_operator' && bottom.childForFieldName('operator')?.type === '%') {
    const left = bottom.childForFieldName('left');
    const value = left ? plainStringValue(left) : undefined;
    if (value === undefined) return { prefix: '' };
    const cut = value.search(/%/);
    return { prefix: cut === -1 ? value : value.slice(0, cut) };
  } else if (bottom.type === 'call') {
    const fn = bottom.childForFieldName('function');
    const object = fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format' ? fn.childForFieldName('object') : null;
    const value = object ? plainStringValue(object) : undefined;
    if (value === undefined) return { prefix: '' };
    const cut = value.search(/\{/);
    return { prefix: cut === -1 ? value : value.slice(0, cut) };
  } else if (bottom.type === 'identifier' && rights.length === 0) {
    return { prefix: '', identifier: bottom.text };
  } else {
    return { prefix: '' };
  }
  // Literals added on the right continue the prefix while everything before them was literal.
  for (let i = rights.length - 1; i >= 0 && complete; i--) {
    const value = plainStringValue(rights[i]);
    if (value === undefined) {
      const piece = rights[i].type === 'string' ? stringPrefix(rights[i]) : { text: '', complete: false };
      prefix += piece.text;
      complete = false;
    } else prefix += value;
  }
  return anchor ? { prefix, anchor } : { prefix };
}

/** `a.b.c` from a dotted_name's text (`a . b` and a backslash continuation are the same name; no comment fits inside). */
const dotted = (text: string) => text.replace(/[\s\\]/g, '');

/** The imported name of an import list entry (`a.b` of `a.b as c`). */
function importedName(node: Node): string {
  if (node.type === 'aliased_import') {
    const name = node.childForFieldName('name');
    return name ? dotted(name.text) : '';
  }
  return dotted(node.text);
}

/**
 * Reads `import a.b as c, d`, `from ..a import (b as c, d)` and `from __future__ import x`. The statement's children
 * are walked with a cursor: asking a node for its next sibling is linear in the siblings before it, and an import
 * may list 150,000 names.
 */
function readImport(node: Node): PythonImport[] {
  const at = line(node);
  let module = node.type === 'future_import_statement' ? '__future__' : '';
  let level = 0;
  const names: string[] = [];
  const cursor = node.walk();
  try {
    if (cursor.gotoFirstChild()) {
      do {
        const field = cursor.currentFieldName;
        const type = cursor.nodeType;
        if (field === 'name') names.push(type === 'aliased_import' ? importedName(cursor.currentNode) : dotted(cursor.nodeText));
        else if (field === 'module_name') {
          const source = cursor.currentNode;
          if (source.type === 'dotted_name') module = dotted(source.text);
          else if (source.type === 'relative_import') {
            for (const part of namedChildren(source)) {
              if (part.type === 'import_prefix') level = part.text.replace(/[^.]/g, '').length;
              else if (part.type === 'dotted_name') module = dotted(part.text);
            }
          }
        } else if (type === 'wildcard_import') names.push('*');
      } while (cursor.gotoNextSibling());
    }
  } finally {
    cursor.delete();
  }
  if (node.type === 'import_statement') return names.map((name) => ({ module: name, level: 0, line: at, kind: 'import' as const }));
  return [{ module, level, names, line: at, kind: 'from' }];
}

/** Literal strings of `pytest_plugins = [...]` / `__all__ = (...)` style values. */
function literalStrings(value: Node): string[] {
  const single = plainStringValue(value);
  if (single !== undefined) return [single];
  if (value.type !== 'list' && value.type !== 'tuple' && value.type !== 'parenthesized_expression' && value.type !== 'expression_list') return [];
  const out: string[] = [];
  for (const child of namedChildren(value)) {
    const literal = plainStringValue(child);
    if (literal !== undefined) out.push(literal);
  }
  return out;
}

const DYNAMIC_IMPORT_FUNCTIONS = new Set(['import_module', '__import__']);
const DOTTED = /^\.*[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** Kept per file at most, so a generated file of literals cannot bloat the graph cache. */
const MAX_MODULE_ARGUMENTS = 2_000;

/** The called name: `f` for `f(...)`, `load` for `a.b.load(...)`. */
function calleeName(call: Node): string {
  const fn = call.childForFieldName('function');
  if (fn?.type === 'identifier') return fn.text;
  if (fn?.type === 'attribute') return fn.childForFieldName('attribute')?.text ?? '';
  return '';
}

/** Positional arguments and keyword arguments of a call, comments left out. */
function callArguments(call: Node): { positional: Node[]; keywords: Map<string, Node> } {
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  const list = call.childForFieldName('arguments');
  if (list?.type !== 'argument_list') return { positional, keywords };
  for (const child of namedChildren(list)) {
    if (child.type === 'keyword_argument') {
      const name = child.childForFieldName('name');
      const value = child.childForFieldName('value');
      if (name && value) keywords.set(name.text, value);
    } else if (child.type === 'list_splat' || child.type === 'dictionary_splat') {
      positional.push(child);
    } else positional.push(child);
  }
  return { positional, keywords };
}

/** An enclosing function: its qualified name and parameters (positions not counting a method's `self`). */
interface FunctionScope {
  qualifiedName: string;
  parameters: Map<string, number>;
  isClass: boolean;
}

function parameterNames(definition: Node, isMethod: boolean): Map<string, number> {
  const out = new Map<string, number>();
  const parameters = definition.childForFieldName('parameters');
  let position = isMethod ? -1 : 0;
  for (const parameter of parameters ? namedChildren(parameters) : []) {
    let name: string | undefined;
    if (parameter.type === 'identifier') name = parameter.text;
    else if (parameter.type === 'typed_parameter') name = parameter.firstNamedChild?.type === 'identifier' ? parameter.firstNamedChild.text : undefined;
    else if (parameter.type === 'default_parameter' || parameter.type === 'typed_default_parameter') name = parameter.childForFieldName('name')?.text;
    if (name !== undefined) out.set(name, position >= 0 ? position : -1);
    position += 1;
  }
  return out;
}

/** Facts of a file that could not be parsed: it may import anything, and it counts as not parsing. */
function unparsedFacts(problem: string): PythonModuleFacts {
  return {
    imports: [],
    dynamicImports: [{ prefix: '', level: 0, line: 1, text: `(not analysed: ${problem})` }],
    strings: [],
    syntaxError: { line: 1, column: 1 },
    unparsed: problem,
  };
}

/**
 * Where the first syntax error is: the first ERROR or MISSING node, found without recursion. A cursor visits
 * zero-width MISSING nodes (asking a node for its next sibling skips them). For a MISSING token the position is that
 * of the token after it, where CPython reports the error.
 */
function firstSyntaxError(tree: Tree): PythonSyntaxError | undefined {
  if (!tree.rootNode.hasError) return undefined;
  const cursor = tree.walk();
  const position = () => ({ line: cursor.startPosition.row + 1, column: cursor.startPosition.column + 1 });
  try {
    for (;;) {
      if (cursor.nodeIsMissing) {
        while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) break;
        return position();
      }
      const node = cursor.currentNode;
      if (node.isError) return position();
      if (!cursor.gotoFirstChild()) return position();
      let found = false;
      do {
        const child = cursor.currentNode;
        if (cursor.nodeIsMissing || child.isError || child.hasError) {
          found = true;
          break;
        }
      } while (cursor.gotoNextSibling());
      if (!found) {
        cursor.gotoParent();
        return position();
      }
    }
  } finally {
    cursor.delete();
  }
}

/**
 * Extracts imports, dynamic imports, path-like string literals, `__all__`, `pytest_plugins` and the first syntax
 * error from Python source. Imports anywhere count (inside functions, `try/except ImportError`, `if TYPE_CHECKING`):
 * any of them may run, so the dependency is real for safety. Requires `loadPythonParser()` to have been awaited.
 * The walk is iterative, so input size never meets the JavaScript stack.
 */
export function analyzePythonSource(source: string): PythonModuleFacts {
  return withPythonTree(source, (tree, problem) => (tree ? factsOf(tree, source) : unparsedFacts(problem ?? 'unknown')));
}

/**
 * What the facts are read from. A query runs inside WebAssembly, but each one is a pass over the whole tree, and each
 * pattern adds to it: every file needs imports and strings (one query); the rest is found from the text (`dynamicCaptures`).
 */
const BASE_QUERY = `
[(import_statement) (import_from_statement) (future_import_statement)] @import
(string) @string
`;
/** Identifiers that only matter where they occur: found by text, then the tree is asked what is there (no query pass). */
const DYNAMIC_WORDS = ['import_module', '__import__', '__all__', 'pytest_plugins', 'iter_modules', 'walk_packages'];

/**
 * The nodes of interest around each occurrence of the words above that is an identifier in code (not in a string or a
 * comment): the call of `import_module`/`__import__`, the assignment to `__all__`/`pytest_plugins`, the call of
 * `iter_modules`/`walk_packages`. Cheaper than a query, which visits every node of the tree.
 */
function dynamicCaptures(tree: Tree, source: string): Array<{ name: string; node: Node }> {
  const out: Array<{ name: string; node: Node }> = [];
  const seen = new Set<number>();
  for (const word of DYNAMIC_WORDS) {
    for (let at = source.indexOf(word); at !== -1; at = source.indexOf(word, at + word.length)) {
      const leaf = tree.rootNode.descendantForIndex(at, at + word.length);
      if (!leaf || leaf.type !== 'identifier' || leaf.text !== word) continue;
      let parent = leaf.parent;
      if (!parent) continue;
      if (word === '__all__' || word === 'pytest_plugins') {
        if (parent.type === 'assignment' && parent.childForFieldName('left')?.id === leaf.id && !seen.has(parent.id)) {
          seen.add(parent.id);
          out.push({ name: 'assign', node: parent });
        }
        continue;
      }
      // `f(...)` or `a.b.f(...)`: the identifier is the function, or the attribute that is the function.
      let callee: Node = leaf;
      if (parent.type === 'attribute' && parent.childForFieldName('attribute')?.id === leaf.id) {
        callee = parent;
        parent = parent.parent;
      }
      if (parent?.type !== 'call' || parent.childForFieldName('function')?.id !== callee.id || seen.has(parent.id)) continue;
      seen.add(parent.id);
      out.push({ name: word === 'iter_modules' || word === 'walk_packages' ? 'scan' : 'dynamic', node: parent });
    }
  }
  // Document order, as a query would give them.
  return out.sort((a, b) => a.node.startIndex - b.node.startIndex);
}


/** The functions and classes around a node, innermost last (walked up through parents: only for the rare dynamic import). */
function enclosingScope(node: Node): FunctionScope | undefined {
  const chain: Node[] = [];
  for (let up = node.parent; up; up = up.parent) {
    if (up.type === 'function_definition' || up.type === 'class_definition') chain.unshift(up);
  }
  let scope: FunctionScope | undefined;
  for (const definition of chain) {
    const name = definition.childForFieldName('name')?.text ?? '';
    const isClass = definition.type === 'class_definition';
    const qualifiedName = scope ? `${scope.qualifiedName}${scope.isClass ? '' : '.<locals>'}.${name}` : name;
    scope = { qualifiedName, isClass, parameters: isClass ? new Map() : parameterNames(definition, scope?.isClass ?? false) };
  }
  return scope;
}

/** The call a string argument is passed to, with its position (0-based among positional ones) or keyword. */
function argumentOf(argument: Node): { call: Node; argument: number | string } | undefined {
  const parent = argument.parent;
  if (parent?.type === 'keyword_argument') {
    const call = parent.parent?.parent;
    const name = parent.childForFieldName('name')?.text;
    return call?.type === 'call' && name ? { call, argument: name } : undefined;
  }
  const call = parent?.parent;
  if (parent?.type !== 'argument_list' || call?.type !== 'call') return undefined;
  let position = 0;
  for (let child = parent.firstNamedChild; child && child.id !== argument.id; child = child.nextNamedSibling) {
    if (child.type !== 'comment' && child.type !== 'keyword_argument') position += 1;
  }
  return { call, argument: position };
}

function factsOf(tree: Tree, source: string): PythonModuleFacts {
  const imports: PythonImport[] = [];
  const dynamicImports: PythonDynamicImport[] = [];
  const moduleArguments: PythonModuleArgument[] = [];
  const strings = new Set<string>();
  let all: string[] | undefined;
  // Names bound by `for ... in pkgutil.iter_modules(__path__)` (a loop or a comprehension): submodules of this package.
  const scannedNames = new Set<string>();
  const pendingIdentifiers: Array<{ dynamic: PythonDynamicImport; identifier: string }> = [];

  const captures: Array<{ name: string; node: Node }> = pythonQuery(BASE_QUERY).captures(tree.rootNode);
  // No spreading into push(): a file of 150,000 imports would pass that many arguments.
  for (const capture of dynamicCaptures(tree, source)) captures.push(capture);
  for (const { name, node } of captures) {
    switch (name) {
      case 'import':
        for (const imp of readImport(node)) imports.push(imp);
        break;
      case 'string': {
        if (node.endIndex - node.startIndex > MAX_PATH_LITERAL + 8) break;
        const raw = source.slice(node.startIndex, node.endIndex);
        if (!/[./\\]/.test(raw)) break;
        const value = plainStringValue(node);
        if (value === undefined) break;
        if (value.length <= MAX_PATH_LITERAL && !value.includes('\n') && /[./\\]/.test(value)) strings.add(value);
        // A dotted name passed to a function: evidence for an import whose target is that function's parameter.
        const parent = node.parent?.type;
        if ((parent === 'argument_list' || parent === 'keyword_argument') && moduleArguments.length < MAX_MODULE_ARGUMENTS && DOTTED.test(value)) {
          const at = argumentOf(node);
          const callee = at ? calleeName(at.call) : '';
          if (at && callee && !DYNAMIC_IMPORT_FUNCTIONS.has(callee)) moduleArguments.push({ callee, argument: at.argument, value, line: line(node) });
        }
        break;
      }
      case 'dynamic':
        readDynamicImport(node, callArguments(node), enclosingScope(node), imports, dynamicImports, pendingIdentifiers);
        break;
      case 'assign': {
        const target = node.childForFieldName('left');
        const value = node.childForFieldName('right');
        if (!target || !value || value.type === 'assignment') break;
        if (target.text === 'pytest_plugins') {
          for (const plugin of literalStrings(value)) imports.push({ module: plugin, level: 0, line: line(node), kind: 'plugin' });
        } else if (target.text === '__all__') {
          all = literalStrings(value);
        }
        break;
      }
      case 'scan': {
        const loop = node.parent;
        if ((loop?.type !== 'for_statement' && loop?.type !== 'for_in_clause') || loop.childForFieldName('right')?.id !== node.id) break;
        const args = callArguments(node);
        const first = args.positional[0] ?? args.keywords.get('path');
        if (first && (first.text === '__path__' || (first.type === 'attribute' && first.childForFieldName('attribute')?.text === '__path__'))) {
          const left = loop.childForFieldName('left');
          const names = left?.type === 'identifier' ? [left] : left ? namedChildren(left) : [];
          for (const target of names) if (target.type === 'identifier') scannedNames.add(target.text);
        }
        break;
      }
    }
  }

  for (const { dynamic, identifier } of pendingIdentifiers) {
    if (scannedNames.has(identifier)) {
      dynamic.level = 1;
      delete dynamic.parameter;
    }
  }
  // Two queries: back to the order of the file (a stable sort keeps a statement's own order).
  imports.sort((a, b) => a.line - b.line);
  const facts: PythonModuleFacts = { imports, dynamicImports, strings: [...strings] };
  if (all) facts.all = all;
  if (moduleArguments.length) facts.moduleArguments = moduleArguments;
  const syntaxError = firstSyntaxError(tree);
  if (syntaxError) facts.syntaxError = syntaxError;
  return facts;
}

/** `import_module(...)` / `__import__(...)`: a literal becomes an import, anything else a bounded dynamic import. */
function readDynamicImport(
  node: Node,
  args: ReturnType<typeof callArguments>,
  scope: FunctionScope | undefined,
  imports: PythonImport[],
  dynamicImports: PythonDynamicImport[],
  pendingIdentifiers: Array<{ dynamic: PythonDynamicImport; identifier: string }>,
) {
  const target = args.positional[0] ?? args.keywords.get('name');
  const at = line(node);
  if (!target || target.type === 'list_splat' || target.type === 'dictionary_splat') {
    if (!target && args.positional.length === 0 && args.keywords.size === 0) return;
  }
  const callee = calleeName(node);
  const packageArgument = callee === 'import_module' ? (args.positional[1] ?? args.keywords.get('package')) : undefined;
  const literal = target ? plainStringValue(target) : undefined;
  const packageLiteral = packageArgument ? plainStringValue(packageArgument) : undefined;
  const packageAnchor = packageArgument?.type === 'identifier' && (packageArgument.text === '__package__' || packageArgument.text === '__name__');
  if (literal !== undefined) {
    const { level, module } = splitRelative(literal);
    if (level > 0 && packageLiteral !== undefined) {
      // `import_module(".x", "pkg.sub")` is `pkg.sub.x`, wherever the call is.
      const base = packageLiteral.split('.').slice(0, Math.max(0, packageLiteral.split('.').length - (level - 1)));
      imports.push({ module: [...base, ...(module ? [module] : [])].join('.'), level: 0, line: at, kind: 'dynamic' });
    } else {
      imports.push({ module, level, line: at, kind: 'dynamic' });
    }
    return;
  }
  const text = node.text.replace(/\s+/g, ' ');
  const shape = target ? nameShape(target) : { prefix: '' };
  const dynamic: PythonDynamicImport = {
    prefix: '',
    level: 0,
    line: at,
    text: text.length > 80 ? `${text.slice(0, 77)}...` : text,
  };
  if (scope) dynamic.scope = scope.qualifiedName;
  if (shape.anchor === '__name__') {
    dynamic.anchor = 'module';
    dynamic.prefix = shape.prefix;
  } else if (shape.anchor === '__package__') {
    // `__package__ + ".x"` names something in this file's own package.
    dynamic.level = 1;
    dynamic.prefix = shape.prefix.replace(/^\./, '');
  } else {
    const { level, module } = splitRelative(shape.prefix);
    dynamic.level = level;
    dynamic.prefix = module;
    if (packageLiteral !== undefined && level === 0 && module === '') {
      // `package=` only matters to a relative name: the call means one relative to that package.
      dynamic.package = packageLiteral;
    } else if (packageLiteral !== undefined && level > 0) {
      dynamic.package = packageLiteral.split('.').slice(0, Math.max(0, packageLiteral.split('.').length - (level - 1))).join('.');
      dynamic.level = 0;
    } else if (packageAnchor && level === 0 && module === '') {
      dynamic.level = 1;
    }
  }
  if (shape.identifier && dynamic.level === 0 && !dynamic.package && !dynamic.anchor) {
    const position = scope?.parameters.get(shape.identifier);
    if (position !== undefined) dynamic.parameter = { name: shape.identifier, position };
    pendingIdentifiers.push({ dynamic, identifier: shape.identifier });
  }
  dynamicImports.push(dynamic);
}

/**
 * Lists the functions, methods and classes of a module with their qualified names and line ranges (1-based; the
 * start is the first decorator, the end the last line of the last statement, as CPython's `end_lineno`). Iterative, so
 * deep nesting never meets the JavaScript stack. Requires `loadPythonParser()` to have been awaited.
 */
export function listPythonDefinitions(source: string): PythonDefinition[] {
  return withPythonTree(source, (tree) => {
    const definitions: PythonDefinition[] = [];
    if (!tree) return definitions;
    // Pending nodes with the scope their children are in.
    const stack: Array<{ node: Node; scope: string[] }> = [{ node: tree.rootNode, scope: [] }];
    while (stack.length) {
      const { node, scope } = stack.pop()!;
      for (let child = node.firstNamedChild; child; child = child.nextNamedSibling) {
        let definition = child;
        let start = child;
        if (child.type === 'decorated_definition') {
          const inner = child.childForFieldName('definition');
          if (inner) definition = inner;
        }
        if (definition.type !== 'function_definition' && definition.type !== 'class_definition') {
          if (child.type !== 'string' && child.type !== 'comment') stack.push({ node: child, scope });
          continue;
        }
        const nameNode = definition.childForFieldName('name');
        const body = definition.childForFieldName('body');
        if (!nameNode || !body) continue;
        const qualified = [...scope, nameNode.text];
        const kind = definition.type === 'function_definition' ? 'function' : 'class';
        let last: Node | null = body.lastNamedChild;
        while (last && last.type === 'comment') last = last.previousNamedSibling;
        let colon: Node | null = body.previousSibling;
        while (colon && colon.type !== ':') colon = colon.previousSibling;
        definitions.push({
          qualifiedName: qualified.join('.'),
          kind,
          startLine: line(start),
          endLine: (last ?? body).endPosition.row + 1,
          bodyStartLine: line(colon ?? body),
        });
        stack.push({ node: body, scope: kind === 'function' ? [...qualified, '<locals>'] : qualified });
      }
    }
    // Document order (the stack visits nested bodies after their siblings).
    return definitions.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
  });
}
