import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadConfigSection } from '../config/index.ts';
import { Inputs } from '../inputs/index.ts';
import { inputDefaults, parseActionMetadata, type ActionMetadata } from '../metadata/index.ts';
import { guardLogMessage } from '../escape/index.ts';
import { configureStores } from '../store/index.ts';
import { VERSION } from '../version/index.ts';
import { executeStep, failureMessage } from './execute.ts';
import { runEnvironmentFromEnv } from './environment.ts';
import { formatOutputs } from './outputs.ts';
import type { CommandWithConfig } from './github.ts';
import type { CommandContext, Logger } from './types.ts';

/** One command the CLI offers: its logic and the text of its action.yml (inputs, defaults, help). */
export interface CliEntry {
  command: CommandWithConfig;
  actionYml: string;
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Exit codes of DESIGN §3. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

const GLOBAL_FLAGS = new Set(['json', 'help', 'summary', 'repo']);

class UsageError extends Error {}

/** Runs `ci-optimizer <action> [--<input> value ...] [--json]`; returns the exit code. */
export async function runCli(argv: string[], entries: CliEntry[], io: CliIo): Promise<number> {
  const byName = new Map(entries.map((entry) => [entry.command.name, entry]));
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
      throw new UsageError(`unknown action '${name}'. Actions: ${[...byName.keys()].join(', ')}. See 'ci-optimizer --help'.`);
    }
    const metadata = parseActionMetadata(entry.actionYml, `actions/${name}/action.yml`);
    const flags = parseFlags(rest, metadata, name);
    if (flags.has('help')) {
      io.stdout(actionHelp(name, metadata));
      return EXIT_OK;
    }
    return await runEntry(entry, metadata, flags, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`ci-optimizer: ${guardLogMessage(error.message)}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

async function runEntry(entry: CliEntry, metadata: ActionMetadata, flags: Map<string, string>, io: CliIo): Promise<number> {
  const { command } = entry;
  const json = flags.has('json');
  const workspace = resolve(io.cwd, flags.get('repo') ?? '.');
  const baseRun = runEnvironmentFromEnv({ ...io.env, GITHUB_WORKSPACE: workspace }, true);
  const run = { ...baseRun, workspace };
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
      config: command.configSchema ? loadConfigSection(workspace, command.name.split('/')[0], command.configSchema).values : undefined,
      baseDir: workspace,
    }),
    log,
    metrics,
    state: { save: (key, value) => void state.set(key, value), get: (key) => state.get(key) ?? '' },
    summary: { append: (markdown) => void summary.push(markdown) },
    run,
  });
  const options = { appendMetrics: Boolean(io.env.RUNNER_TEMP), runnerTemp: run.runnerTemp, warn: log.warning };
  const main = await executeStep(command, 'main', makeContext, options);
  let outputs = main.outputs;
  if (main.error === undefined && command.post) {
    const post = await executeStep(command, 'post', makeContext, options);
    if (post.error !== undefined) log.warning(`post step: ${failureMessage(post.error)}`);
    const { metrics: _m, 'duration-ms': _d, ...postOutputs } = post.outputs;
    outputs = { ...outputs, ...postOutputs };
  }
  const summaryText = summary.join('\n\n');
  const summaryFile = flags.get('summary');
  if (summaryFile) {
    const path = resolve(io.cwd, summaryFile);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${summaryText}\n`);
  } else if (!json && summaryText !== '') {
    io.stderr(`\n${guardLogMessage(summaryText)}\n\n`);
  }
  if (main.error !== undefined) {
    io.stderr(`ci-optimizer ${command.name}: error: ${guardLogMessage(failureMessage(main.error))}\n`);
    return EXIT_FAILED;
  }
  if (json) {
    io.stdout(`${JSON.stringify(outputs)}\n`);
  } else {
    for (const [key, value] of Object.entries(formatOutputs(command, outputs))) {
      // Plain output is read by people (and by the runner when the CLI runs in a workflow step): guarded like a log.
      io.stdout(guardLogMessage(value.includes('\n') ? `${key}:\n${value.replace(/^/gm, '  ')}\n` : `${key}: ${value}\n`));
    }
  }
  return EXIT_OK;
}

/** Parses `--name value`, `--name=value`, repeated flags and several values after one flag (joined by newlines). */
function parseFlags(args: string[], metadata: ActionMetadata, action: string): Map<string, string> {
  const flags = new Map<string, string>();
  let index = 0;
  while (index < args.length) {
    const arg = args[index++];
    if (!arg.startsWith('--')) {
      throw new UsageError(`unexpected argument '${arg}'. Inputs are given as --<input-name> value; see 'ci-optimizer ${action} --help'.`);
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
        `unknown flag '--${name}' for '${action}'. Its inputs: ${Object.keys(metadata.inputs).map((i) => `--${i}`).join(', ') || '(none)'}; ` +
          `global flags: --json, --summary FILE, --repo DIR, --help.`,
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
        if (name in metadata.inputs && !['summary', 'repo'].includes(name)) value = 'true';
        else throw new UsageError(`flag '--${name}' needs a value.`);
      } else {
        value = values.join('\n');
      }
    }
    flags.set(name, flags.has(name) ? `${flags.get(name)}\n${value}` : value);
  }
  return flags;
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
    const metadata = parseActionMetadata(entry.actionYml);
    return `  ${entry.command.name.replace('/', ' ').padEnd(20)} ${metadata.description.split('\n')[0]}`;
  });
  return [
    `ci-optimizer ${VERSION}: the engine of the ci-optimizer GitHub Actions, on your machine.`,
    '',
    'Usage: ci-optimizer <action> [--<input-name> value ...] [--json] [--summary FILE] [--repo DIR]',
    '       ci-optimizer <action> --help',
    '',
    'Actions:',
    ...rows,
    '',
    'Flags are the action\'s input names (see its --help). --json prints one JSON object of typed outputs on stdout;',
    'logs go to stderr. Exit codes: 0 done, 1 failed, 2 usage error.',
    '',
  ].join('\n');
}

function actionHelp(name: string, metadata: ActionMetadata): string {
  const lines = [`ci-optimizer ${name.replace('/', ' ')}: ${metadata.description.trim()}`, '', 'Inputs:'];
  for (const [input, info] of Object.entries(metadata.inputs)) {
    const extra = [info.required ? 'required' : '', info.default !== undefined && info.default !== '' ? `default: ${JSON.stringify(info.default)}` : '']
      .filter(Boolean)
      .join(', ');
    lines.push(`  --${input}${extra ? ` (${extra})` : ''}`);
    lines.push(...info.description.trim().split('\n').map((line) => `      ${line}`));
  }
  lines.push('', 'Outputs (keys of --json):');
  for (const [output, info] of Object.entries(metadata.outputs)) {
    lines.push(`  ${output}: ${info.description.trim().split('\n')[0]}`);
  }
  lines.push('', 'Global flags: --json, --summary FILE (write the step summary), --repo DIR (the repository; default: .)', '');
  return lines.join('\n');
}
