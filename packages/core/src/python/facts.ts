/** One import a Python module makes, as written (resolution to files happens later, against the repository). */
export interface PythonImport {
  /** Dotted module as written (`a.b`); '' for `from . import x`. */
  module: string;
  /** Leading dots of a relative import; 0 for an absolute one. */
  level: number;
  /** Names of a `from ... import` (each may be a submodule); `*` for a star import; absent for `import a.b`. */
  names?: string[];
  /** 1-based line of the statement. */
  line: number;
  /** How it was written: a statement, a literal `importlib.import_module`/`__import__`, or a `pytest_plugins` entry. */
  kind: 'import' | 'from' | 'dynamic' | 'plugin';
}

/**
 * A dynamic import whose target is not a literal. `prefix` is the literal part before the first variable piece, cut
 * back to a whole package (`plugins.` for `f"plugins.{name}"`, '' when nothing is known), so the module can be taken
 * to import anything under it.
 */
export interface PythonDynamicImport {
  prefix: string;
  level: number;
  line: number;
  /** The call as written, shortened, for the explanation. */
  text: string;
}

/** A syntax error the parser recovered from. */
export interface PythonSyntaxError {
  line: number;
  column: number;
}

/** What the dependency analysis needs to know about one Python file; JSON-serialisable for the graph cache. */
export interface PythonModuleFacts {
  imports: PythonImport[];
  dynamicImports: PythonDynamicImport[];
  /** Short string literals that may name a file (`data/x.json`, `x.json`), deduplicated. */
  strings: string[];
  /** Literal `__all__` names, when the module declares them (a star import of a package loads these submodules). */
  all?: string[];
  syntaxError?: PythonSyntaxError;
}

/** A function, method or class with its qualified name and line range (for the function-level impact map). */
export interface PythonDefinition {
  /** `Class.method`, `function`, `outer.<locals>.inner` as Python's `__qualname__` spells it. */
  qualifiedName: string;
  kind: 'function' | 'class';
  /** 1-based first line (the first decorator, if any) and last line, inclusive. */
  startLine: number;
  endLine: number;
  /** 1-based line where the body starts (after the signature). */
  bodyStartLine: number;
}
