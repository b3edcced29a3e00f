/**
 * The Python language layer: parsing (Lezer grammar, never executing user code), the facts the dependency graph
 * needs, module-name resolution over a repository's files, and definitions with qualified names and line ranges.
 */
export type { PythonDefinition, PythonDynamicImport, PythonImport, PythonModuleFacts, PythonSyntaxError } from './facts.ts';
export {
  analyzePythonSource,
  listPythonDefinitions,
  parsePythonSource,
  stringLiteralValue,
  PYTHON_FACTS_VERSION,
} from './analyze-source.ts';
export { PythonModuleIndex, isPythonSourcePath } from './module-index.ts';
export type { ResolvedImport } from './module-index.ts';
