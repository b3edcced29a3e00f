import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors/index.ts';
import { openRepo } from '../git/index.ts';

export type AbSide = 'base' | 'head';

/**
 * The order of whole runs: ABBA BAAB ... Each side runs as often early as late, so a machine that speeds up or
 * slows down during the job (thermal, neighbours, caches) moves both sides alike instead of one.
 */
export function abRunOrder(runsPerSide: number): AbSide[] {
  const order: AbSide[] = [];
  for (let i = 0; i < runsPerSide; i++) order.push(...(i % 2 === 0 ? (['base', 'head'] as const) : (['head', 'base'] as const)));
  return order;
}

export interface SameJobAbOptions {
  /** Shell command that runs the benchmarks and writes results to `{output}` (also given as $PERF_OUTPUT). */
  command: string;
  headDir: string;
  baseDir: string;
  runsPerSide: number;
  /** Folder for the result files. */
  outDir: string;
  env?: NodeJS.ProcessEnv;
  /** Called before each run, for the log. */
  onRun?: (side: AbSide, index: number, total: number) => void;
  /** Turns the command into the one that runs (measure: instructions runs it under Valgrind). */
  wrapCommand?: (command: string, side: AbSide, output: string) => string;
}

/** Result files of each side, in run order. */
export interface SameJobAbRuns {
  base: string[];
  head: string[];
  order: AbSide[];
}

/** Benchmarks the base and the PR in the same job, alternating whole runs (see abRunOrder). */
export async function runSameJobAb(options: SameJobAbOptions): Promise<SameJobAbRuns> {
  await mkdir(options.outDir, { recursive: true });
  const order = abRunOrder(options.runsPerSide);
  const files: SameJobAbRuns = { base: [], head: [], order };
  for (const [index, side] of order.entries()) {
    const output = join(options.outDir, `${side}-${files[side].length + 1}.json`);
    options.onRun?.(side, index + 1, order.length);
    const dir = side === 'base' ? options.baseDir : options.headDir;
    const env = { ...process.env, ...options.env };
    const command = options.command.replaceAll('{output}', output);
    await runShell(options.wrapCommand ? options.wrapCommand(command, side, output) : command, dir, {
      ...env,
      // pytest names benchmarks relative to its rootdir: pin it to each side's checkout so both sides name a
      // benchmark alike. A --rootdir in the command comes later on pytest's command line and wins.
      PYTEST_ADDOPTS: [`'--rootdir=${dir.replaceAll("'", `'\\''`)}'`, env.CI_OPTIMIZER_PYTEST_ADDOPTS, env.PYTEST_ADDOPTS].filter(Boolean).join(' '),
      PERF_OUTPUT: output,
      PERF_SIDE: side,
    });
    files[side].push(output);
  }
  return files;
}

/** Checks out `commit` into a detached git worktree at `dir`; returns the function that removes it. */
export async function addBaseWorktree(repoDir: string, commit: string, dir: string): Promise<() => Promise<void>> {
  const git = openRepo(repoDir);
  try {
    await git.raw(['worktree', 'add', '--detach', dir, commit]);
  } catch (error) {
    throw new UserError(
      `Cannot check out the base commit '${commit}' into a worktree for the same-job A/B run: ${(error as Error).message.trim()}. ` +
        "Fetch it first (actions/checkout with 'fetch-depth: 0').",
    );
  }
  return async () => {
    await git.raw(['worktree', 'remove', '--force', dir]).catch(() => undefined);
  };
}

function runShell(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { cwd, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else {
        reject(
          new UserError(
            `The benchmark command failed with exit code ${code} in '${cwd}': ${command}\n${tail.trim()}\n` +
              "Fix the command in 'ab-command' so it passes on both the base and the PR.",
          ),
        );
      }
    });
  });
}
