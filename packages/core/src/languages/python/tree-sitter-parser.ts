import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Language, Parser, type Tree } from 'web-tree-sitter';

/**
 * tree-sitter's Python grammar, run as WebAssembly through web-tree-sitter (see docs/decisions.md: it accepts every
 * file of the system Python's library that CPython accepts; the Lezer grammar rejected one in ten). The two .wasm
 * files ship next to each bundle (scripts/bundle.mjs copies them); from the sources they come from node_modules.
 */
export const TREE_SITTER_WASM_FILES = ['tree-sitter.wasm', 'tree-sitter-python.wasm'] as const;

/** Files larger than this are not parsed (the file's facts fall back to "may import anything", with a warning). */
export const MAX_PARSED_SOURCE_CHARS = 8_000_000;

let parser: Parser | undefined;
let loading: Promise<Parser> | undefined;

/** Where a .wasm file is: next to the running bundle (or its parent, for code in chunks/), else in node_modules. */
function wasmPath(file: (typeof TREE_SITTER_WASM_FILES)[number]): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [here, dirname(here)]) {
    const candidate = join(dir, file);
    if (existsSync(candidate)) return candidate;
  }
  const require = createRequire(import.meta.url);
  return require.resolve(
    file === 'tree-sitter.wasm' ? 'web-tree-sitter/tree-sitter.wasm' : 'tree-sitter-python/tree-sitter-python.wasm',
  );
}

/**
 * V8 compiles a WebAssembly function again with its optimising compiler once the function has run for a budget of
 * executed code (13 M by default). The grammar's lexer and tree-sitter's parse loop are large functions whose optimised
 * compile costs 60-120 ms of CPU (on other threads), more than a selection that parses one or two files ever gains from
 * it. With this budget, such a run stays on the baseline code.
 */
const FEW_PARSES_TIERING_BUDGET = 1_000_000_000;
/**
 * A whole build (no stored graph) parses far more: the files its scan leaves to the full analysis and the callers of
 * computed imports (numpy: about 1.2 MB, its `dlmalloc` and parse loop on the baseline code a fifth of the main
 * thread). V8's own budget lets those functions be optimised early (measured on numpy and pip: 50-130 ms less on the
 * main thread and less CPU in all; on a project of 50-70 files, 45-175 ms more CPU on V8's compiler threads).
 */
const MANY_PARSES_TIERING_BUDGET = 13_000_000;

/** How many files the process is about to parse (`loadPythonParser`): a few (a selection patching a stored graph) or many. */
export type PythonParses = 'few' | 'many';

/**
 * Loads the grammar once per process (WebAssembly compiles asynchronously); later calls return at once. The first
 * call's `parses` decides how early V8 optimises the parser's code (it cannot change once the grammar is compiled).
 */
export function loadPythonParser(parses: PythonParses = 'few'): Promise<Parser> {
  if (parser) return Promise.resolve(parser);
  loading ??= (async () => {
    // Read when a module is compiled: set before each load (the flag is the process's, workers included).
    const budget = parses === 'many' ? MANY_PARSES_TIERING_BUDGET : FEW_PARSES_TIERING_BUDGET;
    setFlagsFromString(`--wasm-tiering-budget=${budget}`);
    await Parser.init({ wasmBinary: readFileSync(wasmPath('tree-sitter.wasm')) });
    const language = await Language.load(readFileSync(wasmPath('tree-sitter-python.wasm')));
    const created = new Parser();
    created.setLanguage(language);
    parser = created;
    return created;
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/** The loaded parser; a clear error when `loadPythonParser()` was not awaited first (a bug in the caller). */
export function pythonParser(): Parser {
  if (!parser)
    throw new Error('The Python parser is not loaded: await loadPythonParser() before analysing Python sources.');
  return parser;
}

/**
 * The trees of the last sources parsed, by source text: one selection reads the changed file's versions several times
 * (its facts, the units compared, the names it changed, their readers), and parsing is most of what each costs. A tree
 * is never changed by its users; one in use is not freed (`uses`), the oldest unused ones are past `RECENT_TREES`.
 */
const recentTrees = new Map<string, KeptTree>();
const RECENT_TREES = 4;
interface KeptTree {
  tree: Tree;
  uses: number;
}
/**
 * Trees of sources searched name after name (`withPythonTree(source, use, { searched: true })`: the callers' search of
 * computed imports parses each file that mentions a function's name, once for each name, and a file often mentions
 * several; it often reads files a cold build has just analysed, whose trees are kept here too), kept by the size of
 * their sources, up to SEARCHED_TREE_CHARS in all; the least recently used go first. A tree
 * takes about 30 bytes of WebAssembly memory per character of its source: some 60 MB at the bound.
 */
const searchedTrees = new Map<string, KeptTree>();
const SEARCHED_TREE_CHARS = 2_000_000;
let searchedChars = 0;
/**
 * Smaller sources are parsed again when asked again (cheap), so that the many small ones (a module's doctest examples,
 * parsed one by one) do not push a large file's tree out.
 */
const RECENT_TREE_MIN_CHARS = 4096;

function forgetOldTrees(): void {
  for (const [source, entry] of recentTrees) {
    if (recentTrees.size <= RECENT_TREES) break;
    if (entry.uses > 0) continue;
    recentTrees.delete(source);
    entry.tree.delete();
  }
  for (const [source, entry] of searchedTrees) {
    if (searchedChars <= SEARCHED_TREE_CHARS) break;
    if (entry.uses > 0) continue;
    searchedTrees.delete(source);
    searchedChars -= source.length;
    entry.tree.delete();
  }
}

/** Makes `entry` the newest of the searched trees (`searched`) or of the recent ones. */
function keepTree(source: string, entry: KeptTree, searched: boolean): void {
  recentTrees.delete(source);
  if (searchedTrees.delete(source)) searchedChars -= source.length;
  if (searched) {
    searchedTrees.set(source, entry);
    searchedChars += source.length;
  } else recentTrees.set(source, entry);
}

/**
 * Parses `source` (or takes its recent tree) and hands the tree to `use`; trees are freed when they are no longer
 * among the recent ones (WebAssembly memory is not garbage-collected). `use` must not keep the tree or its nodes.
 * Never throws for the source's sake: a file too large or one the parser cannot handle gives `undefined` to `use`.
 * `searched`: the source is one of many searched again and again (see `searchedTrees`).
 */
export function withPythonTree<T>(
  source: string,
  use: (tree: Tree | undefined, problem?: string) => T,
  { searched = false }: { searched?: boolean } = {},
): T {
  const active = pythonParser();
  if (source.length > MAX_PARSED_SOURCE_CHARS) {
    return use(undefined, `larger than ${MAX_PARSED_SOURCE_CHARS} characters`);
  }
  let entry = recentTrees.get(source) ?? searchedTrees.get(source);
  if (entry) {
    // The newest again (a searched tree stays among the searched ones).
    keepTree(source, entry, searched || searchedTrees.has(source));
  } else {
    let tree: Tree | null;
    try {
      tree = active.parse(source);
    } catch (error) {
      active.reset();
      return use(undefined, `the parser failed (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!tree) return use(undefined, 'the parser gave no tree');
    if (source.length < RECENT_TREE_MIN_CHARS && !searched) {
      try {
        return use(tree);
      } finally {
        tree.delete();
      }
    }
    entry = { tree, uses: 0 };
    keepTree(source, entry, searched);
  }
  entry.uses += 1;
  try {
    return use(entry.tree);
  } finally {
    entry.uses -= 1;
    forgetOldTrees();
  }
}
