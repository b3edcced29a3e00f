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
 * A dynamic import whose target is not a literal. `prefix` is the literal part of the name before the first computed
 * piece (`plugins.` for `f"plugins.{name}"` or `"plugins.%s" % name`, '' when nothing is known), so the call can be
 * taken to load anything whose name starts with it. What else bounds the name:
 * - `level` > 0: relative to the file's package (`"." + name` with `package=__package__`, or a name bound by a loop
 *   over `pkgutil.iter_modules(__path__)`);
 * - `anchor: 'module'`: the name starts with the module's own `__name__` (`f"{__name__}.{name}"`);
 * - `package`: a literal `package=` argument (`import_module(name, "pkg._data")`): the name is taken as relative to
 *   that package, which is what the argument is for;
 * - `parameter`: the name is a parameter of the enclosing function, so its callers decide what loads (the link
 *   attributes the import to the call sites that pass a literal, see `PythonModuleFacts.moduleArguments`).
 * None of these: the call may load any module (`prefix` '' and `level` 0), and only then does it force run-all.
 */
export interface PythonDynamicImport {
  prefix: string;
  level: number;
  line: number;
  /** The call as written, shortened, for the explanation. */
  text: string;
  anchor?: 'module';
  package?: string;
  /**
   * `passedOnly`: the parameter's default was read (its literal keys are imports of their own); only callers that pass
   * the argument decide more.
   */
  parameter?: { name: string; position: number; passedOnly?: boolean };
  /**
   * The name starts with `<x>.__name__` where `x` came from `from <module> import <name>` (level dots): the link finds
   * the module `x` is (a submodule, or a module alias in that module's facts) and reads `prefix` after it.
   */
  moduleOf?: { module: string; level: number; name: string };
  /** The name is an existing object's `__module__`: that module is already imported, so the call loads no new file. */
  loaded?: boolean;
  /**
   * Qualified name of the enclosing function or method (`Loader.load`; absent at module level). A hook for the impact
   * map: the tests it saw executing this function are the ones an unbounded call can affect.
   */
  scope?: string;
}

/** A string literal that looks like a module name, passed to a function (for imports whose target is a parameter). */
export interface PythonModuleArgument {
  /** The called name (`load` for `load(...)` and `obj.load(...)`). */
  callee: string;
  /** Positional index (0-based, not counting `self`) or keyword name of the argument. */
  argument: number | string;
  value: string;
  line: number;
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
  /**
   * Imports in the examples (`>>>` lines) of the module's string statements (docstrings): they run when pytest collects
   * the module as doctests (`--doctest-modules`). Not part of `imports` (CPython's `ast` does not see them).
   */
  doctestImports?: PythonImport[];
  /** `import a.b as x` statements: x -> a.b (so another module's `from this import x` then `x.__name__` is known). */
  moduleAliases?: Record<string, string>;
  /** Dotted-name literals passed to calls (only kept when the file calls something with one). */
  moduleArguments?: PythonModuleArgument[];
  syntaxError?: PythonSyntaxError;
  /**
   * Why the file could not be analysed at all (too large, the parser failed); its facts then say it may import anything
   * (one unbounded dynamic import) and it counts as not parsing.
   */
  unparsed?: string;
  /**
   * Read by the import scanner (the cold build's fast path), not parsed: the imports, strings, `__all__`, aliases and
   * doctest imports are what the full analysis gives, but whether the file parses (`syntaxError`) and `moduleArguments`
   * were not looked at. The full analysis replaces such facts before either is asked for.
   */
  scanned?: true;
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
