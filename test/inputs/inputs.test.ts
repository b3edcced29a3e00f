import { describe, expect, it } from 'vitest';
import { Inputs, parseDuration, parseSize } from '@ci-optimizer/core/inputs';
import { UserError } from '@ci-optimizer/core/errors';

const inputs = (
  given: Record<string, string>,
  defaults: Record<string, string> = {},
  config?: Record<string, unknown>,
) => new Inputs({ given, defaults, config, baseDir: '/repo' });

describe('Inputs', () => {
  it('reads booleans case-insensitively and names input, value and accepted forms on anything else', () => {
    expect(inputs({ a: 'TRUE', b: 'False', c: '' }).boolean('a')).toBe(true);
    expect(inputs({ b: 'False' }).boolean('b')).toBe(false);
    expect(inputs({ c: '' }).boolean('c')).toBe(false);
    expect(() => inputs({ save: 'yes' }).boolean('save')).toThrow(
      new UserError("Input 'save' has value 'yes', which is not a boolean. Use 'true' or 'false'."),
    );
  });

  it('reads whole numbers within bounds', () => {
    expect(inputs({ n: ' 42 ' }).int('n', { min: 1 })).toBe(42);
    expect(() => inputs({ n: '4.5' }).int('n')).toThrow(/Input 'n' has value '4.5', which is not a whole number/);
    expect(() => inputs({ n: '0' }).int('n', { min: 1 })).toThrow(/below the minimum 1/);
    expect(() => inputs({ n: '9' }).int('n', { max: 8 })).toThrow(/above the maximum 8/);
    expect(inputs({ x: '0.05' }).number('x')).toBe(0.05);
    expect(() => inputs({ x: 'abc' }).number('x')).toThrow(/'abc', which is not a number/);
  });

  it('splits lists on newlines and commas, and lines on newlines only', () => {
    expect(inputs({ l: 'a, b\n c,,\n' }).list('l')).toEqual(['a', 'b', 'c']);
    expect(inputs({ l: 'src/a,b.py\n!tests/**' }).lines('l')).toEqual(['src/a,b.py', '!tests/**']);
    expect(inputs({}).list('missing')).toEqual([]);
  });

  it('matches enums case-insensitively and lists the options when it does not match', () => {
    expect(inputs({ mode: 'Predict' }).enum('mode', ['record', 'train', 'predict'])).toBe('predict');
    expect(() => inputs({ mode: 'guess' }).enum('mode', ['record', 'train'])).toThrow(
      "Input 'mode' has value 'guess', which is not one of: 'record', 'train'.",
    );
  });

  it('parses durations and sizes with units, bare numbers as seconds and bytes', () => {
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('1w')).toBe(604_800_000);
    expect(parseDuration('soon')).toBeUndefined();
    expect(() => inputs({ age: '7 days' }).duration('age')).toThrow(
      /Input 'age' has value '7 days', which is not a duration/,
    );
    expect(parseSize('10GB')).toBe(10e9);
    expect(parseSize('1GiB')).toBe(1024 ** 3);
    expect(parseSize('100')).toBe(100);
    expect(() => inputs({ s: 'big' }).size('s')).toThrow(/'big', which is not a size/);
  });

  it('resolves paths against the workspace and keeps absolute ones', () => {
    expect(inputs({ p: 'reports/junit.xml' }).path('p')).toBe('/repo/reports/junit.xml');
    expect(inputs({ p: '/tmp/x' }).path('p')).toBe('/tmp/x');
    expect(inputs({ p: '' }).path('p')).toBe('');
  });

  it('takes a given value over the config file, the config file over the action.yml default', () => {
    const defaults = { 'max-changed-files': '200', budget: 'all' };
    const config = { 'max-changed-files': 50, 'always-run': ['tests/smoke/**'] };
    expect(inputs({ 'max-changed-files': '200' }, defaults, config).int('max-changed-files')).toBe(50);
    expect(inputs({ 'max-changed-files': '75' }, defaults, config).int('max-changed-files')).toBe(75);
    expect(inputs({ budget: 'all' }, defaults, config).string('budget')).toBe('all');
    expect(inputs({}, defaults, config).lines('always-run')).toEqual(['tests/smoke/**']);
    expect(inputs({ 'max-changed-files': '200' }, defaults, config).isSet('max-changed-files')).toBe(true);
    expect(inputs({ budget: 'all' }, defaults, config).isSet('budget')).toBe(false);
  });

  it('requires required strings', () => {
    expect(() => inputs({ key: ' ' }).string('key', { required: true })).toThrow("Input 'key' is required but empty.");
  });
});
