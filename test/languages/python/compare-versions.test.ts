import { beforeAll, describe, expect, it } from 'vitest';
import type { BlobAnswers } from '@ci-optimizer/core/languages';
import {
  loadPythonParser,
  comparePythonVersions,
  shapePythonModule,
  unitAtLine,
  unitLines,
} from '@ci-optimizer/core/languages/python';

beforeAll(async () => {
  await loadPythonParser();
});

const BASE = `"""Ledger postings."""
import math

FEE = 3


class Ledger:
    currency = "EUR"

    def __init__(self, owner):
        self.owner = owner
        self.entries = []

    def post(self, amount, fee=FEE):
        # keep the fee apart
        self.entries.append(amount - fee)
        return len(self.entries)

    @property
    def balance(self):
        return sum(self.entries)


def round_up(value):
    return math.ceil(value)


def render(ledger):
    return f"{ledger.owner}: {ledger.balance}"
`;

const edit = (from: string, to: string) => {
  if (!BASE.includes(from)) throw new Error(`not in the base: ${from}`);
  return comparePythonVersions(BASE, BASE.replace(from, to));
};

describe('comparing two versions of a Python file', () => {
  it('a body edit names exactly the changed method', () => {
    expect(edit('self.entries.append(amount - fee)', 'self.entries.append(amount + fee)')).toEqual({
      changedBodies: ['Ledger.post'],
      moduleLevel: [],
    });
    expect(edit('return math.ceil(value)', 'return math.floor(value)')).toEqual({
      changedBodies: ['round_up'],
      moduleLevel: [],
    });
  });

  it('a signature or default argument edit is module-level', () => {
    expect(edit('def post(self, amount, fee=FEE):', 'def post(self, amount, fee=0):').moduleLevel).toEqual([
      'signature or default arguments of Ledger.post changed',
    ]);
    expect(edit('def round_up(value):', 'def round_up(value, places):').moduleLevel).toEqual([
      'signature or default arguments of round_up changed',
    ]);
  });

  it('a decorator edit is module-level', () => {
    const change = edit('    @property\n    def balance', '    @staticmethod\n    def balance');
    expect(change.moduleLevel).toEqual(['decorators of Ledger.balance changed']);
    expect(change.changedBodies).toEqual([]);
  });

  it('a class attribute edit is a class body change', () => {
    expect(edit('currency = "EUR"', 'currency = "USD"')).toEqual({
      changedBodies: [],
      moduleLevel: ['class body or bases of Ledger changed'],
    });
    expect(edit('class Ledger:', 'class Ledger(object):').moduleLevel).toEqual([
      'class body or bases of Ledger changed',
    ]);
  });

  it('a module constant edit is module-level', () => {
    expect(edit('FEE = 3', 'FEE = 4').moduleLevel).toEqual(['module-level code changed']);
  });

  it('an added method and an added function are module-level', () => {
    expect(
      edit('    @property', '    def close(self):\n        self.entries = []\n\n    @property').moduleLevel,
    ).toEqual(['Ledger.close added']);
    expect(edit('def render(ledger):', 'def helper():\n    return 1\n\n\ndef render(ledger):').moduleLevel).toEqual([
      'helper added',
    ]);
  });

  it('a function moved within the file is no change at all', () => {
    const roundUp = 'def round_up(value):\n    return math.ceil(value)\n\n\n';
    const moved = BASE.replace(roundUp, '').replace('FEE = 3\n', `FEE = 3\n\n\n${roundUp}`);
    expect(moved).not.toBe(BASE);
    expect(comparePythonVersions(BASE, moved)).toEqual({ changedBodies: [], moduleLevel: [] });
  });

  it('a whitespace- or comment-only change selects nothing', () => {
    const reformatted = BASE.replace('# keep the fee apart', '# the fee is kept apart, see ADR 7')
      .replace('self.entries.append(amount - fee)', 'self.entries.append( amount-fee )  # net')
      .replace('FEE = 3', 'FEE = 3  # cents')
      .replace('def render(ledger):', '# rendering\ndef render(ledger):\n\n');
    expect(reformatted).not.toBe(BASE);
    expect(comparePythonVersions(BASE, reformatted)).toEqual({ changedBodies: [], moduleLevel: [] });
  });

  it('an indentation change that moves a statement into a block is a body change', () => {
    const source = 'def f(x):\n    if x:\n        x += 1\n    return x\n';
    expect(comparePythonVersions(source, source.replace('    return x', '        return x')).changedBodies).toEqual([
      'f',
    ]);
  });

  it('a renamed function is a removal plus an addition: module-level', () => {
    expect(edit('def round_up(value):', 'def ceil_of(value):')).toEqual({
      changedBodies: [],
      moduleLevel: ['round_up removed', 'ceil_of added'],
    });
  });

  it('a version that does not parse cannot be attributed', () => {
    expect(edit('return math.ceil(value)', 'return math.ceil(value').moduleLevel[0]).toMatch(/does not parse/);
  });

  it('units carry qualified names, body ranges and decorators; lines map to their unit', () => {
    const shape = shapePythonModule(BASE);
    expect(shape.units.map((u) => [u.qualifiedName, u.startLine, u.bodyStartLine, u.endLine, u.decorators])).toEqual([
      ['Ledger.__init__', 10, 11, 12, []],
      ['Ledger.post', 14, 16, 17, []],
      ['Ledger.balance', 19, 21, 21, ['property']],
      ['round_up', 24, 25, 25, []],
      ['render', 28, 29, 29, []],
    ]);
    const owner = unitLines(shape.units);
    expect(unitAtLine(owner, 16)).toBe(1);
    expect(unitAtLine(owner, 14)).toBe(-1); // the def line runs at import time
    expect(unitAtLine(owner, 8)).toBe(-1);
    expect(unitAtLine(owner, 0)).toBe(-1); // coverage.py's line 0: an empty module ran
    expect(unitAtLine(owner, 999)).toBe(-1);
  });

  it('memoising and caching units are recognised', () => {
    const shape = shapePythonModule(
      'from functools import lru_cache\n_SEEN = {}\n\n@lru_cache(maxsize=None)\ndef table():\n    return load()\n\n' +
        'def remember(k):\n    _SEEN[k] = build(k)\n    return _SEEN[k]\n\ndef plain(k):\n    local = {}\n    local[k] = 1\n    return local\n',
    );
    expect(shape.units.map((u) => [u.qualifiedName, u.decorators, u.memoises])).toEqual([
      ['table', ['lru_cache(maxsize=None)'], false],
      ['remember', [], true],
      ['plain', [], false],
    ]);
    expect([...shape.units[0].mentions]).toContain('load');
  });

  it('a global that only ever holds an imported function keeps no result; any other value, or a change in place, does', () => {
    const shape = shapePythonModule(
      [
        '_impl = _count = _done = _patched = _table = None',
        '',
        'def lazy(echo):',
        '    global _impl',
        '    if _impl is None:',
        '        from ._impl import getchar as f',
        '        _impl = f',
        '    return _impl(echo)',
        '',
        'def counter():',
        '    global _count',
        '    _count += 1',
        '',
        'def flag():',
        '    global _done',
        '    if not _done:',
        '        setup()',
        '        _done = True',
        '',
        'def patched():',
        '    global _patched',
        '    from . import impl as f',
        '    _patched = f',
        '    _patched.cache = {}',
        '',
        'def dropped(k):',
        '    global _table',
        '    import json as _table',
        '    del _table.cache[k], k',
        '',
        'def wrapped():',
        '    global _impl',
        '    from ._impl import getchar as f',
        '    _impl = lambda echo: f(echo)',
        '',
      ].join('\n'),
    );
    expect(shape.units.map((u) => [u.qualifiedName, u.memoises])).toEqual([
      ['lazy', false],
      ['counter', true],
      ['flag', true],
      ['patched', true],
      ['dropped', true],
      ['wrapped', true],
    ]);
  });

  describe('constructs real packages use (each one a unit of its own, changes go to the smallest unit)', () => {
    const CONSTRUCTS = [
      'import functools',
      'from typing import TYPE_CHECKING, overload',
      'if TYPE_CHECKING:',
      '    def typed() -> int:',
      '        return 1',
      'try:',
      '    import _missing',
      'except ImportError:',
      '    def fallback(x):',
      '        return x + 1',
      'else:',
      '    def fallback(x):',
      '        return x + 2',
      'class Outer:',
      '    class Inner:',
      '        def method(self):',
      '            return "inner"',
      '    @property',
      '    def value(self):',
      '        return self._value',
      '    @value.setter',
      '    def value(self, new):',
      '        self._value = new',
      '@overload',
      'def over(x: int) -> int: ...',
      '@overload',
      'def over(x: str) -> str: ...',
      'def over(x):',
      '    return x',
      'def decorator(fn):',
      '    @functools.wraps(fn)',
      '    def wrapper(*args):',
      '        return fn(*args)',
      '    return wrapper',
      'def factory():',
      '    class Local:',
      '        def run(self):',
      '            return 5',
      '    return Local',
      '',
    ].join('\n');
    const change = (from: string, to: string) => {
      if (!CONSTRUCTS.includes(from)) throw new Error(`not in the source: ${from}`);
      return comparePythonVersions(CONSTRUCTS, CONSTRUCTS.replace(from, to));
    };

    it('names every definition, duplicates told apart the way a reader would', () => {
      const shape = shapePythonModule(CONSTRUCTS);
      expect(shape.units.map((u) => [u.qualifiedName, u.bodyStartLine, u.endLine, u.parent ?? null])).toEqual([
        ['typed', 5, 5, null],
        ['fallback', 10, 10, null],
        ['fallback#2', 13, 13, null],
        ['Outer.Inner.method', 17, 17, null],
        ['Outer.value', 20, 20, null],
        ['Outer.value.setter', 23, 23, null],
        ['over', 25, 25, null],
        ['over#2', 27, 27, null],
        ['over#3', 29, 29, null],
        ['decorator', 31, 34, null],
        ['decorator.<locals>.wrapper', 33, 33, 'decorator'],
        ['factory', 36, 39, null],
        ['factory.<locals>.Local.run', 38, 38, 'factory'],
      ]);
      const owner = unitLines(shape.units);
      expect([31, 32, 33, 34].map((line) => shape.units[unitAtLine(owner, line)].qualifiedName)).toEqual([
        'decorator',
        'decorator',
        'decorator.<locals>.wrapper',
        'decorator',
      ]);
    });

    it('a body change of a duplicate, a property setter, an overload implementation or a closure names that unit alone', () => {
      expect(change('return x + 2', 'return x + 3')).toEqual({ changedBodies: ['fallback#2'], moduleLevel: [] });
      expect(change('self._value = new', 'self._value = -new')).toEqual({
        changedBodies: ['Outer.value.setter'],
        moduleLevel: [],
      });
      expect(change('    return x\n', '    return -x\n')).toEqual({ changedBodies: ['over#3'], moduleLevel: [] });
      expect(change('return fn(*args)', 'return fn(*args[::-1])')).toEqual({
        changedBodies: ['decorator.<locals>.wrapper'],
        moduleLevel: [],
      });
      expect(change('return 5', 'return 6')).toEqual({
        changedBodies: ['factory.<locals>.Local.run'],
        moduleLevel: [],
      });
      expect(change('return "inner"', 'return "outer"')).toEqual({
        changedBodies: ['Outer.Inner.method'],
        moduleLevel: [],
      });
      expect(change('        return 1\n', '        return 2\n')).toEqual({ changedBodies: ['typed'], moduleLevel: [] });
    });

    it('the header of a nested function is part of the enclosing body; a new nested function too', () => {
      expect(change('    @functools.wraps(fn)\n', '')).toEqual({ changedBodies: ['decorator'], moduleLevel: [] });
      expect(change('def wrapper(*args):', 'def wrapper(*args, **kw):')).toEqual({
        changedBodies: ['decorator'],
        moduleLevel: [],
      });
      expect(change('    return wrapper', '    def extra():\n        return 1\n    return wrapper')).toEqual({
        changedBodies: ['decorator'],
        moduleLevel: [],
      });
      // A top-level overload added renumbers the implementation: added and removed, module level.
      expect(change('def over(x):', '@overload\ndef over(x: bytes) -> bytes: ...\ndef over(x):').moduleLevel).toContain(
        'over#4 added',
      );
    });
  });
});

describe('the old version kept by blob (the impact map commit is the same on every pull request)', () => {
  const question = 'python-compared-shape/1';
  /** Answers in memory, as the store keeps them (JSON in, JSON out). */
  const answersOf = (entries: Record<string, unknown> = {}) => {
    const kept = new Map(Object.entries(entries).map(([key, value]) => [key, JSON.parse(JSON.stringify(value))]));
    const answers: BlobAnswers = {
      blobOf: () => undefined,
      get: (blob, q) => kept.get(`${blob}\0${q}`),
      set: (blob, q, answer) => void kept.set(`${blob}\0${q}`, JSON.parse(JSON.stringify(answer))),
    };
    return { answers, kept };
  };
  const after = BASE.replace('return sum(self.entries)', 'return sum(self.entries) + 1');

  it('shapes the old version once, keeps it, and reads it back instead of the text', () => {
    const uncached = comparePythonVersions(BASE, after);
    expect(uncached.changedBodies).toEqual(['Ledger.balance']);
    const { answers, kept } = answersOf();
    expect(comparePythonVersions(BASE, after, { blob: 'b1', answers })).toEqual(uncached);
    expect(kept.has(`b1\0${question}`)).toBe(true);
    // The kept shape answers for the blob: the text given is not read again.
    expect(comparePythonVersions('def other(): pass\n', after, { blob: 'b1', answers })).toEqual(uncached);
  });

  it('ignores a kept answer of the wrong shape, compares from the text and keeps a right one', () => {
    const uncached = comparePythonVersions(BASE, after);
    const { answers: fresh, kept: good } = answersOf();
    comparePythonVersions(BASE, after, { blob: 'b1', answers: fresh });
    const right = good.get(`b1\0${question}`) as Record<string, unknown>;
    const unit = (right.units as Array<Record<string, unknown>>)[0];
    for (const wrong of [
      null,
      'shape',
      42,
      [],
      {},
      { ...right, residuePrint: 1 },
      { ...right, units: 'x' },
      { ...right, units: [{ ...unit, bodyPrint: 7 }] },
      { ...right, units: [{ ...unit, parent: 3 }] },
      { ...right, classes: [{ qualifiedName: 'Ledger' }] },
      { ...right, syntaxError: { line: 'one' } },
    ]) {
      const { answers, kept } = answersOf({ [`b1\0${question}`]: wrong });
      expect(comparePythonVersions(BASE, after, { blob: 'b1', answers })).toEqual(uncached);
      expect(kept.get(`b1\0${question}`)).toEqual(right);
    }
  });
});
