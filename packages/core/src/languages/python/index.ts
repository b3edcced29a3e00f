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
export {
  loadPythonParser,
  MAX_PARSED_SOURCE_CHARS,
  TREE_SITTER_WASM_FILES,
  withPythonTree,
} from './tree-sitter-parser.ts';
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
export { scanPythonSource } from './import-scanner.ts';
export {
  analyzePythonSources,
  analyzePythonSourcesCounted,
  startPythonAnalysisWorkers,
  type ParallelAnalysisOptions,
} from './parallel-analysis.ts';
export { PythonModuleIndex, isPythonSourcePath } from './module-index.ts';
export type { ResolvedImport } from './module-index.ts';
export { doctestSource } from './doctest-source.ts';
export { changedBindings, readersOfNames, type ChangedBindings, type NameReaders } from './changed-bindings.ts';
export { findBindingReaders, type BindingReaders, type BindingSearch } from './binding-readers.ts';
export { pythonPack } from './pack.ts';
export { pythonImpactSupport, parseTestContext } from './impact-support.ts';
export { pythonLanguage } from './language.ts';
export { filesMentioning, filesMentioningEach, filesMentioningKept, hasWord } from './word-search.ts';
export { pytestFramework } from './pytest.ts';
export { loadPytestDiscovery, PytestTestMatcher, readIniSection, readTomlTable, fnmatch } from './pytest-config.ts';
export type { PytestDiscovery } from './pytest-config.ts';
// The impact map's Python parts: functions and methods as units with line ranges, what changed between two versions
// of a file, and coverage.py's per-test contexts.
export { shapePythonModule, unitAtLine, unitLines, isCachingDecorator } from './python-units.ts';
export type { PythonUnit, PythonModuleShape, PythonClassShape } from './python-units.ts';
export { comparePythonVersions, compareShapes } from './compare-versions.ts';
export type { PythonFileChange } from './compare-versions.ts';
export { changedPythonStatements, pythonStatementLines } from './changed-statements.ts';
export {
  readCoverageContexts,
  parseCoverageJson,
  readCoverageSqlite,
  decodeNumbits,
  countSkip,
} from './coverage-reader.ts';
export type { CoverageContexts } from './coverage-reader.ts';
