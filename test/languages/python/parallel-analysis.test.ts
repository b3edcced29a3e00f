import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  analyzePythonSource,
  analyzePythonSourcesCounted,
  loadPythonParser,
  type PythonModuleFacts,
  startPythonAnalysisWorkers,
} from '@ci-optimizer/core/languages/python';
import { timeoutFor } from '../../support/timeouts.ts';

// Many files analysed in worker threads beside the main thread (a cold build of the graph) give exactly the facts the
// main thread gives, in order; a worker that cannot load, never answers or is not allowed to load falls back to the
// main thread. Real sources: the first files of the system Python's standard library (found through sysconfig).
const python = '/usr/bin/python3';
let sources: string[] = [];
let expected: PythonModuleFacts[] = [];

beforeAll(
  async () => {
    const stdlib = execFileSync(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'], {
      encoding: 'utf8',
    }).trim();
    const files = readdirSync(stdlib)
      .filter((name) => name.endsWith('.py'))
      .sort()
      .slice(0, 120);
    sources = files.map((name) => readFileSync(join(stdlib, name), 'utf8'));
    await loadPythonParser();
    expected = sources.map((source) => analyzePythonSource(source));
  },
  timeoutFor(1, 20_000),
);

describe('analysing many Python files in worker threads', () => {
  it('gives every file the facts the main thread gives, in order, with the workers doing part of it', {
    timeout: timeoutFor(1, 30_000),
  }, async () => {
    expect(sources.reduce((sum, source) => sum + source.length, 0)).toBeGreaterThan(1_000_000);
    const { facts, inWorkers } = await analyzePythonSourcesCounted(sources, { workers: 2, minChars: 0 });
    expect(facts).toHaveLength(sources.length);
    facts.forEach((fileFacts, index) => expect(fileFacts).toStrictEqual(expected[index]));
    expect(inWorkers).toBeGreaterThan(0);
    expect(inWorkers).toBeLessThanOrEqual(sources.length);
  });

  it('does the work in the main thread when a worker cannot load its module, or loads one that never answers', {
    timeout: timeoutFor(1, 30_000),
  }, async () => {
    for (const workerModule of [
      pathToFileURL(join(import.meta.dirname, 'no-such-module.ts')).href,
      // A module that loads fine but does not serve: the worker ends and its batch comes back.
      pathToFileURL(join(import.meta.dirname, '..', '..', 'support', 'timeouts.ts')).href,
    ]) {
      const { facts, inWorkers } = await analyzePythonSourcesCounted(sources, {
        workers: 2,
        minChars: 0,
        workerModule,
      });
      expect(inWorkers).toBe(0);
      facts.forEach((fileFacts, index) => expect(fileFacts).toStrictEqual(expected[index]));
    }
  });

  it('does the batches a worker took but never answered in the main thread', {
    timeout: timeoutFor(1, 30_000),
  }, async () => {
    // A worker that takes the first batches from the shared count, then ends without answering them: nobody else
    // takes them, so the main thread must see that they are missing (not wait for an answer that never comes).
    const dir = mkdtempSync(join(tmpdir(), 'ci-opt-parallel-'));
    try {
      mkdirSync(join(dir, 'chunks'));
      const module = join(dir, 'chunks', 'takes-and-leaves.js');
      writeFileSync(
        module,
        [
          "import { parentPort } from 'node:worker_threads';",
          'parentPort.once("message", (work) => {',
          '  Atomics.add(new Int32Array(work.taken), 0, 3);',
          '  process.exit(0);',
          '});',
        ].join('\n'),
      );
      const { facts, inWorkers } = await analyzePythonSourcesCounted(sources, {
        workers: 1,
        minChars: 0,
        workerModule: pathToFileURL(module).href,
      });
      expect(inWorkers).toBe(0);
      expect(facts).toHaveLength(sources.length);
      facts.forEach((fileFacts, index) => expect(fileFacts).toStrictEqual(expected[index]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses the workers started while the sources were read, even for less than it would start them for', {
    timeout: timeoutFor(1, 30_000),
  }, async () => {
    // The first files, under a million characters (workers start for 1.5 million).
    let chars = 0;
    const few = sources.filter((source) => (chars += source.length) < 1_000_000);
    expect(few.length).toBeGreaterThan(10);
    // Fewer than 100 files: nothing starts early, and this little work is done in the main thread.
    expect(await startPythonAnalysisWorkers(99, { workers: 1 })).toBe(0);
    expect((await analyzePythonSourcesCounted(few)).inWorkers).toBe(0);
    // A build of 120 files starts one worker (waited for here, so that it is there when the work is).
    expect(await startPythonAnalysisWorkers(120, { workers: 1 })).toBe(1);
    const { facts, inWorkers } = await analyzePythonSourcesCounted(few);
    expect(inWorkers).toBeGreaterThan(0);
    facts.forEach((fileFacts, index) => expect(fileFacts).toStrictEqual(expected[index]));
    // It was used up: the next small analysis starts none.
    expect((await analyzePythonSourcesCounted(few)).inWorkers).toBe(0);
  });

  it('never starts a worker on a bundle entry (it would run the action), nor for little work', async () => {
    const entry = analyzePythonSourcesCounted(sources.slice(0, 20), {
      workers: 2,
      minChars: 0,
      workerModule: 'file:///opt/action/dist/test-filter/index.js',
    });
    const small = analyzePythonSourcesCounted(sources.slice(0, 20), { workers: 2 });
    for (const { facts, inWorkers } of [await entry, await small]) {
      expect(inWorkers).toBe(0);
      facts.forEach((fileFacts, index) => expect(fileFacts).toStrictEqual(expected[index]));
    }
  });
});
