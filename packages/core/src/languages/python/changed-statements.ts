import type { Node } from 'web-tree-sitter';
import type { BlobAnswers, StatementChange } from '../types.ts';
import { targetNames, visitBindings } from './name-bindings.ts';
import { isObject } from './kept-shapes.ts';
import {
  CLAUSES,
  codeChildren,
  COMPOUND_STATEMENTS,
  endLine,
  fingerprint,
  lastCodeLine,
  unitLinesOfTree,
} from './python-units.ts';
import { withPythonTree } from './tree-sitter-parser.ts';

/**
 * Which statements of a changed function changed, as line ranges of the old version, so the impact map can keep only
 * the tests that ran one of them (coverage records every line a test runs).
 *
 * Why that is safe: a test whose run never reached a changed statement runs the new code exactly as it ran the old
 * one, as long as the change only rewrote statements in place. So a function qualifies only when
 * - its statements keep their nesting and order: each old statement (or compound header) has one new counterpart and
 *   a simple statement stays a simple statement (one added, removed or moved changes where control goes);
 * - the names the function binds are the same (assigning, importing, deleting, `global`/`nonlocal` decide, for the
 *   whole body, whether a name is local: `y = 2` to `z = 2` changes what `return y` reads in every run);
 * - it stays a generator or stays not one (a `yield` anywhere changes what every call returns);
 * - no nested `def` or `class` and no `case` pattern changed (a nested function's defaults and decorators are made
 *   when its `def` runs but used by every later call, possibly in another test; patterns bind names).
 * Otherwise the function's change counts whole, as before. Lines, not statements, are what coverage records, so a
 * statement is its line range: a header spans from its keyword to its colon, a simple statement all its lines.
 */

/** One statement of a function's own body, or the header of a compound statement or clause. */
interface StatementEntry {
  /** Depth and kind: equal sequences mean the same control structure. */
  shape: string;
  print: string;
  /** Lines (1-based, inclusive). */
  first: number;
  last: number;
  /** Why this statement may not be narrowed when it changed (nested definitions). */
  whole?: string;
}

/** A function body cut into statements, with the names it binds and whether it is a generator. */
interface BodyStatements {
  entries: StatementEntry[];
  bindings: string;
  generator: boolean;
}

/** Cuts a function body into statements and headers, in source order, with the names they bind. */
function bodyStatements(body: Node, source: string): BodyStatements {
  const entries: StatementEntry[] = [];
  const bindings: string[] = [];
  const bind = (name: string) => bindings.push(name);
  const scanBindings = (nodes: readonly Node[]) => visitBindings(nodes, bind);
  let yields = 0;
  const printOf = (nodes: readonly Node[]) => {
    const out: string[] = [];
    for (const node of nodes) fingerprint(node, source, out);
    return out.join(' ');
  };
  const visitBlock = (block: Node, depth: number) => {
    // Named children: the `;` between statements on one line is a token of the block.
    for (const statement of codeChildren(block)) if (statement.isNamed) visitStatement(statement, depth);
  };
  const visitStatement = (node: Node, depth: number) => {
    const type = node.type;
    const definition = type === 'decorated_definition' ? node.childForFieldName('definition') : node;
    if (definition?.type === 'function_definition' || definition?.type === 'class_definition') {
      const name = definition.childForFieldName('name');
      if (name) bindings.push(name.text);
      const defBody = definition.childForFieldName('body');
      if (definition.type === 'class_definition' || !defBody) {
        entries.push({
          shape: `${depth}:class`,
          print: printOf([node]),
          first: node.startPosition.row + 1,
          last: lastCodeLine(node),
          whole: 'a class defined in it changed',
        });
        return;
      }
      // The header: decorators, name, parameters with their defaults and annotations (made when the `def` runs).
      const header = [
        ...codeChildren(node).filter((part) => part.type === 'decorator'),
        ...codeChildren(definition).filter((part) => part.startIndex < defBody.startIndex),
      ];
      yields += scanBindings(header);
      entries.push({
        shape: `${depth}:def`,
        print: printOf(header),
        first: node.startPosition.row + 1,
        last: Math.max(...header.map(endLine)),
        whole: 'the header of a function defined in it changed',
      });
      return;
    }
    if (COMPOUND_STATEMENTS.has(type) || CLAUSES.has(type)) {
      const parts = codeChildren(node);
      const header = parts.filter((part) => part.type !== 'block' && !CLAUSES.has(part.type));
      if (type === 'for_statement') targetNames(node.childForFieldName('left'), bindings);
      // A pattern binds names (`case Point(x=a)`): a changed one counts as other names bound.
      if (type === 'case_clause') bindings.push(`case:${printOf(header)}`);
      else yields += scanBindings(header);
      entries.push({
        shape: `${depth}:${type}`,
        print: printOf(header),
        first: node.startPosition.row + 1,
        last: header.length ? Math.max(...header.map(endLine)) : node.startPosition.row + 1,
      });
      for (const part of parts) {
        if (part.type === 'block') visitBlock(part, depth + 1);
        else if (CLAUSES.has(part.type)) visitStatement(part, depth);
      }
      return;
    }
    yields += scanBindings([node]);
    entries.push({
      shape: `${depth}:simple`,
      print: printOf([node]),
      first: node.startPosition.row + 1,
      last: endLine(node),
    });
  };
  visitBlock(body, 0);
  return { entries, bindings: [...new Set(bindings)].sort().join('\u0000'), generator: yields > 0 };
}

/** The body node of every function, by the line its first statement is on (as `PythonUnit.bodyStartLine`). */
function functionBodies(root: Node): Map<number, Node> {
  const bodies = new Map<number, Node>();
  const cursor = root.walk();
  try {
    for (;;) {
      if (cursor.nodeType === 'function_definition') {
        const body = cursor.currentNode.childForFieldName('body');
        const first = body && codeChildren(body)[0];
        if (body && first) bodies.set(first.startPosition.row + 1, body);
      }
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return bodies;
    }
  } finally {
    cursor.delete();
  }
}

/**
 * The question a blob's units' statements are kept under (`BlobAnswers`). The version names how entries are made:
 * a change to `bodyStatements` or to the fingerprints must bump it.
 */
export const UNIT_STATEMENTS_QUESTION = 'python-unit-statements/1';

/** A kept answer is untrusted data: statements exactly, else nothing (the version is parsed again). */
function isBodyStatements(value: unknown): value is BodyStatements {
  if (!isObject(value) || typeof value.bindings !== 'string' || typeof value.generator !== 'boolean') return false;
  return (
    Array.isArray(value.entries) &&
    value.entries.every(
      (entry: unknown) =>
        isObject(entry) &&
        typeof entry.shape === 'string' &&
        typeof entry.print === 'string' &&
        Number.isInteger(entry.first) &&
        Number.isInteger(entry.last) &&
        (entry.whole === undefined || typeof entry.whole === 'string'),
    )
  );
}

/**
 * The statements of the named units of the old version, kept by its blob when `kept` is given (the impact map's
 * commit is the same on every pull request: its version of a changed file is cut once, not on every run).
 */
function keptStatementsOfUnits(
  source: string,
  names: readonly string[],
  kept: { blob: string; answers: BlobAnswers } | undefined,
): Map<string, BodyStatements | undefined> {
  if (!kept) return statementsOfUnits(source, names);
  const record = kept.answers.get(kept.blob, UNIT_STATEMENTS_QUESTION);
  const known = isObject(record) ? record : {};
  const found = new Map<string, BodyStatements | undefined>();
  const missing: string[] = [];
  for (const name of names) {
    const value = Object.hasOwn(known, name) ? known[name] : undefined;
    if (value === null) found.set(name, undefined);
    else if (isBodyStatements(value)) found.set(name, value);
    else missing.push(name);
  }
  if (missing.length === 0) return found;
  const made = statementsOfUnits(source, missing);
  // A unit may be named `__proto__`: a record without a prototype keeps it as a plain key.
  const updated: Record<string, BodyStatements | null> = Object.create(null);
  for (const [name, value] of Object.entries(known))
    if (value === null || isBodyStatements(value)) updated[name] = value;
  for (const name of missing) {
    found.set(name, made.get(name));
    updated[name] = made.get(name) ?? null;
  }
  kept.answers.set(kept.blob, UNIT_STATEMENTS_QUESTION, updated);
  return found;
}

/** The statements of the named units of one version (undefined for a unit the version does not have). */
function statementsOfUnits(source: string, names: readonly string[]): Map<string, BodyStatements | undefined> {
  return withPythonTree(source, (tree) => {
    const found = new Map<string, BodyStatements | undefined>();
    if (!tree) return found;
    const units = unitLinesOfTree(tree, source);
    const bodies = functionBodies(tree.rootNode);
    for (const name of names) {
      const unit = units.find((candidate) => candidate.qualifiedName === name);
      const body = unit && bodies.get(unit.bodyStartLine);
      found.set(name, body ? bodyStatements(body, source) : undefined);
    }
    return found;
  });
}

/**
 * For each named unit whose body changed between `oldSource` and `newSource` (`compareVersions`' `changedBodies`):
 * the old version's line ranges of the statements that changed, or why the change must count for the whole unit.
 * `kept`: the old version's blob and the run's kept answers, where its statements are kept. Requires
 * `loadPythonParser()` to have been awaited.
 */
export function changedPythonStatements(
  oldSource: string,
  newSource: string,
  names: readonly string[],
  kept?: { blob: string; answers: BlobAnswers },
): Map<string, StatementChange> {
  const before = keptStatementsOfUnits(oldSource, names, kept);
  const after = statementsOfUnits(newSource, names);
  const result = new Map<string, StatementChange>();
  for (const name of names) result.set(name, compareBodies(before.get(name), after.get(name)));
  return result;
}

function compareBodies(before: BodyStatements | undefined, after: BodyStatements | undefined): StatementChange {
  if (!before || !after) return { whole: 'its body was not found in both versions' };
  if (
    before.entries.length !== after.entries.length ||
    before.entries.some((entry, i) => entry.shape !== after.entries[i].shape)
  )
    return { whole: 'statements were added, removed or moved' };
  if (before.bindings !== after.bindings) return { whole: 'the names it binds changed' };
  if (before.generator !== after.generator) return { whole: 'it became or stopped being a generator' };
  const lines: [number, number][] = [];
  for (let i = 0; i < before.entries.length; i++) {
    const entry = before.entries[i];
    if (entry.print === after.entries[i].print) continue;
    if (entry.whole) return { whole: entry.whole };
    lines.push([entry.first, entry.last]);
  }
  if (lines.length === 0) return { whole: 'no statement of its own changed' };
  return { lines };
}

/**
 * Every function body of `source` cut into statements, as the comparison cuts it: by the line its body starts on,
 * each statement's kind (`simple`, `def`, `class`, or the compound statement or clause) and lines. For conformance
 * tests against CPython's `ast`.
 */
export function pythonStatementLines(source: string): Map<number, { kind: string; first: number; last: number }[]> {
  return withPythonTree(source, (tree) => {
    const byBody = new Map<number, { kind: string; first: number; last: number }[]>();
    if (!tree) return byBody;
    for (const [line, body] of functionBodies(tree.rootNode)) {
      byBody.set(
        line,
        bodyStatements(body, source).entries.map((entry) => ({
          kind: entry.shape.slice(entry.shape.indexOf(':') + 1),
          first: entry.first,
          last: entry.last,
        })),
      );
    }
    return byBody;
  });
}
