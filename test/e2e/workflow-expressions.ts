/**
 * A small, strict evaluator of GitHub Actions expressions (`${{ ... }}`), for running a workflow file in a test.
 * It implements the operators and coercions GitHub documents (loose `==` with number coercion, case-insensitive
 * string comparison, `&&`/`||` returning an operand) and only the functions our workflows use. Anything else —
 * an unknown function, context, step, output or job — throws, so a workflow that drifts from what the test can
 * evaluate fails the test instead of being read as an empty string.
 */

/** A context whose properties must all be known: reading any other property is an error that names the path. */
export class StrictObject {
  readonly path: string;
  private readonly lookup: (name: string) => Value | undefined;
  constructor(path: string, lookup: (name: string) => Value | undefined) {
    this.path = path;
    this.lookup = lookup;
  }

  get(name: string): Value {
    const value = this.lookup(name);
    if (value === undefined) throw new ExpressionError(`'${this.path}.${name}' is not available here`);
    return value;
  }

  /** A strict view of a plain record: only its own keys exist. */
  static of(path: string, record: Record<string, Value>): StrictObject {
    return new StrictObject(path, (name) => (Object.hasOwn(record, name) ? record[name] : undefined));
  }
}

export type Value = null | boolean | number | string | Value[] | { [key: string]: Value } | StrictObject;

export class ExpressionError extends Error {}

/** Named contexts (github, steps, needs, matrix, env, runner) and the job status for the status functions. */
export interface EvaluationScope {
  contexts: Record<string, Value>;
  /** success/failure of what came before: earlier steps for a step's `if`, the needed jobs for a job's `if`. */
  status?: 'success' | 'failure' | 'skipped';
}

type Token =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'word'; value: string }
  | { kind: 'op'; value: string };

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', '.', ','];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    if (rest[0] === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= source.length) throw new ExpressionError(`unterminated string in '${source}'`);
        if (source[j] === "'") {
          if (source[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += source[j++];
      }
      tokens.push({ kind: 'string', value });
      i = j + 1;
      continue;
    }
    const number = /^(0x[0-9a-f]+|\d+(\.\d+)?(e[+-]?\d+)?)/i.exec(rest);
    // A number only where a value may start (not `a.0`-style property access, which we do not use).
    if (number && (tokens.length === 0 || tokens[tokens.length - 1].value !== '.')) {
      tokens.push({ kind: 'number', value: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(rest);
    if (word) {
      tokens.push({ kind: 'word', value: word[0] });
      i += word[0].length;
      continue;
    }
    const op = OPERATORS.find((candidate) => rest.startsWith(candidate));
    if (!op) throw new ExpressionError(`unexpected '${rest[0]}' in '${source}'`);
    tokens.push({ kind: 'op', value: op });
    i += op.length;
  }
  return tokens;
}

type Node =
  | { type: 'literal'; value: Value }
  | { type: 'context'; name: string }
  | { type: 'member'; object: Node; property: Node }
  | { type: 'call'; name: string; args: Node[] }
  | { type: 'not'; operand: Node }
  | { type: 'binary'; op: string; left: Node; right: Node };

class Parser {
  private index = 0;
  private readonly tokens: Token[];
  private readonly source: string;
  constructor(tokens: Token[], source: string) {
    this.tokens = tokens;
    this.source = source;
  }

  parse(): Node {
    const node = this.or();
    if (this.index < this.tokens.length)
      throw new ExpressionError(`unexpected '${this.tokens[this.index].value}' in '${this.source}'`);
    return node;
  }

  private peek(value: string): boolean {
    const token = this.tokens[this.index];
    return token !== undefined && token.kind === 'op' && token.value === value;
  }

  private expect(value: string): void {
    if (!this.peek(value)) throw new ExpressionError(`expected '${value}' in '${this.source}'`);
    this.index++;
  }

  private binary(next: () => Node, ops: string[]): Node {
    let left = next();
    for (;;) {
      const op = ops.find((candidate) => this.peek(candidate));
      if (!op) return left;
      this.index++;
      left = { type: 'binary', op, left, right: next() };
    }
  }

  private or = (): Node => this.binary(this.and, ['||']);
  private and = (): Node => this.binary(this.equality, ['&&']);
  private equality = (): Node => this.binary(this.comparison, ['==', '!=']);
  private comparison = (): Node => this.binary(this.unary, ['<=', '>=', '<', '>']);

  private unary = (): Node => {
    if (this.peek('!')) {
      this.index++;
      return { type: 'not', operand: this.unary() };
    }
    return this.postfix();
  };

  private postfix(): Node {
    let node = this.primary();
    for (;;) {
      if (this.peek('.')) {
        this.index++;
        const name = this.tokens[this.index++];
        if (name?.kind !== 'word') throw new ExpressionError(`expected a property name after '.' in '${this.source}'`);
        node = { type: 'member', object: node, property: { type: 'literal', value: name.value } };
      } else if (this.peek('[')) {
        this.index++;
        const property = this.or();
        this.expect(']');
        node = { type: 'member', object: node, property };
      } else {
        return node;
      }
    }
  }

  private primary(): Node {
    const token = this.tokens[this.index++];
    if (!token) throw new ExpressionError(`unexpected end of '${this.source}'`);
    if (token.kind === 'number' || token.kind === 'string') return { type: 'literal', value: token.value };
    if (token.kind === 'op' && token.value === '(') {
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    if (token.kind === 'word') {
      if (token.value === 'true' || token.value === 'false') return { type: 'literal', value: token.value === 'true' };
      if (token.value === 'null') return { type: 'literal', value: null };
      if (this.peek('(')) {
        this.index++;
        const args: Node[] = [];
        while (!this.peek(')')) {
          args.push(this.or());
          if (!this.peek(')')) this.expect(',');
        }
        this.index++;
        return { type: 'call', name: token.value, args };
      }
      return { type: 'context', name: token.value };
    }
    throw new ExpressionError(`unexpected '${token.value}' in '${this.source}'`);
  }
}

/** GitHub's truthiness: false, 0, -0, NaN, '' and null are falsy; objects and arrays are truthy. */
export function truthy(value: Value): boolean {
  if (value === null || value === false || value === '') return false;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  return true;
}

function toNumber(value: Value): number {
  if (value === null) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return value.trim() === '' ? 0 : Number(value);
  return Number.NaN;
}

function looseEquals(left: Value, right: Value): boolean {
  if (typeof left === 'string' && typeof right === 'string') return left.toLowerCase() === right.toLowerCase();
  const leftIsObject = typeof left === 'object' && left !== null;
  const rightIsObject = typeof right === 'object' && right !== null;
  if (leftIsObject || rightIsObject) return left === right;
  if (typeof left === typeof right) return left === right;
  return toNumber(left) === toNumber(right);
}

function compare(op: string, left: Value, right: Value): boolean {
  let a: number | string;
  let b: number | string;
  if (typeof left === 'string' && typeof right === 'string') {
    a = left.toLowerCase();
    b = right.toLowerCase();
  } else {
    a = toNumber(left);
    b = toNumber(right);
    if (Number.isNaN(a) || Number.isNaN(b)) return false;
  }
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

function member(object: Value, property: Value, describe: () => string): Value {
  if (object instanceof StrictObject) {
    if (typeof property !== 'string')
      throw new ExpressionError(`'${object.path}' has no property ${JSON.stringify(property)}`);
    return object.get(property);
  }
  if (Array.isArray(object)) {
    const index = toNumber(property);
    return Number.isInteger(index) && index >= 0 && index < object.length ? object[index] : null;
  }
  if (typeof object === 'object' && object !== null && typeof property === 'string') {
    // Plain data (an event payload, fromJSON's result): a missing key is null, as on GitHub. Keys match
    // case-insensitively, as on GitHub.
    const key = Object.keys(object).find((name) => name.toLowerCase() === property.toLowerCase());
    return key === undefined ? null : object[key];
  }
  if (object === null) return null;
  throw new ExpressionError(`cannot read ${JSON.stringify(property)} of ${describe()} (a ${typeof object})`);
}

/** Turns a value into the text `${{ }}` puts into a string (objects as JSON). */
export function stringify(value: Value): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (value instanceof StrictObject) throw new ExpressionError(`'${value.path}' is a context, not a value`);
  return JSON.stringify(value, null, 2);
}

function fromJson(text: Value): Value {
  if (typeof text !== 'string' || text.trim() === '') {
    // GitHub fails the job here too ("empty input"); say which value it was.
    throw new ExpressionError(`fromJSON() needs JSON text, got ${JSON.stringify(text)}`);
  }
  try {
    return JSON.parse(text) as Value;
  } catch (error) {
    throw new ExpressionError(`fromJSON() cannot parse ${JSON.stringify(text)}: ${(error as Error).message}`);
  }
}

function describe(node: Node): string {
  switch (node.type) {
    case 'literal':
      return JSON.stringify(node.value);
    case 'context':
      return node.name;
    case 'member':
      return `${describe(node.object)}.${node.property.type === 'literal' ? String(node.property.value) : '[...]'}`;
    case 'call':
      return `${node.name}(...)`;
    default:
      return 'an expression';
  }
}

function evaluateNode(node: Node, scope: EvaluationScope): Value {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'context': {
      if (!Object.hasOwn(scope.contexts, node.name))
        throw new ExpressionError(`the context '${node.name}' is not available here`);
      return scope.contexts[node.name];
    }
    case 'member':
      return member(evaluateNode(node.object, scope), evaluateNode(node.property, scope), () => describe(node.object));
    case 'not':
      return !truthy(evaluateNode(node.operand, scope));
    case 'binary': {
      if (node.op === '&&') {
        const left = evaluateNode(node.left, scope);
        return truthy(left) ? evaluateNode(node.right, scope) : left;
      }
      if (node.op === '||') {
        const left = evaluateNode(node.left, scope);
        return truthy(left) ? left : evaluateNode(node.right, scope);
      }
      const left = evaluateNode(node.left, scope);
      const right = evaluateNode(node.right, scope);
      if (node.op === '==') return looseEquals(left, right);
      if (node.op === '!=') return !looseEquals(left, right);
      return compare(node.op, left, right);
    }
    case 'call':
      return callFunction(node, scope);
  }
}

function callFunction(node: Extract<Node, { type: 'call' }>, scope: EvaluationScope): Value {
  const arity = (n: number) => {
    if (node.args.length !== n)
      throw new ExpressionError(`${node.name}() takes ${n} argument(s), got ${node.args.length}`);
  };
  const status = () => {
    if (scope.status === undefined) throw new ExpressionError(`${node.name}() is only available in 'if:' conditions`);
    return scope.status;
  };
  switch (node.name.toLowerCase()) {
    case 'fromjson':
      arity(1);
      return fromJson(evaluateNode(node.args[0], scope));
    case 'always':
      arity(0);
      status();
      return true;
    case 'success':
      arity(0);
      return status() === 'success';
    case 'failure':
      arity(0);
      return status() === 'failure';
    case 'cancelled':
      arity(0);
      status();
      return false;
    default:
      throw new ExpressionError(
        `the function '${node.name}()' is not implemented by this evaluator; add it (and a test) if the workflow needs it`,
      );
  }
}

const cache = new Map<string, Node>();

/** Evaluates one expression (the text inside `${{ }}`). */
export function evaluate(expression: string, scope: EvaluationScope): Value {
  let node = cache.get(expression);
  if (!node) {
    node = new Parser(tokenize(expression), expression).parse();
    cache.set(expression, node);
  }
  try {
    return evaluateNode(node, scope);
  } catch (error) {
    if (error instanceof ExpressionError)
      throw new ExpressionError(`${error.message} (in '\${{ ${expression.trim()} }}')`);
    throw error;
  }
}

const TEMPLATE = /\$\{\{(.*?)\}\}/gs;

/**
 * Evaluates a workflow value: a string that is exactly one `${{ }}` keeps the expression's type (for `matrix:`),
 * other strings get each `${{ }}` replaced by its text; non-strings (numbers, booleans in YAML) pass through.
 */
export function evaluateValue(value: unknown, scope: EvaluationScope): Value {
  if (typeof value !== 'string') {
    if (value === null || typeof value === 'boolean' || typeof value === 'number') return value;
    throw new ExpressionError(`cannot evaluate a ${typeof value} workflow value: ${JSON.stringify(value)}`);
  }
  const whole = /^\s*\$\{\{(.*)\}\}\s*$/s.exec(value);
  if (whole && !whole[1].includes('}}')) return evaluate(whole[1], scope);
  return value.replace(TEMPLATE, (_, expression: string) => stringify(evaluate(expression, scope)));
}

/** A value as the runner hands it to an action or a shell: always text. */
export function evaluateText(value: unknown, scope: EvaluationScope): string {
  return stringify(evaluateValue(value, scope));
}

/**
 * Evaluates an `if:` condition as the runner does: `${{ }}` is optional, and a condition without a status
 * function is implicitly `success() && (...)`.
 */
export function evaluateCondition(condition: unknown, scope: EvaluationScope): boolean {
  if (condition === undefined) return scope.status === 'success';
  if (typeof condition === 'boolean') return condition && scope.status === 'success';
  if (typeof condition !== 'string')
    throw new ExpressionError(`an 'if:' must be a string, got ${JSON.stringify(condition)}`);
  const whole = /^\s*\$\{\{(.*)\}\}\s*$/s.exec(condition);
  const expression = whole ? whole[1] : condition;
  const usesStatus = /\b(always|success|failure|cancelled)\s*\(/i.test(expression);
  const result = truthy(evaluate(expression, scope));
  return usesStatus ? result : scope.status === 'success' && result;
}
