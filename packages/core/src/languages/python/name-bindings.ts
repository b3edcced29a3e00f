import type { Node } from 'web-tree-sitter';

// The names Python code binds in a function's scope, read from tree-sitter's Python tree: what decides which names
// are local (the impact map's statement comparison) and what a function stores into module state (memoising).

/** Scopes of their own: what they bind is not the function's. */
const OWN_SCOPES = new Set(['lambda', 'function_definition', 'class_definition']);
/** Nodes whose named children are targets in turn (`a, (b, *c) = ...`). */
const TARGET_GROUPS = new Set([
  'pattern_list',
  'tuple_pattern',
  'list_pattern',
  'tuple',
  'list',
  'expression_list',
  'parenthesized_expression',
  'list_splat_pattern',
  'list_splat',
  'as_pattern_target',
  'type',
]);

/**
 * Names a target binds: `a`, `a, *b`, `(a, b)`; attributes and subscripts bind none; anything else by its text.
 * An explicit stack, not recursion: a target nests as deep as its source does.
 */
export function targetNames(target: Node | null, out: string[]): void {
  const stack: Node[] = target ? [target] : [];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === 'identifier') out.push(node.text);
    else if (node.type === 'attribute' || node.type === 'subscript') continue;
    else if (TARGET_GROUPS.has(node.type)) {
      const children = node.namedChildren;
      for (let i = children.length - 1; i >= 0; i--) if (children[i]) stack.push(children[i]!);
    } else out.push(`?${node.text}`);
  }
}

/**
 * Calls `bound` with each name `nodes` bind in the function's scope and the construct that binds it, in source order
 * (lambdas and nested definitions left out; a walrus in a comprehension binds in the function; `global x` and
 * `nonlocal x` as `global_statement:x` and `nonlocal_statement:x`; a target it cannot read as `?` and its text).
 * Returns how many `yield`s they hold. An explicit stack, not recursion: expressions nest as deep as the source
 * (a long `a + b + ...` is a chain as deep as it is long).
 */
export function visitBindings(nodes: readonly Node[], bound: (name: string, construct: Node) => void): number {
  let yields = 0;
  const stack: Node[] = [...nodes].reverse();
  while (stack.length) {
    const node = stack.pop()!;
    const type = node.type;
    if (OWN_SCOPES.has(type)) continue;
    const out: string[] = [];
    let descend = true;
    if (type === 'yield') yields += 1;
    else if (type === 'assignment' || type === 'augmented_assignment' || type === 'type_alias_statement')
      targetNames(node.childForFieldName('left'), out);
    else if (type === 'for_statement') targetNames(node.childForFieldName('left'), out);
    else if (type === 'named_expression') targetNames(node.childForFieldName('name'), out);
    else if (type === 'as_pattern') {
      const alias = node.childForFieldName('alias');
      if (alias) targetNames(alias, out);
    } else if (type === 'delete_statement') for (const child of node.namedChildren) targetNames(child, out);
    else if (type === 'global_statement' || type === 'nonlocal_statement') {
      for (const child of node.namedChildren) if (child) out.push(`${type}:${child.text}`);
    } else if (type === 'import_statement' || type === 'import_from_statement') {
      for (const name of node.childrenForFieldName('name')) {
        if (!name) continue;
        if (name.type === 'aliased_import') out.push(name.childForFieldName('alias')?.text ?? `?${name.text}`);
        // `import a.b` binds `a`; `from m import a` binds `a`.
        else if (type === 'import_statement') out.push(name.namedChildren[0]?.text ?? `?${name.text}`);
        else out.push(name.text);
      }
      if (node.children.some((child) => child?.type === 'wildcard_import')) out.push('*');
      descend = false;
    }
    for (const name of out) bound(name, node);
    if (!descend) continue;
    const children = node.children;
    for (let i = children.length - 1; i >= 0; i--) if (children[i]) stack.push(children[i]!);
  }
  return yields;
}
