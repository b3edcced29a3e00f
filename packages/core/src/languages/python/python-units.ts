import type { SyntaxNode } from '@lezer/common';
import { parsePythonSource } from './analyze-source.ts';

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

const lineStartsOf = (source: string) => {
  const starts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
};

function lineAt(starts: number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return low + 1;
}

/** Serialises a subtree as node names and leaf text, skipping comments: equal prints mean equal code. */
function fingerprint(node: SyntaxNode, source: string, out: string[] = []): string[] {
  if (node.name === 'Comment') return out;
  const first = node.firstChild;
  if (!first) {
    out.push(source.slice(node.from, node.to));
    return out;
  }
  out.push(node.name, '{');
  for (let child: SyntaxNode | null = first; child; child = child.nextSibling) fingerprint(child, source, out);
  out.push('}');
  return out;
}

const CACHE_DECORATORS = /(^|\.)(lru_cache|cache|cached_property|cached|memoize|memoized|memoise|memoised|cache_on_self|functools\.cache)$/;

/** True for decorators that keep results between calls (so later callers never run the body). */
export function isCachingDecorator(decorator: string): boolean {
  const callee = decorator.replace(/\(.*$/s, '');
  return CACHE_DECORATORS.test(callee);
}

/** Names bound at module level to a dict-like object (`_CACHE = {}`, `REGISTRY = dict()`). */
function moduleDictNames(top: SyntaxNode, source: string): Set<string> {
  const names = new Set<string>();
  for (let child = top.firstChild; child; child = child.nextSibling) {
    if (child.name !== 'AssignStatement') continue;
    const target = child.firstChild;
    const value = child.lastChild;
    if (target?.name !== 'VariableName' || !value) continue;
    const text = source.slice(value.from, value.to).replace(/\s+/g, '');
    if (value.name === 'DictionaryExpression' || /^(dict|OrderedDict|defaultdict|WeakValueDictionary|WeakKeyDictionary|collections\.\w+)\(/.test(text)) {
      names.add(source.slice(target.from, target.to));
    }
  }
  return names;
}

/** Identifiers in a subtree, and whether it writes into one of `moduleDicts` or declares a `global`. */
function scanBody(body: SyntaxNode, source: string, moduleDicts: Set<string>): { mentions: Set<string>; memoises: boolean } {
  const mentions = new Set<string>();
  let memoises = false;
  const text = (node: SyntaxNode) => source.slice(node.from, node.to);
  const isModuleDict = (node: SyntaxNode | null | undefined) => node?.name === 'VariableName' && moduleDicts.has(text(node));
  const visit = (node: SyntaxNode) => {
    const name = node.name;
    if (name === 'VariableName' || name === 'PropertyName') mentions.add(text(node));
    else if (name === 'ScopeStatement' && text(node).startsWith('global')) memoises = true;
    else if ((name === 'AssignStatement' || name === 'UpdateStatement') && node.firstChild?.name === 'MemberExpression') {
      if (isModuleDict(node.firstChild.firstChild)) memoises = true;
    } else if (name === 'CallExpression' && node.firstChild?.name === 'MemberExpression') {
      const callee = node.firstChild;
      const method = callee.lastChild;
      if (isModuleDict(callee.firstChild) && method && /^(setdefault|update|__setitem__)$/.test(text(method))) memoises = true;
    }
    for (let child = node.firstChild; child; child = child.nextSibling) visit(child);
  };
  visit(body);
  return { mentions, memoises };
}

/** The last line of a body that holds code (the grammar keeps trailing comments in it; Python does not). */
function lastCodeLine(body: SyntaxNode, starts: number[]): number {
  let last: SyntaxNode | null = body.lastChild;
  while (last && last.name === 'Comment') last = last.prevSibling;
  return lineAt(starts, Math.max(body.from, (last ?? body).to - 1));
}

function firstStatement(body: SyntaxNode): SyntaxNode | null {
  let child = body.firstChild;
  while (child && (child.name === ':' || child.name === 'Comment')) child = child.nextSibling;
  return child;
}

/**
 * Splits a module into units (functions, methods), classes and the module-level residue, from the same Lezer
 * parser as the dependency graph. Nothing is imported or executed.
 */
export function shapePythonModule(source: string): PythonModuleShape {
  const tree = parsePythonSource(source);
  const starts = lineStartsOf(source);
  const units: PythonUnit[] = [];
  const classes: PythonClassShape[] = [];
  const duplicates = new Set<string>();
  let syntaxError: { line: number } | undefined;
  tree.iterate({
    enter: (node) => {
      if (node.type.isError && !syntaxError) syntaxError = { line: lineAt(starts, node.from) };
    },
  });
  const top = tree.topNode;
  const moduleDicts = moduleDictNames(top, source);

  /** Suffixes a name defined again in the same scope: property accessors by their role, others by occurrence. */
  const counts = new Map<string, number>();
  const uniqueName = (name: string, decorators: SyntaxNode[], scopeKey: string): string => {
    const key = `${scopeKey}\u0000${name}`;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    if (n === 1) return name;
    const accessor = decorators
      .map((d) => source.slice(d.from, d.to).replace(/\s+/g, ''))
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
  const visitScope = (scope: SyntaxNode, prefix: string[], enclosing?: string): string[] => {
    const residue: string[] = [];
    const scopeKey = prefix.join('.');
    const visit = (node: SyntaxNode) => {
      for (let child = node.firstChild; child; child = child.nextSibling) {
        if (child.name === 'Comment') continue;
        let definition: SyntaxNode = child;
        const decorators: SyntaxNode[] = [];
        if (child.name === 'DecoratedStatement') {
          const inner = child.lastChild;
          if (inner && (inner.name === 'FunctionDefinition' || inner.name === 'ClassDefinition')) {
            definition = inner;
            for (let d = child.firstChild; d && d.from < inner.from; d = d.nextSibling) if (d.name === 'Decorator') decorators.push(d);
          }
        }
        const nameNode = definition.getChild('VariableName');
        const body = definition.getChild('Body');
        if ((definition.name === 'FunctionDefinition' || definition.name === 'ClassDefinition') && nameNode && body) {
          const plainName = source.slice(nameNode.from, nameNode.to);
          const name = uniqueName(plainName, decorators, scopeKey);
          if (name !== plainName) duplicates.add([...prefix, plainName].join('.'));
          const qualified = [...prefix, name];
          const qualifiedName = qualified.join('.');
          const decoratorPrint = decorators.flatMap((d) => fingerprint(d, source)).join(' ');
          const header: string[] = [decoratorPrint];
          for (let part = definition.firstChild; part && part.from < body.from; part = part.nextSibling) fingerprint(part, source, header);
          if (definition.name === 'ClassDefinition') {
            const inner = visitScope(body, qualified, enclosing);
            if (enclosing) residue.push('class', ...header, '|', ...inner);
            else classes.push({ qualifiedName, print: [...header, '|', ...inner].join(' ') });
          } else {
            const first = firstStatement(body);
            const scan = scanBody(body, source, moduleDicts);
            const index = units.length;
            const unit: PythonUnit = {
              qualifiedName,
              startLine: lineAt(starts, child.from),
              bodyStartLine: lineAt(starts, (first ?? body).from),
              endLine: lastCodeLine(body, starts),
              decorators: decorators.map((d) => source.slice(d.from, d.to).replace(/^@/, '').replace(/\s+/g, '')),
              // A nested unit's header runs with its enclosing function: it is part of that body's print.
              decoratorPrint: enclosing ? '' : decoratorPrint,
              signaturePrint: '',
              bodyPrint: '',
              mentions: scan.mentions,
              memoises: scan.memoises,
            };
            if (enclosing) unit.parent = enclosing;
            units.push(unit);
            if (enclosing) residue.push('def', name, ...header);
            else unit.signaturePrint = header.slice(1).join(' ');
            unit.bodyPrint = visitScope(body, [...qualified, '<locals>'], qualifiedName).join(' ');
            units[index] = unit;
          }
          continue;
        }
        // Compound statements (if/try/with/for at any level) may hold definitions; walk into them.
        if (child.firstChild && /Statement$|Clause$/.test(child.name) && child.name !== 'ExpressionStatement' && child.name !== 'AssignStatement') {
          residue.push(child.name, '{');
          for (let part: SyntaxNode | null = child.firstChild; part; part = part.nextSibling) {
            if (part.name === 'Body' || /Clause$/.test(part.name)) {
              residue.push(part.name, '{');
              visit(part);
              residue.push('}');
            } else if (part.name !== 'Comment') fingerprint(part, source, residue);
          }
          residue.push('}');
          continue;
        }
        fingerprint(child, source, residue);
      }
    };
    visit(scope);
    return residue;
  };
  const residue = visitScope(top, []);
  const shape: PythonModuleShape = { units, classes, residuePrint: residue.join(' '), duplicates };
  if (syntaxError) shape.syntaxError = syntaxError;
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
