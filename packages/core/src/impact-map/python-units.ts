import type { SyntaxNode } from '@lezer/common';
import { parsePythonSource } from '../python/index.ts';

/**
 * A unit of the impact map: a module-level function or a method (of a class at any depth of classes). Functions
 * nested inside a function belong to the enclosing unit: they run only when it runs.
 */
export interface PythonUnit {
  /** `Ledger.post`, `convert` — Python's `__qualname__` without `<locals>` parts. */
  qualifiedName: string;
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
  /** Qualified names defined twice (conditional definitions): their changes cannot be attributed. */
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
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  let syntaxError: { line: number } | undefined;
  tree.iterate({
    enter: (node) => {
      if (node.type.isError && !syntaxError) syntaxError = { line: lineAt(starts, node.from) };
    },
  });
  const top = tree.topNode;
  const moduleDicts = moduleDictNames(top, source);
  const claim = (name: string) => {
    if (seen.has(name)) duplicates.add(name);
    seen.add(name);
  };

  /** Walks a scope (module or class body); returns the residue print of what is not a unit or class. */
  const visitScope = (scope: SyntaxNode, prefix: string[]): string[] => {
    const residue: string[] = [];
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
          const qualified = [...prefix, source.slice(nameNode.from, nameNode.to)];
          const qualifiedName = qualified.join('.');
          claim(qualifiedName);
          const decoratorPrint = decorators.flatMap((d) => fingerprint(d, source)).join(' ');
          if (definition.name === 'ClassDefinition') {
            const header: string[] = [decoratorPrint];
            for (let part = definition.firstChild; part && part.from < body.from; part = part.nextSibling) fingerprint(part, source, header);
            const inner = visitScope(body, qualified);
            classes.push({ qualifiedName, print: [...header, '|', ...inner].join(' ') });
          } else {
            const signature: string[] = [];
            for (let part = definition.firstChild; part && part.from < body.from; part = part.nextSibling) fingerprint(part, source, signature);
            const first = firstStatement(body);
            const scan = scanBody(body, source, moduleDicts);
            units.push({
              qualifiedName,
              startLine: lineAt(starts, child.from),
              bodyStartLine: lineAt(starts, (first ?? body).from),
              endLine: lastCodeLine(body, starts),
              decorators: decorators.map((d) => source.slice(d.from, d.to).replace(/^@/, '').replace(/\s+/g, '')),
              decoratorPrint,
              signaturePrint: signature.join(' '),
              bodyPrint: fingerprint(body, source).join(' '),
              mentions: scan.mentions,
              memoises: scan.memoises,
            });
          }
          continue;
        }
        // Compound statements (if/try/with at module or class level) may hold definitions; walk into them.
        if (child.firstChild && /Statement$/.test(child.name) && child.name !== 'ExpressionStatement' && child.name !== 'AssignStatement') {
          residue.push(child.name, '{');
          for (let part: SyntaxNode | null = child.firstChild; part; part = part.nextSibling) {
            if (part.name === 'Body') {
              residue.push('Body', '{');
              visitBody(part);
              residue.push('}');
            } else if (part.name !== 'Comment') fingerprint(part, source, residue);
          }
          residue.push('}');
          continue;
        }
        fingerprint(child, source, residue);
      }
    };
    const visitBody = (body: SyntaxNode) => visit(body);
    visit(scope);
    return residue;
  };
  const residue = visitScope(top, []);
  const shape: PythonModuleShape = { units, classes, residuePrint: residue.join(' '), duplicates };
  if (syntaxError) shape.syntaxError = syntaxError;
  return shape;
}

/** Finds the unit whose body holds a line (units sorted by body start, bodies never overlap); -1 for module level. */
export function unitAtLine(units: readonly PythonUnit[], line: number): number {
  let low = 0;
  let high = units.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const unit = units[mid];
    if (line < unit.bodyStartLine) high = mid - 1;
    else if (line > unit.endLine) low = mid + 1;
    else return mid;
  }
  return -1;
}
