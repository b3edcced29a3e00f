import { beforeAll, describe, expect, it } from 'vitest';
import { changedPythonStatements, loadPythonParser } from '@ci-optimizer/core/languages/python';

// Which statements of a changed function changed (old-version line ranges), or why the change counts for the whole
// function: the conditions under which a test that never reached a changed statement runs the new code as the old.
const SOURCE = [
  'def price(weight, express=False, *, items=()):', // 1
  '    base = 5', // 2
  '    if express:', // 3
  '        base = (base *', // 4
  '                2)', // 5
  '    elif weight > 10:', // 6
  '        base += 1; weight -= 1', // 7
  '    else:', // 8
  '        pass', // 9
  '    for i, item in enumerate(items):', // 10
  '        base += item', // 11
  '    try:', // 12
  '        ratio = base / weight', // 13
  '    except ZeroDivisionError as error:', // 14
  '        ratio = 0', // 15
  '    total = [n for n in items if (seen := n)]', // 16
  '    def fmt(value=1):', // 17
  '        return f"{value}"', // 18
  '    match base:', // 19
  '        case 5:', // 20
  '            return fmt(ratio)', // 21
  '    return base + ratio', // 22
  '',
].join('\n');

const change = (from: string, to: string, source = SOURCE, unit = 'price') => {
  if (!source.includes(from)) throw new Error(`not in the source: ${from}`);
  return changedPythonStatements(source, source.replace(from, to), [unit]).get(unit);
};

beforeAll(async () => {
  await loadPythonParser();
});

describe('the statements a change rewrote in place', () => {
  it('gives the lines of each changed statement or header, a multi-line statement whole', () => {
    expect(change('if express:', 'if not express:')).toEqual({ lines: [[3, 3]] });
    expect(change('                2)', '                3)')).toEqual({ lines: [[4, 5]] });
    expect(change('elif weight > 10:', 'elif weight >= 10:')).toEqual({ lines: [[6, 6]] });
    expect(change('enumerate(items)', 'enumerate(items, 1)')).toEqual({ lines: [[10, 10]] });
    expect(change('except ZeroDivisionError as error', 'except ArithmeticError as error')).toEqual({
      lines: [[14, 14]],
    });
    expect(change('return base + ratio', 'return None')).toEqual({ lines: [[22, 22]] });
    // Two statements on one line: the line is what coverage records for either.
    expect(change('weight -= 1', 'weight -= 2')).toEqual({ lines: [[7, 7]] });
    // A statement replaced by `pass` when the name it assigned is still bound elsewhere.
    expect(change('        ratio = 0', '        pass')).toEqual({ lines: [[15, 15]] });
    // A walrus in a comprehension keeps its name; the comprehension's own target is its own.
    expect(change('(seen := n)', '(seen := n + 1)')).toEqual({ lines: [[16, 16]] });
    expect(change('[n for n in items', '[m for m in items')).toEqual({ lines: [[16, 16]] });
  });

  it('counts the whole function when the control structure changes', () => {
    const whole = { whole: 'statements were added, removed or moved' };
    expect(change('    base = 5\n', '    base = 5\n    base += 0\n')).toEqual(whole);
    expect(change('        pass', '        if weight:\n            pass')).toEqual(whole);
    expect(change('    else:\n        pass\n', '')).toEqual(whole);
  });

  it('counts the whole function when the names it binds or its being a generator change', () => {
    expect(change('        ratio = 0', '        other = 0')).toEqual({ whole: 'the names it binds changed' });
    expect(change('(seen := n)', '(found := n)')).toEqual({ whole: 'the names it binds changed' });
    expect(change('as error:', 'as problem:')).toEqual({ whole: 'the names it binds changed' });
    expect(change('        pass', '        global base')).toEqual({ whole: 'the names it binds changed' });
    expect(change('        pass', '        import os')).toEqual({ whole: 'the names it binds changed' });
    expect(change('        pass', '        del base')).toEqual({ lines: [[9, 9]] });
    expect(change('        pass', '        yield base')).toEqual({ whole: 'it became or stopped being a generator' });
  });

  it("counts the whole function when a nested function's header or a case pattern changed", () => {
    expect(change('def fmt(value=1)', 'def fmt(value=2)')).toEqual({
      whole: 'the header of a function defined in it changed',
    });
    // A pattern may bind names: a changed one counts as other names bound.
    expect(change('case 5:', 'case 6:')).toEqual({ whole: 'the names it binds changed' });
    // The nested function's body is its own unit: the outer function has no statement of its own changed.
    expect(change('return f"{value}"', 'return str(value)')).toEqual({ whole: 'no statement of its own changed' });
    expect(change('return f"{value}"', 'return str(value)', SOURCE, 'price.<locals>.fmt')).toEqual({
      lines: [[18, 18]],
    });
  });

  it('counts the whole function when it is not in both versions', () => {
    expect(change('def price(', 'def cost(')).toEqual({ whole: 'its body was not found in both versions' });
  });
});
