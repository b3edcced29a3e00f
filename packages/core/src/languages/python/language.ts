import { analyzePythonSource, analyzeDoctestText, PYTHON_FACTS_VERSION } from './analyze-source.ts';
import { attributeToCallers } from './dynamic-callers.ts';
import type { PythonModuleFacts } from './facts.ts';
import { isPythonSourcePath, PythonModuleIndex } from './module-index.ts';
import { scanPythonSource } from './import-scanner.ts';
import { analyzePythonSources, startPythonAnalysisWorkers } from './parallel-analysis.ts';
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

/** An import in a doctest example: `its doctests import pkg.a (line 12)`. */
const doctestWhy = (name: string, line: number) => `its doctests import ${name} (line ${line})`;

/**
 * A whole build of at least this many Python files loads the parser for many parses (`loadPythonParser('many')`): the
 * files its scan leaves to the full analysis and the callers of computed imports then parse enough for V8's optimised
 * WebAssembly to pay (numpy and pip, ~480 files: less CPU and main thread; boltons and toolz, 50-70 files: more CPU).
 */
const MANY_FILES_BUILD = 200;

/** Python for the test filter: facts from tree-sitter's Python grammar, linked through the module index. */
export const pythonLanguage: SourceLanguage<PythonModuleFacts> = {
  id: 'python',
  factsVersion: PYTHON_FACTS_VERSION,
  handles: isPythonSourcePath,
  async prepare(files) {
    await loadPythonParser(files !== undefined && files >= MANY_FILES_BUILD ? 'many' : 'few');
  },
  // The engine analyses one file at a time during a build (between git's answers): its tree is kept like the others'.
  analyze: (source) => analyzePythonSource(source, { keepTree: true }),
  scan: scanPythonSource,
  analyzeMany: (sources) => analyzePythonSources(sources),
  willAnalyzeMany: (files) => void startPythonAnalysisWorkers(files),
  analyzeDoctestText,
  attributeToCallers,
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
    /** `x.__name__` where `from <module> import x` in `path`: a submodule's name, or the module alias `x` is there. */
    const moduleNameOf = (path: string, from: { module: string; level: number; name: string }): string | undefined => {
      const base = { module: from.module, level: from.level, line: 0, kind: 'from' as const };
      const container = index.resolve(path, { ...base, names: [] }, allOf);
      const known = new Set(container.map((target) => target.path));
      const submodule = index
        .resolve(path, { ...base, names: [from.name] }, allOf)
        .find((target) => !known.has(target.path));
      if (submodule) return index.moduleNames(submodule.path)[0];
      const owner = container[container.length - 1]?.path;
      const ownerFacts = owner ? facts.get(owner) : undefined;
      const alias = ownerFacts?.moduleAliases?.[from.name];
      if (alias) return alias;
      if (
        ownerFacts?.imports.some(
          (imp) => imp.kind === 'import' && (imp.module === from.name || imp.module.startsWith(`${from.name}.`)),
        )
      )
        return from.name;
      return undefined;
    };
    const dynamicCalls = (): DynamicDependency[] => {
      const found: DynamicDependency[] = [];
      for (const path of options.dynamicFiles ?? facts.keys()) {
        for (const original of facts.get(path)?.dynamicImports ?? []) {
          // An existing object's `__module__` is already imported: the call loads no new file.
          if (original.loaded) continue;
          let call = original;
          let note = '';
          if (call.moduleOf) {
            const module = moduleNameOf(path, call.moduleOf);
            if (module !== undefined) call = { ...call, moduleOf: undefined, prefix: `${module}${call.prefix}` };
            else note = `${call.moduleOf.name}.__name__ is not a module the link knows`;
          }
          const scope = call.scope ? { file: path, qualifiedName: call.scope } : undefined;
          let targets: Set<string> | undefined;
          const targetsOf = () =>
            (targets ??= new Set(call.moduleOf ? [...index.allFiles()] : index.resolveDynamic(path, call)));
          const bounded = !call.moduleOf && !call.parameter && !PythonModuleIndex.isUnbounded(call);
          // A call that may load any file (every file but its own without a bound) answers without its set of
          // targets: the closure asks it about every file it reaches, and a set per call costs calls x files.
          const everyFile = call.moduleOf !== undefined || PythonModuleIndex.isUnbounded(call);
          const ownFile = call.moduleOf === undefined;
          const entry: DynamicDependency = {
            from: path,
            line: call.line,
            text: bounded ? call.text : `${call.text} (${note || 'nothing bounds the name'})`,
            bounded,
            scope,
            mayLoad: everyFile
              ? (candidate) => index.has(candidate) && !(ownFile && candidate === path)
              : (candidate) => targetsOf().has(candidate),
            targets: targetsOf,
          };
          // `def load(name): import_module(name)`: what loads is what callers pass (found by the selection).
          if (call.parameter && call.scope) {
            entry.callers = {
              function: call.scope,
              parameter: call.parameter.name,
              position: call.parameter.position,
              passedOnly: call.parameter.passedOnly === true,
            };
          }
          found.push(entry);
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
          if (isInit(path) && JSON.stringify(previousFacts(path)?.all) !== JSON.stringify(facts.get(path)?.all))
            return 'all';
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
          const hit = [...fileFacts.imports, ...(fileFacts.doctestImports ?? [])].some((imp) => {
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
          edges.push({
            from: path,
            to: init,
            why: `is inside package ${init.slice(0, -'/__init__.py'.length) || '.'}`,
          });
        }
        for (const imp of fileFacts.imports) {
          for (const target of index.resolve(path, imp, allOf)) {
            if (seen.has(target.path)) continue;
            seen.add(target.path);
            edges.push({
              from: path,
              to: target.path,
              why: `${KIND_VERB[imp.kind]} ${target.name} (line ${target.line})`,
            });
          }
        }
        // Under `--doctest-modules` the module is a test too, and its docstrings' examples import what they name.
        for (const imp of options.doctestModules ? (fileFacts.doctestImports ?? []) : []) {
          for (const target of index.resolve(path, imp, allOf)) {
            if (seen.has(target.path)) continue;
            seen.add(target.path);
            edges.push({ from: path, to: target.path, why: doctestWhy(target.name, target.line) });
          }
        }
        return edges;
      },
      filesNamed(from, evidence) {
        const out = new Set<string>();
        for (const literal of evidence.literals) {
          const { level, module } = { level: /^\.*/.exec(literal)![0].length, module: literal.replace(/^\.+/, '') };
          // A relative name without `package=` does not import; with a level it is read like a prefix from the caller.
          if (level === 0) for (const file of index.resolveModuleName(module)) out.add(file);
        }
        for (const item of evidence.prefixes) {
          for (const file of index.resolveDynamic(from, {
            prefix: item.prefix,
            level: item.level,
            anchor: item.anchor,
            line: 0,
            text: '',
          }))
            out.add(file);
        }
        return out;
      },
      dependenciesOfFacts(path, textFacts) {
        const edges: DependencyEdge[] = [];
        const seen = new Set<string>();
        for (const imp of textFacts.imports) {
          for (const target of index.resolve(path, imp, allOf)) {
            if (seen.has(target.path)) continue;
            seen.add(target.path);
            edges.push({
              from: path,
              to: target.path,
              why: `its examples import ${target.name} (line ${target.line})`,
            });
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
