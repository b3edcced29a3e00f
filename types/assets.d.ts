// esbuild's text loader turns these imports into the file's text (see scripts/bundle.mjs).
declare module '*.yml' {
  const text: string;
  export default text;
}
declare module 'virtual:action-metadata' {
  const metadata: Record<string, string>;
  export default metadata;
}
