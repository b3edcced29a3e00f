import { availableParallelism } from 'node:os';
import type { MessagePort, Worker } from 'node:worker_threads';
import { analyzePythonSource } from './analyze-source.ts';
import type { PythonModuleFacts } from './facts.ts';
import { loadPythonParser } from './tree-sitter-parser.ts';

/**
 * Analysing many Python files at once (a build of the whole graph: the first run on a repository, a new tree) in
 * worker threads beside the main thread. Parsing is most of a cold selection and each file is independent, so the
 * wall time drops with the machine's cores; the CPU time rises a little (each worker loads the module and the grammar).
 * Every file's facts are exactly what `analyzePythonSource` gives in the main thread (same code, copied back whole), in
 * the order of the sources. A worker that cannot start or fails leaves its work to the main thread: the answer never
 * depends on the workers.
 *
 * The worker runs this module's own file: from the sources, the `.ts` file; in a bundle, the chunk it was built into.
 * A bundle that inlined it into an entry (which would run the action again) is detected and then no worker starts.
 */

/** How the work is spread; the defaults suit a selection, tests pass their own. */
export interface ParallelAnalysisOptions {
  /** Below this many characters in all, the main thread does it alone (a worker costs its start and grammar load). */
  minChars?: number;
  /** Workers beside the main thread (default: the cores beyond the first, at most 3). */
  workers?: number;
  /** The module the workers load (tests: a file that fails, to check the fallback). Default: this module's file. */
  workerModule?: string;
}

const MIN_CHARS = 1_500_000;
const MAX_WORKERS = 3;
/**
 * A build of at least this many files starts its workers while the files are read (`startPythonAnalysisWorkers`): about
 * MIN_CHARS of Python at the usual 10-20 KB per file. Below it, the workers start when the sources are there and their
 * size says whether they are worth it.
 */
const MIN_FILES_EARLY = 100;
/**
 * Work is cut into batches of about this many characters, taken in turn by whichever thread is free (the main thread
 * and the workers alike); small enough that the thread finishing last does not finish much later than the others.
 */
const BATCH_CHARS = 100_000;
const ROLE = 'ci-optimizer:python-analysis';
/** The main thread keeps the trees it parses (bounded: `withPythonTree`): the callers' search may read the same files. */
const KEEP_TREE = { keepTree: true };

/**
 * `node:worker_threads`, taken when a worker is started or this module finds itself in one: most runs analyse a
 * file or two in the main thread, and importing it would cost every start that loads this module about 1.5 ms.
 */
const workerThreads = () => process.getBuiltinModule('node:worker_threads');

/** What a worker is given: every source, the batches (indexes into the sources), and the shared count of batches taken. */
interface Work {
  sources: readonly string[];
  batches: number[][];
  taken: SharedArrayBuffer;
}
type FromWorker = { ready: true } | { batch: number; facts: PythonModuleFacts[] } | { done: true } | { failed: string };

/** A worker thread started for the analysis, before or when it is given its work. */
interface AnalysisWorker {
  module: string;
  worker: Worker | undefined;
  /** It failed, exited or said it is done: it takes no more work. */
  ended: boolean;
  /** Resolves true once it has loaded the grammar and waits for work, false if it ended first. */
  ready: Promise<boolean>;
  onReady: (ready: boolean) => void;
  /** Set when it is given work: where its answers go, and what to call once it has ended. */
  onFacts?: (batch: number, facts: readonly PythonModuleFacts[]) => void;
  onEnd?: () => void;
}

/**
 * Workers started before their work exists (`startPythonAnalysisWorkers`), loading the module and the grammar; the next
 * analysis takes them. Until then they do not keep the process alive (`unref`).
 */
const standby: AnalysisWorker[] = [];

/** Whether `url` may be loaded as a worker: a source file, or a bundle chunk (never an entry that would run). */
function loadableInWorker(url: string): boolean {
  return url.endsWith('.ts') || /\/chunks\/[^/]+\.js$/.test(url);
}

/** Consecutive runs of sources of about BATCH_CHARS characters each. */
function batchesOf(sources: readonly string[]): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let chars = 0;
  sources.forEach((source, index) => {
    current.push(index);
    chars += source.length;
    if (chars >= BATCH_CHARS) {
      batches.push(current);
      current = [];
      chars = 0;
    }
  });
  if (current.length) batches.push(current);
  return batches;
}

/**
 * The next batch to analyse, taken from the count shared by all the threads (each batch is taken once), or undefined
 * when all are taken. No message goes through the main thread to hand out work, so a worker never waits for it to
 * finish a batch of its own.
 */
function takeBatch(work: Pick<Work, 'batches'>, taken: Int32Array): number | undefined {
  const batch = Atomics.add(taken, 0, 1);
  return batch < work.batches.length ? batch : undefined;
}

/** Facts of every source, in order (`loadPythonParser` is awaited here). */
export async function analyzePythonSources(
  sources: readonly string[],
  options: ParallelAnalysisOptions = {},
): Promise<PythonModuleFacts[]> {
  return (await analyzePythonSourcesCounted(sources, options)).facts;
}

/** The same, with how many of the sources the workers analysed (0 when the main thread did all). */
export async function analyzePythonSourcesCounted(
  sources: readonly string[],
  options: ParallelAnalysisOptions = {},
): Promise<{ facts: PythonModuleFacts[]; inWorkers: number }> {
  const total = sources.reduce((sum, source) => sum + source.length, 0);
  const module = options.workerModule ?? import.meta.url;
  const batches = batchesOf(sources);
  const workerCount = Math.min(options.workers ?? defaultWorkers(), batches.length - 1);
  // Workers started early are used whatever the size (their start is paid); the others only for enough work.
  const early = standby.splice(0).filter((started) => !started.ended && started.module === module);
  const wanted =
    workerCount < 1 || !loadableInWorker(module)
      ? 0
      : total >= (options.minChars ?? MIN_CHARS)
        ? workerCount
        : Math.min(early.length, workerCount);
  for (const unused of early.slice(wanted)) endWorker(unused);
  if (wanted === 0) {
    await loadPythonParser();
    return { facts: sources.map((source) => analyzePythonSource(source, KEEP_TREE)), inWorkers: 0 };
  }
  const work: Work = { sources, batches, taken: new SharedArrayBuffer(4) };
  const taken = new Int32Array(work.taken);
  const results: Array<PythonModuleFacts | undefined> = new Array(sources.length);
  let inWorkers = 0;
  const fromWorker = (batch: number, facts: readonly PythonModuleFacts[]) => {
    const indexes = batches[batch];
    // A reply of the wrong length, or for no batch, is no reply: the main thread does that batch at the end.
    if (!indexes || facts.length !== indexes.length) return;
    indexes.forEach((index, k) => (results[index] = facts[k]));
    inWorkers += facts.length;
  };
  // The workers start first (unless started early): they load the module and the grammar while the main thread loads
  // its own and begins.
  const started = [
    ...early.slice(0, wanted),
    ...Array.from({ length: wanted - Math.min(early.length, wanted) }, () => startWorker(module)),
  ];
  const workers = started.map((worker) => giveWork(worker, work, fromWorker));
  await loadPythonParser();
  for (let batch = takeBatch(work, taken); batch !== undefined; batch = takeBatch(work, taken)) {
    for (const index of batches[batch]) results[index] = analyzePythonSource(sources[index], KEEP_TREE);
    // Lets the workers' answers in between two batches (they are copied here anyway).
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(workers);
  // A batch a worker took but did not answer (it failed or ended) is done here.
  return { facts: results.map((facts, index) => facts ?? analyzePythonSource(sources[index], KEEP_TREE)), inWorkers };
}

/** Workers beside the main thread by default: the cores beyond the first, at most MAX_WORKERS. */
function defaultWorkers(): number {
  return Math.min(availableParallelism() - 1, MAX_WORKERS);
}

/**
 * Starts the workers of an analysis of about `files` sources that are still being read (a cold build reading its
 * blobs), so that their start (Node's, the module's, the grammar's) overlaps the reading; the next
 * `analyzePythonSources` takes them. Does nothing below MIN_FILES_EARLY files, when workers are already waiting, or
 * when this module cannot run in a worker.
 */
export function startPythonAnalysisWorkers(
  files: number,
  options: Omit<ParallelAnalysisOptions, 'minChars'> = {},
): Promise<number> {
  const module = options.workerModule ?? import.meta.url;
  if (files < MIN_FILES_EARLY || standby.length > 0 || !loadableInWorker(module)) return Promise.resolve(0);
  for (let i = 0; i < (options.workers ?? defaultWorkers()); i++) {
    const started = startWorker(module);
    started.worker?.unref();
    standby.push(started);
  }
  // How many are ready (the caller need not wait: the analysis takes them as they are).
  return Promise.all(standby.map((started) => started.ready)).then((ready) => ready.filter(Boolean).length);
}

/** Starts a worker that loads `module` (and so the grammar) and waits for its work. */
function startWorker(module: string): AnalysisWorker {
  let onReady: (ready: boolean) => void = () => {};
  const ready = new Promise<boolean>((resolve) => (onReady = resolve));
  const started: AnalysisWorker = { module, worker: undefined, ended: false, ready, onReady };
  try {
    // An eval'd CommonJS script that imports the module as ESM (a `.ts` source and a bundle chunk alike); the module
    // serves when it finds itself loaded in such a worker (below).
    started.worker = new (workerThreads().Worker)(
      `globalThis[Symbol.for(${JSON.stringify(ROLE)})] = true; import(${JSON.stringify(module)}).catch((e) => require('node:worker_threads').parentPort.postMessage({ failed: String(e) }));`,
      { eval: true, workerData: { role: ROLE } },
    );
  } catch {
    started.ended = true;
    onReady(false);
    return started;
  }
  started.worker.on('message', (message: FromWorker) => {
    if ('batch' in message) started.onFacts?.(message.batch, message.facts);
    else if ('ready' in message) started.onReady(true);
    else endWorker(started);
  });
  started.worker.on('error', () => endWorker(started));
  started.worker.on('exit', () => endWorker(started));
  return started;
}

/** Marks the worker ended (it takes no more work), stops its thread and tells whoever gave it work. */
function endWorker(started: AnalysisWorker): void {
  if (started.ended) return;
  started.ended = true;
  started.onReady(false);
  void started.worker?.terminate().catch(() => {});
  started.onEnd?.();
}

/** Gives a worker the work; resolves when it has answered all the batches it took, failed or ended. */
function giveWork(
  started: AnalysisWorker,
  work: Work,
  store: (batch: number, facts: readonly PythonModuleFacts[]) => void,
): Promise<void> {
  return new Promise((resolve) => {
    if (started.ended || !started.worker) return resolve();
    started.onFacts = store;
    started.onEnd = resolve;
    // A worker started early does not keep the process alive until it has work.
    started.worker.ref();
    started.worker.postMessage(work);
  });
}

/** The worker's side: once the grammar is loaded, takes batches of the work it is given and answers each with its facts. */
async function servePythonAnalysis(port: MessagePort): Promise<void> {
  try {
    await loadPythonParser();
  } catch (error) {
    port.postMessage({ failed: String(error) });
    return;
  }
  port.postMessage({ ready: true });
  port.once('message', (work: Work) => {
    const taken = new Int32Array(work.taken);
    for (let batch = takeBatch(work, taken); batch !== undefined; batch = takeBatch(work, taken))
      port.postMessage({ batch, facts: work.batches[batch].map((index) => analyzePythonSource(work.sources[index])) });
    port.postMessage({ done: true });
  });
}

// Loaded by `startWorker`, whose script marks the worker's global object first: serve. (Top-level code, so a bundle
// keeps it with the module; anywhere else it does nothing and loads nothing.)
if ((globalThis as Record<symbol, unknown>)[Symbol.for(ROLE)] === true) {
  const { isMainThread, parentPort, workerData } = workerThreads();
  if (!isMainThread && parentPort && (workerData as { role?: string } | undefined)?.role === ROLE)
    void servePythonAnalysis(parentPort);
}
