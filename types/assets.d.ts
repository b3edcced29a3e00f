// The bundles embed each action.yml parsed to plain data (scripts/bundle.mjs, actionYmlPlugin): an ActionYml of
// packages/core/src/metadata (`source` names the file in errors).
declare module '*.yml' {
  const yml: { readonly source: string; readonly data: unknown };
  export default yml;
}
// Every action's action.yml, by action name, for the CLI.
declare module 'virtual:action-metadata' {
  const metadata: Record<string, { readonly source: string; readonly data: unknown }>;
  export default metadata;
}
