import { compileSchema } from '../config/index.ts';
import { UserError } from '../errors/index.ts';
import { formatP, percent } from './compare-benchmarks.ts';
import type { PerfReport } from './perf-report.ts';

/** File name of the artifact a fork's run leaves for the trusted `workflow_run` workflow. */
export const FORK_PAYLOAD_FILE = 'perf-comment.json';
const KIND = 'ci-optimizer/perf-comment';

/** The data (not the Markdown) a fork run hands over; the trusted run renders the comment itself. */
export interface ForkPayload {
  schema: 1;
  kind: typeof KIND;
  report: PerfReport;
  markerId: string;
  runUrl?: string;
}

/** Serialises a report for the `perf-comment.json` artifact. */
export function forkPayload(report: PerfReport, markerId: string, runUrl?: string): string {
  const payload: ForkPayload = { schema: 1, kind: KIND, report, markerId, runUrl };
  return JSON.stringify(payload);
}

// Names from the fork: bounded, one line, no control or bidi characters (the renderer escapes the rest).
const text = (max: number) => ({
  type: 'string',
  maxLength: max,
  pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]*$',
});
// Units are short words: `s`, `ops/s`, `MB`, `µs`, `samples`.
const unit = { type: 'string', pattern: '^[\\p{L}\\p{N} /%._-]{0,20}$' };
const num = { type: ['number', 'null'] };
// Strict shape with length caps: the artifact comes from code the PR author controls.
const payloadSchema = {
  type: 'object',
  required: ['schema', 'kind', 'report', 'markerId'],
  additionalProperties: false,
  properties: {
    schema: { const: 1 },
    kind: { const: KIND },
    markerId: { type: 'string', pattern: '^[A-Za-z0-9_.:/-]{1,100}$' },
    runUrl: { type: 'string', pattern: '^https://[A-Za-z0-9.-]+/[A-Za-z0-9_./-]{1,300}$' },
    report: {
      type: 'object',
      required: ['comparison', 'baseline'],
      additionalProperties: false,
      properties: {
        baseline: {
          type: 'object',
          required: ['kind'],
          additionalProperties: false,
          properties: {
            kind: { type: 'string', maxLength: 300 },
            commit: { type: 'string', pattern: '^[0-9a-f]{7,64}$' },
            ageMs: num,
            stale: { type: 'boolean' },
          },
        },
        comparison: {
          type: 'object',
          required: ['verdict', 'benchmarks', 'alpha', 'minChange', 'confidence'],
          additionalProperties: false,
          properties: {
            verdict: { enum: ['regression', 'improvement', 'unchanged', 'inconclusive', 'not-comparable'] },
            alpha: { type: 'number' },
            minChange: { type: 'number' },
            confidence: { type: 'number' },
            drift: {
              type: 'object',
              additionalProperties: false,
              properties: {
                applied: { type: 'boolean' },
                change: { type: 'number' },
                agreeing: { type: 'integer' },
                of: { type: 'integer' },
              },
            },
            history: {
              type: 'object',
              required: ['runs', 'minRuns', 'plausibleNoise'],
              additionalProperties: false,
              properties: {
                runs: { type: 'integer', minimum: 0, maximum: 100000 },
                minRuns: { type: 'integer', minimum: 0, maximum: 100000 },
                noise: num,
                loneSlowdown: num,
                drift: num,
                plausibleNoise: num,
              },
            },
            confirmation: {
              type: 'object',
              required: ['reruns', 'flagged', 'confirmed', 'screenAlpha', 'confirmAlpha'],
              additionalProperties: false,
              properties: {
                reruns: { type: 'integer', minimum: 0, maximum: 100 },
                flagged: { type: 'integer', minimum: 0, maximum: 100000 },
                confirmed: { type: 'integer', minimum: 0, maximum: 100000 },
                screenAlpha: { type: 'number' },
                confirmAlpha: { type: 'number' },
                unavailable: { enum: ['no-command', 'disabled', 'failed'] },
              },
            },
            pairs: {
              type: 'object',
              required: ['count'],
              additionalProperties: false,
              properties: {
                count: { type: 'integer', minimum: 0, maximum: 1000 },
                noise: num,
                shifts: { type: 'array', maxItems: 1000, items: { type: 'number' } },
              },
            },
            measure: { enum: ['time', 'instructions'] },
            benchmarks: {
              type: 'array',
              maxItems: 5000,
              items: {
                type: 'object',
                required: ['name', 'label', 'unit', 'verdict', 'reason'],
                additionalProperties: false,
                properties: {
                  name: text(500),
                  label: text(500),
                  unit,
                  reason: { type: 'string', maxLength: 500 },
                  verdict: { enum: ['regression', 'improvement', 'unchanged', 'inconclusive', 'not-comparable'] },
                  biggerIsBetter: { type: 'boolean' },
                  ignored: { type: 'boolean' },
                  method: text(40),
                  baseline: num,
                  current: num,
                  change: num,
                  changeLow: num,
                  changeHigh: num,
                  pValue: num,
                  adjustedP: num,
                  noise: num,
                  baselineCount: num,
                  currentCount: num,
                  pairChanges: { type: 'array', maxItems: 100, items: { type: 'number' } },
                  pairSetAside: num,
                  confirmChanges: { type: 'array', maxItems: 100, items: { type: ['number', 'null'] } },
                },
              },
            },
          },
        },
        profile: {
          type: 'object',
          additionalProperties: false,
          properties: {
            samples: { type: 'number' },
            unit,
            topSelf: { $ref: '#/$defs/functions' },
            topTotal: { $ref: '#/$defs/functions' },
            grown: { $ref: '#/$defs/functions' },
          },
        },
      },
    },
  },
  $defs: {
    functions: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        required: ['name', 'selfShare', 'totalShare'],
        additionalProperties: false,
        properties: {
          name: text(300),
          file: text(500),
          line: { type: 'integer' },
          selfShare: { type: 'number' },
          totalShare: { type: 'number' },
          baselineSelfShare: { type: 'number' },
          baselineTotalShare: { type: 'number' },
          selfGrowth: { type: 'number' },
          totalGrowth: { type: 'number' },
        },
      },
    },
  },
} as const;

let validate: ReturnType<typeof compileSchema> | undefined;

/** Reads an artifact written by an untrusted run: validated against a strict schema, never trusted as Markdown. */
export function parseForkPayload(textValue: string, source: string): ForkPayload {
  let data: unknown;
  try {
    // JSON has no Infinity; intervals that were unbounded arrive as null and are restored below.
    data = JSON.parse(textValue);
  } catch (error) {
    throw new UserError(
      `'${source}' is not valid JSON (${(error as Error).message}); expected the ${FORK_PAYLOAD_FILE} artifact of a perf-comment run.`,
    );
  }
  validate ??= compileSchema(payloadSchema);
  if (!validate(data)) {
    throw new UserError(
      `'${source}' is not a valid ${FORK_PAYLOAD_FILE} artifact: ${validate.errors?.[0]?.instancePath || '/'} ${validate.errors?.[0]?.message}. ` +
        'It must come from the perf-comment action of the same version.',
    );
  }
  const payload = data as ForkPayload;
  for (const benchmark of payload.report.comparison.benchmarks) {
    for (const key of [
      'baseline',
      'current',
      'change',
      'changeLow',
      'changeHigh',
      'pValue',
      'adjustedP',
      'noise',
      'baselineCount',
      'currentCount',
    ] as const) {
      if (benchmark[key] === null) delete benchmark[key];
    }
    // Sentences come from our words and the artifact's numbers, never from its text.
    benchmark.reason = reasonFromNumbers(benchmark);
  }
  payload.report.baseline.kind = baselineKindWords(payload.report.baseline.kind);
  // The run link is made by the trusted run from its own event (see postMode), never taken from the artifact.
  delete payload.runUrl;
  return payload;
}

/** The baseline kinds perf-comment writes, in its own words; anything else is named as the artifact's claim. */
const BASELINE_KINDS = [
  ['same-job A/B', 'same-job A/B (base commit measured in the same job, runs alternated)'],
  ['merge base', 'merge base'],
  ['newest older baseline', 'newest older baseline'],
  ['newest stored baseline', 'newest stored baseline'],
  ['file', "a baseline file of the pull request's run"],
  ['none found', 'none found (no baseline stored for the merge base or its ancestors)'],
  ['none given', 'none given'],
] as const;

function baselineKindWords(kind: string): string {
  const known = BASELINE_KINDS.find(([prefix]) => kind === prefix || kind.startsWith(`${prefix} `));
  return known ? known[1] : "as reported by the pull request's run";
}

function reasonFromNumbers(benchmark: ForkPayload['report']['comparison']['benchmarks'][number]): string {
  const parts: string[] = [];
  if (benchmark.change !== undefined && Number.isFinite(benchmark.change))
    parts.push(`change ${percent(benchmark.change)}`);
  if (benchmark.adjustedP !== undefined && Number.isFinite(benchmark.adjustedP))
    parts.push(`adjusted p=${formatP(benchmark.adjustedP)}`);
  const reruns = (benchmark.confirmChanges ?? []).map((change) =>
    typeof change === 'number' && Number.isFinite(change) ? percent(change) : 'not in its results',
  );
  if (reruns.length > 0) parts.push(`re-runs ${reruns.join(', ')}`);
  return parts.length > 0 ? `${parts.join(', ')} (from the pull request's run)` : "from the pull request's run";
}
