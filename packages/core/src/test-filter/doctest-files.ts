import type { Closure } from './graph.ts';
import { formatChain } from './graph.ts';
import type { LanguageFacts, LinkedSources, SourceLanguage } from '../languages/index.ts';

/** A doctest text file the change reaches through the imports of its examples. */
export interface ReachedDoctestFile {
  /** `docs/intro.rst imports pkg.a (line 12) → pkg/a.py (modified)`. */
  explanation: string;
  /** Import hops from the nearest changed file. */
  depth: number;
}

/**
 * The doctest text files (test files the language does not parse as source: `--doctest-glob` matches) whose examples
 * import something the closure reached. Their examples are read from the head commit and analysed as code; a file whose
 * examples cannot be analysed is selected (it may import anything).
 */
export async function reachedDoctestFiles<F extends LanguageFacts>(
  /** Reads `<commit>:<path>` specs (the selection's open object reader). */
  readBlobs: (specs: readonly string[]) => Promise<Map<string, string>>,
  head: string,
  textFiles: readonly string[],
  closure: Closure,
  language: SourceLanguage<F>,
  linked: LinkedSources<F>,
): Promise<Map<string, ReachedDoctestFile>> {
  const reached = new Map<string, ReachedDoctestFile>();
  const pending = textFiles.filter((path) => !closure.has(path));
  if (pending.length === 0 || !language.analyzeDoctestText || !linked.dependenciesOfFacts) return reached;
  await language.prepare?.();
  // `<commit>:<path>` names the blob for `git cat-file --batch`.
  const texts = await readBlobs(pending.map((path) => `${head}:${path}`));
  for (const path of pending) {
    const text = texts.get(`${head}:${path}`);
    if (text === undefined) continue;
    const facts = language.analyzeDoctestText(text);
    if (facts.unparsed) {
      reached.set(path, { explanation: `${path} (its examples were not analysed: ${facts.unparsed})`, depth: 1 });
      continue;
    }
    // The import nearest to a change explains it.
    let best: { why: string; to: string; depth: number } | undefined;
    for (const edge of linked.dependenciesOfFacts(path, facts)) {
      const depth = closure.depth(edge.to);
      if (depth !== undefined && (!best || depth < best.depth)) best = { why: edge.why, to: edge.to, depth };
    }
    if (best)
      reached.set(path, {
        explanation: `${path} ${best.why} → ${formatChain(closure.chain(best.to))}`,
        depth: best.depth + 1,
      });
  }
  return reached;
}
