import { spawn } from 'node:child_process';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors/index.ts';
import { openRepo } from '../git/index.ts';
import { LOCKSTEP_PLUGIN_MODULE, LOCKSTEP_PLUGIN_SOURCE } from './lockstep-plugin.ts';

export type AbSide = 'base' | 'head';

/**
 * How the two sides of a same-job A/B take turns. `runs`: whole runs one after the other (abRunOrder). `rounds`:
 * each pair of runs at the same time, in lockstep, one pytest-benchmark round a side in turn (lockstep-plugin.ts);
 * a command that never loads the plugin (not pytest) falls back to `runs`.
 */
export type AbInterleave = 'rounds' | 'runs';
export const AB_INTERLEAVES: readonly AbInterleave[] = ['rounds', 'runs'];

/**
 * The order of whole runs: ABBA BAAB ... Each side runs as often early as late, so a machine that speeds up or
 * slows down during the job (thermal, neighbours, caches) moves both sides alike instead of one.
 */
export function abRunOrder(runsPerSide: number): AbSide[] {
  const order: AbSide[] = [];
  for (let i = 0; i < runsPerSide; i++)
    order.push(...(i % 2 === 0 ? (['base', 'head'] as const) : (['head', 'base'] as const)));
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
  /** Default `runs`. */
  interleave?: AbInterleave;
  /** Called once when `rounds` was asked for but the command did not load the lockstep plugin. */
  onFallback?: (why: string) => void;
  /**
   * After the runsPerSide pairs, and after each extra pair: true to run one more pair (at most `maxExtraPairs`).
   * perf-comment asks for one when one deviant pair may be hiding a change (oneDeviantPairHidesAChange).
   */
  morePairs?: (runs: SameJobAbRuns) => Promise<boolean>;
  maxExtraPairs?: number;
}

/** Result files of each side, in run order. */
export interface SameJobAbRuns {
  base: string[];
  head: string[];
  order: AbSide[];
  /** How the runs were made: `rounds` only when every pair ran in lockstep. */
  interleave: AbInterleave;
  /** Pairs run beyond runsPerSide (morePairs). */
  extraPairs: number;
}

/** Benchmarks the base and the PR in the same job: whole runs alternated (abRunOrder), or pairs of runs in lockstep. */
export async function runSameJobAb(options: SameJobAbOptions): Promise<SameJobAbRuns> {
  await mkdir(options.outDir, { recursive: true });
  const files: SameJobAbRuns = {
    base: [],
    head: [],
    order: [],
    interleave: options.interleave ?? 'runs',
    extraPairs: 0,
  };
  for (let pair = 0; pair < options.runsPerSide; pair++) await runPair(options, files, pair);
  const maxExtra = options.maxExtraPairs ?? 0;
  while (files.extraPairs < maxExtra && options.morePairs && (await options.morePairs(files))) {
    files.extraPairs++;
    await runPair(options, files, options.runsPerSide + files.extraPairs - 1);
  }
  return files;
}

/** Runs pair `pair` (0-based): in lockstep while files.interleave is `rounds`, else two whole runs in ABBA order. */
async function runPair(options: SameJobAbOptions, files: SameJobAbRuns, pair: number): Promise<void> {
  const total = () => Math.max(options.runsPerSide, pair + 1) * 2;
  const record = (side: AbSide) => {
    files.order.push(side);
    options.onRun?.(side, files.order.length, total());
  };
  if (files.interleave === 'rounds' && (await runLockstepPair(options, files, pair, record))) return;
  for (const side of pair % 2 === 0 ? (['base', 'head'] as const) : (['head', 'base'] as const)) {
    if (files[side].length > pair) continue;
    record(side);
    files[side].push(await runSide(options, side, files[side].length + 1).finished);
  }
}

/**
 * One pair of runs in lockstep: the base side starts and, once its pytest has loaded the plugin (`ready-base`), the
 * PR side starts; the plugin makes them take turns round by round. If the base side finishes without loading the
 * plugin (the command is not one pytest session), that run stands as a whole run, files.interleave becomes `runs`
 * (every later run is made whole) and the result is false.
 */
async function runLockstepPair(
  options: SameJobAbOptions,
  files: SameJobAbRuns,
  pair: number,
  record: (side: AbSide) => void,
): Promise<boolean> {
  const root = join(options.outDir, 'lockstep');
  const pluginDir = join(root, 'plugin');
  await mkdir(pluginDir, { recursive: true });
  await writeFile(join(pluginDir, `${LOCKSTEP_PLUGIN_MODULE}.py`), LOCKSTEP_PLUGIN_SOURCE);
  const dir = join(root, `pair-${pair + 1}`);
  await mkdir(dir, { recursive: true });
  const lockstep = {
    CI_OPTIMIZER_LOCKSTEP_DIR: dir,
    CI_OPTIMIZER_LOCKSTEP_PAIR: String(pair),
    PYTHONPATH: [pluginDir, options.env?.PYTHONPATH ?? process.env.PYTHONPATH].filter(Boolean).join(':'),
    CI_OPTIMIZER_PYTEST_ADDOPTS: [`-p ${LOCKSTEP_PLUGIN_MODULE}`, options.env?.CI_OPTIMIZER_PYTEST_ADDOPTS]
      .filter(Boolean)
      .join(' '),
  };
  const sideOptions = { ...options, env: { ...options.env, ...lockstep } };
  record('base');
  const base = runSide(sideOptions, 'base', pair + 1);
  const exited = (side: AbSide) => () => writeFile(join(dir, `exited-${side}`), '').catch(() => undefined);
  const baseDone = base.finished.finally(exited('base'));
  let baseEnded = false;
  const ended = baseDone.then(
    () => (baseEnded = true),
    () => (baseEnded = true),
  );
  const joined = await Promise.race([waitForFile(join(dir, 'ready-base'), () => baseEnded), ended.then(() => false)]);
  if (!joined) {
    files.base.push(await baseDone);
    files.interleave = 'runs';
    options.onFallback?.(
      `the benchmark command did not load the lockstep plugin (${LOCKSTEP_PLUGIN_MODULE}: one pytest session per run, PYTHONPATH kept), so runs alternate whole`,
    );
    return false;
  }
  record('head');
  const headDone = runSide(sideOptions, 'head', pair + 1).finished.finally(exited('head'));
  const [baseFile, headFile] = await Promise.allSettled([baseDone, headDone]);
  for (const result of [baseFile, headFile]) if (result.status === 'rejected') throw result.reason;
  files.base.push((baseFile as PromiseFulfilledResult<string>).value);
  files.head.push((headFile as PromiseFulfilledResult<string>).value);
  return true;
}

/** Starts one run of one side; `finished` is its result file. */
function runSide(options: SameJobAbOptions, side: AbSide, number: number): { finished: Promise<string> } {
  const output = join(options.outDir, `${side}-${number}.json`);
  const dir = side === 'base' ? options.baseDir : options.headDir;
  const env = { ...process.env, ...options.env };
  const command = options.command.replaceAll('{output}', output);
  const finished = runShell(options.wrapCommand ? options.wrapCommand(command, side, output) : command, dir, {
    ...env,
    PYTEST_ADDOPTS: pytestAddopts(dir, env),
    PERF_OUTPUT: output,
    PERF_SIDE: side,
  }).then(() => output);
  return { finished };
}

/**
 * PYTEST_ADDOPTS for a benchmark run in `dir`: pytest names benchmarks relative to its rootdir, so it is pinned to
 * the checkout (both sides of an A/B, and a re-run, name a benchmark alike); a --rootdir in the command comes later
 * on pytest's command line and wins. Then the plugins perf-comment loads, then the user's own.
 */
export function pytestAddopts(dir: string, env: NodeJS.ProcessEnv): string {
  return [`'--rootdir=${dir.replaceAll("'", `'\\''`)}'`, env.CI_OPTIMIZER_PYTEST_ADDOPTS, env.PYTEST_ADDOPTS]
    .filter(Boolean)
    .join(' ');
}

/** True once `file` exists; false when `stop()` says to give up first. */
async function waitForFile(file: string, stop: () => boolean): Promise<boolean> {
  while (!stop()) {
    try {
      await access(file);
      return true;
    } catch {
      await sleep(50);
    }
  }
  return false;
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

/**
 * Runs a benchmark command; rejects with a UserError (exit code and the output's tail) when it fails. With
 * `timeoutMs`, the command and its children are killed once it runs longer, and the error says so.
 */
export function runShell(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs?: number,
  inputName = 'ab-command',
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, {
      cwd,
      env,
      shell: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: timeoutMs !== undefined,
    });
    let timedOut = false;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              child.kill('SIGKILL');
            }
          }, timeoutMs);
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      if (timedOut) {
        reject(
          new UserError(
            `The benchmark command ran longer than ${Math.round(timeoutMs! / 1000)} s in '${cwd}' and was stopped: ${command}`,
          ),
        );
        return;
      }
      if (code === 0) resolve();
      else {
        const plugin = tail.includes(LOCKSTEP_PLUGIN_MODULE)
          ? ` pytest could not load perf-comment's lockstep plugin (${LOCKSTEP_PLUGIN_MODULE}): keep the PYTHONPATH the action sets (e.g. PYTHONPATH=src:$PYTHONPATH), or set 'ab-interleave: runs'.`
          : '';
        reject(
          new UserError(
            `The benchmark command failed with exit code ${code} in '${cwd}': ${command}\n${tail.trim()}\n` +
              `Fix the command in '${inputName}' so it passes${inputName === 'ab-command' ? ' on both the base and the PR' : ''}.${plugin}`,
          ),
        );
      }
    });
  });
}
