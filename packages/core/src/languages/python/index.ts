/**
 * The Python language layer: parsing (tree-sitter's grammar as WebAssembly, never executing user code), the facts the dependency graph
 * needs, module-name resolution over a repository's files, and definitions with qualified names and line ranges.
 */
export type {
  PythonDefinition,
  PythonDynamicImport,
  PythonImport,
  PythonModuleArgument,
  PythonModuleFacts,
  PythonSyntaxError,
} from './facts.ts';
export { loadPythonParser, MAX_PARSED_SOURCE_CHARS, TREE_SITTER_WASM_FILES } from './tree-sitter-parser.ts';
export {
  analyzePythonSource,
  analyzeDoctestText,
  pythonCallSites,
  type PythonArgumentEvidence,
  type PythonCallSite,
  listPythonDefinitions,
  stringLiteralValue,
  PYTHON_FACTS_VERSION,
} from './analyze-source.ts';
export { PythonModuleIndex, isPythonSourcePath } from './module-index.ts';
export type { ResolvedImport } from './module-index.ts';
export { doctestSource } from './doctest-source.ts';
export { changedBindings, readersOfNames, type ChangedBindings, type NameReaders } from './changed-bindings.ts';
export { findBindingReaders, type BindingReaders, type BindingSearch } from './binding-readers.ts';
export { pythonPack } from './pack.ts';
export { pythonLanguage } from './language.ts';
export { pytestFramework } from './pytest.ts';
export { loadPytestDiscovery, PytestTestMatcher, readIniSection, readTomlTable, fnmatch } from './pytest-config.ts';
export type { PytestDiscovery } from './pytest-config.ts';
