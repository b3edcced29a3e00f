import { rmSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { analyzePythonSource, loadPythonParser } from '@ci-optimizer/core/languages/python';
import { RunnerJob, runActionStep } from '../../support/action-runner.ts';
import { TempGitRepo, tempDir } from '../../support/git-repo.ts';
import { LOADER_PROJECT } from '../../support/loader-project.ts';
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
    const shape = facts.dynamicImports.map(({ prefix, level, line, anchor, package: pkg, parameter, scope }) => ({
      prefix,
      level,
      line,
      anchor,
      pkg,
      parameter,
      scope,
    }));
    expect(shape).toEqual([
      { prefix: '', level: 0, line: 2, anchor: undefined, pkg: 'app._data', parameter: undefined, scope: undefined },
      {
        prefix: 'plugins.',
        level: 0,
        line: 3,
        anchor: undefined,
        pkg: undefined,
        parameter: undefined,
        scope: undefined,
      },
      {
        prefix: 'plugins.',
        level: 0,
        line: 4,
        anchor: undefined,
        pkg: undefined,
        parameter: undefined,
        scope: undefined,
      },
      {
        prefix: '.backends.',
        level: 0,
        line: 5,
        anchor: 'module',
        pkg: undefined,
        parameter: undefined,
        scope: undefined,
      },
      { prefix: '', level: 1, line: 6, anchor: undefined, pkg: undefined, parameter: undefined, scope: undefined },
      { prefix: '', level: 1, line: 7, anchor: undefined, pkg: undefined, parameter: undefined, scope: undefined },
      { prefix: '', level: 1, line: 9, anchor: undefined, pkg: undefined, parameter: undefined, scope: undefined },
      {
        prefix: '',
        level: 0,
        line: 12,
        anchor: undefined,
        pkg: undefined,
        parameter: { name: 'package_name', position: 0 },
        scope: 'Loader.load',
      },
      { prefix: '', level: 0, line: 13, anchor: undefined, pkg: undefined, parameter: undefined, scope: undefined },
    ]);
    expect(facts.moduleArguments).toEqual([{ callee: 'load', argument: 0, value: 'app.plugins.csv', line: 14 }]);
  });

  it('import_module(name, "pkg._data") selects its importer for a change under the package, nothing for others', {
    timeout: 600_000,
  }, async () => {
    const base = {
      ...plugins,
      'app/zones.py':
        'import importlib\ndef zone(module_name):\n    return importlib.import_module(module_name, "app._data")\n',
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

  it('a function importing the module its caller names is attributed to the callers that pass a literal', {
    timeout: 600_000,
  }, async () => {
    const base = {
      ...plugins,
      'app/loader.py':
        'import importlib\ndef load_package(package_name):\n    return importlib.import_module(package_name)\n',
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
      {
        ...base,
        'app/uses_csv.py': 'from app.loader import load_package\nimport os\nCSV = load_package(os.environ["X"])\n',
      },
      { 'app/plugins/csv.py': 'C = 2\n' },
    );
    expect(unbounded.runAll).toBe(true);
    expect(unbounded.reasons.join('\n')).toContain(
      'app/uses_csv.py:3: load_package(os.environ["X"]) passes os.environ["X"], which nothing bounds, to load_package, which imports its package_name (app/loader.py line 3) may load',
    );
  });

  it('pkgutil.iter_modules(__path__) and __name__-anchored names stay inside the package', {
    timeout: 600_000,
  }, async () => {
    const base = {
      ...plugins,
      'app/plugins/__init__.py':
        'import importlib, pkgutil\nfor _, name, _ in pkgutil.iter_modules(__path__):\n    importlib.import_module(f"{__name__}.{name}")\n',
      'tests/test_plugins.py': 'import app.plugins\n',
    };
    const inside = await selectForChange(base, { 'app/plugins/csv.py': 'C = 2\n' });
    expect(inside.reasons).toEqual([]);
    expect(inside.tests).toEqual(['tests/test_plugins.py']);
    const outside = await selectForChange(base, { 'app/other.py': 'O = 2\n' });
    expect(outside.tests).toEqual(['tests/test_other.py']);
  });
});

describe('names followed to their evidence (the corpus cases)', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

  it('reads bindings, "".join, dict keys, x.__name__ and __module__', () => {
    const facts = analyzePythonSource(
      [
        'import importlib', // 1
        'from importlib import import_module', // 2
        'import tomli as tomllib', // 3
        'from . import lib', // 4
        'registry = {}', // 5
        "registry['app.plugins.csv'] = 1", // 6
        'registry[importlib] = 2', // 7
        'def register(registry=registry):', // 8
        '    for module, info in registry.items():', // 9
        '        if isinstance(module, str):', // 10
        '            module = import_module(module)', // 11
        'def load(fullname):', // 12
        "    package, dot, rest = fullname.partition('.')", // 13
        "    module_name = ''.join(['app', dot, rest])", // 14
        '    return import_module(module_name)', // 15
        'def restore(func):', // 16
        "    return import_module(getattr(func, '__module__', None))", // 17
        'importlib.import_module(f"{tomllib.__name__}._types")', // 18
        'importlib.import_module(f"{lib.__name__}._types")', // 19
        'for name in ["app.a", "app.b"]:', // 20
        '    import_module(name)', // 21
      ].join('\n'),
    );
    expect(facts.imports.filter((imp) => imp.kind === 'dynamic').map(({ module, line }) => [module, line])).toEqual([
      ['app.plugins.csv', 11],
      ['tomli._types', 18],
      ['app.a', 21],
      ['app.b', 21],
    ]);
    const shape = facts.dynamicImports.map(({ prefix, line, parameter, moduleOf, loaded }) => ({
      prefix,
      line,
      parameter,
      moduleOf,
      loaded,
    }));
    expect(shape).toEqual([
      {
        prefix: '',
        line: 11,
        parameter: { name: 'registry', position: 0, passedOnly: true },
        moduleOf: undefined,
        loaded: undefined,
      },
      { prefix: 'app', line: 15, parameter: undefined, moduleOf: undefined, loaded: undefined },
      { prefix: '', line: 17, parameter: undefined, moduleOf: undefined, loaded: true },
      {
        prefix: '._types',
        line: 19,
        parameter: undefined,
        moduleOf: { module: '', level: 1, name: 'lib' },
        loaded: undefined,
      },
    ]);
    expect(facts.moduleAliases).toEqual({ tomllib: 'tomli' });
  });

  const tomliLike = {
    'src/pkg/__init__.py': 'from ._parser import loads\n',
    'src/pkg/_parser.py': 'def loads(s):\n    return s\n',
    'src/pkg/_types.py': 'T = 1\n',
    'tests/__init__.py': 'import pkg as lib\n',
    'tests/test_misc.py':
      'import importlib\nfrom . import lib\ndef test_types():\n    importlib.import_module(f"{lib.__name__}._types")\n',
    'tests/test_data.py': 'from . import lib\n',
  };

  it('f"{lib.__name__}._types" with lib imported from the tests package loads pkg._types only', {
    timeout: 600_000,
  }, async () => {
    const types = await selectForChange(tomliLike, { 'src/pkg/_types.py': 'T = 2\n' });
    expect(types.reasons).toEqual([]);
    expect(types.tests).toEqual(['tests/test_misc.py']);
    expect(types.explanations['tests/test_misc.py']).toContain('may load it at run time');
    const parser = await selectForChange(tomliLike, { 'src/pkg/_parser.py': 'def loads(s):\n    return s + ""\n' });
    expect(parser.runAll).toBe(false);
    expect(parser.tests.sort()).toEqual(['tests/test_data.py', 'tests/test_misc.py']);
  });

  // The csv plugin is named through a second function (`open_format`) that hands its parameter on.
  const callers = {
    ...LOADER_PROJECT,
    'app/front.py': 'from app.loader import load_package\ndef open_format(fmt):\n    return load_package(fmt)\n',
    'app/uses_csv.py': 'from app.front import open_format\nCSV = open_format("app.plugins.csv")\n',
    'tests/test_loader.py': 'import app.loader\n',
  };

  it('a name passed on through a function is followed to the literal its caller passes', {
    timeout: 600_000,
  }, async () => {
    const csv = await selectForChange(callers, { 'app/plugins/csv.py': 'C = 2\n' });
    expect(csv.reasons).toEqual([]);
    expect(csv.tests).toEqual(['tests/test_csv.py']);
    expect(csv.explanations['tests/test_csv.py']).toContain('open_format("app.plugins.csv"), which imports its fmt');
    const xml = await selectForChange(callers, { 'app/plugins/xml.py': 'X = 2\n' });
    expect(xml.tests).toEqual(['tests/test_xml.py']);
  });

  it('one caller passing an unbounded name among literal callers runs everything and names that call', {
    timeout: 600_000,
  }, async () => {
    const mixed = {
      ...callers,
      'app/cli.py': 'import sys\nfrom app.loader import load_package\nPLUGIN = load_package(sys.argv[1])\n',
      'tests/test_cli.py': 'import app.cli\n',
    };
    const result = await selectForChange(mixed, { 'app/plugins/csv.py': 'C = 2\n' });
    expect(result.runAll).toBe(true);
    expect(result.reasons).toEqual([
      'app/cli.py:3: load_package(sys.argv[1]) passes sys.argv[1], which nothing bounds, to load_package, which imports its package_name (app/loader.py line 3) may load app/plugins/csv.py, which the change reaches (dynamic-imports: run-all).',
    ]);
    // Handed on as a value: its callers are not all known.
    const handed = {
      ...callers,
      'app/registry.py': 'from app.loader import load_package\nHOOKS = [load_package]\n',
      'tests/test_registry.py': 'import app.registry\n',
    };
    const escaped = await selectForChange(handed, { 'app/plugins/csv.py': 'C = 2\n' });
    expect(escaped.runAll).toBe(true);
    expect(escaped.reasons.join('\n')).toContain(
      'app/registry.py:2: [load_package] hands load_package on, so its callers are not all known',
    );
  });

  it('entry points load what distributions declare: not read yet, so a reached call runs everything and is named', {
    timeout: 600_000,
  }, async () => {
    const base = {
      ...callers,
      'app/registry.py':
        'from importlib.metadata import entry_points\ndef plugins():\n    return [ep.load() for ep in entry_points(group="app.plugins")]\n',
      'tests/test_registry.py': 'import app.registry\n',
    };
    const result = await selectForChange(base, { 'app/plugins/xml.py': 'X = 2\n' });
    expect(result.runAll).toBe(true);
    expect(result.reasons.join('\n')).toContain(
      'app/registry.py:3: entry_points(group="app.plugins") (entry points: the modules they load are not read)',
    );
  });

  it('dist/test-filter/index.js names the unbounded caller in its run-all reason', { timeout: 600_000 }, async () => {
    const repo = new TempGitRepo();
    const job = new RunnerJob();
    cleanup.push(
      () => repo.remove(),
      () => job.remove(),
    );
    repo.write({
      ...callers,
      'app/cli.py': 'import sys\nfrom app.loader import load_package\nPLUGIN = load_package(sys.argv[1])\n',
      'tests/test_cli.py': 'import app.cli\n',
    });
    const base = repo.commit('base');
    repo.write({ 'app/plugins/csv.py': 'C = 2\n' });
    const head = repo.commit('head');
    const { main } = await runActionStep({
      action: 'test-filter',
      job,
      workspace: repo.dir,
      inputs: { store: 'none' },
      event: { name: 'push', payload: { before: base, after: head } },
    });
    expect(main.exitCode).toBe(0);
    expect(main.outputs['run-all']).toBe('true');
    expect(main.outputs.reasons).toContain(
      'app/cli.py:3: load_package(sys.argv[1]) passes sys.argv[1], which nothing bounds',
    );
    expect(main.summary).toContain('app/cli.py:3');
  });

  it('a warm run that parses no file still reads the callers of a computed import (fresh process, dist)', {
    timeout: 600_000,
  }, async () => {
    const repo = new TempGitRepo();
    const job = new RunnerJob();
    const store = tempDir('ci-opt-callers-store-');
    cleanup.push(
      () => repo.remove(),
      () => job.remove(),
      () => rmSync(store, { recursive: true, force: true }),
    );
    repo.write(callers);
    const base = repo.commit('base');
    repo.write({ 'app/plugins/csv.py': 'C = 2\n' });
    const head = repo.commit('head');
    const step = () =>
      runActionStep({
        action: 'test-filter',
        job,
        workspace: repo.dir,
        inputs: { store: `dir:${store}` },
        event: { name: 'push', payload: { before: base, after: head } },
      });
    // The first run parses every file and stores the graph of the head; the second finds it whole and parses nothing,
    // so the callers' search is the first to need the parser in that process.
    const cold = (await step()).main;
    const warm = (await step()).main;
    expect(cold.exitCode).toBe(0);
    expect(warm.exitCode).toBe(0);
    expect(warm.outputs['tests-json']).toBe('["tests/test_csv.py"]');
    expect(warm.outputs['reasons-by-test']).toBe(cold.outputs['reasons-by-test']);
  });
});
