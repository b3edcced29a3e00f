import { beforeAll, describe, expect, it } from 'vitest';
import {
  analyzePythonSource,
  loadPythonParser,
  MAX_PARSED_SOURCE_CHARS,
  scanPythonSource,
} from '@ci-optimizer/core/languages/python';

beforeAll(async () => {
  await loadPythonParser();
});

/** The full analysis without what the scan does not read (syntax, dotted call arguments). */
function analysed(source: string) {
  const { syntaxError: _syntax, moduleArguments: _arguments, ...facts } = analyzePythonSource(source);
  return facts;
}

function scanned(source: string) {
  const facts = scanPythonSource(source);
  expect(facts, 'the scan should read this file').toBeDefined();
  const { scanned: mark, ...rest } = facts!;
  expect(mark).toBe(true);
  return rest;
}

describe('scanPythonSource', () => {
  it('reads import statements as the full analysis does', () => {
    const source = [
      'import a.b as c, d',
      'from ..x.y import (z as w,  # a comment',
      '    q,)',
      'from . import *',
      'from .... deep import k',
      'from . . up import m',
      'from.near import n',
      'import a \\',
      '    . b',
      'from __future__ import annotations',
      'if x: import e; import f as g',
      'def gen():',
      '    yield from h.i',
      '    raise E from j',
    ].join('\n');
    expect(scanned(source)).toEqual(analysed(source));
    expect(scanned(source).imports.map((imp) => `${'.'.repeat(imp.level)}${imp.module}:${imp.line}`)).toEqual([
      'a.b:1',
      'd:1',
      '..x.y:2',
      '.:4',
      '....deep:5',
      '..up:6',
      '.near:7',
      'a.b:8',
      '__future__:10',
      'e:11',
      'f:11',
    ]);
    expect(scanned(source).moduleAliases).toEqual({ c: 'a.b', g: 'f' });
  });

  it('finds no import in strings, comments and f-strings, and keeps the path-like strings in order', () => {
    const source = [
      '# import commented',
      's = "import quoted"',
      "t = '''",
      'from triple import x',
      "'''",
      "u = f\"{a!r:>{width}} {b['k']} {{import braces}} {open('data/x.json')}\"",
      'v = rb"raw\\" import bytes"',
      'w = "\\N{BULLET} data/y.csv"',
      'x = f"\\N{BULLET} {c}" + "conf/z.ini"',
      "y = r'C:\\\\dir\\\\file.txt'",
      'z = f"""{',
      '    d',
      '}""" "a/b"',
      'import real',
    ].join('\r\n');
    const facts = scanned(source);
    expect(facts).toEqual(analysed(source));
    expect(facts.imports.map((imp) => `${imp.module}:${imp.line}`)).toEqual(['real:14']);
    expect(facts.strings).toEqual([
      'data/x.json',
      '\\N{BULLET} data/y.csv',
      'conf/z.ini',
      'C:\\\\dir\\\\file.txt',
      'a/b',
    ]);
  });

  it('reads literal __all__ values (the last assignment wins) as the full analysis does', () => {
    for (const value of ["['a', 'b',]", "('a')", "'a', 'b'", "'a' 'b'", '[]', "[f'x', 'y', b'z']", 'f"x"']) {
      const source = `__all__ = ['first']\n__all__ += ['more']\nx.__all__ = ['other']\n__all__ = ${value}\n`;
      expect(scanned(source), value).toEqual(analysed(source));
    }
    expect(scanned("__all__ = ['a', 'b',]\n").all).toEqual(['a', 'b']);
  });

  it('reads what is no statement of its own: strings with >>> in expressions, __all__ read or passed', () => {
    const source = [
      'doc = base + """',
      '>>> import not_an_example',
      '"""',
      'f("""',
      '>>> import argument',
      '""")',
      "text = '''>>> import operand'''.strip()",
      'if name in __all__:',
      '    g(__all__=1)',
      'svg = f"""<tag id="{make("rect", x=0)}"/>"""',
      'import real',
    ].join('\n');
    const facts = scanned(source);
    expect(facts).toEqual(analysed(source));
    expect(facts.doctestImports).toBeUndefined();
    expect(facts.all).toBeUndefined();
    expect(facts.imports.map((imp) => imp.module)).toEqual(['real']);
  });

  it('reads the imports of doctest examples in docstrings', () => {
    const source = ['def f():', '    """Doc.', '', '    >>> import app.helpers', '    >>> f()', '    """', ''].join(
      '\n',
    );
    const facts = scanned(source);
    expect(facts).toEqual(analysed(source));
    expect(facts.doctestImports).toEqual([{ module: 'app.helpers', level: 0, line: 4, kind: 'import' }]);
  });

  it('parses the examples of a docstring whose code the scan cannot read, as the full analysis does', () => {
    const source = [
      'def f():',
      '    """Doc.',
      '',
      '    >>> import app.first',
      "    >>> s = 'unterminated",
      '    >>> from app import second',
      '    """',
      '',
    ].join('\n');
    const facts = scanned(source);
    expect(facts).toEqual(analysed(source));
    expect(facts.doctestImports?.[0]).toEqual({ module: 'app.first', level: 0, line: 4, kind: 'import' });
  });

  it('without the parser (parser: false), leaves such a file to the full analysis and reads the rest the same', () => {
    const unread = ['def f():', '    """Doc.', '', "    >>> s = 'unterminated", '    >>> import app', '    """', ''];
    expect(scanPythonSource(unread.join('\n'), { parser: false })).toBeUndefined();
    const read = ['def f():', '    """Doc.', '', '    >>> import app.helpers', '    """', 'import os', ''].join('\n');
    expect(scanPythonSource(read, { parser: false })).toEqual(scanPythonSource(read));
    expect(scanPythonSource(read, { parser: false })?.doctestImports).toHaveLength(1);
  });

  it.each([
    ['a computed import', 'import importlib\nimportlib.import_module(name)\n'],
    ['__import__', 'm = __import__("x")\n'],
    ['pytest_plugins', 'pytest_plugins = ["a.b"]\n'],
    ['a package scan', 'for m in pkgutil.iter_modules(__path__): pass\n'],
    ['entry points', 'for ep in entry_points(group="g"): ep.load()\n'],
    ['__all__ built by an expression', '__all__ = core.__all__ + ["x"]\n'],
    ['an annotated __all__', '__all__: list[str] = ["x"]\n'],
    ['__all__ in a compound statement', 'if x: __all__ = ["x"]\n'],
    ['a doctest string beside a comma', '"""\n>>> import b\n""", 2\n'],
    ['a doctest string after a colon', 'class A: """\n>>> import b\n"""\n'],
    ['an unterminated string', 'import a\nx = "open\n'],
    ['an unclosed bracket', 'import a\nx = (1,\n'],
    ['a stray closing bracket', 'import a\nx = 1)\n'],
    ['a character Python has no token for', 'import a\nx = $y\n'],
    ['a bare carriage return', 'import a\rimport b\n'],
    ['a quote reused inside a replacement field', 'x = f"{d["k"]}"\n'],
    ['a triple quote reused inside a replacement field', "x = f'''{d['''k''']}'''\n"],
    ['a line break inside a single-quoted f-string field', 'x = f"{(a,\nb)}"\n'],
  ])('leaves %s to the full analysis', (_what, source) => {
    expect(scanPythonSource(source)).toBeUndefined();
  });

  it('leaves a file larger than the full analysis parses to it (it then counts as importing anything)', () => {
    const source = `import a\n${'x = 1\n'.repeat(MAX_PARSED_SOURCE_CHARS / 6 + 1)}`;
    expect(scanPythonSource(source)).toBeUndefined();
    expect(analyzePythonSource(source).unparsed).toBeDefined();
    expect(scanPythonSource(source.slice(0, 1000))).toBeDefined();
  });

  it('does not judge syntax: a grammar error the tokens do not show is scanned, with the imports the parse recovers', () => {
    const source = 'import app.a\nx = = 1\n';
    const facts = scanPythonSource(source);
    expect(facts?.imports).toEqual(analyzePythonSource(source).imports);
    expect(facts?.syntaxError).toBeUndefined();
    expect(analyzePythonSource(source).syntaxError).toBeDefined();
  });
});
