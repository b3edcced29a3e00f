import { analyzePythonSource, PYTHON_FACTS_VERSION } from './analyze-source.ts';
import type { PythonModuleFacts } from './facts.ts';
import { isPythonSourcePath, PythonModuleIndex } from './module-index.ts';
import { loadPythonParser } from './tree-sitter-parser.ts';
import type { DanglingImport, DependencyEdge, DynamicDependency, LinkedSources, SourceLanguage } from '../types.ts';

/** What a Python link keeps between runs: the import roots it found (they depend on every file's folder). */
interface PythonLinkState {
  roots: string[];
}

const isInit = (path: string) => path === '__init__.py' || path.endsWith('/__init__.py');

const KIND_VERB: Record<string, string> = {
  import: 'imports',
  from: 'imports',
  dynamic: 'loads (importlib)',
  plugin: 'registers pytest plugin',
};

/** Python for the test filter: facts from tree-sitter's Python grammar, linked through the module index. */
export const pythonLanguage: SourceLanguage<PythonModuleFacts> = {
  id: 'python',
  factsVersion: PYTHON_FACTS_VERSION,
  handles: isPythonSourcePath,
  async prepare() {
    await loadPythonParser();
  },
  analyze: analyzePythonSource,
  hasDynamicImports: (facts) => facts.dynamicImports.length > 0,
  // Files appearing or going make `affectedBy` scan every file's imports and may re-link their importers; a changed
  // package may change its `__all__` (the earlier one is compared); a star import reads the package's `__all__`.
  patchReadsStoredFacts: (change, changed) =>
    change.added.length > 0 ||
    change.deleted.length > 0 ||
    change.modified.some(isInit) ||
    [...changed.values()].some((facts) => facts.imports.some((imp) => imp.names?.includes('*'))),
  link(facts, options): LinkedSources<PythonModuleFacts> {
    const knownRoots = (options.state as PythonLinkState | undefined)?.roots;
    const index = new PythonModuleIndex(facts.keys(), { ...options, knownRoots });
    const allOf = (init: string) => facts.get(init)?.all;
    let dynamic: DynamicDependency[] | undefined;
    // Literal module names passed to each called name, over every file (for imports whose target is a parameter).
    let argumentsByCallee: Map<string, Array<{ path: string; argument: number | string; value: string; line: number }>> | undefined;
    const literalCallers = (callee: string) => {
      if (!argumentsByCallee) {
        argumentsByCallee = new Map();
        for (const [path, fileFacts] of facts) {
          for (const item of fileFacts.moduleArguments ?? []) {
            const list = argumentsByCallee.get(item.callee);
            const entry = { path, argument: item.argument, value: item.value, line: item.line };
            if (list) list.push(entry);
            else argumentsByCallee.set(item.callee, [entry]);
          }
        }
      }
      return argumentsByCallee.get(callee) ?? [];
    };
    const dynamicCalls = (): DynamicDependency[] => {
      const found: DynamicDependency[] = [];
      for (const path of options.dynamicFiles ?? facts.keys()) {
        for (const call of facts.get(path)?.dynamicImports ?? []) {
          const scope = call.scope ? { file: path, qualifiedName: call.scope } : undefined;
          // `def load(name): import_module(name)`: what loads is what callers pass; each literal is an edge from its caller.
          if (call.parameter && call.scope) {
            const functionName = call.scope.slice(call.scope.lastIndexOf('.') + 1);
            const callers = literalCallers(functionName).filter(
              (item) => item.argument === call.parameter!.position || item.argument === call.parameter!.name,
            );
            if (callers.length > 0 && callers.every((caller) => !caller.value.startsWith('.'))) {
              for (const caller of callers) {
                let targets: Set<string> | undefined;
                found.push({
                  from: caller.path,
                  line: caller.line,
                  text: `${functionName}(${JSON.stringify(caller.value)}), which imports its ${call.parameter.name} (${path} line ${call.line})`,
                  bounded: true,
                  scope,
                  mayLoad: (candidate) => (targets ??= new Set(index.resolveModuleName(caller.value))).has(candidate),
                });
              }
              continue;
            }
          }
          let targets: Set<string> | undefined;
          const bounded = !PythonModuleIndex.isUnbounded(call);
          found.push({
            from: path,
            line: call.line,
            text: bounded ? call.text : `${call.text} (nothing bounds the name${call.parameter ? `; no caller passes a literal ${call.parameter.name}` : ''})`,
            bounded,
            scope,
            mayLoad: (candidate) => (targets ??= new Set(index.resolveDynamic(path, call))).has(candidate),
          });
        }
      }
      return found;
    };
    return {
      get dynamic() {
        return (dynamic ??= dynamicCalls());
      },
      state: (): PythonLinkState => ({ roots: index.roots }),
      affectedBy(change, previousState, previousFacts) {
        const before = (previousState as PythonLinkState | undefined)?.roots;
        if (!before || before.join('\0') !== index.roots.join('\0')) return 'all';
        // A package appearing or going changes the names of everything below it and every file's package chain.
        const moved = [...change.added, ...change.deleted];
        if (moved.some(isInit)) return 'all';
        // A star import follows `__all__`; when a package's changes, every star import is re-resolved.
        for (const path of change.modified) {
          if (isInit(path) && JSON.stringify(previousFacts(path)?.all) !== JSON.stringify(facts.get(path)?.all)) return 'all';
        }
        const affected = new Set([...change.added, ...change.modified]);
        if (moved.length === 0) return affected;
        // An import can only start or stop resolving to a file that appeared or went if it names that file's module (or
        // a package above it, or a name inside it) absolutely, or reaches into its folder relatively.
        const names = moved.flatMap((path) => index.moduleNames(path));
        const related = (module: string) =>
          names.some((name) => name === module || name.startsWith(`${module}.`) || module.startsWith(`${name}.`));
        for (const [path, fileFacts] of facts) {
          if (affected.has(path)) continue;
          const hit = fileFacts.imports.some((imp) => {
            if (imp.level === 0) return related(imp.module);
            const base = index.relativeBase(path, imp.level);
            return base !== undefined && (base === '' || moved.some((gone) => gone.startsWith(`${base}/`)));
          });
          if (hit) affected.add(path);
        }
        return affected;
      },
      dependencies(path) {
        const fileFacts = facts.get(path);
        if (!fileFacts) return [];
        const edges: DependencyEdge[] = [];
        const seen = new Set<string>();
        for (const init of index.packageInitChain(path)) {
          seen.add(init);
          edges.push({ from: path, to: init, why: `is inside package ${init.slice(0, -'/__init__.py'.length) || '.'}` });
        }
        for (const imp of fileFacts.imports) {
          for (const target of index.resolve(path, imp, allOf)) {
            if (seen.has(target.path)) continue;
            seen.add(target.path);
            edges.push({ from: path, to: target.path, why: `${KIND_VERB[imp.kind]} ${target.name} (line ${target.line})` });
          }
        }
        return edges;
      },
      danglingImports(gone) {
        const dangling: DanglingImport[] = [];
        for (const [path, fileFacts] of facts) {
          for (const imp of fileFacts.imports) {
            const missing = index.wouldLoad(path, imp, gone);
            if (missing) dangling.push({ importer: path, line: imp.line, missing });
          }
        }
        return dangling;
      },
    };
  },
};
