import { beforeAll, describe, expect, it } from 'vitest';
import {
  analyzePythonSource,
  listPythonDefinitions,
  loadPythonParser,
  PythonModuleIndex,
  pythonLanguage,
} from '@ci-optimizer/core/languages/python';

beforeAll(async () => {
  await loadPythonParser();
});

describe('analyzePythonSource', () => {
  it('reads import statements with aliases, relative levels and parenthesised names', () => {
    const facts = analyzePythonSource(
      ['import a.b as c, d', 'from ..x.y import (z as w,', '    q)', 'from . import *', 'from .... deep import k'].join(
        '\n',
      ),
    );
    expect(facts.imports).toEqual([
      { module: 'a.b', level: 0, line: 1, kind: 'import' },
      { module: 'd', level: 0, line: 1, kind: 'import' },
      { module: 'x.y', level: 2, names: ['z', 'q'], line: 2, kind: 'from' },
      { module: '', level: 1, names: ['*'], line: 4, kind: 'from' },
      { module: 'deep', level: 4, names: ['k'], line: 5, kind: 'from' },
    ]);
    expect(facts.syntaxError).toBeUndefined();
  });

  it('finds imports nested in functions, try/except and TYPE_CHECKING blocks', () => {
    const facts = analyzePythonSource(
      [
        'try:',
        '    import fast_json as json',
        'except ImportError:',
        '    import json',
        'if TYPE_CHECKING:',
        '    from app.models import User',
        'def f():',
        '    from app import late',
      ].join('\n'),
    );
    expect(facts.imports.map((i) => `${i.module}:${i.line}`)).toEqual([
      'fast_json:2',
      'json:4',
      'app.models:6',
      'app:8',
    ]);
  });

  it('turns literal dynamic imports into imports and keeps the literal prefix of computed ones', () => {
    const facts = analyzePythonSource(
      [
        'importlib.import_module("app.plugins.csv")',
        '__import__("app.util")',
        'import_module(".sibling", package=__package__)',
        'importlib.import_module(f"app.plugins.{name}")',
        'importlib.import_module("app." + name)',
        '__import__(name)',
      ].join('\n'),
    );
    expect(facts.imports).toEqual([
      { module: 'app.plugins.csv', level: 0, line: 1, kind: 'dynamic' },
      { module: 'app.util', level: 0, line: 2, kind: 'dynamic' },
      { module: 'sibling', level: 1, line: 3, kind: 'dynamic' },
    ]);
    expect(facts.dynamicImports.map((d) => [d.prefix, d.level, d.line])).toEqual([
      ['app.plugins.', 0, 4],
      ['app.', 0, 5],
      ['', 0, 6],
    ]);
  });

  it('reads pytest_plugins, __all__ and path-like string literals', () => {
    const facts = analyzePythonSource(
      [
        'pytest_plugins = ["tests.fixtures.db", "tests.fixtures.http"]',
        '__all__ = ("ledger", "rates")',
        'DATA = Path(__file__).parent / "fixtures" / "rates.json"',
        'OTHER = r"data\\\\x.csv"',
        'GREETING = "hello world"',
      ].join('\n'),
    );
    expect(facts.imports.filter((i) => i.kind === 'plugin').map((i) => i.module)).toEqual([
      'tests.fixtures.db',
      'tests.fixtures.http',
    ]);
    expect(facts.all).toEqual(['ledger', 'rates']);
    expect(facts.strings).toContain('rates.json');
    expect(facts.strings).toContain('data\\\\x.csv');
    expect(facts.strings).not.toContain('hello world');
  });

  it('reads string values the same from the text (no interpolation possible) as from the tree (a file with an error)', () => {
    const lines = [
      'A = "data/a.json"',
      "B = 'x\\'y/b.txt'",
      'C = r"c\\d.csv"',
      'D = "e/{name}.json"',
      'E = f"f/{name}.json"',
      'F = rf"g/{name}.json"',
      'G = b"h/i.bin"',
      'H = """j/k.cfg"""',
      'I = u"l/m.ini"',
      'J = F"n/o.txt"',
      'load("pkg.module")',
    ];
    const clean = analyzePythonSource(lines.join('\n'));
    expect(clean.syntaxError).toBeUndefined();
    expect(clean.strings).toEqual([
      'data/a.json',
      "x'y/b.txt",
      'c\\d.csv',
      'e/{name}.json',
      'j/k.cfg',
      'l/m.ini',
      'pkg.module',
    ]);
    expect(clean.moduleArguments).toEqual([{ callee: 'load', argument: 0, value: 'pkg.module', line: 11 }]);
    // With a syntax error the values come from walking each string's children: the same answers.
    const broken = analyzePythonSource([...lines, 'def broken(:'].join('\n'));
    expect(broken.syntaxError).toBeDefined();
    expect(broken.strings).toEqual(clean.strings);
    expect(broken.moduleArguments).toEqual(clean.moduleArguments);
  });

  it('reports the first syntax error with its position', () => {
    const facts = analyzePythonSource('import os\n\ndef broken(:\n    return 1\n');
    expect(facts.syntaxError?.line).toBe(3);
    expect(analyzePythonSource('x = [1, 2\n').syntaxError).toBeDefined();
  });
});

describe('listPythonDefinitions', () => {
  it('gives qualified names and ranges, decorators included', () => {
    const source = [
      '@dataclass', // 1
      'class Ledger:', // 2
      '    rate = 1', // 3
      '    @property', // 4
      '    def total(self):', // 5
      '        return 1', // 6
      '', // 7
      '    async def post(self, x):', // 8
      '        def inner():', // 9
      '            return x', // 10
      '        return inner()', // 11
      '', // 12
      'def helper(a=1):', // 13
      '    return a', // 14
    ].join('\n');
    expect(listPythonDefinitions(source)).toEqual([
      { qualifiedName: 'Ledger', kind: 'class', startLine: 1, endLine: 11, bodyStartLine: 2 },
      { qualifiedName: 'Ledger.total', kind: 'function', startLine: 4, endLine: 6, bodyStartLine: 5 },
      { qualifiedName: 'Ledger.post', kind: 'function', startLine: 8, endLine: 11, bodyStartLine: 8 },
      { qualifiedName: 'Ledger.post.<locals>.inner', kind: 'function', startLine: 9, endLine: 10, bodyStartLine: 9 },
      { qualifiedName: 'helper', kind: 'function', startLine: 13, endLine: 14, bodyStartLine: 13 },
    ]);
  });
});

describe('PythonModuleIndex', () => {
  const files = [
    'src/app/__init__.py',
    'src/app/core/__init__.py',
    'src/app/core/ledger.py',
    'src/nsroot/part/mod.py',
    'tests/helpers.py',
    'tests/unit/__init__.py',
    'tests/unit/test_ledger.py',
    'tools/script.py',
  ];
  const index = new PythonModuleIndex(files);

  it("lists a computed import's candidates by name prefix in the listing's order, not the names' order", () => {
    // The package's files in listing order; sorted by name, `pkg.al` would come before `pkg.alpha`.
    const pkg = ['pkg/__init__.py', 'pkg/zeta.py', 'pkg/alpha.py', 'pkg/alpha_two/__init__.py', 'pkg/al.py'];
    const listed = new PythonModuleIndex([...pkg, 'other/pkga.py', 'pkg/loader.py']);
    const call = (prefix: string, extra: Record<string, unknown> = {}) =>
      ({ prefix, level: 0, line: 1, text: 'import_module(x)', callee: 'import_module', ...extra }) as Parameters<
        typeof listed.resolveDynamic
      >[1];
    expect(listed.resolveDynamic('pkg/loader.py', call('pkg.al'))).toEqual(pkg.slice(2));
    // `pkga` (under the root `other`) starts with `pkg` too; the calling file is not its own candidate.
    expect(listed.resolveDynamic('pkg/loader.py', call('pkg'))).toEqual([...pkg, 'other/pkga.py']);
    expect(listed.resolveDynamic('pkg/loader.py', call('pkg.', { package: 'pkg' }))).toEqual(['pkg/__init__.py']);
    expect(listed.resolveDynamic('pkg/loader.py', call('zz'))).toEqual([]);
    expect(listed.resolveDynamic('pkg/loader.py', call('', { package: 'pkg' }))).toEqual(pkg);
  });

  it('a computed import that may load any file answers mayLoad as its targets do, without them', () => {
    const sources: Record<string, string> = {
      'pkg/__init__.py': '',
      'pkg/loader.py': 'import importlib\ndef load(name):\n    return importlib.import_module(name)\n',
      'pkg/any.py': 'import importlib\nM = importlib.import_module(input())\n',
      'pkg/own.py': 'import importlib\nM = importlib.import_module(__name__ + input())\n',
      'pkg/bounded.py': 'import importlib\nM = importlib.import_module("pkg." + input())\n',
      // The name of a module the link does not know.
      'pkg/named.py': 'import importlib\nimport thing\nM = importlib.import_module(thing.__name__ + input())\n',
      'data.txt': '',
    };
    const facts = new Map(
      Object.entries(sources)
        .filter(([path]) => pythonLanguage.handles(path))
        .map(([path, text]) => [path, analyzePythonSource(text)]),
    );
    const calls = pythonLanguage.link(facts, {}).dynamic;
    expect(calls.map((call) => call.from).sort()).toEqual(
      [...facts.keys()].filter((p) => p !== 'pkg/__init__.py').sort(),
    );
    for (const call of calls)
      for (const candidate of [...Object.keys(sources), 'elsewhere.py'])
        expect([call.from, candidate, call.mayLoad(candidate)]).toEqual([
          call.from,
          candidate,
          call.targets!().has(candidate),
        ]);
    expect(calls.find((call) => call.from === 'pkg/any.py')!.mayLoad('pkg/any.py')).toBe(false);
    expect(calls.find((call) => call.from === 'pkg/any.py')!.bounded).toBe(false);
  });

  it('detects roots: the repository, src/, package parents and folders of plain modules', () => {
    expect(index.roots).toEqual(['', 'src', 'src/nsroot/part', 'tests', 'tools']);
    expect(index.moduleNames('src/app/core/ledger.py')).toEqual(['src.app.core.ledger', 'app.core.ledger']);
    expect(index.basedir('tests/unit/test_ledger.py')).toBe('tests');
  });

  it('resolves absolute imports to every package on the path and to submodules named by from-imports', () => {
    const resolved = index.resolve(
      'tests/unit/test_ledger.py',
      { module: 'app.core', level: 0, names: ['ledger', 'Thing'], line: 1, kind: 'from' },
      () => undefined,
    );
    expect(resolved.map((r) => r.path)).toEqual([
      'src/app/__init__.py',
      'src/app/core/__init__.py',
      'src/app/core/ledger.py',
    ]);
    const namespace = index.resolve(
      'tests/helpers.py',
      { module: 'nsroot.part.mod', level: 0, line: 1, kind: 'import' },
      () => undefined,
    );
    expect(namespace.map((r) => r.path)).toEqual(['src/nsroot/part/mod.py']);
  });

  it('resolves relative imports from the file folder and reports imports of removed files', () => {
    const resolved = index.resolve(
      'src/app/core/ledger.py',
      { module: '', level: 2, names: ['core'], line: 3, kind: 'from' },
      () => undefined,
    );
    expect(resolved.map((r) => r.path)).toEqual(['src/app/__init__.py', 'src/app/core/__init__.py']);
    const gone = new Set(['src/app/core/rates.py']);
    expect(
      index.wouldLoad(
        'src/app/core/ledger.py',
        { module: 'rates', level: 1, line: 1, kind: 'from', names: ['x'] },
        gone,
      ),
    ).toBe('src/app/core/rates.py');
    expect(
      index.wouldLoad('tests/helpers.py', { module: 'app.core.rates', level: 0, line: 1, kind: 'import' }, gone),
    ).toBe('src/app/core/rates.py');
    expect(
      index.wouldLoad('tests/helpers.py', { module: 'app.core.ledger', level: 0, line: 1, kind: 'import' }, gone),
    ).toBeUndefined();
  });

  it('takes configured roots plus the folders pytest puts on sys.path', () => {
    const configured = new PythonModuleIndex(files, { roots: ['src'] });
    expect(configured.roots).toEqual(['src', 'src/nsroot/part', 'tests', 'tools']);
  });
});
