import { describe, expect, it } from 'vitest';
import {
  ExpressionError,
  StrictObject,
  evaluate,
  evaluateCondition,
  evaluateValue,
  type EvaluationScope,
} from './workflow-expressions.ts';

const scope: EvaluationScope = {
  contexts: {
    github: StrictObject.of('github', {
      ref: 'refs/heads/main',
      event_name: 'push',
      event: { pull_request: null, before: 'abc' },
    }),
    steps: StrictObject.of('steps', {
      filter: StrictObject.of('steps.filter', {
        outputs: StrictObject.of('steps.filter.outputs', {
          'tests-json': '["a.py"]',
          'filters-json': '{"docker":true}',
          empty: '',
        }),
      }),
    }),
  },
  status: 'success',
};
const run = (expression: string) => evaluate(expression, scope);

describe('workflow expressions (GitHub semantics)', () => {
  it('compares loosely: numbers from strings, strings case-insensitively, empty as zero', () => {
    expect(run("'2' > 0")).toBe(true);
    expect(run("'' > 0")).toBe(false);
    expect(run("github.ref == 'REFS/HEADS/MAIN'")).toBe(true);
    expect(run("'abc' == 0")).toBe(false);
    expect(run('null == 0')).toBe(true);
  });

  it('returns operands from && and ||, which the candidates expression relies on', () => {
    expect(run("false && 'x' || ''")).toBe('');
    expect(run("true && steps.filter.outputs.tests-json || ''")).toBe('["a.py"]');
    expect(run("steps.filter.outputs.empty || 'fallback'")).toBe('fallback');
    expect(run("!(github.event_name == 'push')")).toBe(false);
  });

  it('reads JSON with fromJSON, and missing keys of plain data as null', () => {
    expect(run('fromJSON(steps.filter.outputs.filters-json).docker')).toBe(true);
    expect(run('fromJSON(steps.filter.outputs.filters-json).security')).toBe(null);
    expect(run('github.event.pull_request.base.sha')).toBe(null);
    expect(evaluateValue('${{ fromJSON(steps.filter.outputs.tests-json) }}', scope)).toEqual(['a.py']);
    expect(evaluateValue('n=${{ 1 == 1 }} ${{ github.event.nothing }}.', scope)).toBe('n=true .');
  });

  it('fails on what it cannot evaluate: unknown contexts, steps, outputs, functions and syntax', () => {
    expect(() => run('vars.X')).toThrow(ExpressionError);
    expect(() => run('steps.filtr.outputs.tests')).toThrow(/'steps.filtr' is not available/);
    expect(() => run('steps.filter.outputs.test-json')).toThrow(/'steps.filter.outputs.test-json' is not available/);
    expect(() => run("contains(github.ref, 'main')")).toThrow(/contains\(\)' is not implemented/);
    expect(() => run("github.ref == 'main")).toThrow(/unterminated string/);
    expect(() => run('fromJSON(steps.filter.outputs.empty)')).toThrow(/fromJSON\(\) needs JSON text/);
  });

  it('treats if: like the runner: implicit success(), status functions, optional ${{ }}', () => {
    const failed: EvaluationScope = { ...scope, status: 'failure' };
    expect(evaluateCondition(undefined, scope)).toBe(true);
    expect(evaluateCondition(undefined, failed)).toBe(false);
    expect(evaluateCondition("github.event_name == 'push'", failed)).toBe(false);
    expect(evaluateCondition('always()', failed)).toBe(true);
    expect(evaluateCondition('${{ failure() }}', failed)).toBe(true);
    expect(evaluateCondition("${{ github.ref == 'refs/heads/main' }}", scope)).toBe(true);
    expect(() => evaluate('always()', { contexts: {} })).toThrow(/only available in 'if:'/);
  });
});
