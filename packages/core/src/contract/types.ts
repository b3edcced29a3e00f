import type { SectionSchema } from '../config/index.ts';
import type { Inputs } from '../inputs/index.ts';

/** A typed output value. Actions write it as text (see `Command.formatOutput`); the CLI's --json keeps the type. */
export type OutputValue = string | number | boolean | null | readonly unknown[] | { readonly [key: string]: unknown };
export type Outputs = Record<string, OutputValue>;

/** Where the user reads what happened: the runner's log and annotations, or stderr for the CLI. */
export interface Logger {
  info(message: string): void;
  debug(message: string): void;
  notice(message: string): void;
  /** Something the user should know; the job goes on (docs/architecture.md#runner-contract). */
  warning(message: string): void;
  /** Runs `fn` inside a collapsible log group. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** Named phase timings and counters, published as the `metrics` output and the job's metrics.jsonl record. */
export interface Metrics {
  /** Times `fn` as phase `name` (milliseconds, summed when a phase runs more than once). */
  phase<T>(name: string, fn: () => Promise<T> | T): Promise<T>;
  /** Sets counter `name` to `value` (bytes, tests, hits: any number). */
  count(name: string, value: number): void;
  /** Adds `delta` to counter `name`. */
  add(name: string, delta: number): void;
}

/** State carried from an action's main step to its post step (GITHUB_STATE / STATE_*). */
export interface StateStore {
  save(name: string, value: string): void;
  get(name: string): string;
}

/** The step summary (GITHUB_STEP_SUMMARY); the CLI prints it to stderr or a file. */
export interface SummarySink {
  /** Appends Markdown. Callers keep within limits with the summary/ helpers. */
  append(markdown: string): void;
}

/** Facts about the run, from the runner's environment (or the CLI's flags). */
export interface RunEnvironment {
  /** GITHUB_WORKSPACE (the checkout) or, for the CLI, --repo / the current directory. */
  workspace: string;
  /** RUNNER_TEMP (or a temp dir for the CLI). */
  runnerTemp: string;
  /**
   * Where every step appends its metrics record and `report` reads them: `$RUNNER_TEMP/ci-optimizer/metrics.jsonl`
   * on a runner; for the CLI see docs/architecture.md#command-line and the README (RUNNER_TEMP, --metrics-dir, else the
   * repository's .ci-optimizer/).
   * Undefined: the RUNNER_TEMP one.
   */
  metricsFile?: string;
  /** `pull_request`, `push`, ... or '' when not on GitHub. */
  eventName: string;
  /** The parsed event payload (GITHUB_EVENT_PATH), {} when absent. */
  eventPayload: Record<string, unknown>;
  /** RUNNER_OS (`Linux`, `macOS`, `Windows`) or the process platform mapped to those names. */
  runnerOs: string;
  /** RUNNER_ARCH (`X64`, `ARM64`, ...) or the process arch mapped to those names. */
  runnerArch: string;
  /** The whole environment, for what has no typed field (GITHUB_REPOSITORY, GITHUB_TOKEN, ...). */
  env: NodeJS.ProcessEnv;
  /** True when run by the `ci-optimizer` command line rather than by the GitHub runner. */
  isCli: boolean;
}

/** Everything a command may touch; actions and the CLI build it differently, commands cannot tell. */
export interface CommandContext {
  inputs: Inputs;
  log: Logger;
  metrics: Metrics;
  state: StateStore;
  summary: SummarySink;
  run: RunEnvironment;
}

/**
 * One action's logic, shared by its GitHub entry file and the CLI. `main` returns typed outputs; the runtime adds
 * `duration-ms` and `metrics`. `post` runs as the action's post step (never fails the job).
 */
export interface Command {
  /** The action's folder name under actions/ (e.g. `report`, `s3-cache/restore`). */
  name: string;
  main(ctx: CommandContext): Promise<Outputs>;
  // biome-ignore lint/suspicious/noConfusingVoidType: a post step may end without outputs (an async function with no return)
  post?(ctx: CommandContext): Promise<Outputs | void>;
  /** How an output is written as text for GITHUB_OUTPUT when the default (see formatOutputValue) does not fit. */
  formatOutput?: Partial<Record<string, (value: OutputValue) => string>>;
}

/** A command plus what the runtime needs to know about it. */
export interface CommandWithConfig extends Command {
  /** JSON schema of the action's section in `.github/ci-optimizer.yml`; without it the section is not read. */
  configSchema?: SectionSchema;
}
