import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { runRecordProblem } from '../../packages/core/src/test-history/index.ts';

// The JSON schema the history lines were checked with before the hand-written check replaced it (to save compiling a
// validator in every process). Both must judge every line alike: a line one of them accepts and the other rejects
// would change what record, train and predict read.
const finite = { type: 'number', minimum: -1e15, maximum: 1e15 } as const;
const runSchema = {
  type: 'object',
  required: ['schema', 'time', 'commit', 'base', 'event', 'full', 'changes', 'reach', 'cases'],
  properties: {
    schema: { type: 'integer', minimum: 1 },
    id: { type: 'string', minLength: 1, maxLength: 200 },
    compacted: { type: 'boolean' },
    caseCount: { type: 'integer', minimum: 0 },
    time: { type: 'string', minLength: 1, maxLength: 64 },
    commit: { type: 'string' },
    base: { type: ['string', 'null'] },
    event: { type: 'string' },
    full: { type: 'boolean' },
    changes: {
      type: ['array', 'null'],
      items: {
        type: 'object',
        required: ['path', 'status', 'added', 'removed'],
        properties: {
          path: { type: 'string' },
          status: { type: 'string' },
          oldPath: { type: 'string' },
          added: finite,
          removed: finite,
        },
      },
    },
    reach: { type: ['object', 'null'], additionalProperties: finite },
    reachAll: { type: 'boolean' },
    mapRemoved: { type: 'array', items: { type: 'string' } },
    cases: {
      type: 'array',
      items: {
        type: 'object',
        required: ['file', 'id', 'outcome', 'duration', 'retry'],
        properties: {
          file: { type: 'string' },
          id: { type: 'string' },
          outcome: { enum: ['passed', 'failed', 'error', 'skipped'] },
          duration: { type: 'number', minimum: 0, maximum: 1e9 },
          retry: { type: 'boolean' },
        },
      },
    },
    audit: {
      type: 'object',
      required: ['failedFiles', 'missedByTestFilter', 'missedByPredictor', 'budget'],
      properties: {
        failedFiles: { type: 'array', items: { type: 'string' } },
        missedByTestFilter: { type: ['array', 'null'], items: { type: 'string' } },
        missedByPredictor: { type: ['array', 'null'], items: { type: 'string' } },
        budget: { type: 'string' },
      },
    },
    predictedRisky: { type: 'array', items: { type: 'string' } },
  },
} as const;
const schemaCheck = new Ajv({ allErrors: false, strict: false }).compile(runSchema);

function validRun(): Record<string, unknown> {
  return {
    schema: 1,
    id: 'junit-sha256:abc',
    compacted: false,
    caseCount: 2,
    time: '2026-01-01T00:00:00.000Z',
    commit: 'c1',
    base: 'c0',
    event: 'pull_request',
    full: true,
    changes: [
      { path: 'pkg/a.py', status: 'modified', added: 3, removed: 1 },
      { path: 'pkg/b.py', status: 'renamed', oldPath: 'pkg/old.py', added: 0, removed: 0 },
    ],
    reach: { 'tests/test_a.py': 1, 'tests/x/y.py': 2 },
    reachAll: false,
    mapRemoved: ['tests/x/y.py'],
    cases: [
      { file: 'tests/test_a.py', id: 'tests/test_a.py::test_one', outcome: 'failed', duration: 0.5, retry: false },
      { file: '', id: 'x::y', outcome: 'skipped', duration: 0, retry: true },
    ],
    audit: {
      failedFiles: ['tests/test_a.py'],
      missedByTestFilter: null,
      missedByPredictor: ['tests/test_a.py'],
      budget: '33%',
    },
    predictedRisky: ['tests/test_a.py'],
  };
}

/** Every path of objects and arrays in a value, as key lists. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((item, i) => out.push(...paths(item, [...prefix, i])));
  else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) out.push(...paths(item, [...prefix, key]));
  return out;
}

const REPLACEMENTS: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1,
  1.5,
  2e15,
  -2e15,
  1e9,
  1e9 + 1,
  '',
  'x',
  'a'.repeat(64),
  'a'.repeat(65),
  'a'.repeat(200),
  'a'.repeat(201),
  '😀'.repeat(64),
  '😀'.repeat(65),
  'passed',
  'failed',
  'error',
  'skipped',
  'PASSED',
  [],
  ['s'],
  [1],
  {},
  { a: 1 },
  { a: 'x' },
  { 'a/b~c': 1e16 },
];

/** The line with the value at `path` replaced (or deleted when `replacement` is the DELETE marker). */
const DELETE = Symbol('delete');
function mutate(path: (string | number)[], replacement: unknown): unknown {
  const run = validRun();
  if (path.length === 0) return replacement === DELETE ? undefined : replacement;
  let parent = run as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (replacement === DELETE) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    parent[last] = replacement;
  }
  return run;
}

describe('history line check', () => {
  it('accepts a full valid line and one with only the required fields', () => {
    expect(runRecordProblem(validRun())).toBeUndefined();
    const { schema, time, commit, base, event, full, changes, reach, cases } = validRun();
    expect(
      runRecordProblem({ schema, time, commit, base: null, event, full, changes: null, reach: null, cases: [] }),
    ).toBeUndefined();
    expect(
      runRecordProblem({ schema, time, commit, base, event, full, changes, reach, cases, extra: { anything: 1 } }),
    ).toBeUndefined();
  });

  it('judges every one-field change of a valid line as the JSON schema does, and names the place', () => {
    const run = validRun();
    let rejected = 0;
    let checked = 0;
    for (const path of paths(run)) {
      for (const replacement of [DELETE, ...REPLACEMENTS]) {
        const line = mutate(path, replacement);
        const expected = schemaCheck(line);
        const problem = runRecordProblem(line);
        checked++;
        expect(
          problem === undefined,
          `${JSON.stringify(path)} := ${String(replacement === DELETE ? 'deleted' : JSON.stringify(replacement))}: ${problem}`,
        ).toBe(expected);
        if (problem === undefined) continue;
        rejected++;
        // The message names the same place as the schema's first error.
        const error = schemaCheck.errors![0];
        const where = error.instancePath || 'the line';
        expect(problem.startsWith(`${where} `), `${problem} vs ${where} ${error.message}`).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect(rejected).toBeGreaterThan(500);
  });

  it('rejects what is not an object', () => {
    for (const value of [null, [], 'x', 1]) expect(runRecordProblem(value)).toBe('the line must be object');
  });
});
