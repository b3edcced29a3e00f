import type { AttributionInputs, DynamicDependency } from '../languages/index.ts';
import type { SnapshotDocument, TreeDelta } from './graph-snapshot.ts';

/**
 * The computed imports of a stored graph's tree as the selection worked them out (the language's link of every file's
 * facts, then what the callers of a function that imports its parameter pass), stored beside the graph so that a warm
 * run whose change cannot alter them reads neither the facts document nor the callers' answers, and resolves no call's
 * targets again. Tied to one graph document by its `id`, as the facts are.
 */
export interface DynamicCallsDocument {
  schema: number;
  language: string;
  factsVersion: number;
  /** The `id` of the graph document whose tree these calls are of. */
  graph: string;
  /**
   * The files the calls were worked out from: those whose facts the link read for them (the files with computed
   * imports, the packages whose names they follow) and those the callers' search read. A change to one is a rework.
   */
  inputs: string[];
  /** The function names whose callers were searched for: a changed file that has one may be a new caller. */
  names: string[];
  calls: StoredDynamicCall[];
}

/** One computed import; what it may load is a list of indices into the graph's `paths` (or of those it may not). */
interface StoredDynamicCall {
  from: string;
  line: number;
  text: string;
  bounded: boolean;
  scope?: [file: string, qualifiedName: string];
  /** The graph's files (ascending indices) the call may load; or `loadsAllBut`, those it may not (the shorter). */
  loads?: number[];
  loadsAllBut?: number[];
}

/** 1: as described above. */
export const DYNAMIC_CALLS_SCHEMA = 1;

/**
 * The stored form of `calls` over the graph's files `paths` (the order of the graph document written with it), or
 * undefined when a call lists a target outside them (then nothing is stored). Each call's answer for every file is
 * asked now: the targets are worked out while `inputs` is still being recorded.
 */
export function encodeDynamicCalls(
  calls: readonly DynamicDependency[],
  paths: readonly string[],
  inputs: ReadonlySet<string>,
  attribution: AttributionInputs,
): Pick<DynamicCallsDocument, 'inputs' | 'names' | 'calls'> | undefined {
  const indexOf = new Map(paths.map((path, i) => [path, i]));
  const stored: StoredDynamicCall[] = [];
  for (const call of calls) {
    let loads: number[] = [];
    const targets = call.bounded ? call.targets?.() : undefined;
    if (targets) {
      for (const target of targets) {
        const at = indexOf.get(target);
        if (at === undefined) return undefined;
        loads.push(at);
      }
      loads.sort((a, b) => a - b);
    } else loads = paths.flatMap((path, i) => (call.mayLoad(path) ? [i] : []));
    const item: StoredDynamicCall = { from: call.from, line: call.line, text: call.text, bounded: call.bounded };
    if (call.scope) item.scope = [call.scope.file, call.scope.qualifiedName];
    if (loads.length <= paths.length / 2) item.loads = loads;
    else {
      const loaded = new Set(loads);
      item.loadsAllBut = paths.flatMap((_, i) => (loaded.has(i) ? [] : [i]));
    }
    stored.push(item);
  }
  const files = new Set([...inputs, ...attribution.files]);
  return { inputs: [...files].sort(), names: [...attribution.names].sort(), calls: stored };
}

const isAscendingBelow = (list: unknown, limit: number): boolean =>
  Array.isArray(list) &&
  list.every((n, i) => Number.isInteger(n) && n >= 0 && n < limit && (i === 0 || n > (list[i - 1] as number)));

const isStringList = (list: unknown): list is string[] =>
  Array.isArray(list) && list.every((item) => typeof item === 'string');

/** Whether a parsed document is the stored calls of the graph document `graph` (else it must not be used). */
export function isDynamicCallsDocumentOf(value: unknown, graph: SnapshotDocument): value is DynamicCallsDocument {
  const doc = value as DynamicCallsDocument;
  if (typeof doc !== 'object' || doc === null || doc.schema !== DYNAMIC_CALLS_SCHEMA || doc.graph !== graph.id)
    return false;
  if (doc.language !== graph.language || doc.factsVersion !== graph.factsVersion) return false;
  if (!isStringList(doc.inputs) || !isStringList(doc.names) || !Array.isArray(doc.calls)) return false;
  const files = graph.paths.length;
  return doc.calls.every((call: StoredDynamicCall) => {
    if (typeof call !== 'object' || call === null) return false;
    if (typeof call.from !== 'string' || !Number.isInteger(call.line) || typeof call.text !== 'string') return false;
    if (typeof call.bounded !== 'boolean') return false;
    if (call.scope !== undefined && !(isStringList(call.scope) && call.scope.length === 2)) return false;
    return (call.loads === undefined) !== (call.loadsAllBut === undefined)
      ? isAscendingBelow(call.loads ?? call.loadsAllBut, files)
      : false;
  });
}

/**
 * The calls as the selection uses them, over the graph's files `paths` (a file outside them is loaded by none). Each
 * call's files are made a set when it is first asked (a closure asks few of the unbounded ones).
 */
export function decodeDynamicCalls(doc: DynamicCallsDocument, paths: readonly string[]): DynamicDependency[] {
  let known: Set<string> | undefined;
  return doc.calls.map((call) => {
    const indices = (call.loads ?? call.loadsAllBut)!;
    let listed: Set<string> | undefined;
    const listedSet = () => (listed ??= new Set(indices.map((i) => paths[i])));
    const mayLoad =
      call.loads !== undefined
        ? (path: string) => listedSet().has(path)
        : (path: string) => (known ??= new Set(paths)).has(path) && !listedSet().has(path);
    const decoded: DynamicDependency = {
      from: call.from,
      line: call.line,
      text: call.text,
      bounded: call.bounded,
      mayLoad,
    };
    if (call.bounded) {
      let targets: Set<string> | undefined;
      decoded.targets = () => (targets ??= call.loads ? listedSet() : new Set(paths.filter((path) => mayLoad(path))));
    }
    if (call.scope) decoded.scope = { file: call.scope[0], qualifiedName: call.scope[1] };
    return decoded;
  });
}

/** A name the text test below can judge: `includes` finds every place `git grep -w -F` would (and more). */
const ASCII_NAME = /^[\x21-\x7e]+$/;

/**
 * Whether the stored calls still describe the head reached from the stored tree by `delta`: no file of the language
 * came or went (the link's file set, and so every call's targets, are the same), no input changed, no changed file
 * gained computed imports (`hasDynamicImports`, after the patch) or mentions a searched name (`textOf`, the changed
 * file's text, is read by the patch; a text not at hand is a rework). The names are looked for as plain substrings:
 * a mention git would not count only costs a rework.
 */
export function dynamicCallsStillApply(
  doc: DynamicCallsDocument,
  delta: readonly TreeDelta[],
  handles: (path: string) => boolean,
  hasDynamicImports: (path: string) => boolean,
  textOf: (blob: string) => string | undefined,
): boolean {
  if (!doc.names.every((name) => ASCII_NAME.test(name))) return false;
  const inputs = new Set(doc.inputs);
  for (const item of delta) {
    if (inputs.has(item.path)) return false;
    if (!handles(item.path)) continue;
    if (item.status !== 'modified' || hasDynamicImports(item.path)) return false;
    const text = textOf(item.blob!);
    if (text === undefined || doc.names.some((name) => text.includes(name))) return false;
  }
  return true;
}
