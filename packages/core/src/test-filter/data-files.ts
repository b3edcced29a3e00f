import { posix } from 'node:path';

/**
 * Whether a string literal names `dataPath` (repository-relative): the whole path, a tail of it (`"data/x.json"`,
 * `"./fixtures/x.json"`), or its file name (`Path(__file__).parent / "fixtures" / "x.json"`).
 */
export function literalNamesFile(literal: string, dataPath: string): boolean {
  const normalised = literal
    .replaceAll('\\', '/')
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '');
  if (normalised === '') return false;
  if (normalised === dataPath || normalised === posix.basename(dataPath)) return true;
  return dataPath.endsWith(`/${normalised}`);
}

/** The source files whose string literals name `dataPath`. */
export function filesMentioning(
  dataPath: string,
  stringsByFile: ReadonlyMap<string, { strings: readonly string[] }>,
): string[] {
  const name = posix.basename(dataPath);
  const mentions: string[] = [];
  for (const [path, facts] of stringsByFile) {
    // Every form above contains the file name, so a cheap substring test skips most files.
    if (facts.strings.some((literal) => literal.includes(name) && literalNamesFile(literal, dataPath)))
      mentions.push(path);
  }
  return mentions;
}
