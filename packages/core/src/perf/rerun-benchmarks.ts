import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pytestAddopts, runShell } from './same-job-ab.ts';

/**
 * Re-runs of flagged benchmarks in the PR's job (confirm-runs). The benchmark command runs in the checkout, writing
 * to {output} ($PERF_OUTPUT) as in mode ab; the benchmarks to run are in $PERF_BENCHMARKS (one name a line) and
 * {benchmarks} (shell-quoted, space-separated). A pytest command needs neither: the plugin below, loaded through
 * PYTEST_ADDOPTS, deselects every other test, so only the flagged benchmarks run. Any other command may run them all;
 * only the flagged ones are read from its results.
 */
export const SELECT_PLUGIN_MODULE = 'ci_optimizer_select';

const SELECT_PLUGIN_SOURCE = String.raw`"""ci-optimizer perf-comment: run only the benchmarks being confirmed (generated; see rerun-benchmarks.ts)."""
import os


def _wanted():
    path = os.environ.get("CI_OPTIMIZER_PERF_SELECT")
    if not path:
        return None
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle if line.strip()]


def _matches(nodeid, names):
    # Names are relative to the checkout, node ids to pytest's rootdir (pinned to the checkout, unless the command
    # set another): a name and a node id that end alike at a path boundary are the same test.
    return any(nodeid == name or name.endswith("/" + nodeid) or nodeid.endswith("/" + name) for name in names)


def pytest_collection_modifyitems(config, items):
    names = _wanted()
    if not names:
        return
    keep = [item for item in items if _matches(item.nodeid, names)]
    if not keep:
        # Nothing matched (a name this plugin cannot map): run everything rather than nothing.
        return
    dropped = [item for item in items if item not in keep]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = keep
`;

export interface RerunOptions {
  /** Shell command that runs the benchmarks and writes results to {output}. */
  command: string;
  /** The checkout it runs in. */
  dir: string;
  /** Benchmark names (as perf-comment names them: relative to the checkout). */
  names: readonly string[];
  runs: number;
  /** Folder for the result files and the plugin. */
  outDir: string;
  /** All re-runs together stop after this long (the command is killed, the re-run counts as failed). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** The input that holds the command, for error messages. */
  inputName?: string;
  onRun?: (index: number, total: number) => void;
}

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** Runs the command `runs` times for `names` only; resolves to the result files in run order. */
export async function rerunBenchmarks(options: RerunOptions): Promise<string[]> {
  const pluginDir = join(options.outDir, 'plugin');
  await mkdir(pluginDir, { recursive: true });
  await writeFile(join(pluginDir, `${SELECT_PLUGIN_MODULE}.py`), SELECT_PLUGIN_SOURCE);
  const selection = join(options.outDir, 'benchmarks.txt');
  await writeFile(selection, options.names.join('\n') + '\n');
  const env = { ...process.env, ...options.env };
  const withPlugin: NodeJS.ProcessEnv = {
    ...env,
    CI_OPTIMIZER_PERF_SELECT: selection,
    PYTHONPATH: [pluginDir, env.PYTHONPATH].filter(Boolean).join(':'),
    CI_OPTIMIZER_PYTEST_ADDOPTS: [`-p ${SELECT_PLUGIN_MODULE}`, env.CI_OPTIMIZER_PYTEST_ADDOPTS]
      .filter(Boolean)
      .join(' '),
  };
  const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
  const files: string[] = [];
  for (let run = 1; run <= options.runs; run++) {
    options.onRun?.(run, options.runs);
    const output = join(options.outDir, `rerun-${run}.json`);
    const command = options.command
      .replaceAll('{output}', output)
      .replaceAll('{benchmarks}', options.names.map(shellQuote).join(' '));
    const left = deadline === undefined ? undefined : Math.max(1, deadline - Date.now());
    await runShell(
      command,
      options.dir,
      {
        ...withPlugin,
        PYTEST_ADDOPTS: pytestAddopts(options.dir, withPlugin),
        PERF_OUTPUT: output,
        PERF_BENCHMARKS: options.names.join('\n'),
      },
      left,
      options.inputName,
    );
    files.push(output);
  }
  return files;
}
