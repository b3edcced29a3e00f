import { posix } from 'node:path';
import type { ImpactMapSupport, ModuleUnits, ParsedContext, SharedStateGroup } from '../types.ts';
import { findBindingReaders } from './binding-readers.ts';
import { changedBindings } from './changed-bindings.ts';
import { changedPythonStatements } from './changed-statements.ts';
import { comparePythonVersions } from './compare-versions.ts';
import { readCoverageContexts } from './coverage-reader.ts';
import { PythonModuleIndex } from './module-index.ts';
import { isCachingDecorator, shapePythonModule, unitAtLine, unitLines, type PythonUnit } from './python-units.ts';
import { loadPythonParser, withPythonTree } from './tree-sitter-parser.ts';

// The impact map's Python and pytest parts: coverage.py's files and contexts, functions and methods as units,
// pytest's shared fixtures and Python's caches as shared state.

/**
 * Parses a coverage context: pytest-cov's `tests/test_a.py::TestX::test_y[1]|run`, or coverage.py's own
 * `dynamic_context = test_function` (`tests.test_a.TestX.test_y`), either after a static context
 * (`[run] context = py311` records `py311|tests/test_a.py::test_y|run`); undefined for the empty context.
 */
export function parseTestContext(context: string): ParsedContext | undefined {
  if (context === '') return undefined;
  const bar = context.lastIndexOf('|');
  const phaseText = bar === -1 ? '' : context.slice(bar + 1);
  const known = phaseText === 'setup' || phaseText === 'run' || phaseText === 'teardown';
  const phase = known ? (phaseText as ParsedContext['phase']) : 'run';
  const id = known ? context.slice(0, bar) : context;
  const colons = id.indexOf('::');
  let test = colons === -1 ? id : id.slice(0, colons);
  // What comes before the last bar of the test's path is a static context label.
  test = test.slice(test.lastIndexOf('|') + 1);
  if (test === '') return undefined;
  if (colons !== -1 || test.endsWith('.py')) return { test, dotted: false, phase };
  return { test, dotted: true, phase };
}

const SHARED_SCOPE = /\bscope\s*=\s*(?!["'](function|class|module)["'])/;

/** Folders whose tests share a session- or package-scoped fixture (or one whose scope is computed). */
function sharedFixtureScopes(conftests: ReadonlyMap<string, string>): string[] {
  const scopes: string[] = [];
  for (const [path, source] of conftests) {
    // A conftest that does not parse counts as sharing: what it sets up cannot be told apart.
    const shared = withPythonTree(source, (tree) => {
      if (!tree) return true;
      let found = false;
      for (const node of tree.rootNode.descendantsOfType('decorator')) {
        const text = node?.text ?? '';
        if (/fixture/.test(text) && SHARED_SCOPE.test(text)) found = true;
      }
      return found;
    });
    if (shared) scopes.push(posix.dirname(path) === '.' ? '' : posix.dirname(path));
  }
  return scopes;
}

const lastName = (qualified: string) => qualified.slice(qualified.lastIndexOf('.') + 1);

/**
 * Finds units whose results are kept between calls (cache decorators, module-level memo dicts, `global` singletons),
 * the units they reach by name, and the units whose executors must be selected when one of them changes.
 */
function sharedStateGroups(
  units: ReadonlyArray<{ id: number; module: number; unit: PythonUnit }>,
  moduleUnits: readonly number[][],
): SharedStateGroup[] {
  const byLastName = new Map<string, number[]>();
  const classInit = new Map<string, number[]>();
  for (const { id, unit } of units) {
    const name = lastName(unit.qualifiedName);
    (byLastName.get(name) ?? byLastName.set(name, []).get(name)!).push(id);
    const parts = unit.qualifiedName.split('.');
    if (parts.length >= 2 && /^__(init|new|post_init)__$/.test(name)) {
      const cls = parts[parts.length - 2];
      (classInit.get(cls) ?? classInit.set(cls, []).get(cls)!).push(id);
    }
  }
  const groups: SharedStateGroup[] = [];
  for (const root of units) {
    const cached = root.unit.decorators.find(isCachingDecorator);
    if (!cached && !root.unit.memoises) continue;
    const members = new Set<number>([root.id]);
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      for (const mention of queue[i].unit.mentions) {
        for (const id of [...(byLastName.get(mention) ?? []), ...(classInit.get(mention) ?? [])]) {
          if (members.has(id)) continue;
          members.add(id);
          queue.push(units[id]);
        }
      }
    }
    const rootName = lastName(root.unit.qualifiedName);
    const reach = new Set<number>(moduleUnits[root.module]);
    for (const { id, unit } of units) if (unit.mentions.has(rootName)) reach.add(id);
    groups.push({
      root: root.id,
      why: cached ? `@${cached.replace(/\(.*$/s, '')}` : 'memoises in module state',
      members: [...members].sort((a, b) => a - b),
      reach: [...reach].sort((a, b) => a - b),
    });
  }
  return groups;
}

/** A Python module cut into units (functions and methods at any depth). */
function shapeModule(source: string): ModuleUnits<PythonUnit> {
  const shape = shapePythonModule(source);
  const units = shape.syntaxError ? [] : shape.units;
  const owner = unitLines(units);
  return { units, syntaxError: shape.syntaxError, unitAt: (line) => unitAtLine(owner, line) };
}

/** The impact map's support for Python tested with pytest and measured with coverage.py (pytest-cov). */
export const pythonImpactSupport: ImpactMapSupport<PythonUnit> = {
  readCoverage: readCoverageContexts,
  parseTestContext,
  moduleFile: (dotted) => `${dotted.join('/')}.py`,
  contextHint:
    'Record per-test contexts: `pytest --cov=<package> --cov-context=test`, or `dynamic_context = test_function` under [run] in the coverage configuration.',
  firstHitOnlyHint:
    "coverage.py's sysmon core (the default on Python 3.14+ since coverage 7.9) cannot switch contexts: run the tests with `COVERAGE_CORE=ctrace` (or set `core = ctrace` under [run]).",
  isSharedSetupFile: (path) => posix.basename(path) === 'conftest.py',
  sharedSetupScopes: sharedFixtureScopes,
  prepare: async () => {
    await loadPythonParser();
  },
  shapeModule,
  moduleNames(paths) {
    const index = new PythonModuleIndex(paths);
    return (path) => index.moduleNames(path).sort((a, b) => a.split('.').length - b.split('.').length);
  },
  sharedStateGroups,
  compareVersions: comparePythonVersions,
  changedStatements: changedPythonStatements,
  async readersOfChange(path, before, after, search) {
    const bindings = changedBindings(before, after);
    return typeof bindings === 'string' ? bindings : findBindingReaders(path, bindings, search);
  },
};
