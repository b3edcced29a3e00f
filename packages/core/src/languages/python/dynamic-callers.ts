import { pythonCallSites, type PythonCallSite } from './analyze-source.ts';
import { readBlobs, runGit } from '../../git/index.ts';
import type { DynamicDependency, LanguageFacts, LinkedSources } from '../types.ts';

/** How many functions deep a name is followed through parameters passed on (`f(name)` calling `g(name)`...). */
const MAX_DEPTH = 4;

/** The Python files of `head` whose text has `name` as a word (`git grep`; the candidates for its call sites). */
async function filesMentioning(repoDir: string, head: string, name: string): Promise<string[]> {
  try {
    const out = await runGit(repoDir, ['grep', '-l', '-w', '-F', '-z', '-e', name, head, '--', '*.py']);
    // "<head>:<path>" per file.
    return out
      .split('\0')
      .filter(Boolean)
      .map((entry) => entry.slice(head.length + 1));
  } catch {
    // git grep exits 1 when nothing matches.
    return [];
  }
}

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
): Promise<DynamicDependency[]> {
  const out: DynamicDependency[] = [];
  const sitesCache = new Map<string, Array<{ file: string; site: PythonCallSite }>>();
  const sitesOf = async (request: CallersRequest) => {
    const name = request.function.slice(request.function.lastIndexOf('.') + 1);
    const key = `${name}\0${request.position}\0${request.parameter}`;
    let found = sitesCache.get(key);
    if (found) return found;
    found = [];
    const files = await filesMentioning(repoDir, head, name);
    const texts = await readBlobs(
      repoDir,
      files.map((file) => `${head}:${file}`),
    );
    for (const file of files) {
      const text = texts.get(`${head}:${file}`);
      if (text === undefined) continue;
      for (const site of pythonCallSites(text, name, request.position, request.parameter)) found.push({ file, site });
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
    const name = request.function.slice(request.function.lastIndexOf('.') + 1);
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
        let targets: Set<string> | undefined;
        out.push({
          from: file,
          line: site.line,
          text: `${site.text}, which imports its ${request.parameter} (${request.importAt})`,
          bounded: true,
          scope: call.scope,
          mayLoad: (candidate) => (targets ??= linked.filesNamed?.(file, evidence) ?? new Set()).has(candidate),
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
