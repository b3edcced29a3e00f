import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
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
/** Work is handed out in batches of about this many characters, so a core that finishes early takes more. */
const BATCH_CHARS = 200_000;
const ROLE = 'ci-optimizer:python-analysis';

interface Batch {
  id: number;
  indexes: number[];
}
type FromWorker = { batch: number; facts: PythonModuleFacts[] } | { failed: string };

/** Whether `url` may be loaded as a worker: a source file, or a bundle chunk (never an entry that would run). */
function loadableInWorker(url: string): boolean {
  return url.endsWith('.ts') || /\/chunks\/[^/]+\.js$/.test(url);
}

/** Consecutive runs of sources of about BATCH_CHARS characters each. */
function batchesOf(sources: readonly string[]): Batch[] {
  const batches: Batch[] = [];
  let current: number[] = [];
  let chars = 0;
  sources.forEach((source, index) => {
    current.push(index);
    chars += source.length;
    if (chars >= BATCH_CHARS) {
      batches.push({ id: batches.length, indexes: current });
      current = [];
      chars = 0;
    }
  });
  if (current.length) batches.push({ id: batches.length, indexes: current });
  return batches;
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
  await loadPythonParser();
  const total = sources.reduce((sum, source) => sum + source.length, 0);
  const module = options.workerModule ?? import.meta.url;
  const batches = batchesOf(sources);
  const workerCount = Math.min(
    options.workers ?? Math.min(availableParallelism() - 1, MAX_WORKERS),
    batches.length - 1,
  );
  if (total < (options.minChars ?? MIN_CHARS) || workerCount < 1 || !loadableInWorker(module)) {
    return { facts: sources.map((source) => analyzePythonSource(source)), inWorkers: 0 };
  }
  const results: Array<PythonModuleFacts | undefined> = new Array(sources.length);
  const queue = [...batches];
  const take = () => queue.shift();
  const store = (batch: Batch, facts: readonly PythonModuleFacts[]) =>
    batch.indexes.forEach((index, k) => (results[index] = facts[k]));
  const analyzeHere = (batch: Batch) =>
    store(
      batch,
      batch.indexes.map((index) => analyzePythonSource(sources[index])),
    );
  let inWorkers = 0;
  const fromWorker = (batch: Batch, facts: readonly PythonModuleFacts[]) => {
    // A reply of the wrong length is no reply: the batch is done here.
    if (facts.length !== batch.indexes.length) return false;
    store(batch, facts);
    inWorkers += facts.length;
    return true;
  };
  const workers = Array.from({ length: workerCount }, () => runWorker(module, sources, take, fromWorker));
  // The main thread takes batches too; between two it lets the workers' messages in.
  for (let batch = take(); batch; batch = take()) {
    analyzeHere(batch);
    await new Promise((resolve) => setImmediate(resolve));
  }
  // A batch a failed worker held is handed back; it is done here.
  for (const batch of (await Promise.all(workers)).flat()) analyzeHere(batch);
  return { facts: results.map((facts, index) => facts ?? analyzePythonSource(sources[index])), inWorkers };
}

/**
 * One worker taking batches until the queue is empty; resolves with the batches it took but did not answer (it failed
 * or exited), for the main thread to do.
 */
function runWorker(
  module: string,
  sources: readonly string[],
  take: () => Batch | undefined,
  store: (batch: Batch, facts: readonly PythonModuleFacts[]) => boolean,
): Promise<Batch[]> {
  return new Promise((resolve) => {
    let held: Batch | undefined;
    let done = false;
    let worker: Worker;
    const finish = () => {
      if (done) return;
      done = true;
      resolve(held ? [held] : []);
      held = undefined;
      void worker.terminate().catch(() => {});
    };
    const next = () => {
      held = take();
      if (!held) return finish();
      worker.postMessage({ batch: held.id, sources: held.indexes.map((index) => sources[index]) });
    };
    try {
      // An eval'd CommonJS script that imports the module as ESM (a `.ts` source and a bundle chunk alike); the module
      // serves when it finds itself loaded in such a worker (below).
      worker = new Worker(
        `import(${JSON.stringify(module)}).catch((e) => require('node:worker_threads').parentPort.postMessage({ failed: String(e) }));`,
        { eval: true, workerData: { role: ROLE } },
      );
    } catch {
      return resolve([]);
    }
    worker.on('message', (message: FromWorker) => {
      if ('failed' in message) return finish();
      if (!held || message.batch !== held.id || !store(held, message.facts)) return finish();
      held = undefined;
      next();
    });
    worker.on('error', finish);
    worker.on('exit', finish);
    next();
  });
}

/** The worker's side: answers batches of sources with their facts, once the grammar is loaded. */
async function servePythonAnalysis(port: NonNullable<typeof parentPort>): Promise<void> {
  try {
    await loadPythonParser();
  } catch (error) {
    port.postMessage({ failed: String(error) });
    return;
  }
  port.on('message', (message: { batch: number; sources: string[] }) => {
    port.postMessage({ batch: message.batch, facts: message.sources.map((source) => analyzePythonSource(source)) });
  });
}

// Loaded by `runWorker`: serve. (Top-level code, so a bundle keeps it with the module; anywhere else it does nothing.)
if (!isMainThread && parentPort && (workerData as { role?: string } | undefined)?.role === ROLE)
  void servePythonAnalysis(parentPort);
