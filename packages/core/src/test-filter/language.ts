/** What every language layer reports about one file (the rest is the language's own business). */
export interface LanguageFacts {
  syntaxError?: { line: number; column: number };
  /** Short string literals that may name a data file. */
  strings: string[];
}

/** `from` depends on `to`: a change to `to` can change what `from` does. */
export interface DependencyEdge {
  from: string;
  to: string;
  /** Why, for the explanation chain (`imports payments.ledger (line 3)`). */
  why: string;
  /** True for an edge guessed from an import computed at run time. */
  dynamic?: boolean;
}

/** A computed import: `from` may load any file for which `mayLoad` is true. */
export interface DynamicDependency {
  from: string;
  line: number;
  /** The call as written. */
  text: string;
  mayLoad(path: string): boolean;
}

/** A file that is gone but still imported as written somewhere. */
export interface DanglingImport {
  importer: string;
  line: number;
  missing: string;
}

/** The files of one language, linked into dependencies. */
export interface LinkedSources {
  dependencies(path: string): DependencyEdge[];
  dynamic: DynamicDependency[];
  /** Imports that would load one of `gone` (deleted or renamed-away files). */
  danglingImports(gone: ReadonlySet<string>): DanglingImport[];
}

/**
 * A language the test filter understands. Python is the first; a JS/TS layer plugs in the same way (its own facts,
 * module resolution and test discovery stay inside it).
 */
export interface SourceLanguage<F extends LanguageFacts = LanguageFacts> {
  id: string;
  /** Bumped when `analyze` changes, so cached facts of an older version are not reused. */
  factsVersion: number;
  handles(path: string): boolean;
  /** Parses one file; never runs it. */
  analyze(source: string): F;
  /** Links every file's facts (path -> facts) into dependencies. */
  link(facts: ReadonlyMap<string, F>, options: { roots?: string[]; extraRoots?: string[] }): LinkedSources;
}
