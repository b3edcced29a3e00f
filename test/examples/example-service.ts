import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The example Python service that the end-to-end and mutation tests run against. */
export const EXAMPLE_SERVICE_DIR = resolve(import.meta.dirname, '../../examples/python-service');

/** The interpreter whose pytest (Debian's python3-pytest with xdist and benchmark) the tests use. */
export const PYTHON = '/usr/bin/python3';

/** A scratch copy of the example service, so runs never write into the repository. */
export interface ExampleCopy {
  dir: string;
  remove(): void;
}

/** Copies the example service into a fresh temp dir (without caches). */
export function copyExampleService(): ExampleCopy {
  const root = mkdtempSync(join(tmpdir(), 'ci-opt-example-'));
  const dir = join(root, 'python-service');
  cpSync(EXAMPLE_SERVICE_DIR, dir, {
    recursive: true,
    filter: (source) => !/(__pycache__|\.pytest_cache|\.benchmarks)$/.test(source),
  });
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Outcome of one pytest run. */
export interface PytestRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `python3 -m pytest ARGS` in `cwd`; a non-zero exit is returned, not thrown. */
export async function runPytest(cwd: string, args: string[]): Promise<PytestRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  // A developer's own pytest settings must not change what the suite does here.
  delete env.PYTEST_ADDOPTS;
  try {
    const { stdout, stderr } = await execFileAsync(PYTHON, ['-m', 'pytest', '-p', 'no:cacheprovider', ...args], {
      cwd,
      env,
      maxBuffer: 32 * 1024 * 1024,
    });
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { exitCode: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Counts in pytest's closing line, e.g. `270 passed, 4 skipped in 3.1s`. */
export function pytestTotals(output: string): Record<string, number> {
  const lines = output.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  const totals: Record<string, number> = {};
  for (const match of last.matchAll(/(\d+) (passed|failed|errors?|skipped|deselected|xfailed|xpassed)/g)) {
    totals[match[2].replace(/s$/, '')] = Number(match[1]);
  }
  return totals;
}
