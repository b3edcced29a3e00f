import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '@ci-optimizer/core/errors';
import { DECLARED_INPUT_TYPES, Inputs, validateDeclaredInputs } from '@ci-optimizer/core/inputs';
import { inputDefaults, parseActionMetadata } from '@ci-optimizer/core/metadata';
import { REPO_ROOT } from '../support/action-runner.ts';

const metadataOf = (action: string) =>
  parseActionMetadata(readFileSync(join(REPO_ROOT, 'actions', action, 'action.yml'), 'utf8'));

describe('declared input types (packages/core/src/inputs/declared.ts)', () => {
  for (const [action, types] of Object.entries(DECLARED_INPUT_TYPES)) {
    it(`${action}: every declared input exists in action.yml and its default has the declared type`, () => {
      const metadata = metadataOf(action);
      for (const name of Object.keys(types)) expect(Object.keys(metadata.inputs), `${action}: ${name}`).toContain(name);
      // Inputs without a default are required (test-predictor's mode): the check names them when they are empty.
      const given = Object.fromEntries(
        Object.entries(metadata.inputs)
          .filter(([, input]) => input.default === undefined)
          .map(([name]) => [name, '']),
      );
      const required = Object.keys(given).filter((name) => name in types);
      const defaults = inputDefaults(metadata);
      const withRequired = Object.fromEntries(
        required.map((name) => [name, (types[name] as { values?: readonly string[] }).values?.[0] ?? '1']),
      );
      expect(() => validateDeclaredInputs(new Inputs({ given: withRequired, defaults }), types)).not.toThrow();
    });
  }

  it('rejects the first bad value as an InputError naming the input, the value and the accepted forms', () => {
    const types = DECLARED_INPUT_TYPES['test-predictor'];
    const defaults = inputDefaults(metadataOf('test-predictor'));
    const check = (given: Record<string, string>) => () =>
      validateDeclaredInputs(new Inputs({ given: { mode: 'record', ...given }, defaults }), types);
    expect(check({ 'max-miss-rate': '-1' })).toThrow(InputError);
    expect(check({ 'max-miss-rate': '-1' })).toThrow("Input 'max-miss-rate' has value '-1', below the minimum 0.");
    expect(check({ 'full-run': 'sometimes' })).toThrow(
      "Input 'full-run' has value 'sometimes', which is not one of: 'auto', 'true', 'false'.",
    );
    expect(check({ 'retrain-after': 'soon' })).toThrow(
      /Input 'retrain-after' has value 'soon', which is not a duration/,
    );
    // Optional inputs may stay empty; given, they are checked.
    const cache = DECLARED_INPUT_TYPES['cache-key'];
    const cacheDefaults = inputDefaults(metadataOf('cache-key'));
    expect(() =>
      validateDeclaredInputs(new Inputs({ given: { 'cache-hit': '' }, defaults: cacheDefaults }), cache),
    ).not.toThrow();
    expect(() =>
      validateDeclaredInputs(new Inputs({ given: { 'cache-hit': 'yes-ish' }, defaults: cacheDefaults }), cache),
    ).toThrow(/'yes-ish', which is not a boolean/);
  });

  it('covers every action that has typed inputs', () => {
    const actions = [
      'cache-key',
      'perf-comment',
      'report',
      's3-cache',
      's3-cache/restore',
      's3-cache/save',
      's3-cache/prune',
      'test-filter',
      'test-predictor',
      'test-plan',
    ];
    expect(Object.keys(DECLARED_INPUT_TYPES).sort()).toEqual(actions.sort());
  });
});
