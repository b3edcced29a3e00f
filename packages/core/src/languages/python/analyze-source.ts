import type { Node, Tree } from 'web-tree-sitter';
import type {
  PythonDefinition,
  PythonDynamicImport,
  PythonImport,
  PythonModuleArgument,
  PythonModuleFacts,
  PythonSyntaxError,
} from './facts.ts';
import { doctestSource, hasDoctestExamples } from './doctest-source.ts';
import { withPythonTree } from './tree-sitter-parser.ts';

/** Bumped whenever the facts extracted from a file change shape or meaning, so cached facts are not reused. */
export const PYTHON_FACTS_VERSION = 3;

// Longer literals are prose or SQL, not file names; keeping them would only bloat the graph cache.
export const MAX_PATH_LITERAL = 200;

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
  for (let child = node.firstNamedChild; child; child = child.nextNamedSibling)
    if (child.type !== 'comment') out.push(child);
  return out;
}

/** The value of a string or implicitly concatenated strings with no f-string or bytes part; undefined otherwise. */
function plainStringValue(node: Node): string | undefined {
  if (node.type === 'string') {
    for (let child = node.firstNamedChild; child; child = child.nextNamedSibling)
      if (child.type === 'interpolation') return undefined;
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
    if (child.type === 'string_content')
      text += raw ? child.text : child.text.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
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
  /** The name starts with `<x>.__name__` where `x` came from `from <module> import <name>` (resolved by the link). */
  moduleOf?: { module: string; level: number; name: string };
  /** The name is an object's `__module__`: a module that is already imported. */
  loaded?: boolean;
  /** Relative to the file's package (a name from `pkgutil.iter_modules(__path__)`). */
  relative?: boolean;
  /** Evidence that the whole name is this literal (kept apart from a prefix: `a.b` is not also `a.bc`). */
  literal?: string;
  /**
   * The values are literal keys of a dict parameter's module-level default: callers passing the parameter decide the
   * rest (`parameter` of the dynamic import, with `passedOnly`).
   */
  defaultOf?: { name: string; position: number };
}

/** What the names of a file are bound to, for `x.__name__` (module objects) and loops over a module-level dict. */
interface NameContext {
  /** `import a.b as x` binds x -> a.b; `import a.b` binds a -> a. */
  modules: Map<string, string>;
  /** `from m import n as x` binds x -> (m, level, n). */
  fromImports: Map<string, { module: string; level: number; name: string }>;
  root: Node;
}

/** `x.__name__` of a module object `x`: its name, or where it was imported from. */
function moduleNameOf(
  node: Node,
  context: NameContext | undefined,
): Pick<NameShape, 'literal' | 'moduleOf'> | undefined {
  if (!context || node.type !== 'attribute' || node.childForFieldName('attribute')?.text !== '__name__')
    return undefined;
  const object = node.childForFieldName('object');
  if (object?.type !== 'identifier') return undefined;
  const module = context.modules.get(object.text);
  if (module !== undefined) return { literal: module };
  const from = context.fromImports.get(object.text);
  return from ? { moduleOf: from } : undefined;
}

/** `x.__module__`, `getattr(x, "__module__"[, default])`: the module an existing object was defined in. */
function isModuleOfObject(node: Node): boolean {
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text === '__module__';
  if (
    node.type !== 'call' ||
    calleeName(node) !== 'getattr' ||
    node.childForFieldName('function')?.type !== 'identifier'
  )
    return false;
  const { positional } = callArguments(node);
  return positional.length >= 2 && positional[1] !== undefined && plainStringValue(positional[1]) === '__module__';
}

/** `"sep".join([lit, lit, x, ...])`: the literal start (the literals joined, and the separator before a computed part). */
function joinedPrefix(node: Node): { prefix: string; complete: boolean } | undefined {
  const fn = node.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'join') return undefined;
  const object = fn.childForFieldName('object');
  const separator = object ? plainStringValue(object) : undefined;
  const { positional, keywords } = callArguments(node);
  if (separator === undefined || positional.length !== 1 || keywords.size) return undefined;
  const list = positional[0];
  if (list.type !== 'list' && list.type !== 'tuple') return undefined;
  const items = namedChildren(list);
  let prefix = '';
  for (let i = 0; i < items.length; i++) {
    const value = items[i].type === 'list_splat' ? undefined : plainStringValue(items[i]);
    if (value === undefined) return { prefix: i > 0 ? prefix + separator : prefix, complete: false };
    prefix += (i > 0 ? separator : '') + value;
  }
  return { prefix, complete: true };
}

/**
 * The literal start of a computed name (`"plugins."` for `"plugins." + name`, `f"plugins.{name}"`,
 * `"plugins.%s" % name`, `"plugins.{}".format(name)`), with `__name__`/`__package__` anchors. Iterative: a long chain
 * of `+` is a deep left spine.
 */
function nameShape(expression: Node, context?: NameContext): NameShape {
  let prefix = '';
  let node: Node | null = expression;
  const anchorOf = (n: Node) =>
    n.type === 'identifier' && (n.text === '__name__' || n.text === '__package__')
      ? (n.text as '__name__' | '__package__')
      : undefined;
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
  let moduleOf: NameShape['moduleOf'];
  const moduleName = moduleNameOf(bottom, context);
  if (anchor) complete = true;
  else if (moduleName) {
    // `tomllib.__name__ + "._types"`: the module's name is a literal (or known once the link resolves the import).
    prefix = moduleName.literal ?? '';
    moduleOf = moduleName.moduleOf;
    complete = true;
  } else if (rights.length === 0 && isModuleOfObject(bottom)) {
    return { prefix: '', loaded: true };
  } else if (bottom.type === 'call' && joinedPrefix(bottom)) {
    const joined = joinedPrefix(bottom)!;
    prefix = joined.prefix;
    complete = joined.complete;
  } else if (bottom.type === 'string' || bottom.type === 'concatenated_string') {
    const parts = bottom.type === 'string' ? [bottom] : namedChildren(bottom);
    complete = true;
    for (let i = 0; i < parts.length && complete; i++) {
      const piece = stringPrefix(parts[i]);
      // `f"{__name__}.{name}"`: the module's own name first.
      if (i === 0 && piece.text === '' && !piece.complete) {
        const interpolation = parts[i].firstNamedChild?.nextNamedSibling;
        const inner = interpolation?.type === 'interpolation' ? interpolation.childForFieldName('expression') : null;
        const innerAnchor = inner ? anchorOf(inner) : undefined;
        const innerModule = inner ? moduleNameOf(inner, context) : undefined;
        if (innerModule && interpolation && parts.length === 1) {
          // `f"{tomllib.__name__}._types"`: the module's name, then the literal after it (up to the next interpolation).
          let rest = innerModule.literal ?? '';
          let whole = true;
          for (let child = interpolation.nextNamedSibling; child; child = child.nextNamedSibling) {
            if (child.type === 'string_content') rest += child.text;
            else if (child.type === 'escape_sequence') rest += child.text.length === 2 ? child.text[1] : '';
            else if (child.type !== 'string_end') {
              whole = false;
              break;
            }
          }
          if (innerModule.moduleOf) return { prefix: rest, moduleOf: innerModule.moduleOf };
          return whole ? { prefix: rest, literal: rest } : { prefix: rest };
        }
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
    const object =
      fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format'
        ? fn.childForFieldName('object')
        : null;
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
  if (moduleOf) return { prefix, moduleOf };
  if (anchor) return { prefix, anchor };
  return complete && (moduleName || bottom.type === 'call') ? { prefix, literal: prefix } : { prefix };
}

const SCOPE_BOUNDARIES = new Set(['function_definition', 'class_definition', 'lambda']);

/** How a name is bound in a scope: to a value, by a loop over an iterable, or some other way (unknown). */
type Binding = { kind: 'value'; node: Node } | { kind: 'loop'; iterable: Node } | { kind: 'other' };

/** The bindings of `name` in the body of `scope` (a function, or the module), nested functions and classes left out. */
function bindingsOf(name: string, scope: Node): Binding[] {
  const out: Binding[] = [];
  const body = scope.type === 'module' ? scope : scope.childForFieldName('body');
  if (!body) return out;
  const binds = (target: Node | null): 'self' | 'inside' | undefined => {
    if (!target) return undefined;
    if (target.type === 'identifier') return target.text === name ? 'self' : undefined;
    if (target.type === 'attribute' || target.type === 'subscript') return undefined;
    const stack = [target];
    while (stack.length) {
      const node = stack.pop()!;
      if (node.type === 'identifier' && node.text === name) return 'inside';
      if (node.type === 'attribute' || node.type === 'subscript') continue;
      for (const child of namedChildren(node)) stack.push(child);
    }
    return undefined;
  };
  const stack: Node[] = [body];
  while (stack.length) {
    const node = stack.pop()!;
    for (const child of namedChildren(node)) {
      if (SCOPE_BOUNDARIES.has(child.type)) {
        // The name of a nested definition binds it in this scope.
        if (child.type !== 'lambda' && child.childForFieldName('name')?.text === name) out.push({ kind: 'other' });
        continue;
      }
      switch (child.type) {
        case 'assignment': {
          const bound = binds(child.childForFieldName('left'));
          const right = child.childForFieldName('right');
          if (bound === 'self' && right && right.type !== 'assignment') out.push({ kind: 'value', node: right });
          else if (bound) out.push({ kind: 'other' });
          break;
        }
        case 'augmented_assignment':
          if (binds(child.childForFieldName('left'))) out.push({ kind: 'other' });
          break;
        case 'named_expression':
          if (child.childForFieldName('name')?.text === name) {
            const value = child.childForFieldName('value');
            out.push(value ? { kind: 'value', node: value } : { kind: 'other' });
          }
          break;
        case 'for_statement':
        case 'for_in_clause': {
          const bound = binds(child.childForFieldName('left'));
          const right = child.childForFieldName('right');
          // `for key, value in d.items()`: the first name of a pair is the key.
          const left = child.childForFieldName('left');
          const first = left && left.type !== 'identifier' ? namedChildren(left)[0] : left;
          const called = right?.type === 'call' ? (right.childForFieldName('function')?.text ?? '') : '';
          const pairKey = first?.type === 'identifier' && first.text === name && /\.items$/.test(called);
          // `for _, name, _ in pkgutil.iter_modules(__path__)`: the module name is the second of the triple.
          if (bound && right && (bound === 'self' || pairKey || /(^|\.)(iter_modules|walk_packages)$/.test(called))) {
            out.push({ kind: 'loop', iterable: right });
          } else if (bound) out.push({ kind: 'other' });
          break;
        }
        case 'with_item':
        case 'as_pattern':
        case 'except_clause':
        case 'global_statement':
        case 'nonlocal_statement':
        case 'import_statement':
        case 'import_from_statement':
          if (binds(child)) out.push({ kind: 'other' });
          break;
      }
      stack.push(child);
    }
  }
  return out;
}

/** The definition whose body holds `node` (a function), or the module. */
function scopeNodeOf(node: Node): Node {
  let up = node.parent;
  while (up && up.type !== 'function_definition' && up.type !== 'module') up = up.parent;
  return up ?? node;
}

/**
 * Literal string keys of a module-level dict: `D = {"a": ...}`, `D["a"] = ...`, `D.update({"a": ...}, b=...)`,
 * `D.setdefault("a", ...)`. Undefined when a key may be a string we cannot read (a key that is no literal and no
 * imported module object).
 */
function moduleDictKeys(name: string, context: NameContext): string[] | undefined {
  const keys = new Set<string>();
  let assigned = false;
  const key = (node: Node): boolean => {
    const value = plainStringValue(node);
    if (value !== undefined) keys.add(value);
    else if (!(node.type === 'identifier' && (context.modules.has(node.text) || context.fromImports.has(node.text))))
      return false;
    return true;
  };
  const dictKeys = (node: Node): boolean => {
    if (
      node.type === 'call' &&
      node.childForFieldName('function')?.text === 'dict' &&
      namedChildren(node.childForFieldName('arguments')!).every((a) => a.type === 'keyword_argument')
    ) {
      for (const argument of namedChildren(node.childForFieldName('arguments')!))
        keys.add(argument.childForFieldName('name')!.text);
      return true;
    }
    if (node.type !== 'dictionary') return false;
    for (const pair of namedChildren(node)) {
      if (pair.type !== 'pair') return false;
      if (!key(pair.childForFieldName('key')!)) return false;
    }
    return true;
  };
  const stack: Node[] = [context.root];
  while (stack.length) {
    const node = stack.pop()!;
    for (const child of namedChildren(node)) {
      if (SCOPE_BOUNDARIES.has(child.type)) continue;
      if (child.type === 'assignment') {
        const left = child.childForFieldName('left');
        const right = child.childForFieldName('right');
        if (left?.type === 'identifier' && left.text === name) {
          if (!right || !dictKeys(right)) return undefined;
          assigned = true;
        } else if (left?.type === 'subscript' && left.childForFieldName('value')?.text === name) {
          const subscript = left.childForFieldName('subscript');
          if (!subscript || !key(subscript)) return undefined;
        }
      } else if (child.type === 'call') {
        const fn = child.childForFieldName('function');
        const method =
          fn?.type === 'attribute' && fn.childForFieldName('object')?.text === name
            ? fn.childForFieldName('attribute')?.text
            : undefined;
        const args = callArguments(child);
        if (method === 'update') {
          for (const argument of args.positional) if (!dictKeys(argument)) return undefined;
          for (const keyword of args.keywords.keys()) keys.add(keyword);
        } else if (method === 'setdefault') {
          if (!args.positional[0] || !key(args.positional[0])) return undefined;
        }
      }
      stack.push(child);
    }
  }
  return assigned ? [...keys] : undefined;
}

/**
 * The shapes a computed name may have, following an identifier to its bindings in the enclosing function (or module):
 * `module_name = "toolz." + name`, loops over literal lists and over the keys of a module-level dict, `x.__name__` of
 * an imported module. `{ prefix: '' }` among them means nothing bounds it.
 */
function shapesOf(expression: Node, context: NameContext, scope: FunctionScope | undefined, depth = 0): NameShape[] {
  const shape = nameShape(expression, context);
  if (!shape.identifier || depth > 3) return [shape];
  const name = shape.identifier;
  const scopeNode = scopeNodeOf(expression);
  const bindings = bindingsOf(name, scopeNode);
  const parameter = scopeNode.type === 'function_definition' ? scope?.parameters.get(name) : undefined;
  if (bindings.length === 0) return [shape];
  if (parameter !== undefined || bindings.some((binding) => binding.kind === 'other')) return [{ prefix: '' }];
  const shapes: NameShape[] = [];
  for (const binding of bindings) {
    if (binding.kind === 'value') {
      // `module = import_module(module)`: the name then holds the module object the call returned, not a name.
      if (binding.node.startIndex <= expression.startIndex && expression.endIndex <= binding.node.endIndex) continue;
      for (const inner of shapesOf(binding.node, context, scope, depth + 1))
        shapes.push(inner.identifier ? { prefix: '' } : inner);
    } else if (binding.kind === 'loop') {
      shapes.push(...loopShapes(binding.iterable, context, scopeNode, scope));
    }
  }
  return shapes;
}

/** What a loop variable takes from its iterable: literals of a list, keys of a module-level dict, submodules of `__path__`. */
function loopShapes(
  iterable: Node,
  context: NameContext,
  scopeNode: Node,
  scope: FunctionScope | undefined,
): NameShape[] {
  if (iterable.type === 'list' || iterable.type === 'tuple' || iterable.type === 'set') {
    return namedChildren(iterable).map((item) => {
      const value = plainStringValue(item);
      return value === undefined ? nameShape(item, context) : { prefix: value, literal: value };
    });
  }
  if (iterable.type === 'call') {
    const fn = iterable.childForFieldName('function');
    const called = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.text;
    if (called === 'iter_modules' || called === 'walk_packages') {
      const args = callArguments(iterable);
      const first = args.positional[0] ?? args.keywords.get('path');
      if (
        first &&
        (first.text === '__path__' ||
          (first.type === 'attribute' && first.childForFieldName('attribute')?.text === '__path__'))
      )
        return [{ prefix: '', relative: true }];
      return [{ prefix: '' }];
    }
    if (
      fn?.type === 'attribute' &&
      (called === 'items' || called === 'keys') &&
      callArguments(iterable).positional.length === 0
    ) {
      return dictShapes(fn.childForFieldName('object')!, context, scopeNode, scope);
    }
    return [{ prefix: '' }];
  }
  return dictShapes(iterable, context, scopeNode, scope);
}

/** The keys of a dict named by `node`: a module-level dict, or a parameter whose default is one (callers may pass another). */
function dictShapes(node: Node, context: NameContext, scopeNode: Node, scope: FunctionScope | undefined): NameShape[] {
  if (node.type !== 'identifier') return [{ prefix: '' }];
  let dictName = node.text;
  let defaultOf: NameShape['defaultOf'];
  const position = scopeNode.type === 'function_definition' ? scope?.parameters.get(dictName) : undefined;
  if (position !== undefined) {
    const parameter = namedChildren(scopeNode.childForFieldName('parameters')!).find(
      (p) => p.childForFieldName('name')?.text === dictName,
    );
    const value =
      parameter?.type === 'default_parameter' || parameter?.type === 'typed_default_parameter'
        ? parameter.childForFieldName('value')
        : null;
    if (value?.type !== 'identifier' || bindingsOf(dictName, scopeNode).length) return [{ prefix: '' }];
    defaultOf = { name: dictName, position };
    dictName = value.text;
  } else if (scopeNode.type === 'function_definition' && bindingsOf(dictName, scopeNode).length) {
    return [{ prefix: '' }];
  }
  const keys = moduleDictKeys(dictName, context);
  if (!keys) return [{ prefix: '' }];
  return [...keys.map((key) => ({ prefix: key, literal: key })), ...(defaultOf ? [{ prefix: '', defaultOf }] : [])];
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
        if (field === 'name')
          names.push(type === 'aliased_import' ? importedName(cursor.currentNode) : dotted(cursor.nodeText));
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
  if (node.type === 'import_statement')
    return names.map((name) => ({ module: name, level: 0, line: at, kind: 'import' as const }));
  return [{ module, level, names, line: at, kind: 'from' }];
}

/** Literal strings of `pytest_plugins = [...]` / `__all__ = (...)` style values. */
function literalStrings(value: Node): string[] {
  const single = plainStringValue(value);
  if (single !== undefined) return [single];
  if (
    value.type !== 'list' &&
    value.type !== 'tuple' &&
    value.type !== 'parenthesized_expression' &&
    value.type !== 'expression_list'
  )
    return [];
  const out: string[] = [];
  for (const child of namedChildren(value)) {
    const literal = plainStringValue(child);
    if (literal !== undefined) out.push(literal);
  }
  return out;
}

/** The prefix of a string literal that can hold interpolations (`f"..."`, `rf'...'`, `t"..."`). */
const FORMAT_PREFIX = /^[A-Za-z]*[fFtT]/;
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
    else if (parameter.type === 'typed_parameter')
      name = parameter.firstNamedChild?.type === 'identifier' ? parameter.firstNamedChild.text : undefined;
    else if (parameter.type === 'default_parameter' || parameter.type === 'typed_default_parameter')
      name = parameter.childForFieldName('name')?.text;
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
export function firstSyntaxError(tree: Tree): PythonSyntaxError | undefined {
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
 * The walk is iterative, so input size never meets the JavaScript stack. `keepTree`: the tree stays among the searched
 * ones (`withPythonTree`) for a later search of the same source, instead of among the few recent ones.
 */
export function analyzePythonSource(
  source: string,
  { keepTree = false }: { keepTree?: boolean } = {},
): PythonModuleFacts {
  const examples: Array<{ text: string; line: number }> = [];
  const facts = withPythonTree(
    source,
    (tree, problem) => (tree ? factsOf(tree, source, examples) : unparsedFacts(problem ?? 'unknown')),
    // A build's tree is kept for the callers' search of computed imports, which parses files of the same build.
    { searched: keepTree },
  );
  const doctestImports = examples.length ? importsOfExamples(examples) : [];
  if (doctestImports.length) facts.doctestImports = doctestImports;
  return facts;
}

/** Facts of the examples (`>>>` lines) of a doctest text file: the code they run, as if it were a module. */
export function analyzeDoctestText(text: string): PythonModuleFacts {
  return analyzePythonSource(doctestSource(text));
}

/**
 * The import statements' node types. They are found with `descendantsOfType` (a cursor walk inside WebAssembly), not a
 * query: the same nodes in the same order (checked on 27,804 sources, 11,545 of them with syntax errors), without
 * compiling a query, which costs 10-50 ms the first time in a fresh process (`ts_query_new` on the baseline code).
 */
const IMPORT_TYPES = ['import_statement', 'import_from_statement', 'future_import_statement'];
const importNodes = (root: Node): Node[] =>
  root.descendantsOfType(IMPORT_TYPES).filter((node): node is Node => node !== null);

/** The import statements of the examples in string literals (docstrings), at their lines in the file. */
export function importsOfExamples(examples: ReadonlyArray<{ text: string; line: number }>): PythonImport[] {
  const out: PythonImport[] = [];
  for (const { text, line: first } of examples) {
    // The examples' code is made of parts of the text's lines: no `import` in the text, none in the code.
    if (!text.includes('import')) continue;
    const code = doctestSource(text);
    if (!/\bimport\b/.test(code)) continue;
    withPythonTree(code, (tree) => {
      if (!tree) return;
      for (const node of importNodes(tree.rootNode)) {
        for (const imp of readImport(node)) out.push({ ...imp, line: imp.line + first - 1 });
      }
    });
  }
  return out;
}

/**
 * What the facts are read from: every file needs its import statements and its strings, found in one walk of the tree
 * inside WebAssembly (`descendantsOfType`: a cursor walk, cheaper than a query, which also tracks pattern states); the
 * rest is found from the text (`dynamicCaptures`).
 */
const BASE_TYPES = ['import_statement', 'import_from_statement', 'future_import_statement', 'string'];

/**
 * Whether the node at `start` of a tree without errors is a string rather than an import statement, from the text: a
 * string starts with its prefix letters (`r`, `b`, `u`, `f`, `t`) and a quote, an import statement with `import` or
 * `from` (asking the node for its type is a call into WebAssembly for each of a file's many strings).
 */
function startsString(source: string, start: number): boolean {
  for (let at = start; at < source.length; at++) {
    const code = source.charCodeAt(at);
    if (code === 0x22 || code === 0x27) return true;
    if (!STRING_PREFIX_LETTERS.has(code)) return false;
  }
  return false;
}
const STRING_PREFIX_LETTERS = new Set([...'rRbBuUfFtT'].map((letter) => letter.charCodeAt(0)));

/** The import statements and strings of a file, in the order of the file, named as `factsOf` reads them. */
function importsAndStrings(tree: Tree, source: string, clean: boolean): Array<{ name: string; node: Node }> {
  const out: Array<{ name: string; node: Node }> = [];
  for (const node of tree.rootNode.descendantsOfType(BASE_TYPES)) {
    if (!node) continue;
    const string = clean ? startsString(source, node.startIndex) : node.type === 'string';
    out.push({ name: string ? 'string' : 'import', node });
  }
  return out;
}
/** Identifiers that only matter where they occur: found by text, then the tree is asked what is there (no query pass). */
const DYNAMIC_WORDS = [
  'import_module',
  '__import__',
  '__all__',
  'pytest_plugins',
  'iter_modules',
  'walk_packages',
  'entry_points',
  'iter_entry_points',
];
const ENTRY_POINT_WORDS = new Set(['entry_points', 'iter_entry_points']);
/** The words whose reading needs the tree (`__all__` in another shape than a literal list is the scanner's own test). */
export const SCANNER_TRIGGER_WORDS = DYNAMIC_WORDS.filter((word) => word !== '__all__');

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
      if (leaf?.type !== 'identifier' || leaf.text !== word) continue;
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
      if (parent?.type !== 'call' || parent.childForFieldName('function')?.id !== callee.id || seen.has(parent.id))
        continue;
      seen.add(parent.id);
      out.push({
        name:
          word === 'iter_modules' || word === 'walk_packages'
            ? 'scan'
            : ENTRY_POINT_WORDS.has(word)
              ? 'entry-points'
              : 'dynamic',
        node: parent,
      });
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
    scope = {
      qualifiedName,
      isClass,
      parameters: isClass ? new Map() : parameterNames(definition, scope?.isClass ?? false),
    };
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

/** Whether one of the sorted positions lies in [start, end). */
function promptWithin(positions: readonly number[], start: number, end: number): boolean {
  let low = 0;
  let high = positions.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (positions[middle] < start) low = middle + 1;
    else high = middle;
  }
  return low < positions.length && positions[low] < end;
}

function factsOf(tree: Tree, source: string, examples: Array<{ text: string; line: number }>): PythonModuleFacts {
  const imports: PythonImport[] = [];
  const dynamicImports: PythonDynamicImport[] = [];
  const moduleArguments: PythonModuleArgument[] = [];
  const strings = new Set<string>();
  let all: string[] | undefined;
  // Names bound by `for ... in pkgutil.iter_modules(__path__)` (a loop or a comprehension): submodules of this package.
  const scannedNames = new Set<string>();
  const pendingIdentifiers: Array<{ dynamic: PythonDynamicImport; identifier: string }> = [];
  const importNodes: Node[] = [];
  const dynamicNodes: Node[] = [];
  let moduleAliases: Record<string, string> | undefined;

  // Where `>>>` occurs (doctest examples are looked for only in strings that hold one).
  const prompts: number[] = [];
  for (let at = source.indexOf('>>>'); at !== -1; at = source.indexOf('>>>', at + 3)) prompts.push(at);
  // In a tree without errors only an f- or t-string has interpolations: any other string's value is read from its text
  // (walking a string's children asks for each next sibling, which is linear in the ones before it).
  const clean = !tree.rootNode.hasError;
  const captures = importsAndStrings(tree, source, clean);
  // No spreading into push(): a file of 150,000 imports would pass that many arguments.
  for (const capture of dynamicCaptures(tree, source)) captures.push(capture);
  for (const { name, node } of captures) {
    switch (name) {
      case 'import':
        for (const imp of readImport(node)) imports.push(imp);
        importNodes.push(node);
        break;
      case 'string': {
        // A docstring's examples run as tests under `--doctest-modules`: their imports are kept apart.
        if (
          prompts.length &&
          promptWithin(prompts, node.startIndex, node.endIndex) &&
          node.parent?.type === 'expression_statement'
        ) {
          const text = source.slice(node.startIndex, node.endIndex);
          if (hasDoctestExamples(text)) examples.push({ text, line: line(node) });
        }
        if (node.endIndex - node.startIndex > MAX_PATH_LITERAL + 8) break;
        const raw = source.slice(node.startIndex, node.endIndex);
        if (!/[./\\]/.test(raw)) break;
        const value = clean && !FORMAT_PREFIX.test(raw) ? stringLiteralValue(raw) : plainStringValue(node);
        if (value === undefined) break;
        if (value.length <= MAX_PATH_LITERAL && !value.includes('\n') && /[./\\]/.test(value)) strings.add(value);
        // A dotted name passed to a function: evidence for an import whose target is that function's parameter.
        const parent = node.parent?.type;
        if (
          (parent === 'argument_list' || parent === 'keyword_argument') &&
          moduleArguments.length < MAX_MODULE_ARGUMENTS &&
          DOTTED.test(value)
        ) {
          const at = argumentOf(node);
          const callee = at ? calleeName(at.call) : '';
          if (at && callee && !DYNAMIC_IMPORT_FUNCTIONS.has(callee))
            moduleArguments.push({ callee, argument: at.argument, value, line: line(node) });
        }
        break;
      }
      case 'dynamic':
        // After every import is read: what the names of the file are bound to bounds the name.
        dynamicNodes.push(node);
        break;
      case 'entry-points': {
        // `entry_points(group=...)`, `iter_entry_points(...)`: `.load()` imports whatever the installed distributions
        // declare, the project's own code included. The declarations are not read yet, so nothing bounds it.
        const text = shorten(node.text);
        const scope = enclosingScope(node);
        dynamicImports.push({
          prefix: '',
          level: 0,
          line: line(node),
          text: `${text} (entry points: the modules they load are not read)`,
          ...(scope ? { scope: scope.qualifiedName } : {}),
        });
        break;
      }
      case 'assign': {
        const target = node.childForFieldName('left');
        const value = node.childForFieldName('right');
        if (!target || !value || value.type === 'assignment') break;
        if (target.text === 'pytest_plugins') {
          for (const plugin of literalStrings(value))
            imports.push({ module: plugin, level: 0, line: line(node), kind: 'plugin' });
        } else if (target.text === '__all__') {
          all = literalStrings(value);
        }
        break;
      }
      case 'scan': {
        const loop = node.parent;
        if (
          (loop?.type !== 'for_statement' && loop?.type !== 'for_in_clause') ||
          loop.childForFieldName('right')?.id !== node.id
        )
          break;
        const args = callArguments(node);
        const first = args.positional[0] ?? args.keywords.get('path');
        if (
          first &&
          (first.text === '__path__' ||
            (first.type === 'attribute' && first.childForFieldName('attribute')?.text === '__path__'))
        ) {
          const left = loop.childForFieldName('left');
          const names = left?.type === 'identifier' ? [left] : left ? namedChildren(left) : [];
          for (const target of names) if (target.type === 'identifier') scannedNames.add(target.text);
        }
        break;
      }
    }
  }

  if (dynamicNodes.length) {
    const context = nameContextOf(importNodes, tree.rootNode);
    for (const node of dynamicNodes)
      readDynamicImport(
        node,
        callArguments(node),
        enclosingScope(node),
        context,
        imports,
        dynamicImports,
        pendingIdentifiers,
      );
    // `import tomli as tomllib`: another module's `tomllib.__name__` (after `from pkg import tomllib`) is `tomli`.
  }
  for (const node of importNodes) {
    if (node.type !== 'import_statement') continue;
    for (const child of namedChildren(node)) {
      const name = child.type === 'aliased_import' ? child.childForFieldName('name') : null;
      const alias = child.type === 'aliased_import' ? child.childForFieldName('alias') : null;
      if (name && alias) (moduleAliases ??= {})[alias.text] = dotted(name.text);
    }
  }
  for (const { dynamic, identifier } of pendingIdentifiers) {
    if (scannedNames.has(identifier)) {
      dynamic.level = 1;
      delete dynamic.parameter;
    }
  }
  // Two passes (the walk, then the words): back to the order of the file (a stable sort keeps a statement's own order).
  imports.sort((a, b) => a.line - b.line);
  const facts: PythonModuleFacts = { imports, dynamicImports, strings: [...strings] };
  if (all) facts.all = all;
  if (moduleArguments.length) facts.moduleArguments = moduleArguments;
  if (moduleAliases) facts.moduleAliases = moduleAliases;
  const syntaxError = firstSyntaxError(tree);
  if (syntaxError) facts.syntaxError = syntaxError;
  return facts;
}

/** `import_module(...)` / `__import__(...)`: a literal becomes an import, anything else a bounded dynamic import. */
function readDynamicImport(
  node: Node,
  args: ReturnType<typeof callArguments>,
  scope: FunctionScope | undefined,
  context: NameContext,
  imports: PythonImport[],
  dynamicImports: PythonDynamicImport[],
  pendingIdentifiers: Array<{ dynamic: PythonDynamicImport; identifier: string }>,
) {
  const target = args.positional[0] ?? args.keywords.get('name');
  const at = line(node);
  if (!target && args.positional.length === 0 && args.keywords.size === 0) return;
  const callee = calleeName(node);
  const packageArgument = callee === 'import_module' ? (args.positional[1] ?? args.keywords.get('package')) : undefined;
  const packageLiteral = packageArgument ? plainStringValue(packageArgument) : undefined;
  const packageAnchor =
    packageArgument?.type === 'identifier' &&
    (packageArgument.text === '__package__' || packageArgument.text === '__name__');
  const literalImport = (literal: string) => {
    const { level, module } = splitRelative(literal);
    if (level > 0 && packageLiteral !== undefined) {
      // `import_module(".x", "pkg.sub")` is `pkg.sub.x`, wherever the call is.
      const base = packageLiteral.split('.').slice(0, Math.max(0, packageLiteral.split('.').length - (level - 1)));
      imports.push({ module: [...base, ...(module ? [module] : [])].join('.'), level: 0, line: at, kind: 'dynamic' });
    } else {
      imports.push({ module, level, line: at, kind: 'dynamic' });
    }
  };
  const literal = target ? plainStringValue(target) : undefined;
  if (literal !== undefined) {
    literalImport(literal);
    return;
  }
  const text = node.text.replace(/\s+/g, ' ');
  const shapes =
    target && target.type !== 'list_splat' && target.type !== 'dictionary_splat'
      ? shapesOf(target, context, scope)
      : [{ prefix: '' }];
  const seen = new Set<string>();
  for (const shape of shapes) {
    const key = JSON.stringify(shape);
    if (seen.has(key)) continue;
    seen.add(key);
    // A name known whole is an import like any other (with `package=` for a relative one).
    if (shape.literal !== undefined && !shape.moduleOf && !shape.anchor) {
      literalImport(shape.literal);
      continue;
    }
    const dynamic: PythonDynamicImport = {
      prefix: '',
      level: 0,
      line: at,
      text: text.length > 80 ? `${text.slice(0, 77)}...` : text,
    };
    if (scope) dynamic.scope = scope.qualifiedName;
    if (shape.loaded) {
      dynamic.loaded = true;
    } else if (shape.moduleOf) {
      dynamic.moduleOf = shape.moduleOf;
      dynamic.prefix = shape.prefix;
    } else if (shape.defaultOf) {
      // The keys of the parameter's default were read; a caller passing its own dict decides the rest.
      dynamic.parameter = { ...shape.defaultOf, passedOnly: true };
    } else if (shape.relative) {
      dynamic.level = 1;
    } else if (shape.anchor === '__name__') {
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
        dynamic.package = packageLiteral
          .split('.')
          .slice(0, Math.max(0, packageLiteral.split('.').length - (level - 1)))
          .join('.');
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
}

/** What the import statements bind: module objects (`import a.b as x`) and names taken from modules (`from m import n`). */
function nameContextOf(importNodes: readonly Node[], root: Node): NameContext {
  const modules = new Map<string, string>();
  const fromImports = new Map<string, { module: string; level: number; name: string }>();
  const conflicts = new Set<string>();
  const bind = <T>(map: Map<string, T>, name: string, value: T) => {
    const earlier = map.get(name);
    if (earlier !== undefined && JSON.stringify(earlier) !== JSON.stringify(value)) conflicts.add(name);
    map.set(name, value);
  };
  for (const node of importNodes) {
    if (node.type === 'import_statement') {
      for (const child of namedChildren(node)) {
        if (child.type === 'aliased_import') {
          const name = child.childForFieldName('name');
          const alias = child.childForFieldName('alias');
          if (name && alias) bind(modules, alias.text, dotted(name.text));
        } else if (child.type === 'dotted_name') {
          const first = dotted(child.text).split('.')[0];
          bind(modules, first, first);
        }
      }
    } else if (node.type === 'import_from_statement') {
      const [imp] = readImport(node);
      for (const child of namedChildren(node)) {
        if (node.childForFieldName('module_name')?.id === child.id) continue;
        const name =
          child.type === 'aliased_import'
            ? child.childForFieldName('name')
            : child.type === 'dotted_name'
              ? child
              : null;
        const alias = child.type === 'aliased_import' ? child.childForFieldName('alias') : child;
        if (name && alias)
          bind(fromImports, alias.text, { module: imp.module, level: imp.level, name: dotted(name.text) });
      }
    }
  }
  // A name bound to two different things is not known.
  for (const name of conflicts) {
    modules.delete(name);
    fromImports.delete(name);
  }
  for (const name of modules.keys())
    if (fromImports.has(name)) {
      modules.delete(name);
      fromImports.delete(name);
    }
  return { modules, fromImports, root };
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
        const start = child;
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

/** What a call site passes for one argument: the shapes its name may have, or the caller's own parameter. */
export interface PythonArgumentEvidence {
  /** The argument as written (shortened). */
  text: string;
  /** Literal names (whole) the argument may be. */
  literals: string[];
  /** Computed names bounded by a literal start (`prefix`), relative (`level`) or anchored to the caller's `__name__`. */
  prefixes: Array<{ prefix: string; level: number; anchor?: 'module' }>;
  /** The argument is a parameter of the function around the call: that function's callers decide. */
  parameter?: { function: string; name: string; position: number };
  /** Some value of it is not bounded by anything. */
  unbounded: boolean;
}

/** One place a function name occurs in code: a call (with the argument at the position or keyword asked for), or another use. */
export interface PythonCallSite {
  line: number;
  /** `call`: `name(...)` / `x.name(...)`; `value`: the name used otherwise (passed, stored, returned, imported under another name). */
  kind: 'call' | 'value';
  /** The call as written (shortened). */
  text: string;
  /** For a call: the argument at the position or keyword asked for, undefined when the call does not pass it. */
  argument?: PythonArgumentEvidence;
  /** A call passing `*args`/`**kwargs` may pass anything at any position. */
  splat?: boolean;
}

/**
 * `text` on one line (each run of white space one space), cut to `max` characters with `...`. A long text (a call
 * holding a docstring) is flattened only as far as the answer needs: a flattened start of the text is the start of
 * the flattened whole, so once it is longer than `max` the rest cannot change the answer.
 */
const shorten = (text: string, max = 80) => {
  const start = text.length > 4 * max ? text.slice(0, 4 * max).replace(/\s+/g, ' ') : undefined;
  const flat = start !== undefined && start.length > max ? start : text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
};

/**
 * Every occurrence of `name` in code (not strings or comments) that is not its own definition: calls, with what they
 * pass as the argument at `position` (0-based, not counting `self`; -1 when only the keyword counts) or keyword
 * `keyword`, and other uses (the function then escapes, so its callers are not all known). Requires the parser.
 */
export function pythonCallSites(source: string, name: string, position: number, keyword: string): PythonCallSite[] {
  return withPythonTree(
    source,
    (tree) => {
      const sites: PythonCallSite[] = [];
      if (!tree) return [{ line: 1, kind: 'value', text: '(the file was not analysed)' }];
      // What the file's imports bind: read when a call passes an argument (most of the sites a search finds do not).
      let context: NameContext | undefined;
      const contextOf = () => (context ??= nameContextOf(importNodes(tree.rootNode), tree.rootNode));
      const pattern = new RegExp(`\\b${name.replace(/[^A-Za-z0-9_]/g, '')}\\b`, 'g');
      const seen = new Set<number>();
      for (const match of source.matchAll(pattern)) {
        const at = match.index!;
        const leaf = tree.rootNode.descendantForIndex(at, at + name.length);
        if (leaf?.type !== 'identifier' || leaf.text !== name || seen.has(leaf.id)) continue;
        seen.add(leaf.id);
        const parent = leaf.parent;
        if (!parent) continue;
        // Its own definition, a parameter or keyword of that name, an attribute assigned on an object: not a use of the function.
        if (
          (parent.type === 'function_definition' || parent.type === 'class_definition') &&
          parent.childForFieldName('name')?.id === leaf.id
        )
          continue;
        if (parent.type === 'keyword_argument' && parent.childForFieldName('name')?.id === leaf.id) continue;
        if (
          parent.type === 'parameters' ||
          parent.type === 'default_parameter' ||
          parent.type === 'typed_parameter' ||
          parent.type === 'typed_default_parameter'
        )
          continue;
        // `from m import name` keeps the name: its calls are found as calls. Under another name, they are not.
        if (
          parent.type === 'dotted_name' &&
          (parent.parent?.type === 'import_from_statement' || parent.parent?.type === 'aliased_import')
        ) {
          const aliased =
            parent.parent.type === 'aliased_import' && parent.parent.childForFieldName('alias')?.text !== name;
          if (aliased) sites.push({ line: line(leaf), kind: 'value', text: shorten(parent.parent.text) });
          continue;
        }
        let callee: Node = leaf;
        let call = parent;
        if (parent.type === 'attribute') {
          if (parent.childForFieldName('attribute')?.id !== leaf.id) {
            // `name.attr`: a use of the object, not a call of it.
            sites.push({ line: line(leaf), kind: 'value', text: shorten(parent.text) });
            continue;
          }
          callee = parent;
          call = parent.parent!;
        }
        if (call?.type !== 'call' || call.childForFieldName('function')?.id !== callee.id) {
          // `self.name = ...` assigns an attribute of that name; anything else hands the function on.
          if (
            callee.type === 'attribute' &&
            callee.parent?.type === 'assignment' &&
            callee.parent.childForFieldName('left')?.id === callee.id
          )
            continue;
          sites.push({ line: line(leaf), kind: 'value', text: shorten((callee.parent ?? callee).text) });
          continue;
        }
        const args = callArguments(call);
        const list = call.childForFieldName('arguments');
        const splat = list
          ? namedChildren(list).some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')
          : false;
        const positional = args.positional.filter((a) => a.type !== 'list_splat' && a.type !== 'dictionary_splat');
        const node = args.keywords.get(keyword) ?? (position >= 0 ? positional[position] : undefined);
        const site: PythonCallSite = { line: line(call), kind: 'call', text: shorten(call.text) };
        if (splat) site.splat = true;
        if (node) site.argument = argumentEvidence(node, contextOf(), enclosingScope(call));
        sites.push(site);
      }
      return sites;
    },
    // The callers' search asks for the sites of several names in the same files.
    { searched: true },
  );
}

/** The shapes an argument's value may have at a call site (literals, prefixes, the caller's own parameter). */
function argumentEvidence(node: Node, context: NameContext, scope: FunctionScope | undefined): PythonArgumentEvidence {
  const evidence: PythonArgumentEvidence = { text: shorten(node.text), literals: [], prefixes: [], unbounded: false };
  const literal = plainStringValue(node);
  if (literal !== undefined) {
    evidence.literals.push(literal);
    return evidence;
  }
  if (node.type === 'none') return evidence;
  for (const shape of shapesOf(node, context, scope)) {
    if (shape.identifier) {
      const position = scope?.parameters.get(shape.identifier);
      if (position !== undefined && scope && !scope.isClass)
        evidence.parameter = { function: scope.qualifiedName, name: shape.identifier, position };
      else evidence.unbounded = true;
    } else if (shape.literal !== undefined && !shape.moduleOf) evidence.literals.push(shape.literal);
    else if (shape.anchor === '__name__') evidence.prefixes.push({ prefix: shape.prefix, level: 0, anchor: 'module' });
    else if (shape.anchor === '__package__' || shape.relative)
      evidence.prefixes.push({ prefix: shape.prefix.replace(/^\./, ''), level: 1 });
    else if (shape.loaded) continue;
    else if (shape.prefix !== '' && !shape.moduleOf) {
      const { level, module } = splitRelative(shape.prefix);
      evidence.prefixes.push({ prefix: module, level });
    } else evidence.unbounded = true;
  }
  return evidence;
}
