import type { Command, OutputValue } from '../contract/index.ts';

// Apart from the command so test-plan can format the predictor's outputs without loading it at start.
function json(value: OutputValue): string {
  return JSON.stringify(value);
}

/** How test-predictor's list outputs are written for GITHUB_OUTPUT. */
export const testPredictorOutputFormat: Command['formatOutput'] = {
  tests: (v) => (v as string[]).join(' '),
  selected: (v) => (v as string[]).join(' '),
  'tests-json': json,
  'selected-json': json,
  'failed-tests': json,
  'flaky-tests': json,
  'slow-tests': json,
  shards: (v) => JSON.stringify({ include: v }),
};
