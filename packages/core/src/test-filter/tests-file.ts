import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Outputs } from '../contract/index.ts';

/** Lists this process has written (part of each file's name). */
let written = 0;

/**
 * Writes a list of test files as a NUL-terminated file (each path followed by a NUL byte) under RUNNER_TEMP and
 * returns its path. File names can hold spaces, newlines, quotes, `*` and leading dashes; NUL is the one byte a path
 * cannot hold, so `xargs -0 -r pytest -- < FILE` or `mapfile -d '' -t tests < FILE` passes each name as one argument,
 * where the space-separated `tests` output would be split and glob-expanded by the shell.
 */
export function writeTestsFile(runnerTemp: string, name: string, tests: readonly string[]): string {
  const dir = join(runnerTemp, 'ci-optimizer', 'tests-files');
  mkdirSync(dir, { recursive: true });
  // A fresh name per step: two steps of one job must not overwrite each other's list. The process id, the monotonic
  // clock and a count tell apart every call on the machine (no random id: node:crypto costs a start 10-15 ms).
  const file = join(dir, `${name}-${process.pid}-${process.hrtime.bigint().toString(36)}-${++written}.nul`);
  // `wx`: the name is not secret, so a file (or a link) already there is never written through.
  writeFileSync(file, tests.map((test) => `${test}\0`).join(''), { flag: 'wx' });
  return file;
}

/** Adds `<list>-file` outputs (see writeTestsFile) for each list output that is an array of names. */
export function withTestsFiles(
  runnerTemp: string,
  command: string,
  outputs: Outputs,
  lists: Record<string, string>,
): Outputs {
  const added: Outputs = { ...outputs };
  for (const [fileOutput, listOutput] of Object.entries(lists)) {
    const list = outputs[listOutput];
    if (Array.isArray(list) && list.every((item) => typeof item === 'string')) {
      added[fileOutput] = writeTestsFile(runnerTemp, `${command}-${listOutput}`, list as string[]);
    }
  }
  return added;
}
