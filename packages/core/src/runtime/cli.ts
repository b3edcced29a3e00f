import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfigSection } from '../config/index.ts';
import { isInputError } from '../errors/index.ts';
import { Inputs, isBooleanInput } from '../inputs/index.ts';
import { jobMetricsPath } from '../metrics/index.ts';
import { actionMetadata, inputDefaults, type ActionMetadata, type ActionYml } from '../metadata/index.ts';
import { guardLogMessage } from '../escape/index.ts';
import { configureStores } from '../store/index.ts';
import { VERSION } from '../version/index.ts';
import { executeStep, failureMessage } from './execute.ts';
import { runEnvironmentFromEnv } from './environment.ts';
import { formatOutputs } from './outputs.ts';
import type { CommandContext, CommandWithConfig, Logger } from './types.ts';

/**
 * One command the CLI offers: its name, its action.yml (inputs, defaults, help) and how to load its logic. Only the
 * command that runs is loaded: help, usage errors and one action do not pay for every action's code.
 */
export interface CliEntry {
  name: string;
  actionYml: ActionYml;
  load: () => Promise<CommandWithConfig>;
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Exit codes of docs/architecture.md#command-line */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

const GLOBAL_FLAGS = new Set(['json', 'help', 'summary', 'repo', 'metrics-dir']);
/** Global flags that take a value (the others are switches). */
const VALUE_FLAGS = new Set(['summary', 'repo', 'metrics-dir']);

class UsageError extends Error {}

/** Runs `ci-optimizer <action> [--<input> value ...] [--json]`; returns the exit code. */
export async function runCli(argv: string[], entries: CliEntry[], io: CliIo): Promise<number> {
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      io.stdout(toolHelp(entries));
      return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
    }
    if (argv[0] === '--version' || argv[0] === '-V') {
      io.stdout(`${VERSION}\n`);
      return EXIT_OK;
    }
    // Sub-actions are named `s3-cache/restore` and may be typed as `s3-cache restore`.
    let name = argv[0];
    let rest = argv.slice(1);
    if (argv.length > 1 && !argv[1].startsWith('-') && byName.has(`${argv[0]}/${argv[1]}`)) {
      name = `${argv[0]}/${argv[1]}`;
      rest = argv.slice(2);
    }
    const entry = byName.get(name);
    if (!entry) {
      throw new UsageError(
        `unknown action '${name}'. Actions: ${[...byName.keys()].join(', ')}. See 'ci-optimizer --help'.`,
      );
    }
    const metadata = actionMetadata(entry.actionYml);
    const flags = parseFlags(rest, metadata, name);
    if (flags.has('help')) {
      io.stdout(actionHelp(name, metadata));
      return EXIT_OK;
    }
    // git/ is loaded here, not at the top: actions load this module through runtime/index.ts and must not load git.
    const { workTreeRoot } = await import('../git/index.ts');
    return await runEntry(entry, metadata, flags, io, cliSetup(flags, io, name, workTreeRoot));
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`ci-optimizer: ${guardLogMessage(error.message)}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

/** What the global flags decide before an action runs: the repository, the summary file, the metrics file. */
interface CliSetup {
  workspace: string;
  summaryFile?: string;
  metricsFile: string;
  /** The metrics file is the command line's own (not RUNNER_TEMP's nor --metrics-dir's): report starts a new run after it. */
  ownMetrics: boolean;
}

/**
 * Checks the global flags before anything runs (usage errors, exit 2) and decides where things go:
 * - the repository: --repo, else the root of the git checkout around the current folder (so a run from a
 *   subfolder uses the same store and config as one from the root), else the current folder;
 * - the metrics of each step (what `report` adds up): $RUNNER_TEMP/ci-optimizer/metrics.jsonl when RUNNER_TEMP is
 *   set, else --metrics-dir DIR/metrics.jsonl, else .ci-optimizer/metrics.jsonl in the repository.
 */
function cliSetup(
  flags: Map<string, string>,
  io: CliIo,
  action: string,
  workTreeRoot: (dir: string) => string | undefined,
): CliSetup {
  let workspace: string;
  const repo = flags.get('repo');
  if (repo !== undefined) {
    workspace = resolve(io.cwd, repo);
    if (!existsSync(workspace))
      throw new UsageError(`--repo '${repo}': ${workspace} does not exist. Give the folder of a git checkout.`);
    if (!statSync(workspace).isDirectory())
      throw new UsageError(
        `--repo '${repo}': ${workspace} is a file, not a folder. Give the folder of a git checkout.`,
      );
  } else {
    workspace = workTreeRoot(io.cwd) ?? io.cwd;
    if (workspace !== resolve(io.cwd)) {
      io.stderr(
        `ci-optimizer: working in the repository root ${workspace} (relative paths are read from there; --repo DIR chooses another folder).\n`,
      );
    }
  }
  const summary = flags.get('summary');
  let summaryFile: string | undefined;
  if (summary !== undefined) {
    summaryFile = resolve(io.cwd, summary);
    const folder = dirname(summaryFile);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      throw new UsageError(
        `--summary '${summary}': the folder ${folder} does not exist. Create it, or write the summary elsewhere.`,
      );
    }
    if (existsSync(summaryFile) && statSync(summaryFile).isDirectory()) {
      throw new UsageError(
        `--summary '${summary}': ${summaryFile} is a folder. Give a file name, e.g. ${join(summary, `${action.replace('/', '-')}.md`)}.`,
      );
    }
  }
  const metricsDir = flags.get('metrics-dir');
  if (io.env.RUNNER_TEMP)
    return { workspace, summaryFile, metricsFile: jobMetricsPath(io.env.RUNNER_TEMP), ownMetrics: false };
  if (metricsDir !== undefined)
    return {
      workspace,
      summaryFile,
      metricsFile: join(resolve(io.cwd, metricsDir), 'metrics.jsonl'),
      ownMetrics: false,
    };
  return { workspace, summaryFile, metricsFile: join(workspace, '.ci-optimizer', 'metrics.jsonl'), ownMetrics: true };
}

async function runEntry(
  entry: CliEntry,
  metadata: ActionMetadata,
  flags: Map<string, string>,
  io: CliIo,
  setup: CliSetup,
): Promise<number> {
  const command = await entry.load();
  if (command.name !== entry.name)
    throw new Error(`the CLI's entry '${entry.name}' loaded the command '${command.name}'`);
  const json = flags.has('json');
  const { workspace } = setup;
  const baseRun = runEnvironmentFromEnv({ ...io.env, GITHUB_WORKSPACE: workspace }, true);
  const run = { ...baseRun, workspace, metricsFile: setup.metricsFile };
  const given: Record<string, string | undefined> = {};
  for (const [flag, value] of flags) if (flag in metadata.inputs) given[flag] = value;
  const state = new Map<string, string>();
  const summary: string[] = [];
  const log = cliLogger(io);
  // stdout carries the outputs: what @actions/cache prints goes to stderr.
  configureStores({ log, libraryOutput: 'stderr' });
  const makeContext = (metrics: CommandContext['metrics']): CommandContext => ({
    inputs: new Inputs({
      given,
      defaults: inputDefaults(metadata),
      config: command.configSchema
        ? loadConfigSection(workspace, command.name.split('/')[0], command.configSchema).values
        : undefined,
      baseDir: workspace,
    }),
    log,
    metrics,
    state: { save: (key, value) => void state.set(key, value), get: (key) => state.get(key) ?? '' },
    summary: { append: (markdown) => void summary.push(markdown) },
    run,
  });
  const options = { metricsFile: setup.metricsFile, warn: log.warning };
  const main = await executeStep(command, 'main', makeContext, options);
  let outputs = main.outputs;
  if (main.error === undefined && command.post) {
    const post = await executeStep(command, 'post', makeContext, options);
    if (post.error !== undefined) log.warning(`post step: ${failureMessage(post.error)}`);
    const { metrics: _m, 'duration-ms': _d, ...postOutputs } = post.outputs;
    outputs = { ...outputs, ...postOutputs };
  }
  const summaryText = summary.join('\n\n');
  if (setup.summaryFile) {
    try {
      writeFileSync(setup.summaryFile, `${summaryText}\n`);
    } catch (error) {
      io.stderr(
        `ci-optimizer ${command.name}: error: could not write the summary to ${setup.summaryFile}: ${(error as Error).message}\n`,
      );
      return EXIT_FAILED;
    }
  }
  if (main.error !== undefined) {
    if (!json && !setup.summaryFile && summaryText !== '') io.stderr(`\n${guardLogMessage(summaryText)}\n\n`);
    io.stderr(`ci-optimizer ${command.name}: error: ${guardLogMessage(failureMessage(main.error))}\n`);
    return isInputError(main.error) ? EXIT_USAGE : EXIT_FAILED;
  }
  if (command.name === 'report' && setup.ownMetrics && !given['metrics-file'])
    startNewCliRun(setup.metricsFile, log.warning);
  if (json) {
    io.stdout(`${JSON.stringify(outputs)}\n`);
  } else {
    // Plain output is read by people (and by the runner when the CLI runs in a workflow step): guarded like a log.
    io.stdout(guardLogMessage(plainOutput(command, outputs, setup.summaryFile ? '' : summaryText)));
  }
  return EXIT_OK;
}

/**
 * What a person reads: the step summary, then the outputs that are plain values (text, numbers, booleans, lists
 * of names). Structured outputs (JSON objects, the metrics record) are only named: `--json` prints them.
 */
function plainOutput(command: CommandWithConfig, outputs: Record<string, unknown>, summaryText: string): string {
  const lines: string[] = [];
  if (summaryText.trim() !== '') lines.push(summaryText.trim(), '');
  const structured: string[] = [];
  const plain: string[] = [];
  const text = formatOutputs(command, outputs as Parameters<typeof formatOutputs>[1]);
  for (const [key, value] of Object.entries(outputs)) {
    const isPlainList =
      Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number');
    if (key === 'metrics' || key.endsWith('-json') || (typeof value === 'object' && value !== null && !isPlainList)) {
      structured.push(key);
      continue;
    }
    const shown = text[key] ?? '';
    plain.push(shown.includes('\n') ? `${key}:\n${shown.replace(/^/gm, '  ')}` : `${key}: ${shown}`);
  }
  lines.push(...plain);
  if (structured.length > 0) lines.push(`(${structured.join(', ')}: structured outputs, printed with --json)`);
  return `${lines.join('\n')}\n`;
}

/**
 * On a runner RUNNER_TEMP is per job, so a job's metrics start empty. The command line's own metrics file is kept
 * across commands instead: after `report` has added them up, they are moved to metrics.previous.jsonl so the next
 * command starts the next run.
 */
function startNewCliRun(metricsFile: string, warn: (message: string) => void): void {
  if (!existsSync(metricsFile)) return;
  try {
    renameSync(metricsFile, metricsFile.replace(/\.jsonl$/, '.previous.jsonl'));
  } catch (error) {
    warn(`Could not start a new run's metrics (${(error as Error).message}); the next report also counts these steps.`);
  }
}

/** Parses `--name value`, `--name=value`, repeated flags and several values after one flag (joined by newlines). */
function parseFlags(args: string[], metadata: ActionMetadata, action: string): Map<string, string> {
  const flags = new Map<string, string>();
  let index = 0;
  while (index < args.length) {
    const arg = args[index++];
    if (!arg.startsWith('--')) {
      throw new UsageError(
        `unexpected argument '${arg}'. Inputs are given as --<input-name> value; see 'ci-optimizer ${action} --help'.`,
      );
    }
    let name = arg.slice(2);
    let value: string | undefined;
    const equals = name.indexOf('=');
    if (equals >= 0) {
      value = name.slice(equals + 1);
      name = name.slice(0, equals);
    }
    if (!(name in metadata.inputs) && !GLOBAL_FLAGS.has(name)) {
      throw new UsageError(
        `unknown flag '--${name}' for '${action}'. Its inputs: ${
          Object.keys(metadata.inputs)
            .map((i) => `--${i}`)
            .join(', ') || '(none)'
        }; ` + `global flags: --json, --summary FILE, --repo DIR, --metrics-dir DIR, --help.`,
      );
    }
    if (name === 'json' || name === 'help') {
      flags.set(name, 'true');
      continue;
    }
    if (value === undefined) {
      const values: string[] = [];
      while (index < args.length && !args[index].startsWith('--')) values.push(args[index++]);
      if (values.length === 0) {
        // A bare flag is `true` only for a boolean input; any other flag given without a value is a mistake
        // (`--base --head x` must not compare against a branch named 'true').
        if (!VALUE_FLAGS.has(name) && isBooleanInput(action, name)) value = 'true';
        else
          throw new UsageError(
            `flag '--${name}' needs a value, e.g. --${name} ${exampleValue(name)}. See 'ci-optimizer ${action} --help'.`,
          );
      } else {
        value = values.join('\n');
      }
    }
    flags.set(name, flags.has(name) ? `${flags.get(name)}\n${value}` : value);
  }
  return flags;
}

function exampleValue(flag: string): string {
  if (flag === 'repo' || flag === 'metrics-dir') return 'DIR';
  if (flag === 'summary') return 'FILE';
  if (flag === 'base' || flag === 'head') return 'origin/main';
  return 'VALUE';
}

function cliLogger(io: CliIo): Logger {
  // Every line is guarded: a CLI step in a workflow prints to the same log the runner reads commands from.
  const print = (text: string) => io.stderr(`${guardLogMessage(text)}\n`);
  return {
    info: (message) => print(message),
    debug: (message) => {
      if (io.env.RUNNER_DEBUG === '1' || io.env.CI_OPTIMIZER_DEBUG === '1') print(`debug: ${message}`);
    },
    notice: (message) => print(`notice: ${message}`),
    warning: (message) => print(`warning: ${message}`),
    group: async (name, fn) => {
      print(`== ${name}`);
      return fn();
    },
  };
}

function toolHelp(entries: CliEntry[]): string {
  const rows = entries.map((entry) => {
    const metadata = actionMetadata(entry.actionYml);
    return `  ${entry.name.replace('/', ' ').padEnd(20)} ${metadata.description.split('\n')[0]}`;
  });
  return [
    `ci-optimizer ${VERSION}: the engine of the ci-optimizer GitHub Actions, on your machine.`,
    '',
    'Usage: ci-optimizer <action> [--<input-name> value ...] [--json] [--summary FILE] [--repo DIR] [--metrics-dir DIR]',
    '       ci-optimizer <action> --help',
    '',
    'Actions:',
    ...rows,
    '',
    "Flags are the action's input names (see its --help). Without --json, stdout carries the step summary and the",
    'plain outputs; --json prints one JSON object of typed outputs instead. Logs go to stderr.',
    '--repo DIR: the repository (default: the root of the git checkout around the current folder).',
    "--metrics-dir DIR: where each step's metrics are kept for `report` (default: $RUNNER_TEMP/ci-optimizer when",
    '  RUNNER_TEMP is set, else .ci-optimizer/ in the repository; `report` then starts the next run).',
    "Exit codes: 0 done, 1 failed, 2 usage error (an unknown flag, a flag without its value, an input's bad value).",
    '',
  ].join('\n');
}

function actionHelp(name: string, metadata: ActionMetadata): string {
  const lines = [`ci-optimizer ${name.replace('/', ' ')}: ${metadata.description.trim()}`, '', 'Inputs:'];
  for (const [input, info] of Object.entries(metadata.inputs)) {
    const extra = [
      info.required ? 'required' : '',
      info.default !== undefined && info.default !== '' ? `default: ${JSON.stringify(info.default)}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`  --${input}${extra ? ` (${extra})` : ''}`);
    lines.push(
      ...info.description
        .trim()
        .split('\n')
        .map((line) => `      ${line}`),
    );
  }
  lines.push('', 'Outputs (keys of --json):');
  for (const [output, info] of Object.entries(metadata.outputs)) {
    lines.push(`  ${output}: ${info.description.trim().split('\n')[0]}`);
  }
  lines.push(
    '',
    'Global flags: --json, --summary FILE (write the step summary), --repo DIR (the repository; default: the checkout around .), --metrics-dir DIR',
    '',
  );
  return lines.join('\n');
}
