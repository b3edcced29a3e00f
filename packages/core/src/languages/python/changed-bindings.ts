import type { Node, Tree } from 'web-tree-sitter';
import { firstSyntaxError } from './analyze-source.ts';
import { globalDeclarations, readsNoOuterBinding } from './parameter-scope.ts';
import { fingerprint, unitAtLine, unitLines, unitLinesOfTree, type PythonUnit } from './python-units.ts';
import { withPythonTree } from './tree-sitter-parser.ts';

/**
 * What a module-level or class-level change did, when it did nothing but give names new values: tests see the change
 * only through code that reads those names (or, for `functions`, by calling the function whose default changed).
 */
export interface ChangedBindings {
  /** Names (module globals or class attributes) bound to a new value by the same simple assignment. */
  names: string[];
  /** Qualified names of functions and methods whose default argument values (literals only) changed. */
  functions: string[];
  /** Names whose assignment became `pass` (removed): code reading them fails, so only function bodies may read them. */
  removed: string[];
}

/** Module-level dunders that Python itself never reads (metadata): a new value matters only to code that reads it. */
const METADATA_DUNDERS = new Set([
  '__version__',
  '__author__',
  '__license__',
  '__title__',
  '__build__',
  '__copyright__',
  '__email__',
  '__status__',
  '__credits__',
  '__maintainer__',
  '__url__',
  '__description__',
  '__docformat__',
  '__all__',
]);
const isDunder = (name: string) => name.length > 4 && name.startsWith('__') && name.endsWith('__');

const LAYOUT = new Set(['comment', 'line_continuation']);
const codeChildren = (node: Node): Node[] => node.children.filter((c): c is Node => c !== null && !LAYOUT.has(c.type));
const print = (node: Node | null, source: string): string => (node ? fingerprint(node, source).join(' ') : '');

/** Literal values only (numbers, strings without placeholders, True/False/None, signs, tuples/lists of them). */
function isLiteral(node: Node): boolean {
  switch (node.type) {
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
    case 'none':
      return true;
    case 'string':
      return !node.children.some((c) => c?.type === 'interpolation');
    case 'concatenated_string':
    case 'tuple':
    case 'list':
    case 'parenthesized_expression':
      return codeChildren(node).every((c) => !c.isNamed || isLiteral(c));
    case 'unary_operator':
      return isLiteral(node.childForFieldName('argument')!);
    default:
      return false;
  }
}

/** The names an assignment target binds when it is a plain name or a tuple of plain names; else undefined. */
function targetNames(target: Node | null): string[] | undefined {
  if (!target) return undefined;
  if (target.type === 'identifier') return [target.text];
  if (target.type === 'pattern_list' || target.type === 'tuple_pattern') {
    const names: string[] = [];
    for (const part of codeChildren(target)) {
      if (!part.isNamed) continue;
      if (part.type !== 'identifier') return undefined;
      names.push(part.text);
    }
    return names;
  }
  return undefined;
}

/** `x = ...`, `x: T = ...`, `x += ...` as a statement: its node, else undefined. */
function simpleAssignment(statement: Node): Node | undefined {
  if (statement.type !== 'expression_statement') return undefined;
  const parts = codeChildren(statement);
  const only = parts.length === 1 ? parts[0] : undefined;
  return only && (only.type === 'assignment' || only.type === 'augmented_assignment') ? only : undefined;
}

/** A function definition's parameters with every default value blanked, and its default values. */
function parameterShape(definition: Node, source: string): { masked: string; defaults: Node[] } {
  const parameters = definition.childForFieldName('parameters');
  const defaults: Node[] = [];
  const masked: string[] = [];
  for (const parameter of parameters ? codeChildren(parameters) : []) {
    if (parameter.type === 'default_parameter' || parameter.type === 'typed_default_parameter') {
      const value = parameter.childForFieldName('value');
      if (value) defaults.push(value);
      masked.push(
        print(parameter.childForFieldName('name'), source),
        print(parameter.childForFieldName('type'), source),
        '=?',
      );
    } else masked.push(print(parameter, source));
  }
  return { masked: masked.join(' '), defaults };
}

/**
 * Compares two versions of a module statement by statement, in the module body and class bodies (function bodies
 * are the unit comparison's business). Returns the names whose value changed, or why the change is more than that
 * (a statement added, removed or of another kind, an import, a decorator, a base class, a dunder Python reads...).
 * Requires `loadPythonParser()` to have been awaited.
 */
export function changedBindings(before: string, after: string): ChangedBindings | string {
  return withPythonTree(before, (oldTree) =>
    withPythonTree(after, (newTree) => {
      if (!oldTree || !newTree || oldTree.rootNode.hasError || newTree.rootNode.hasError)
        return 'a version does not parse';
      const found: ChangedBindings = { names: [], functions: [], removed: [] };
      const problem = compareBlocks(oldTree.rootNode, newTree.rootNode, before, after, [], found);
      if (problem) return problem;
      found.names = [...new Set(found.names)].sort();
      found.functions = [...new Set(found.functions)].sort();
      found.removed = [...new Set(found.removed)].sort();
      return found;
    }),
  );
}

/**
 * Classes whose attributes only code that names them reads: no decorator (`@dataclass` turns attributes into
 * `__init__` defaults), no keyword in the bases (`metaclass=`), and bases that are `object` or such classes of the
 * same module (an `Enum` member's value is found by value, a `NamedTuple`'s defaults by position).
 */
function plainClasses(root: Node): Set<string> {
  const plain = new Set<string>();
  for (const statement of codeChildren(root)) {
    if (statement.type !== 'class_definition') continue;
    const bases = statement.childForFieldName('superclasses');
    const names = bases ? codeChildren(bases).filter((c) => c.isNamed) : [];
    if (names.every((base) => base.type === 'identifier' && (base.text === 'object' || plain.has(base.text))))
      plain.add(statement.childForFieldName('name')!.text);
  }
  return plain;
}

function compareBlocks(
  oldBlock: Node,
  newBlock: Node,
  before: string,
  after: string,
  prefix: string[],
  found: ChangedBindings,
  plain: ReadonlySet<string> = plainClasses(newBlock),
): string | undefined {
  const oldStatements = codeChildren(oldBlock);
  const newStatements = codeChildren(newBlock);
  const where = prefix.length ? `the body of class ${prefix.join('.')}` : 'module level';
  if (oldStatements.length !== newStatements.length) return `statements added or removed at ${where}`;
  const seen = new Map<string, number>();
  for (let i = 0; i < oldStatements.length; i++) {
    let oldStatement = oldStatements[i];
    let newStatement = newStatements[i];
    const line = newStatement.startPosition.row + 1;
    const definitionName = (node: Node) =>
      (node.type === 'decorated_definition' ? node.childForFieldName('definition') : node)?.childForFieldName('name')
        ?.text;
    const name = definitionName(newStatement);
    if (name) seen.set(name, (seen.get(name) ?? 0) + 1);
    if (print(oldStatement, before) === print(newStatement, after)) continue;
    if (newStatement.type === 'pass_statement' && oldStatement.type !== 'pass_statement') {
      const removed = simpleAssignment(oldStatement);
      const targets = removed?.type === 'assignment' ? targetNames(removed.childForFieldName('left')) : undefined;
      if (!targets) return `a statement at ${where} (line ${line}) was replaced by pass`;
      const problem = dunderProblem(targets, prefix, where, line);
      if (problem) return problem;
      found.removed.push(...targets);
      continue;
    }
    if (oldStatement.type !== newStatement.type) return `a statement at ${where} (line ${line}) changed kind`;
    if (oldStatement.type === 'decorated_definition') {
      const decorators = (node: Node, source: string) =>
        codeChildren(node)
          .filter((c) => c.type === 'decorator')
          .map((c) => print(c, source))
          .join(' ');
      if (decorators(oldStatement, before) !== decorators(newStatement, after))
        return `decorators changed at ${where} (line ${line})`;
      oldStatement = oldStatement.childForFieldName('definition')!;
      newStatement = newStatement.childForFieldName('definition')!;
      if (oldStatement.type !== newStatement.type) return `a definition at ${where} (line ${line}) changed kind`;
    }
    if (oldStatement.type === 'class_definition' || oldStatement.type === 'function_definition') {
      const header = (node: Node, source: string, skip?: string) => {
        const body = node.childForFieldName('body')!.startIndex;
        const skipped = skip ? node.childForFieldName(skip)?.startIndex : undefined;
        return codeChildren(node)
          .filter((c) => c.startIndex < body && c.startIndex !== skipped)
          .map((c) => print(c, source))
          .join(' ');
      };
      if (oldStatement.type === 'class_definition') {
        if (header(oldStatement, before) !== header(newStatement, after))
          return `the header of class ${name} changed (line ${line})`;
        const attributes = { names: [], functions: found.functions, removed: [] } as ChangedBindings;
        const problem = compareBlocks(
          oldStatement.childForFieldName('body')!,
          newStatement.childForFieldName('body')!,
          before,
          after,
          [...prefix, name!],
          attributes,
          plain,
        );
        if (problem) return problem;
        const changedAttributes = [...attributes.names, ...attributes.removed];
        // A class nested in a class, or one with a decorator, metaclass or other base: its attributes may be read unnamed.
        if (
          changedAttributes.length &&
          (prefix.length || !plain.has(name!) || newStatements[i].type === 'decorated_definition')
        ) {
          return `attribute ${changedAttributes[0]} of class ${[...prefix, name].join('.')} changed and its decorators, metaclass or bases may read it (line ${line})`;
        }
        found.names.push(...attributes.names);
        found.removed.push(...attributes.removed);
        continue;
      }
      if (header(oldStatement, before, 'parameters') !== header(newStatement, after, 'parameters'))
        return `the header of ${name} changed (line ${line})`;
      const was = parameterShape(oldStatement, before);
      const now = parameterShape(newStatement, after);
      if (was.masked !== now.masked) return `the parameters of ${name} changed (line ${line})`;
      const changed = was.defaults
        .map((value, k) => [value, now.defaults[k]])
        .filter(([old, current]) => print(old, before) !== print(current, after));
      if (changed.some(([old, current]) => !isLiteral(old) || !isLiteral(current)))
        return `a default of ${name} that is not a literal changed (line ${line})`;
      if (changed.length) found.functions.push([...prefix, name].join('.'));
      continue;
    }
    const oldAssignment = simpleAssignment(oldStatement);
    const newAssignment = simpleAssignment(newStatement);
    if (!oldAssignment || !newAssignment || oldAssignment.type !== newAssignment.type)
      return `${where} code changed (line ${line})`;
    const oldTargets = targetNames(oldAssignment.childForFieldName('left'));
    const newTargets = targetNames(newAssignment.childForFieldName('left'));
    if (!oldTargets || !newTargets || oldTargets.join() !== newTargets.join())
      return `an assignment at ${where} changed its targets (line ${line})`;
    if (
      print(oldAssignment.childForFieldName('type'), before) !== print(newAssignment.childForFieldName('type'), after)
    )
      return `an annotation at ${where} changed (line ${line})`;
    const problem = dunderProblem(newTargets, prefix, where, line);
    if (problem) return problem;
    found.names.push(...newTargets);
  }
  for (const [name, count] of seen)
    if (count > 1 && found.functions.some((f) => f === [...prefix, name].join('.')))
      return `${name} is defined more than once at ${where}`;
  return undefined;
}

/** A dunder Python itself reads (any at class level, all but metadata at module level) cannot be followed by name. */
function dunderProblem(
  targets: readonly string[],
  prefix: readonly string[],
  where: string,
  line: number,
): string | undefined {
  const dunder = targets.find((target) => isDunder(target) && (prefix.length > 0 || !METADATA_DUNDERS.has(target)));
  return dunder ? `${dunder} changed at ${where} (line ${line}): Python itself reads it` : undefined;
}

/** Where a module reads some of the names: the units whose bodies read them, and what its top level does with them. */
export interface NameReaders {
  /** Qualified names of the smallest units whose body (or a nested definition's header) mentions a name. */
  units: string[];
  /** Names bound at module or class level by assignments whose value mentions a name (they change with it). */
  derived: string[];
  /** Functions whose default values mention a name (at module or class level). */
  defaults: string[];
  /** Why a top-level mention cannot be followed (a decorator, a base class, a call statement...); undefined if none. */
  problem?: string;
}

const STATEMENT_PARENTS = new Set(['module', 'block']);

/**
 * Every mention of `names` in a module (identifiers, attribute names, keyword names and strings equal to a name, as
 * `getattr(x, "name")` reads it), sorted into readers. Imports (`from m import name`, re-exports) are not reads; an
 * `as` alias is returned as derived. `removed` (names that were removed): any mention outside a function body is a
 * problem but an import from another module, an `import` statement or a listing in `__all__`. Requires `loadPythonParser()` to have been awaited.
 */
export function readersOfNames(
  source: string,
  names: ReadonlySet<string>,
  removed?: { mayImportChanged: (module: string) => boolean },
): NameReaders {
  const result: NameReaders = { units: [], derived: [], defaults: [] };
  const units = new Set<string>();
  const derived = new Set<string>();
  const defaults = new Set<string>();
  withPythonTree(source, (tree) => {
    if (!tree || tree.rootNode.hasError) {
      result.problem = `it does not parse (line ${tree ? (firstSyntaxError(tree)?.line ?? 1) : 1})`;
      return;
    }
    let owner: Int32Array | undefined;
    let shaped: PythonUnit[] | undefined;
    let declared: Set<string> | undefined;
    // The mentions in source order (a name is a leaf of the tree: found by its text, then by its place in the tree).
    for (const node of mentionsOf(tree, source, names)) {
      // A parameter of that name, where it is declared or inside its function, or a keyword argument's name.
      declared ??= globalDeclarations(source);
      if (readsNoOuterBinding(node, declared)) continue;
      const line = node.startPosition.row + 1;
      shaped ??= unitLinesOfTree(tree, source);
      owner ??= unitLines(shaped);
      const unit = unitAtLine(owner, line);
      if (unit >= 0) units.add(shaped[unit].qualifiedName);
      else if (removed) {
        if (!harmlessWhenRemoved(node, removed.mayImportChanged))
          result.problem = `line ${line}: read outside a function body, where a removed name fails at import`;
      } else {
        const problem = topLevelMention(node, derived, defaults);
        if (problem) result.problem = `line ${line}: ${problem}`;
      }
      if (result.problem) break;
    }
  });
  result.units = [...units].sort();
  result.derived = [...derived].sort();
  result.defaults = [...defaults].sort();
  return result;
}

/**
 * The nodes that mention one of `names`, in source order: identifiers (names, attributes, keywords) equal to a name,
 * and the content of a plain string equal to a name. Every occurrence of a name's text is a candidate; the smallest
 * node there must be exactly it (so `name` inside `names` or inside a comment is not a mention).
 */
function mentionsOf(tree: Tree, source: string, names: ReadonlySet<string>): Node[] {
  const starts: Array<[number, number]> = [];
  for (const name of names) {
    if (name === '') continue;
    for (let at = source.indexOf(name); at !== -1; at = source.indexOf(name, at + 1))
      starts.push([at, at + name.length]);
  }
  starts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const found: Node[] = [];
  for (const [start, end] of starts) {
    const node = tree.rootNode.descendantForIndex(start, end);
    if (!node || node.startIndex !== start || node.endIndex !== end) continue;
    const isName = node.type === 'identifier';
    const isString = node.type === 'string_content' && node.parent?.namedChildCount === 3;
    if (isName || isString) found.push(node);
  }
  return found;
}

/** The name of a `def` or `class` (another binding of the same name, which reads nothing). */
function isDefinitionName(node: Node): boolean {
  const parent = node.parent;
  return (
    (parent?.type === 'function_definition' || parent?.type === 'class_definition') &&
    parent.childForFieldName('name')?.startIndex === node.startIndex
  );
}

/** A top-level mention of a removed name that cannot fail: a name imported from another module, a module name, `__all__`. */
function harmlessWhenRemoved(node: Node, mayImportChanged: (module: string) => boolean): boolean {
  if (isDefinitionName(node)) return true;
  for (let at: Node | null = node; at; at = at.parent) {
    if (at.type === 'import_statement') return true;
    if (at.type === 'import_from_statement') return !mayImportChanged(at.childForFieldName('module_name')?.text ?? '.');
    if (at.type === 'assignment') {
      const left = at.childForFieldName('left');
      if (left?.text === '__all__') return node.type === 'string_content';
      // Another binding of the same name (`__version__ = ...` in another module) reads nothing.
      if (left && node.startIndex >= left.startIndex && node.endIndex <= left.endIndex)
        return targetNames(left)?.includes(node.text) === true;
    }
    if (STATEMENT_PARENTS.has(at.parent?.type ?? '')) return false;
  }
  return false;
}

/** Sorts a mention outside every unit body; returns why it cannot be followed. */
function topLevelMention(node: Node, derived: Set<string>, defaults: Set<string>): string | undefined {
  if (isDefinitionName(node)) return undefined;
  let inLeft = false;
  let inParameters = false;
  for (let at: Node | null = node; at; at = at.parent) {
    const parent: Node | null = at.parent;
    if (
      at.type === 'import_from_statement' ||
      at.type === 'import_statement' ||
      at.type === 'future_import_statement'
    ) {
      // `from m import name as alias`: the name sits in a dotted name inside the aliased import.
      const aliased = [node.parent, node.parent?.parent].find((n) => n?.type === 'aliased_import');
      const alias =
        aliased && aliased.childForFieldName('name')?.text === node.text
          ? aliased.childForFieldName('alias')?.text
          : undefined;
      if (alias) derived.add(alias);
      return undefined;
    }
    if (at.type === 'parameters' || at.type === 'lambda_parameters') inParameters = true;
    if (
      (at.type === 'assignment' || at.type === 'augmented_assignment') &&
      parent?.type === 'expression_statement' &&
      STATEMENT_PARENTS.has(parent.parent?.type ?? '')
    ) {
      const left = at.childForFieldName('left');
      if (left && node.startIndex >= left.startIndex && node.endIndex <= left.endIndex) inLeft = true;
      if (inLeft) return undefined;
      const targets = targetNames(left);
      if (!targets) return `an assignment to ${left?.text.slice(0, 40) ?? '?'} reads it`;
      // `__all__ = ["name"]` lists names for star imports; it reads no value.
      if (targets.length === 1 && targets[0] === '__all__') return undefined;
      for (const target of targets) derived.add(target);
      return undefined;
    }
    if (at.type === 'function_definition' && inParameters) {
      const names: string[] = [];
      for (let scope: Node | null = at; scope; scope = scope.parent) {
        if (scope.type === 'function_definition') {
          if (scope !== at) return 'a nested definition reads it in its header';
          names.unshift(scope.childForFieldName('name')?.text ?? '?');
        } else if (scope.type === 'class_definition') names.unshift(scope.childForFieldName('name')?.text ?? '?');
      }
      defaults.add(names.join('.'));
      return undefined;
    }
    if (STATEMENT_PARENTS.has(parent?.type ?? ''))
      return `a ${at.type.replace(/_/g, ' ')} reads it at module or class level`;
  }
  return 'read at module level';
}
