import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors/index.ts';
import { CALLGRIND_PLUGIN_MODULE, CALLGRIND_PLUGIN_SOURCE } from './callgrind-plugin.ts';
import type { AbSide } from './same-job-ab.ts';

/** How benchmarks are measured: wall time (pytest-benchmark) or instructions counted by Valgrind. */
export type Measure = 'time' | 'instructions';

const INSTALL_HINT =
  "Install it before this step ('sudo apt-get update && sudo apt-get install -y valgrind' on Ubuntu and Debian runners), " +
  "or use 'measure: time'.";

/** Checks that Valgrind is installed and runs; a UserError that says how to install it otherwise. */
export function requireValgrind(env: NodeJS.ProcessEnv = process.env): string {
  const run = spawnSync('valgrind', ['--version'], { env, encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    const why =
      (run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
        ? 'is not installed'
        : `does not run (${(run.stderr || String(run.error)).trim().slice(0, 200)})`;
    throw new UserError(`'measure: instructions' counts instructions with Valgrind, which ${why}. ${INSTALL_HINT}`);
  }
  return run.stdout.trim();
}

/** What the A/B runner needs to run a benchmark command under callgrind: a command wrapper and environment. */
export interface InstructionsSetup {
  wrapCommand: (command: string, side: AbSide, output: string) => string;
  env: NodeJS.ProcessEnv;
}

/**
 * Prepares `measure: instructions`: writes the pytest plugin into `workDir`, and returns the wrapper that runs
 * the command's processes under `valgrind --tool=callgrind` (children too: the command is a shell line) with
 * one counter dump per marker (see callgrind-plugin.ts). PYTHONHASHSEED is fixed so that set and dict order, and
 * with them the instructions, do not change from run to run.
 */
export async function prepareInstructionCounting(
  workDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<InstructionsSetup> {
  requireValgrind(env);
  const pluginDir = join(workDir, 'plugin');
  await mkdir(pluginDir, { recursive: true });
  await writeFile(join(pluginDir, `${CALLGRIND_PLUGIN_MODULE}.py`), CALLGRIND_PLUGIN_SOURCE);
  let runs = 0;
  return {
    env: {
      PYTHONPATH: [pluginDir, env.PYTHONPATH].filter(Boolean).join(':'),
      PYTHONHASHSEED: '0',
      PYTHONDONTWRITEBYTECODE: '1',
      // Appended after the --rootdir pin by the A/B runner.
      CI_OPTIMIZER_PYTEST_ADDOPTS: `-p no:benchmark -p ${CALLGRIND_PLUGIN_MODULE} -p no:cacheprovider`,
    },
    wrapCommand: (command, side) => {
      const dumps = join(workDir, `dumps-${side}-${++runs}`);
      return (
        `mkdir -p ${shellQuote(dumps)} && CI_OPTIMIZER_CALLGRIND_DIR=${shellQuote(dumps)} valgrind --tool=callgrind --trace-children=yes ` +
        `--callgrind-out-file=${shellQuote(join(dumps, 'cg.%p'))} --dump-before=getppid --dump-instr=no --dump-line=no ` +
        `--log-file=${shellQuote(join(dumps, 'valgrind.%p.log'))} /bin/sh -c ${shellQuote(command)}`
      );
    },
  };
}

export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
