import {
  analyzePythonSource,
  isPythonSourcePath,
  PythonModuleIndex,
  PYTHON_FACTS_VERSION,
  type PythonModuleFacts,
} from '../python/index.ts';
import type { DanglingImport, DependencyEdge, DynamicDependency, LinkedSources, SourceLanguage } from './language.ts';

const KIND_VERB: Record<string, string> = {
  import: 'imports',
  from: 'imports',
  dynamic: 'loads (importlib)',
  plugin: 'registers pytest plugin',
};

/** Python for the test filter: Lezer-parsed facts, linked through the module index. */
export const pythonLanguage: SourceLanguage<PythonModuleFacts> = {
  id: 'python',
  factsVersion: PYTHON_FACTS_VERSION,
  handles: isPythonSourcePath,
  analyze: analyzePythonSource,
  link(facts, options): LinkedSources {
    const index = new PythonModuleIndex(facts.keys(), options);
    const allOf = (init: string) => facts.get(init)?.all;
    const dynamic: DynamicDependency[] = [];
    for (const [path, fileFacts] of facts) {
      for (const call of fileFacts.dynamicImports) {
        let targets: Set<string> | undefined;
        dynamic.push({
          from: path,
          line: call.line,
          text: call.text,
          mayLoad: (candidate) => (targets ??= new Set(index.resolveDynamic(path, call))).has(candidate),
        });
      }
    }
    return {
      dynamic,
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
