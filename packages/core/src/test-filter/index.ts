/**
 * test-filter: selects the test files a change can break (never fewer), explains each choice, and evaluates path
 * filters for job routing from the same diff.
 */
export { selectAffectedTests, SelectionSession } from './select-tests.ts';
export type { SelectTestsRequest, TestSelection, UnboundedImportEvidence } from './select-tests.ts';
export {
  resolveTestFilterOptions,
  testFilterConfigSchema,
  parseFilters,
  parseMapRules,
  BUILTIN_IGNORE,
  BUILTIN_RUN_ALL_ON,
  DEFAULT_CONFIG_PATH,
  DEFAULT_MAX_CHANGED_FILES,
} from './options.ts';
export type { TestFilterOptions, MapRule, UnknownFilePolicy, DynamicImportPolicy } from './options.ts';
export { directoryGraphCacheStore, dynamicCallsCacheKey, GRAPH_CACHE_SCHEMA, graphCacheKey } from './graph-cache.ts';
export { ReadAheadStore } from './read-ahead-store.ts';
export type { GraphCacheStore } from './graph-cache.ts';
export type { ChangedFile } from '../git/index.ts';
export { discoverTests } from './discover-tests.ts';
export { readAndScan } from './scan-while-reading.ts';
export type { DiscoveredTests } from './discover-tests.ts';
export { evaluatePathFilters, matchesGlob } from './globs.ts';
export { literalNamesFile } from './data-files.ts';
export { renderSelectionSummary } from './summary.ts';
export { withTestsFiles, writeTestsFile } from './tests-file.ts';
