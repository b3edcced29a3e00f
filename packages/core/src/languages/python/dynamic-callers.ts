import { pythonCallSites, type PythonCallSite } from './analyze-source.ts';
import { readBlobs } from '../../git/index.ts';
import { loadPythonParser } from './tree-sitter-parser.ts';
import { filesMentioning, filesMentioningKept } from './word-search.ts';
import type { AttributionInputs, BlobAnswers, DynamicDependency, LanguageFacts, LinkedSources } from '../types.ts';

/** The question `pythonCallSites` answers, for answers kept between runs: bumped when what it finds changes. */
const CALL_SITES_QUESTION = 'python-call-sites/1';

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Whether a kept answer has the shape of `pythonCallSites`' (it is read from a store: anything else is no answer). */
function isCallSiteList(value: unknown): value is PythonCallSite[] {
  if (!Array.isArray(value)) return false;
  return value.every((site) => {
    if (typeof site !== 'object' || site === null) return false;
    const { line, kind, text, argument, splat } = site as Record<string, unknown>;
    if (!Number.isInteger(line) || (kind !== 'call' && kind !== 'value') || typeof text !== 'string') return false;
    if (splat !== undefined && splat !== true) return false;
    if (argument === undefined) return true;
    if (typeof argument !== 'object' || argument === null) return false;
    const evidence = argument as Record<string, unknown>;
    const prefixesOk =
      Array.isArray(evidence.prefixes) &&
      evidence.prefixes.every((item: unknown) => {
        const p = item as Record<string, unknown> | null;
        return (
          typeof p === 'object' &&
          p !== null &&
          typeof p.prefix === 'string' &&
          Number.isInteger(p.level) &&
          (p.anchor === undefined || p.anchor === 'module')
        );
      });
    const parameter = evidence.parameter as Record<string, unknown> | undefined;
    const parameterOk =
      parameter === undefined ||
      (typeof parameter === 'object' &&
        parameter !== null &&
        typeof parameter.function === 'string' &&
        typeof parameter.name === 'string' &&
        Number.isInteger(parameter.position));
    return (
      typeof evidence.text === 'string' &&
      isStringList(evidence.literals) &&
      prefixesOk &&
      parameterOk &&
      typeof evidence.unbounded === 'boolean'
    );
  });
}

/** How many functions deep a name is followed through parameters passed on (`f(name)` calling `g(name)`...). */
const MAX_DEPTH = 4;

interface CallersRequest {
  /** Qualified name of the function whose parameter is imported (`Loader.load`). */
  function: string;
  parameter: string;
  position: number;
  passedOnly: boolean;
  /** Where the import is, for the explanation. */
  importAt: string;
}

/**
 * Replaces each computed import whose name is a parameter (`DynamicDependency.callers`) with what its callers pass:
 * one bounded call per caller that passes a literal or a name with a literal start, the callers' own callers when
 * they pass a parameter on, and an unbounded call (naming the caller, its file and line) for any caller nothing
 * bounds, any call with `*args`/`**kwargs`, and any other use of the function (handed on as a value: not every caller
 * is known). Callers are found by the function's name in every Python file of `head` (a method's name matches calls on
 * any object: more callers, never fewer).
 */
export async function attributeToCallers<F extends LanguageFacts>(
  repoDir: string,
  head: string,
  calls: readonly DynamicDependency[],
  linked: LinkedSources<F>,
  answers?: BlobAnswers,
  read?: AttributionInputs,
): Promise<DynamicDependency[]> {
  const out: DynamicDependency[] = [];
  const sitesCache = new Map<string, Array<{ file: string; site: PythonCallSite }>>();
  const lastName = (qualified: string) => qualified.slice(qualified.lastIndexOf('.') + 1);
  // The functions the computed imports name are searched for together (their callers' callers one by one, later).
  const firstNames = [...new Set(calls.flatMap((call) => (call.callers ? [lastName(call.callers.function)] : [])))];
  // Each file's mentions are kept by blob: a warm run searches only the files that changed.
  const mentions =
    (firstNames.length > 1 ? await filesMentioningKept(repoDir, head, firstNames, answers) : undefined) ??
    new Map<string, string[]>();
  const sitesOf = async (request: CallersRequest) => {
    const name = lastName(request.function);
    const key = `${name}\0${request.position}\0${request.parameter}`;
    let found = sitesCache.get(key);
    if (found) return found;
    const files =
      mentions.get(name) ??
      (await filesMentioningKept(repoDir, head, [name], answers))?.get(name) ??
      (await filesMentioning(repoDir, head, name));
    read?.names.add(name);
    for (const file of files) read?.files.add(file);
    // The sites of a file whose blob an earlier run searched for the same question are kept (parsing is the cost).
    const question = `${CALL_SITES_QUESTION}\0${key}`;
    const known = new Map<string, PythonCallSite[]>();
    for (const file of files) {
      const blob = answers?.blobOf(file);
      const answer = blob === undefined ? undefined : answers!.get(blob, question);
      if (isCallSiteList(answer)) known.set(file, answer);
    }
    const toParse = files.filter((file) => !known.has(file));
    // The files the engine has read already (the change's) are not read again.
    const atHand = new Map<string, string>();
    for (const file of toParse) {
      const blob = answers?.blobOf(file);
      const text = blob === undefined ? undefined : answers!.textOf?.(blob);
      if (text !== undefined) atHand.set(file, text);
    }
    // A warm selection may have parsed nothing yet (the graph patched from the cache): load the parser here.
    const [texts] = await Promise.all([
      readBlobs(
        repoDir,
        toParse.filter((file) => !atHand.has(file)).map((file) => `${head}:${file}`),
      ),
      toParse.length ? loadPythonParser() : undefined,
    ]);
    found = [];
    for (const file of files) {
      let sites = known.get(file);
      if (!sites) {
        const text = atHand.get(file) ?? texts.get(`${head}:${file}`);
        if (text === undefined) continue;
        sites = pythonCallSites(text, name, request.position, request.parameter);
        // Kept unless the next run has the text at hand again (a warm run's change: see `storedGraphHas`).
        const blob = answers?.blobOf(file);
        if (blob !== undefined && (!atHand.has(file) || (answers!.storedGraphHas?.(file) ?? true)))
          answers!.set(blob, question, sites);
      }
      for (const site of sites) found.push({ file, site });
    }
    sitesCache.set(key, found);
    return found;
  };

  const unbounded = (
    from: string,
    line: number,
    text: string,
    scope: DynamicDependency['scope'],
  ): DynamicDependency => ({
    from,
    line,
    text,
    bounded: false,
    scope,
    mayLoad: () => true,
  });

  const resolve = async (
    call: DynamicDependency,
    request: CallersRequest,
    depth: number,
    visited: Set<string>,
  ): Promise<void> => {
    const name = lastName(request.function);
    const key = `${request.function}\0${request.parameter}`;
    if (visited.has(key)) return;
    visited.add(key);
    if (depth > MAX_DEPTH) {
      out.push(
        unbounded(
          call.from,
          call.line,
          `${call.text} (its name is passed on through more than ${MAX_DEPTH} functions)`,
          call.scope,
        ),
      );
      return;
    }
    for (const { file, site } of await sitesOf(request)) {
      if (site.kind === 'value') {
        out.push(
          unbounded(
            file,
            site.line,
            `${site.text} hands ${name} on, so its callers are not all known; it imports its ${request.parameter} (${request.importAt})`,
            call.scope,
          ),
        );
        continue;
      }
      if (site.splat) {
        out.push(
          unbounded(
            file,
            site.line,
            `${site.text} passes *args or **kwargs to ${name}, which imports its ${request.parameter} (${request.importAt})`,
            call.scope,
          ),
        );
        continue;
      }
      const evidence = site.argument;
      // A call that does not pass it uses the default (read with the import) or fails.
      if (!evidence) continue;
      if (request.passedOnly) {
        out.push(
          unbounded(
            file,
            site.line,
            `${site.text} passes its own ${request.parameter} to ${name}, whose keys it imports (${request.importAt})`,
            call.scope,
          ),
        );
        continue;
      }
      if (evidence.literals.length || evidence.prefixes.length) {
        let targets: ReadonlySet<string> | undefined;
        const targetsOf = () => (targets ??= linked.filesNamed?.(file, evidence) ?? new Set());
        out.push({
          from: file,
          line: site.line,
          text: `${site.text}, which imports its ${request.parameter} (${request.importAt})`,
          bounded: true,
          scope: call.scope,
          mayLoad: (candidate) => targetsOf().has(candidate),
          targets: targetsOf,
        });
      }
      if (evidence.parameter) {
        const next: CallersRequest = {
          ...evidence.parameter,
          function: evidence.parameter.function,
          parameter: evidence.parameter.name,
          passedOnly: false,
          importAt: request.importAt,
        };
        await resolve(call, next, depth + 1, visited);
      }
      if (evidence.unbounded) {
        out.push(
          unbounded(
            file,
            site.line,
            `${site.text} passes ${evidence.text}, which nothing bounds, to ${name}, which imports its ${request.parameter} (${request.importAt})`,
            call.scope,
          ),
        );
      }
    }
  };

  for (const call of calls) {
    if (!call.callers) {
      out.push(call);
      continue;
    }
    const { function: fn, parameter, position, passedOnly } = call.callers;
    await resolve(
      call,
      { function: fn, parameter, position, passedOnly, importAt: `${call.from} line ${call.line}` },
      0,
      new Set(),
    );
  }
  return out;
}
