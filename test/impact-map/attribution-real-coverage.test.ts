import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { attributeChangedBodies, ImpactMapIndex, learnImpactMap, type ImpactMap } from '@ci-optimizer/core/impact-map';
import { comparePythonVersions, readCoverageContexts, pythonPack } from '@ci-optimizer/core/languages/python';
import { recordCoverage, type LearnedRepo } from './support.ts';

// Item 4 of issue 13: a change attributes to the smallest enclosing unit the map knows, on the constructs real
// packages use. One real pytest-cov run (Debian pytest 7 / coverage 6.5, --cov-context=test, its JSON report with
// contexts); one test file per construct, so each unit's executors are exactly that file.
const SHAPES = `"""Constructs real packages use."""
import asyncio
import functools
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from collections.abc import Iterator


def traced(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)

    return wrapper


@traced
def decorated(x):
    return x + 1


class Outer:
    class Inner:
        def method(self):
            return "inner"

    @staticmethod
    def static(x):
        return x * 3

    @classmethod
    def build(cls):
        return cls()


class Box:
    def __init__(self):
        self._value = 0

    @property
    def value(self):
        return self._value

    @value.setter
    def value(self, new):
        self._value = new * 10


@overload
def over(x: int) -> int: ...
@overload
def over(x: str) -> str: ...
def over(x):
    return x * 2


def make_adder(n):
    def add(x):
        return x + n

    return add


def sort_by_len(items):
    return sorted(items, key=lambda s: (len(s), s))


try:
    import _no_such_module_here  # noqa: F401
except ImportError:
    def fallback(x):
        return x - 1
else:
    def fallback(x):
        return x


if sys.version_info >= (3, 8):
    def modern():
        return "modern"


def multi(
    a,
    b=2,
):
    return a + b


def documented():
    """Returns one."""
    return 1


async def fetch(x):
    await asyncio.sleep(0)
    return x * 2


def counter(n):
    i = 0
    while i < n:
        yield
        i += 1


@dataclass
class Point:
    x: int
    y: int


def classify(p):
    match p:
        case Point(x=0, y=0):
            return "origin"
        case Point(x=0):
            return "y-axis"
        case _:
            return "elsewhere"


def one_liner(): return 1


square = lambda x: x * x  # noqa: E731
`;

/** Each construct: the test file that exercises it alone. */
const TESTS: Record<string, string> = {
  'tests/test_decorated.py':
    'from pkg.shapes import decorated\n\n\ndef test_decorated():\n    assert decorated(1) == 2\n',
  'tests/test_inner.py':
    'from pkg.shapes import Outer\n\n\ndef test_inner():\n    assert Outer.Inner().method() == "inner"\n',
  'tests/test_static.py': 'from pkg.shapes import Outer\n\n\ndef test_static():\n    assert Outer.static(2) == 6\n',
  'tests/test_build.py':
    'from pkg.shapes import Outer\n\n\ndef test_build():\n    assert isinstance(Outer.build(), Outer)\n',
  'tests/test_getter.py': 'from pkg.shapes import Box\n\n\ndef test_getter():\n    assert Box().value == 0\n',
  'tests/test_setter.py':
    'from pkg.shapes import Box\n\n\ndef test_setter():\n    box = Box()\n    box.value = 2\n    assert box._value == 20\n',
  'tests/test_over.py': 'from pkg.shapes import over\n\n\ndef test_over():\n    assert over(2) == 4\n',
  'tests/test_closure.py':
    'from pkg.shapes import make_adder\n\n\ndef test_closure():\n    assert make_adder(2)(3) == 5\n',
  'tests/test_lambda.py':
    'from pkg.shapes import sort_by_len\n\n\ndef test_lambda():\n    assert sort_by_len(["bb", "a"]) == ["a", "bb"]\n',
  'tests/test_fallback.py': 'from pkg.shapes import fallback\n\n\ndef test_fallback():\n    assert fallback(2) == 1\n',
  'tests/test_modern.py': 'from pkg.shapes import modern\n\n\ndef test_modern():\n    assert modern() == "modern"\n',
  'tests/test_multi.py': 'from pkg.shapes import multi\n\n\ndef test_multi():\n    assert multi(1) == 3\n',
  'tests/test_documented.py':
    'from pkg.shapes import documented\n\n\ndef test_documented():\n    assert documented() == 1\n',
  'tests/test_fetch.py':
    'import asyncio\n\nfrom pkg.shapes import fetch\n\n\ndef test_fetch():\n    assert asyncio.run(fetch(2)) == 4\n',
  'tests/test_counter.py':
    'from pkg.shapes import counter\n\n\ndef test_counter():\n    assert len(list(counter(3))) == 3\n',
  'tests/test_classify.py':
    'from pkg.shapes import Point, classify\n\n\ndef test_classify():\n    assert classify(Point(0, 0)) == "origin"\n    assert classify(Point(0, 1)) == "y-axis"\n',
  'tests/test_one_liner.py':
    'from pkg.shapes import one_liner, square\n\n\ndef test_one_liner():\n    assert one_liner() == 1\n    assert square(3) == 9\n',
};

const PROJECT: Record<string, string> = {
  '.gitignore': '.coverage\n__pycache__/\n',
  'pytest.ini': '[pytest]\ntestpaths = tests\npythonpath = .\n',
  'pkg/__init__.py': '',
  'pkg/shapes.py': SHAPES,
  ...TESTS,
};

describe('attributing changes to the smallest enclosing unit, on real coverage', () => {
  let learned: LearnedRepo;
  let map: ImpactMap;
  let index: ImpactMapIndex;
  beforeAll(async () => {
    learned = recordCoverage(PROJECT);
    const coverage = await readCoverageContexts(learned.jsonFile);
    expect(coverage.format).toBe('coverage-json');
    map = await learnImpactMap({ pack: pythonPack, repoDir: learned.repo.dir, coverage });
    index = new ImpactMapIndex(map);
  }, 300_000);
  afterAll(() => learned?.remove());

  /** Applies one edit to pkg/shapes.py; returns the units it narrows to with their executors, or why it cannot. */
  const attribute = (from: string, to: string): Record<string, string[]> | string => {
    if (!SHAPES.includes(from)) throw new Error(`not in the source: ${from}`);
    const change = comparePythonVersions(SHAPES, SHAPES.replace(from, to));
    if (change.moduleLevel.length) return `module level: ${change.moduleLevel.join('; ')}`;
    const result = attributeChangedBodies(index, 'pkg/shapes.py', change.changedBodies);
    if (typeof result === 'string') return result;
    return Object.fromEntries(
      result.units.map((id) => [
        index.unitLabel(id),
        index
          .executorsOf(id)
          .map((test) => map.tests[test].path)
          .sort(),
      ]),
    );
  };

  it('the JSON report really has the per-test contexts the map learns from', () => {
    const report = JSON.parse(readFileSync(learned.jsonFile, 'utf8'));
    const contexts = report.files['pkg/shapes.py'].contexts as Record<string, string[]>;
    expect(Object.values(contexts).flat()).toContain('tests/test_setter.py::test_setter|run');
    expect(map.tests.map((test) => test.path).sort()).toEqual(Object.keys(TESTS).sort());
  });

  it.each([
    [
      'a method of a nested class',
      'return "inner"',
      'return "outer"',
      'pkg.shapes.Outer.Inner.method',
      'tests/test_inner.py',
    ],
    ['a decorated function', 'return x + 1', 'return x + 2', 'pkg.shapes.decorated', 'tests/test_decorated.py'],
    ['a staticmethod', 'return x * 3', 'return x * 4', 'pkg.shapes.Outer.static', 'tests/test_static.py'],
    ['a classmethod', 'return cls()', 'return cls.__new__(cls)', 'pkg.shapes.Outer.build', 'tests/test_build.py'],
    [
      'a property getter',
      'return self._value',
      'return self._value + 0',
      'pkg.shapes.Box.value',
      'tests/test_getter.py',
    ],
    [
      'a property setter',
      'self._value = new * 10',
      'self._value = new * 11',
      'pkg.shapes.Box.value.setter',
      'tests/test_setter.py',
    ],
    [
      'an overload implementation',
      'return x * 2\n\n\ndef make',
      'return x * 3\n\n\ndef make',
      'pkg.shapes.over#3',
      'tests/test_over.py',
    ],
    ['a closure', 'return x + n', 'return x - n', 'pkg.shapes.make_adder.<locals>.add', 'tests/test_closure.py'],
    [
      'a lambda inside a function',
      'key=lambda s: (len(s), s)',
      'key=lambda s: (len(s), s[::-1])',
      'pkg.shapes.sort_by_len',
      'tests/test_lambda.py',
    ],
    [
      'a function defined under try/except',
      'return x - 1',
      'return x - 2',
      'pkg.shapes.fallback',
      'tests/test_fallback.py',
    ],
    ['a function defined under if', 'return "modern"', 'return "new"', 'pkg.shapes.modern', 'tests/test_modern.py'],
    [
      'a function with a multi-line signature',
      'return a + b',
      'return a - b',
      'pkg.shapes.multi',
      'tests/test_multi.py',
    ],
    [
      'a docstring-only change',
      '"""Returns one."""',
      '"""Returns 1."""',
      'pkg.shapes.documented',
      'tests/test_documented.py',
    ],
    [
      'an async function',
      'return x * 2\n\n\ndef counter',
      'return x * 5\n\n\ndef counter',
      'pkg.shapes.fetch',
      'tests/test_fetch.py',
    ],
    [
      'a generator with a bare yield',
      '        i += 1',
      '        i += 2',
      'pkg.shapes.counter',
      'tests/test_counter.py',
    ],
    ['a match statement', 'return "y-axis"', 'return "x-axis"', 'pkg.shapes.classify', 'tests/test_classify.py'],
  ])('%s: narrowed to that unit and the test that ran it', (_what, from, to, unit, test) => {
    expect(attribute(from, to)).toEqual({ [unit]: [test] });
  });

  it('a decorator wrapper change goes to the wrapper: every test that called a decorated function', () => {
    expect(attribute('return fn(*args, **kwargs)', 'return fn(*args[::-1], **kwargs)')).toEqual({
      'pkg.shapes.traced.<locals>.wrapper': ['tests/test_decorated.py'],
    });
  });

  it('what the map cannot attribute stays safe (the static closure decides)', () => {
    // The decorator itself runs when the module is imported.
    expect(attribute('    @functools.wraps(fn)\n', '')).toMatch(
      /pkg\.shapes\.traced runs at import or collection time/,
    );
    // A one-line function: its only line is also the def line, which runs at import.
    expect(attribute('def one_liner(): return 1', 'def one_liner(): return 2')).toMatch(
      /one_liner runs at import or collection time/,
    );
    // A module-level lambda is module-level code; so is a signature default.
    expect(attribute('square = lambda x: x * x', 'square = lambda x: x * x * x')).toBe(
      'module level: module-level code changed',
    );
    expect(attribute('    b=2,', '    b=3,')).toBe('module level: signature or default arguments of multi changed');
    // A class body (the dataclass fields) and a TYPE_CHECKING import are module level too.
    expect(attribute('    y: int\n', '    y: int = 0\n')).toBe('module level: class body or bases of Point changed');
    expect(attribute('from collections.abc import Iterator', 'from collections.abc import Iterable')).toBe(
      'module level: module-level code changed',
    );
  });
});
