import { beforeAll, describe, expect, it } from 'vitest';
import { changedBindings, loadPythonParser, readersOfNames } from '@ci-optimizer/core/languages/python';

beforeAll(async () => {
  await loadPythonParser();
});

const MODULE = [
  '"""Doc."""',
  'import os',
  '',
  '__all__ = ["LIMIT", "Box"]',
  '__version__ = "1.0"',
  'LIMIT = 10',
  'A, B = 1, 2',
  '',
  '',
  '@register',
  'def f(x, factor=3, *, name="n"):',
  '    return x * factor',
  '',
  '',
  'class Box(Base):',
  '    size = 4',
  '    __slots__ = ()',
  '',
  '    def area(self, scale=1.0):',
  '        return self.size * scale',
  '',
].join('\n');
const edit = (from: string, to: string) => {
  if (!MODULE.includes(from)) throw new Error(`${from} not in the module`);
  return MODULE.replace(from, to);
};

describe('changedBindings: a module-level change that only gives names new values', () => {
  it('names assignments, class attributes, literal defaults and removed names', () => {
    expect(changedBindings(MODULE, edit('LIMIT = 10', 'LIMIT = 11'))).toEqual({
      names: ['LIMIT'],
      functions: [],
      removed: [],
    });
    expect(changedBindings(MODULE, edit('A, B = 1, 2', 'A, B = 1, 3'))).toEqual({
      names: ['A', 'B'],
      functions: [],
      removed: [],
    });
    expect(changedBindings(MODULE, edit('factor=3', 'factor=4'))).toEqual({ names: [], functions: ['f'], removed: [] });
    expect(changedBindings(MODULE, edit('name="n"', 'name="m"'))).toEqual({ names: [], functions: ['f'], removed: [] });
    expect(changedBindings(MODULE, edit('scale=1.0', 'scale=-2.0'))).toEqual({
      names: [],
      functions: ['Box.area'],
      removed: [],
    });
    expect(changedBindings(MODULE, edit('__version__ = "1.0"', '__version__ = "1.1"'))).toEqual({
      names: ['__version__'],
      functions: [],
      removed: [],
    });
    expect(changedBindings(MODULE, edit('LIMIT = 10', 'pass'))).toEqual({
      names: [],
      functions: [],
      removed: ['LIMIT'],
    });
    // a body change alone is not this comparison's business (the unit comparison narrows it)
    expect(changedBindings(MODULE, edit('return x * factor', 'return x + factor'))).toEqual({
      names: [],
      functions: [],
      removed: [],
    });
  });

  it('says why when the change is more than new values', () => {
    expect(changedBindings(MODULE, edit('LIMIT = 10', 'LIMIT = 10\nprint(LIMIT)'))).toMatch(
      /statements added or removed at module level/,
    );
    expect(changedBindings(MODULE, edit('import os', 'import sys'))).toMatch(/module level code changed \(line 2\)/);
    expect(changedBindings(MODULE, edit('@register', '@other'))).toMatch(/decorators changed/);
    expect(changedBindings(MODULE, edit('class Box(Base)', 'class Box(Other)'))).toMatch(/header of class Box/);
    expect(changedBindings(MODULE, edit('factor=3', 'factor=make()'))).toMatch(/default of f that is not a literal/);
    expect(changedBindings(MODULE, edit('def f(x, factor', 'def f(y, factor'))).toMatch(/parameters of f changed/);
    expect(changedBindings(MODULE, edit('__slots__ = ()', '__slots__ = ("a",)'))).toMatch(
      /__slots__ changed .*Python itself reads it/,
    );
    expect(changedBindings(MODULE, edit('LIMIT = 10', 'LIMT = 10'))).toMatch(/changed its targets/);
    expect(changedBindings(MODULE, edit('import os', 'pass'))).toMatch(/replaced by pass/);
    expect(changedBindings(MODULE, edit('LIMIT = 10', 'LIMIT = (10'))).toBe('a version does not parse');
    // Box has a base of another module: an Enum's member value is found by value, a NamedTuple's by position
    const plainBox = MODULE.replace('class Box(Base)', 'class Box(object)');
    expect(changedBindings(plainBox, plainBox.replace('size = 4', 'size = 5'))).toEqual({
      names: ['size'],
      functions: [],
      removed: [],
    });
    expect(changedBindings(MODULE, edit('size = 4', 'size = 5'))).toMatch(
      /attribute size of class Box changed and its decorators, metaclass or bases may read it/,
    );
    const dataclass = (text: string) => `@dataclass\nclass Point:\n    x: int = ${text}\n`;
    expect(changedBindings(dataclass('1'), dataclass('2'))).toMatch(/attribute x of class Point/);
  });
});

describe('readersOfNames: where a module reads names', () => {
  const SOURCE = [
    'from .limits import LIMIT, OTHER as ALIAS',
    'import limits',
    '# LIMIT in a comment is no read',
    'DOUBLE = LIMIT * 2',
    '__all__ = ["LIMIT"]',
    '',
    '',
    'def clamp(x, top=LIMIT):',
    '    def inner():',
    '        return limits.LIMIT',
    '    return min(x, top, inner())',
    '',
    '',
    'class C:',
    '    def get(self):',
    '        return getattr(limits, "LIMIT")',
    '',
  ].join('\n');

  it('finds function bodies, derived names, defaults and aliases; imports and __all__ are no reads', () => {
    const readers = readersOfNames(SOURCE, new Set(['LIMIT', 'OTHER']));
    expect(readers).toEqual({
      units: ['C.get', 'clamp.<locals>.inner'],
      derived: ['ALIAS', 'DOUBLE'],
      defaults: ['clamp'],
    });
  });

  it("a parameter of the name, a keyword argument's name and a closure over a parameter read no outer binding", () => {
    // `dir` is one of the builtins that list a namespace (they read every name of a module): click's
    // `_NumberRangeBase._clamp(self, bound, dir, open)` was taken for a reader of every changed module-level name.
    const source = [
      'import limits',
      '',
      'def clamp(bound, dir: int, open=False):',
      '    return bound if dir > 0 else -bound',
      '',
      'def listing(module):',
      '    return dir(module)',
      '',
      'def default(d=dir, *args: int, **kw):',
      '    return d',
      '',
      'def call():',
      '    return sorted([], key=None, dir=1)',
      '',
      'def attr(dir):',
      '    return limits.dir',
      '',
      'def nested(dir):',
      '    def inner():',
      '        return dir',
      '    return inner',
      '',
      'def typed(x: dir):',
      '    return x',
      '',
      'def lam():',
      '    return lambda dir, e=dir: dir',
      '',
    ].join('\n');
    // A default or an annotation is evaluated where the function is defined (a default of the definition, as for
    // `top=LIMIT` above); the lambda's default `e=dir` is evaluated in `lam`'s body.
    expect(readersOfNames(source, new Set(['dir']))).toEqual({
      units: ['attr', 'lam', 'listing'],
      derived: [],
      defaults: ['default', 'typed'],
    });
    const withGlobal = 'def g(dir):\n    def h():\n        global dir\n        return dir\n    return h\n';
    expect(readersOfNames(withGlobal, new Set(['dir'])).units).toEqual(['g.<locals>.h']);
  });

  it('a statement at module level that reads a name is a problem; for a removed name, any read outside a body', () => {
    expect(readersOfNames('print(LIMIT)\n', new Set(['LIMIT'])).problem).toMatch(
      /^line 1: a expression statement reads it/,
    );
    expect(readersOfNames('@deco(LIMIT)\ndef f():\n    pass\n', new Set(['LIMIT'])).problem).toMatch(
      /^line 1: a decorated definition reads it/,
    );
    const removed = (source: string) =>
      readersOfNames(source, new Set(['LIMIT']), { mayImportChanged: (module) => module === '.limits' }).problem;
    expect(removed(SOURCE)).toMatch(/^line 1: read outside a function body/);
    expect(
      removed('from .other import LIMIT\n__all__ = ["LIMIT"]\nLIMIT = 3\n\n\ndef f():\n    return LIMIT\n'),
    ).toBeUndefined();
  });
});
