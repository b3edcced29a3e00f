import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  analyzePythonSource,
  changedPythonStatements,
  listPythonDefinitions,
  loadPythonParser,
  MAX_PARSED_SOURCE_CHARS,
  shapePythonModule,
} from '@ci-optimizer/core/languages/python';
import { TempGitRepo } from '../../support/git-repo.ts';
import { selectBetween } from '../../test-filter/support.ts';

// The system Python (Debian's, as the other Python-backed tests use), unless CONFORMANCE_PYTHON names another.
const python = process.env.CONFORMANCE_PYTHON ?? '/usr/bin/python3';

/** What CPython's ast says about a source: whether it parses, and the import statements (module, names, level, line). */
function astImports(source: string): { ok: boolean; imports: Array<[string, string[] | null, number, number]> } {
  const script = [
    'import ast, json, sys',
    'sys.setrecursionlimit(100000)',
    'src = sys.stdin.read()',
    'try:',
    '    tree = ast.parse(src)',
    'except Exception:',
    '    print(json.dumps({"ok": False, "imports": []})); sys.exit(0)',
    'out = []',
    'for node in ast.walk(tree):',
    '    if isinstance(node, ast.Import):',
    '        out += [[a.name, None, 0, node.lineno] for a in node.names]',
    '    elif isinstance(node, ast.ImportFrom):',
    '        out.append([node.module or "", [a.name for a in node.names], node.level, node.lineno])',
    'print(json.dumps({"ok": True, "imports": sorted(out, key=lambda i: (i[3], i[0]))}))',
  ].join('\n');
  return JSON.parse(
    execFileSync(python, ['-c', script], { input: source, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }),
  );
}

const ours = (source: string) =>
  analyzePythonSource(source)
    .imports.filter((imp) => imp.kind === 'import' || imp.kind === 'from')
    .map((imp) => [imp.module, imp.names ?? null, imp.level, imp.line] as const)
    .sort((a, b) => a[3] - b[3] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

beforeAll(async () => {
  await loadPythonParser();
});

describe('inputs large and deep parse without recursion on their size', () => {
  const names = Array.from({ length: 150_000 }, (_, i) => `a${i}`);
  const hugeFrom = `import os\nfrom m import (${names.join(', ')})\nimport json\n`;
  const hugeImport = `import ${names.slice(0, 50_000).join(', ')}\n`;
  const longSum = `x = ${Array.from({ length: 1000 }, () => '1').join(' + ')}\nimport after_the_sum\n`;
  // Within CPython's own limits (it refuses more than 200 nested parentheses).
  const deep = `x = ${'('.repeat(190)}1${')'.repeat(190)}\nimport after_nesting\n`;
  const deepBlocks =
    Array.from({ length: 90 }, (_, i) => `${'    '.repeat(i)}if x:\n`).join('') +
    `${'    '.repeat(90)}import nested_deep\n`;

  it('reads the same imports as CPython from a 150,000-name import, a 1,000-term sum and deep nesting', {
    timeout: 600_000,
  }, () => {
    for (const source of [hugeFrom, hugeImport, longSum, deep, deepBlocks]) {
      const oracle = astImports(source);
      expect(oracle.ok).toBe(true);
      const facts = analyzePythonSource(source);
      expect(facts.syntaxError).toBeUndefined();
      expect(ours(source)).toEqual(oracle.imports);
    }
    expect(
      listPythonDefinitions(
        `${'def f():\n    '.repeat(1)}return ${Array.from({ length: 1000 }, () => '1').join(' + ')}\n`,
      ),
    ).toHaveLength(1);
  });

  it('a file beyond what is parsed is a warning and "may import anything", never a crash', () => {
    const facts = analyzePythonSource(`x = 1\n${'#'.repeat(MAX_PARSED_SOURCE_CHARS)}\n`);
    expect(facts.unparsed).toMatch(/larger than/);
    expect(facts.syntaxError).toBeDefined();
    expect(facts.dynamicImports).toMatchObject([{ prefix: '', level: 0 }]);
  });

  it('test-filter selects through a changed file with a 150,000-name import and one with a 1,000-term sum', {
    timeout: 600_000,
  }, async () => {
    const repo = new TempGitRepo();
    try {
      repo.write({
        'app/__init__.py': '',
        'app/m.py': `${names.map((name) => `${name} = 0`).join('\n')}\n`,
        'app/names.py': 'from app.m import (a0)\n',
        'app/sums.py': 'x = 1\n',
        'tests/test_names.py': 'import app.names\n',
        'tests/test_sums.py': 'import app.sums\n',
        'tests/test_other.py': 'import os\n',
      });
      const base = repo.commit('base');
      repo.write({
        'app/names.py': `from app.m import (${names.join(', ')})\n`,
        'app/sums.py': longSum.replace('import after_the_sum\n', ''),
      });
      const head = repo.commit('head');
      const warnings: string[] = [];
      const result = await selectBetween(repo, base, head, {}, { warnings });
      expect(result.reasons).toEqual([]);
      expect(result.runAll).toBe(false);
      expect([...result.tests].sort()).toEqual(['tests/test_names.py', 'tests/test_sums.py']);
    } finally {
      repo.remove();
    }
  });

  it("a function's statements and memo state are read without recursion on an expression's depth", () => {
    // Beyond what CPython compiles (it gives up near a few thousand terms), as a pull request may still write it.
    const sum = Array.from({ length: 100_000 }, () => '1').join(' + ');
    const source = `_g = None\n\ndef f():\n    global _g\n    x = ${sum}\n    _g = x\n    return x\n`;
    expect(shapePythonModule(source).units.map((unit) => [unit.qualifiedName, unit.memoises])).toEqual([['f', true]]);
    expect(changedPythonStatements(source, source.replace('return x', 'return None'), ['f']).get('f')).toEqual({
      lines: [[7, 7]],
    });
  });
});
