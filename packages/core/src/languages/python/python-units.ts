import type { Node, Tree, TreeCursor } from 'web-tree-sitter';
import { firstSyntaxError } from './analyze-source.ts';
import { visitBindings } from './name-bindings.ts';
import { withPythonTree } from './tree-sitter-parser.ts';

/**
 * A unit of the impact map: a function or method at any depth, nested functions (closures, decorator wrappers)
 * included. A nested unit's body is its own; its `def` line, decorators and defaults belong to the enclosing body
 * (they run when the enclosing function runs), so lines and changes go to the smallest enclosing unit.
 */
export interface PythonUnit {
  /**
   * Python's `__qualname__` (`Ledger.post`, `convert`, `deco.<locals>.wrapper`). A name defined more than once in a
   * scope gets a suffix so each definition is a unit of its own: `value.setter`/`value.deleter` for property
   * accessors, `name#2`, `name#3` for later definitions (overloads, conditional `try`/`if` definitions).
   */
  qualifiedName: string;
  /** The enclosing unit's qualified name for a nested function, else undefined. */
  parent?: string;
  /** 1-based lines: first decorator (or `def`), first statement of the body, last statement of the body. */
  startLine: number;
  bodyStartLine: number;
  endLine: number;
  /** Decorators as written, normalised (`functools.lru_cache(maxsize=None)`), for change reasons and cache detection. */
  decorators: string[];
  /** Token fingerprints: comments and layout do not count, structure and text do. */
  decoratorPrint: string;
  signaturePrint: string;
  bodyPrint: string;
  /** Identifiers the body mentions (names and attributes), for the callers and callees of cached functions. */
  mentions: Set<string>;
  /** True when the body stores into module-level state (a module dict, `global x = ...`): a memoising function. */
  memoises: boolean;
}

/** A class at module level or inside a class; its body minus its methods is a fingerprint of its own. */
export interface PythonClassShape {
  qualifiedName: string;
  /** Decorators, bases and class-level statements (attributes, nested assignments), methods removed. */
  print: string;
}

/** The parts of a module the impact map compares and attributes lines to. */
export interface PythonModuleShape {
  units: PythonUnit[];
  classes: PythonClassShape[];
  /** Module-level code with every unit and class removed. */
  residuePrint: string;
  /** Names defined more than once in the same scope (before their `#n` / accessor suffix). */
  duplicates: Set<string>;
  syntaxError?: { line: number };
}

/** Tokens that never change what code means: comments and backslash continuations. */
export const LAYOUT = new Set(['comment', 'line_continuation']);

/** Compound statements: a header, blocks and clauses. */
export const COMPOUND_STATEMENTS = new Set([
  'if_statement',
  'for_statement',
  'while_statement',
  'try_statement',
  'with_statement',
  'match_statement',
]);
/** Clauses of compound statements: a header of their own and a block. */
export const CLAUSES = new Set([
  'elif_clause',
  'else_clause',
  'except_clause',
  'except_group_clause',
  'finally_clause',
  'case_clause',
]);
/** Statements and clauses that hold blocks (definitions may sit in them at any level). */
const COMPOUND = new Set([...COMPOUND_STATEMENTS, ...CLAUSES]);

const lineOf = (node: Node) => node.startPosition.row + 1;

/** The children of a node in one call (asking each node for its next sibling is linear in the earlier ones). */
const childrenOf = (node: Node): Node[] => node.children.filter((child): child is Node => child !== null);

/** The children that are code: comments and line continuations left out. */
export const codeChildren = (node: Node): Node[] => childrenOf(node).filter((child) => !LAYOUT.has(child.type));

/**
 * Serialises a subtree as node types and leaf text, skipping comments: equal prints mean equal code (the types carry
 * the block structure that Python's indentation gives). A cursor walks it, so deep nesting never meets the JS stack.
 */
export function fingerprint(node: Node, source: string, out: string[] = []): string[] {
  const cursor: TreeCursor = node.walk();
  try {
    let depth = 0;
    for (;;) {
      const type = cursor.nodeType;
      if (!LAYOUT.has(type)) {
        if (cursor.gotoFirstChild()) {
          out.push(type, '{');
          depth += 1;
          continue;
        }
        // Sliced here: the cursor's text goes through a callback that copies from the node to the end of the file.
        out.push(source.slice(cursor.startIndex, cursor.endIndex));
      }
      for (;;) {
        if (depth === 0) return out;
        if (cursor.gotoNextSibling()) break;
        cursor.gotoParent();
        depth -= 1;
        out.push('}');
      }
    }
  } finally {
    cursor.delete();
  }
}

/** Calls `visit` with the type of every node of a subtree and a way to get the node (cursor walk, no recursion). */
function eachNode(node: Node, visit: (type: string, current: () => Node) => void): void {
  const cursor = node.walk();
  try {
    let depth = 0;
    for (;;) {
      visit(cursor.nodeType, () => cursor.currentNode);
      if (cursor.gotoFirstChild()) {
        depth += 1;
        continue;
      }
      for (;;) {
        if (depth === 0) return;
        if (cursor.gotoNextSibling()) break;
        cursor.gotoParent();
        depth -= 1;
      }
    }
  } finally {
    cursor.delete();
  }
}

const CACHE_DECORATORS =
  /(^|\.)(lru_cache|cache|cached_property|cached|memoize|memoized|memoise|memoised|cache_on_self|functools\.cache)$/;

/** True for decorators that keep results between calls (so later callers never run the body). */
export function isCachingDecorator(decorator: string): boolean {
  const callee = decorator.replace(/\(.*$/s, '');
  return CACHE_DECORATORS.test(callee);
}

/** Names bound at module level to a dict-like object (`_CACHE = {}`, `REGISTRY = dict()`, `_C: dict = {}`). */
function moduleDictNames(root: Node): Set<string> {
  const names = new Set<string>();
  for (const statement of childrenOf(root)) {
    if (statement.type !== 'expression_statement') continue;
    const assignment = statement.firstNamedChild;
    if (assignment?.type !== 'assignment') continue;
    const target = assignment.childForFieldName('left');
    const value = assignment.childForFieldName('right');
    if (target?.type !== 'identifier' || !value) continue;
    const text = value.text.replace(/\s+/g, '');
    if (
      value.type === 'dictionary' ||
      /^(dict|OrderedDict|defaultdict|WeakValueDictionary|WeakKeyDictionary|collections\.\w+)\(/.test(text)
    ) {
      names.add(target.text);
    }
  }
  return names;
}

/**
 * Identifiers in a subtree, and whether it keeps values in module state: writes into one of `moduleDicts`, or gives a
 * name it declares `global` a value other than one it imported (`global _impl; from .x import impl as f; _impl = f`
 * keeps code, not a result: every call still runs the imported function, and coverage sees it).
 */
function scanBody(body: Node, moduleDicts: Set<string>): { mentions: Set<string>; memoises: boolean } {
  const mentions = new Set<string>();
  let memoises = false;
  const globals = new Set<string>();
  let nestedScopes = false;
  /** `D[k]` or `D.x` where D is a module dict. */
  const intoModuleDict = (target: Node | null) => {
    const holder =
      target?.type === 'subscript'
        ? target.childForFieldName('value')
        : target?.type === 'attribute'
          ? target.childForFieldName('object')
          : null;
    return holder?.type === 'identifier' && moduleDicts.has(holder.text);
  };
  eachNode(body, (type, current) => {
    if (type === 'identifier') mentions.add(current().text);
    else if (type === 'global_statement') {
      for (const name of current().namedChildren) if (name) globals.add(name.text);
    } else if (type === 'function_definition' || type === 'class_definition' || type === 'lambda') nestedScopes = true;
    else if (moduleDicts.size && (type === 'assignment' || type === 'augmented_assignment')) {
      if (intoModuleDict(current().childForFieldName('left'))) memoises = true;
    } else if (moduleDicts.size && type === 'call') {
      const callee = current().childForFieldName('function');
      if (
        callee?.type === 'attribute' &&
        intoModuleDict(callee) &&
        /^(setdefault|update|__setitem__)$/.test(callee.childForFieldName('attribute')?.text ?? '')
      ) {
        memoises = true;
      }
    }
  });
  if (globals.size && !memoises) memoises = nestedScopes || keepsValuesInGlobals(body, globals);
  return { mentions, memoises };
}

/**
 * Whether a body (with no nested scope) gives one of its `globals` a value: anything but assigning it a name the body
 * imported (or importing it), or a store into an attribute or item of it. A global it never stores counts too.
 */
function keepsValuesInGlobals(body: Node, globals: ReadonlySet<string>): boolean {
  const imported = new Set<string>();
  const isImport = (construct: Node) =>
    construct.type === 'import_statement' || construct.type === 'import_from_statement';
  visitBindings([body], (name, construct) => {
    if (isImport(construct)) imported.add(name);
  });
  const referenced = new Set<string>();
  let keeps = false;
  visitBindings([body], (name, construct) => {
    if (!globals.has(name)) return;
    const value = construct.type === 'assignment' ? construct.childForFieldName('right') : null;
    const target = construct.type === 'assignment' ? construct.childForFieldName('left') : null;
    if (
      isImport(construct) ||
      (target?.type === 'identifier' && value?.type === 'identifier' && imported.has(value.text))
    )
      referenced.add(name);
    else keeps = true;
  });
  eachNode(body, (type, current) => {
    if (type !== 'assignment' && type !== 'augmented_assignment' && type !== 'delete_statement') return;
    const node = current();
    const first = type === 'delete_statement' ? node.namedChildren[0] : node.childForFieldName('left');
    const targets = first?.type === 'expression_list' || first?.type === 'pattern_list' ? first.namedChildren : [first];
    for (const target of targets) {
      // `G.x = ...`, `G[k] = ...`, `del G.cache[k]`: whatever the chain, its root is what changes.
      let holder = target;
      while (holder?.type === 'subscript' || holder?.type === 'attribute')
        holder = holder.childForFieldName(holder.type === 'subscript' ? 'value' : 'object');
      if (holder !== target && holder?.type === 'identifier' && globals.has(holder.text)) keeps = true;
    }
  });
  return keeps || [...globals].some((name) => !referenced.has(name));
}

/** The last child that is code (not a comment), or null. */
function lastCodeChild(node: Node): Node | null {
  const children = childrenOf(node);
  for (let i = children.length - 1; i >= 0; i--) if (!LAYOUT.has(children[i].type)) return children[i];
  return null;
}

/**
 * The last line of a body that holds code, as `ast`'s `end_lineno` of its last statement: the grammar keeps comments
 * that follow a block's last statement inside the block (at any depth), Python does not.
 */
export function lastCodeLine(body: Node): number {
  let node = body;
  for (let child = lastCodeChild(node); child; child = lastCodeChild(node)) node = child;
  return endLine(node);
}

/** The 1-based line a node's code ends on (a token that ends with its line break ends on the line before). */
export function endLine(node: Node): number {
  const end = node.endPosition;
  return end.column === 0 && end.row > node.startPosition.row ? end.row : end.row + 1;
}

/**
 * Splits a module into units (functions, methods), classes and the module-level residue, from the same
 * tree-sitter grammar as the dependency graph (it accepts what CPython accepts). Nothing is imported or executed.
 * Requires `loadPythonParser()` to have been awaited. A file the parser cannot take (too large) counts as not parsing.
 */
export function shapePythonModule(source: string): PythonModuleShape {
  return (
    recentShapes.get(source) ??
    withPythonTree(source, (tree) =>
      tree
        ? shapeOfTree(tree, source)
        : { units: [], classes: [], residuePrint: '', duplicates: new Set<string>(), syntaxError: { line: 1 } },
    )
  );
}

/**
 * The last shapes made, by source (callers never change a shape): a selection shapes the changed file's new version
 * more than once (compared with the old one, then searched for readers of the names it changed).
 */
const recentShapes = new Map<string, PythonModuleShape>();
const RECENT_SHAPES = 8;

const recentUnits = new Map<string, PythonUnit[]>();

/** Keeps `value` as the newest of a few recent entries. */
function remember<T>(recent: Map<string, T>, source: string, value: T): T {
  recent.set(source, value);
  if (recent.size > RECENT_SHAPES) recent.delete(recent.keys().next().value!);
  return value;
}

/** `shapePythonModule` of a source already parsed into `tree`. */
function shapeOfTree(tree: Tree, source: string): PythonModuleShape {
  return recentShapes.get(source) ?? remember(recentShapes, source, shapeTree(tree, source));
}

/**
 * The units of a parsed module with their names and lines only (`PythonUnit`'s prints, mentions and `memoises` are
 * empty): for attributing lines to units, as `unitLines` does.
 */
export function unitLinesOfTree(tree: Tree, source: string): PythonUnit[] {
  return (
    recentShapes.get(source)?.units ??
    recentUnits.get(source) ??
    remember(recentUnits, source, shapeTree(tree, source, false).units)
  );
}

/**
 * The shape of a parsed module. `full` false: only the units' names and lines (no prints, mentions or memoising: their
 * placeholders are empty), which is all that attributing lines to units needs, for a fraction of the work.
 */
function shapeTree(tree: Tree, source: string, full = true): PythonModuleShape {
  const units: PythonUnit[] = [];
  const classes: PythonClassShape[] = [];
  const duplicates = new Set<string>();
  const root = tree.rootNode;
  const moduleDicts = full ? moduleDictNames(root) : new Set<string>();
  const print = (node: Node, out: string[]) => {
    if (full) fingerprint(node, source, out);
  };

  /** Suffixes a name defined again in the same scope: property accessors by their role, others by occurrence. */
  const counts = new Map<string, number>();
  const uniqueName = (name: string, decorators: Node[], scopeKey: string): string => {
    const key = `${scopeKey}\u0000${name}`;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    if (n === 1) return name;
    const accessor = decorators
      .map((d) => d.text.replace(/\s+/g, ''))
      .find((text) => text === `@${name}.setter` || text === `@${name}.deleter` || text === `@${name}.getter`);
    const role = accessor?.slice(name.length + 2);
    const suffixed = role && !counts.has(`${key}.${role}`) ? `${name}.${role}` : `${name}#${n}`;
    if (role) counts.set(`${key}.${role}`, 1);
    return suffixed;
  };

  /**
   * Walks a scope (module, class body, or function body when `enclosing` is set); returns the residue print of
   * what is not a unit or class (for a function body: the body with nested units' bodies left out).
   */
  const visitScope = (scope: Node, prefix: string[], enclosing?: string): string[] => {
    const residue: string[] = [];
    const scopeKey = prefix.join('.');
    const compound = (statement: Node) => {
      residue.push(statement.type, '{');
      for (const part of childrenOf(statement)) {
        if (part.type === 'block') {
          residue.push('block', '{');
          visit(part);
          residue.push('}');
        } else if (COMPOUND.has(part.type)) compound(part);
        else print(part, residue);
      }
      residue.push('}');
    };
    const visit = (node: Node) => {
      for (const child of childrenOf(node)) {
        if (LAYOUT.has(child.type)) continue;
        let definition = child;
        const decorators: Node[] = [];
        if (child.type === 'decorated_definition') {
          const inner = child.childForFieldName('definition');
          if (inner) {
            definition = inner;
            for (const part of childrenOf(child)) if (part.type === 'decorator') decorators.push(part);
          }
        }
        const isDefinition = definition.type === 'function_definition' || definition.type === 'class_definition';
        const nameNode = isDefinition ? definition.childForFieldName('name') : null;
        const body = isDefinition ? definition.childForFieldName('body') : null;
        if (nameNode && body) {
          const plainName = nameNode.text;
          const name = uniqueName(plainName, decorators, scopeKey);
          if (name !== plainName) duplicates.add([...prefix, plainName].join('.'));
          const qualified = [...prefix, name];
          const qualifiedName = qualified.join('.');
          const decoratorPrint = full ? decorators.flatMap((d) => fingerprint(d, source)).join(' ') : '';
          const header: string[] = [decoratorPrint];
          for (const part of childrenOf(definition)) if (part.startIndex < body.startIndex) print(part, header);
          if (definition.type === 'class_definition') {
            // Listed before the classes nested in it (source order, as `ast` walks).
            const shape: PythonClassShape | undefined = enclosing ? undefined : { qualifiedName, print: '' };
            if (shape) classes.push(shape);
            const inner = visitScope(body, qualified, enclosing);
            if (shape) shape.print = [...header, '|', ...inner].join(' ');
            else residue.push('class', ...header, '|', ...inner);
          } else {
            const first = codeChildren(body)[0];
            const scan = full ? scanBody(body, moduleDicts) : { mentions: new Set<string>(), memoises: false };
            const unit: PythonUnit = {
              qualifiedName,
              startLine: lineOf(child),
              bodyStartLine: lineOf(first ?? body),
              endLine: lastCodeLine(body),
              decorators: decorators.map((d) => d.text.replace(/^@/, '').replace(/\s+/g, '')),
              // A nested unit's header runs with its enclosing function: it is part of that body's print.
              decoratorPrint: enclosing ? '' : decoratorPrint,
              signaturePrint: enclosing ? '' : header.slice(1).join(' '),
              bodyPrint: '',
              mentions: scan.mentions,
              memoises: scan.memoises,
            };
            if (enclosing) {
              unit.parent = enclosing;
              residue.push('def', name, ...header);
            }
            units.push(unit);
            unit.bodyPrint = visitScope(body, [...qualified, '<locals>'], qualifiedName).join(' ');
          }
          continue;
        }
        if (COMPOUND.has(child.type)) compound(child);
        else print(child, residue);
      }
    };
    visit(scope);
    return residue;
  };
  const residue = visitScope(root, []);
  const shape: PythonModuleShape = { units, classes, residuePrint: residue.join(' '), duplicates };
  const error = firstSyntaxError(tree);
  if (error) shape.syntaxError = { line: error.line };
  return shape;
}

/**
 * Maps lines to the smallest unit whose body holds them: an array indexed by line, -1 for module level (outside
 * every unit body, or a unit's header). Units nest; inner bodies are painted over outer ones.
 */
export function unitLines(units: readonly PythonUnit[]): Int32Array {
  const last = units.reduce((max, unit) => Math.max(max, unit.endLine), 0);
  const owner = new Int32Array(last + 2).fill(-1);
  // Units are in source order with parents before children, so painting in order leaves the innermost.
  units.forEach((unit, i) => owner.fill(i, unit.bodyStartLine, unit.endLine + 1));
  return owner;
}

/** The smallest unit whose body holds `line`, from `unitLines`; -1 for module level. */
export function unitAtLine(owner: Int32Array, line: number): number {
  return line >= 0 && line < owner.length ? owner[line] : -1;
}
