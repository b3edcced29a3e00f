import type { Node } from 'web-tree-sitter';

/**
 * Mentions of a name (identifiers; a string is never one of these) that cannot read the module's (or the builtins') binding of it: the name of a parameter where
 * it is declared, the name of a keyword argument (`f(dir=1)`), and any mention inside a function or lambda that has
 * a parameter of that name (Python resolves it to the parameter: a parameter cannot be declared `global`, and a
 * nested function reaches it as a closure). `global NAME` anywhere in the source turns the last rule off for that
 * name, since a nested function may then mean the module's binding. A default value (`def f(x=LIMIT)`) is not a
 * parameter's name and still reads.
 */
export function readsNoOuterBinding(node: Node, declared: ReadonlySet<string>): boolean {
  if (node.type !== 'identifier') return false;
  const parent = node.parent;
  if (parent?.type === 'keyword_argument' && sameNode(parent.childForFieldName('name'), node)) return true;
  if (isParameterName(node)) return true;
  // `obj.name` reads an attribute of whatever `obj` is (a module's binding, possibly), never a local.
  if (parent?.type === 'attribute' && sameNode(parent.childForFieldName('attribute'), node)) return false;
  if (declared.has(node.text)) return false;
  for (let from: Node = node, at = parent; at; from = at, at = at.parent) {
    if (at.type !== 'function_definition' && at.type !== 'lambda') continue;
    // Defaults, annotations and decorators are evaluated where the function is defined: only its body is its scope.
    if (sameNode(at.childForFieldName('body'), from) && parameterNames(at).includes(node.text)) return true;
  }
  return false;
}

const sameNode = (a: Node | null, b: Node) => a !== null && a.startIndex === b.startIndex && a.endIndex === b.endIndex;

const PARAMETER_LISTS = new Set(['parameters', 'lambda_parameters']);
const SPLATS = new Set(['list_splat_pattern', 'dictionary_splat_pattern']);

/** The identifier that names one entry of a parameter list (`x`, `x: T`, `x=1`, `x: T = 1`, `*xs`, `**kw`). */
function parameterNameNode(parameter: Node): Node | null {
  switch (parameter.type) {
    case 'identifier':
      return parameter;
    case 'default_parameter':
    case 'typed_default_parameter':
      return parameter.childForFieldName('name');
    case 'typed_parameter':
    case 'list_splat_pattern':
    case 'dictionary_splat_pattern': {
      const first = parameter.namedChildren.find((child) => child !== null && child.type !== 'comment') ?? null;
      return first && first.type !== 'identifier' ? parameterNameNode(first) : first;
    }
    default:
      return null;
  }
}

/** Whether `node` is where a parameter list declares a name. */
function isParameterName(node: Node): boolean {
  for (let at: Node | null = node, up = node.parent; up; at = up, up = up.parent) {
    if (PARAMETER_LISTS.has(up.type)) {
      const name = at ? parameterNameNode(at) : null;
      return name !== null && sameNode(name, node);
    }
    if (up.type !== 'typed_parameter' && up.type !== 'default_parameter' && up.type !== 'typed_default_parameter')
      if (!SPLATS.has(up.type)) return false;
  }
  return false;
}

/** The names a function definition or lambda binds as parameters. */
function parameterNames(definition: Node): string[] {
  const list = definition.childForFieldName('parameters');
  if (!list) return [];
  const names: string[] = [];
  for (const parameter of list.namedChildren) {
    const name = parameter ? parameterNameNode(parameter) : null;
    if (name) names.push(name.text);
  }
  return names;
}

/** The names `global` statements of the source declare (a cheap textual reading: a name too many only costs precision). */
export function globalDeclarations(source: string): Set<string> {
  const names = new Set<string>();
  for (const match of source.matchAll(/\bglobal\b([^\n;]*)/g))
    for (const part of match[1].split(',')) names.add(part.trim());
  return names;
}
