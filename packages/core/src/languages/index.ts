/**
 * Language packs: what the selection engine (test-filter, impact-map) needs from a language and its test framework.
 * Each pack lives in its own folder (languages/python/); docs/adding-a-language.md says how to add one.
 */
export type {
  DanglingImport,
  DependencyEdge,
  DynamicDependency,
  FileSetChange,
  ImplicitDependencies,
  LanguageFacts,
  LanguagePack,
  LinkedSources,
  SourceLanguage,
  TestFramework,
  TestMatcher,
} from './types.ts';
