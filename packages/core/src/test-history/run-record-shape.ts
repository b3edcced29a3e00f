/**
 * The shape check of one history line (a RunRecord as JSON), written out by hand: every `record`, `train` and
 * `predict` reads the whole history, and compiling a JSON-schema validator for it cost ~50 ms of CPU per process,
 * more than checking every line. The rules are the JSON schema the history was first checked with
 * (test/test-history/run-record-shape.test.ts holds that schema and checks that both judge the same lines alike):
 * required fields, types, bounds; unknown fields are allowed (older and newer writers add some).
 *
 * The answer is the first problem found, as `<JSON pointer> <what is wrong>` ('the line' for the whole line).
 */

type Problem = string | undefined;

const FINITE_BOUND = 1e15;
const OUTCOMES: ReadonlySet<unknown> = new Set(['passed', 'failed', 'error', 'skipped']);
const RUN_REQUIRED = ['schema', 'time', 'commit', 'base', 'event', 'full', 'changes', 'reach', 'cases'] as const;
const CHANGE_REQUIRED = ['path', 'status', 'added', 'removed'] as const;
const CASE_REQUIRED = ['file', 'id', 'outcome', 'duration', 'retry'] as const;
const AUDIT_REQUIRED = ['failedFiles', 'missedByTestFilter', 'missedByPredictor', 'budget'] as const;

const has = (object: object, key: string) => Object.hasOwn(object, key);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function missing(object: Record<string, unknown>, required: readonly string[], at: string): Problem {
  for (const key of required) if (!has(object, key)) return `${at} must have required property '${key}'`;
  return undefined;
}

/** Characters as a JSON-schema length counts them (code points, not UTF-16 units). */
function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

function string(value: unknown, at: string, min?: number, max?: number): Problem {
  if (typeof value !== 'string') return `${at} must be string`;
  if (min === undefined && max === undefined) return undefined;
  // Code points are never more than UTF-16 units: count them only when the units say it could matter.
  const length =
    value.length >= (min ?? 0) && value.length <= (max ?? Number.POSITIVE_INFINITY) ? value.length : codePoints(value);
  if (min !== undefined && length < min) return `${at} must NOT have fewer than ${min} characters`;
  if (max !== undefined && length > max) return `${at} must NOT have more than ${max} characters`;
  return undefined;
}

function number(value: unknown, at: string, min: number, max: number): Problem {
  if (typeof value !== 'number') return `${at} must be number`;
  if (value < min) return `${at} must be >= ${min}`;
  if (value > max) return `${at} must be <= ${max}`;
  return undefined;
}

function boolean(value: unknown, at: string): Problem {
  return typeof value === 'boolean' ? undefined : `${at} must be boolean`;
}

function strings(value: unknown, at: string): Problem {
  if (!Array.isArray(value)) return `${at} must be array`;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') return `${at}/${i} must be string`;
  return undefined;
}

function change(value: unknown, at: string): Problem {
  if (!isObject(value)) return `${at} must be object`;
  return (
    missing(value, CHANGE_REQUIRED, at) ??
    string(value.path, `${at}/path`) ??
    string(value.status, `${at}/status`) ??
    (has(value, 'oldPath') ? string(value.oldPath, `${at}/oldPath`) : undefined) ??
    number(value.added, `${at}/added`, -FINITE_BOUND, FINITE_BOUND) ??
    number(value.removed, `${at}/removed`, -FINITE_BOUND, FINITE_BOUND)
  );
}

/** A test case with every required field of the right type and within bounds (what testCase accepts). */
function validCase(value: unknown): boolean {
  if (!isObject(value)) return false;
  const { file, id, duration, retry, outcome } = value;
  return (
    typeof file === 'string' &&
    typeof id === 'string' &&
    typeof duration === 'number' &&
    duration >= 0 &&
    duration <= 1e9 &&
    typeof retry === 'boolean' &&
    (outcome === 'passed' || outcome === 'failed' || outcome === 'error' || outcome === 'skipped')
  );
}

function testCase(value: unknown, at: string): Problem {
  if (!isObject(value)) return `${at} must be object`;
  return (
    missing(value, CASE_REQUIRED, at) ??
    string(value.file, `${at}/file`) ??
    string(value.id, `${at}/id`) ??
    (OUTCOMES.has(value.outcome) ? undefined : `${at}/outcome must be equal to one of the allowed values`) ??
    number(value.duration, `${at}/duration`, 0, 1e9) ??
    boolean(value.retry, `${at}/retry`)
  );
}

/** The first problem of a stored safety audit (a run's `audit`), or undefined when it is one. */
export function auditProblem(value: unknown): string | undefined {
  return audit(value, '/audit');
}

function audit(value: unknown, at: string): Problem {
  if (!isObject(value)) return `${at} must be object`;
  const nullableStrings = (field: unknown, where: string) =>
    field === null ? undefined : Array.isArray(field) ? strings(field, where) : `${where} must be array,null`;
  return (
    missing(value, AUDIT_REQUIRED, at) ??
    strings(value.failedFiles, `${at}/failedFiles`) ??
    nullableStrings(value.missedByTestFilter, `${at}/missedByTestFilter`) ??
    nullableStrings(value.missedByPredictor, `${at}/missedByPredictor`) ??
    string(value.budget, `${at}/budget`)
  );
}

/**
 * The first problem of an array's items (`check` per item), or that it is no array. `valid` is a quick test an item
 * passes when `check` would find nothing (most items): the item's pointer is only built for the others.
 */
function items(
  value: unknown,
  at: string,
  check: (item: unknown, at: string) => Problem,
  valid: (item: unknown) => boolean = () => false,
): Problem {
  if (!Array.isArray(value)) return `${at} must be array`;
  for (let i = 0; i < value.length; i++) {
    if (valid(value[i])) continue;
    const problem = check(value[i], `${at}/${i}`);
    if (problem) return problem;
  }
  return undefined;
}

function reach(value: unknown): Problem {
  if (value === null) return undefined;
  if (!isObject(value)) return '/reach must be object,null';
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const distance = value[key];
    if (typeof distance === 'number' && distance >= -FINITE_BOUND && distance <= FINITE_BOUND) continue;
    const problem = number(distance, `/reach/${pointerToken(key)}`, -FINITE_BOUND, FINITE_BOUND);
    if (problem) return problem;
  }
  return undefined;
}

/** A key as one JSON-pointer token (`~` and `/` escaped). */
function pointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The reason a parsed history line is not a run record; undefined when it is one. */
export function runRecordProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'the line must be object';
  const problem =
    missing(value, RUN_REQUIRED, 'the line') ??
    (Number.isInteger(value.schema)
      ? number(value.schema, '/schema', 1, Number.POSITIVE_INFINITY)
      : '/schema must be integer') ??
    (has(value, 'id') ? string(value.id, '/id', 1, 200) : undefined) ??
    (has(value, 'compacted') ? boolean(value.compacted, '/compacted') : undefined) ??
    (has(value, 'caseCount')
      ? Number.isInteger(value.caseCount)
        ? number(value.caseCount, '/caseCount', 0, Number.POSITIVE_INFINITY)
        : '/caseCount must be integer'
      : undefined) ??
    string(value.time, '/time', 1, 64) ??
    string(value.commit, '/commit') ??
    (value.base === null ? undefined : string(value.base, '/base')?.replace('must be string', 'must be string,null')) ??
    string(value.event, '/event') ??
    boolean(value.full, '/full') ??
    (value.changes === null
      ? undefined
      : Array.isArray(value.changes)
        ? items(value.changes, '/changes', change)
        : '/changes must be array,null') ??
    reach(value.reach) ??
    (has(value, 'reachAll') ? boolean(value.reachAll, '/reachAll') : undefined) ??
    (has(value, 'mapRemoved') ? strings(value.mapRemoved, '/mapRemoved') : undefined) ??
    items(value.cases, '/cases', testCase, validCase) ??
    (has(value, 'audit') ? audit(value.audit, '/audit') : undefined) ??
    (has(value, 'predictedRisky') ? strings(value.predictedRisky, '/predictedRisky') : undefined);
  return problem?.slice(0, 300);
}
