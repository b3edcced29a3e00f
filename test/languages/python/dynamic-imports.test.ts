import { beforeAll, describe, expect, it } from 'vitest';
import { analyzePythonSource, loadPythonParser } from '@ci-optimizer/core/languages/python';
import { selectForChange } from '../../test-filter/support.ts';

// Computed imports bounded by the evidence in the source: each case is a real git repository, a change, and the
// selection through the real diff (default policy `dynamic-imports: run-all`, which now applies only when nothing
// bounds the call).
const plugins = {
  'app/__init__.py': '',
  'app/plugins/__init__.py': '',
  'app/plugins/csv.py': 'C = 1\n',
  'app/_data/__init__.py': '',
  'app/_data/zones.py': 'Z = 1\n',
  'app/other.py': 'O = 1\n',
  'tests/test_other.py': 'import app.other\n',
};

beforeAll(async () => {
  await loadPythonParser();
});

describe('what bounds a computed import', () => {
  it('reads package=, literal prefixes, %, .format, __name__/__package__ anchors, iter_modules(__path__) and parameters', () => {
    const facts = analyzePythonSource(
      [
        'import importlib, pkgutil',
        'importlib.import_module(module_name, "app._data")', // 2
        'importlib.import_module("plugins.%s" % name)', // 3
        'importlib.import_module("plugins.{}".format(name))', // 4
        'importlib.import_module(f"{__name__}.backends.{name}")', // 5
        'importlib.import_module(__package__ + "." + name)', // 6
        'importlib.import_module("." + name, __package__)', // 7
        'for _, mod, _ in pkgutil.iter_modules(__path__):', // 8
        '    importlib.import_module(mod)', // 9
        'class Loader:',
        '    def load(self, package_name):',
        '        return importlib.import_module(package_name)', // 12
        'importlib.import_module(x)', // 13
        'Loader().load("app.plugins.csv")', // 14
      ].join('\n'),
    );
    const shape = facts.dynamicImports.map(({ prefix, level, line, anchor, package: pkg, parameter, scope }) => ({ prefix, level, line, anchor, pkg, parameter, scope }));
    expect(shape).toEqual([
      { prefix: '', level: 0, line: 2, anchor: undefined, pkg: 'app._data', parameter: undefined, scope: undefined },
      { prefix: 'plugins.', level: 0, line: 3, anchor: undefined, pkg: undefined, parameter: undefined, scope: undefined },
      { prefix: 'plugins.', level: 0, line: 4, anchor: undefined, pkg: undefined, parameter: undefined, scope: undefined },
      { prefix: '.backends.', level: 0, line: 5, anchor: 'module', pkg: undefined, parameter: undefined, scope: undefined },
      { prefix: '', level: 1, line: 6, anchor: undefined, pkg: undefined, parameter: undefined, scope: undefined },
      { prefix: '', level: 1, line: 7, anchor: undefined, pkg: undefined, parameter: undefined, scope: undefined },
      { prefix: '', level: 1, line: 9, anchor: undefined, pkg: undefined, parameter: undefined, scope: undefined },
      { prefix: '', level: 0, line: 12, anchor: undefined, pkg: undefined, parameter: { name: 'package_name', position: 0 }, scope: 'Loader.load' },
      { prefix: '', level: 0, line: 13, anchor: undefined, pkg: undefined, parameter: undefined, scope: undefined },
    ]);
    expect(facts.moduleArguments).toEqual([{ callee: 'load', argument: 0, value: 'app.plugins.csv', line: 14 }]);
  });

  it('import_module(name, "pkg._data") selects its importer for a change under the package, nothing for others', { timeout: 600_000 }, async () => {
    const base = {
      ...plugins,
      'app/zones.py': 'import importlib\ndef zone(module_name):\n    return importlib.import_module(module_name, "app._data")\n',
      'tests/test_zones.py': 'from app.zones import zone\n',
    };
    const inside = await selectForChange(base, { 'app/_data/zones.py': 'Z = 2\n' });
    expect(inside.reasons).toEqual([]);
    expect(inside.tests).toEqual(['tests/test_zones.py']);
    expect(inside.explanations['tests/test_zones.py']).toContain('may load it at run time');
    const outside = await selectForChange(base, { 'app/other.py': 'O = 2\n' });
    expect(outside.runAll).toBe(false);
    expect(outside.tests).toEqual(['tests/test_other.py']);
  });

  it('a function importing the module its caller names is attributed to the callers that pass a literal', { timeout: 600_000 }, async () => {
    const base = {
      ...plugins,
      'app/loader.py': 'import importlib\ndef load_package(package_name):\n    return importlib.import_module(package_name)\n',
      'app/uses_csv.py': 'from app.loader import load_package\nCSV = load_package("app.plugins.csv")\n',
      'tests/test_loader.py': 'import app.loader\n',
      'tests/test_csv.py': 'import app.uses_csv\n',
    };
    const result = await selectForChange(base, { 'app/plugins/csv.py': 'C = 2\n' });
    expect(result.reasons).toEqual([]);
    expect(result.tests).toEqual(['tests/test_csv.py']);
    expect(result.explanations['tests/test_csv.py']).toContain('load_package("app.plugins.csv")');
    // No literal reaches it: nothing bounds the call, and the reason names the file, line and call.
    const unbounded = await selectForChange(
      { ...base, 'app/uses_csv.py': 'from app.loader import load_package\nimport os\nCSV = load_package(os.environ["X"])\n' },
      { 'app/plugins/csv.py': 'C = 2\n' },
    );
    expect(unbounded.runAll).toBe(true);
    expect(unbounded.reasons.join('\n')).toContain('app/loader.py: importlib.import_module(package_name) (nothing bounds the name; no caller passes a literal package_name) (line 3)');
  });

  it('pkgutil.iter_modules(__path__) and __name__-anchored names stay inside the package', { timeout: 600_000 }, async () => {
    const base = {
      ...plugins,
      'app/plugins/__init__.py': 'import importlib, pkgutil\nfor _, name, _ in pkgutil.iter_modules(__path__):\n    importlib.import_module(f"{__name__}.{name}")\n',
      'tests/test_plugins.py': 'import app.plugins\n',
    };
    const inside = await selectForChange(base, { 'app/plugins/csv.py': 'C = 2\n' });
    expect(inside.reasons).toEqual([]);
    expect(inside.tests).toEqual(['tests/test_plugins.py']);
    const outside = await selectForChange(base, { 'app/other.py': 'O = 2\n' });
    expect(outside.tests).toEqual(['tests/test_other.py']);
  });
});
