/**
 * Language packs: what the selection engine (test-filter, impact-map) needs from a language and its test framework.
 * Each pack lives in its own folder (languages/python/); docs/adding-a-language.md says how to add one.
 */
export type {
  AttributionInputs,
  BlobAnswers,
  ChangeReaders,
  CodeUnit,
  CoverageContexts,
  DanglingImport,
  DependencyEdge,
  DynamicDependency,
  FileSetChange,
  ImpactMapSupport,
  ImplicitDependencies,
  LanguageFacts,
  LanguagePack,
  LinkedSources,
  ModuleUnits,
  ParsedContext,
  ReaderSearch,
  SharedStateGroup,
  SourceLanguage,
  StatementChange,
  TestFramework,
  TestMatcher,
  UnitChange,
} from './types.ts';
