import * as core from '@actions/core';
import { loadConfigSection } from '../config/index.ts';
import { errorMessage, isUserError, UserError } from '../errors/index.ts';
import { guardLogMessage } from '../escape/index.ts';
import { Inputs } from '../inputs/index.ts';
import { actionMetadata, inputDefaults, inputEnvName, type ActionMetadata, type ActionYml } from '../metadata/index.ts';
import { configureStores } from '../store/index.ts';
import { executeStep, failureMessage } from './execute.ts';
import { formatOutputs } from './outputs.ts';
import { runEnvironmentFromEnv } from './environment.ts';
import type { CommandContext, CommandWithConfig, Logger, StateStore, SummarySink } from './types.ts';

const POST_MARKER = 'ci-optimizer-is-post';

/**
 * The whole of an action's entry file: decides main or post, reads inputs as the runner gives them, runs the
 * command, writes outputs, the step summary and the metrics record. A post step never fails the job. Whatever goes
 * wrong outside the command (the runner's output file cannot be written, ...) ends the step with one annotation too,
 * never with Node's dump of an uncaught error, which would print a line of the bundle's minified code.
 */
export async function runAction(command: CommandWithConfig, actionYml: ActionYml): Promise<void> {
  let isPost = false;
  try {
    isPost = core.getState(POST_MARKER) === 'true';
    await runActionStep(command, actionYml, isPost);
  } catch (error) {
    reportStepFailure(command, error, isPost);
  }
}

async function runActionStep(command: CommandWithConfig, actionYml: ActionYml, isPost: boolean): Promise<void> {
  const metadata = actionMetadata(actionYml);
  if (!isPost && command.post) core.saveState(POST_MARKER, 'true');
  const step = isPost ? 'post' : 'main';
  const summaryParts: string[] = [];
  configureStores({ log: githubLogger, libraryOutput: 'stdout' });

  const result = await executeStep(
    command,
    step,
    (metrics) => githubContext(command, metadata, metrics, summaryParts),
    { metricsFile: runEnvironmentFromEnv(process.env).metricsFile, warn: githubLogger.warning },
  );

  try {
    for (const [name, value] of Object.entries(formatOutputs(command, result.outputs))) core.setOutput(name, value);
  } catch (error) {
    // The later steps that read these outputs would see none: the step fails (a post step has none to give).
    reportStepFailure(
      command,
      new UserError(`Could not write the step's outputs (GITHUB_OUTPUT): ${errorMessage(error)}`),
      isPost,
    );
  }
  if (summaryParts.length > 0) {
    try {
      await core.summary.addRaw(summaryParts.join('\n\n'), true).write();
    } catch (error) {
      core.warning(guardLogMessage(`Could not write the step summary: ${(error as Error).message}`));
    }
  }
  if (result.error !== undefined) reportStepFailure(command, result.error, isPost);
}

/** Fails the step with the error's one-line message (a post step only warns); a bug's stack goes to the debug log. */
function reportStepFailure(command: CommandWithConfig, error: unknown, isPost: boolean): void {
  if (!isUserError(error) && error instanceof Error && error.stack) core.debug(guardLogMessage(error.stack));
  if (isPost) core.warning(guardLogMessage(`Post step of ${command.name}: ${failureMessage(error)}`));
  else core.setFailed(guardLogMessage(failureMessage(error)));
}

function githubContext(
  command: CommandWithConfig,
  metadata: ActionMetadata,
  metrics: CommandContext['metrics'],
  summaryParts: string[],
): CommandContext {
  const run = runEnvironmentFromEnv(process.env, false);
  const given: Record<string, string | undefined> = {};
  for (const name of Object.keys(metadata.inputs)) given[name] = process.env[inputEnvName(name)];
  const config = command.configSchema
    ? loadConfigSection(run.workspace, command.name.split('/')[0], command.configSchema).values
    : undefined;
  return {
    inputs: new Inputs({ given, defaults: inputDefaults(metadata), config, baseDir: run.workspace }),
    log: githubLogger,
    metrics,
    state: githubState,
    summary: { append: (markdown) => summaryParts.push(markdown) } satisfies SummarySink,
    run,
  };
}

// core.info prints the text as it is, and the runner executes a line that starts with `::`: every line is guarded.
// (Annotations and groups are commands whose data @actions/core escapes; guarding them too keeps the text the same.)
const githubLogger: Logger = {
  info: (message) => core.info(guardLogMessage(message)),
  debug: (message) => core.debug(guardLogMessage(message)),
  notice: (message) => core.notice(guardLogMessage(message)),
  warning: (message) => core.warning(guardLogMessage(message)),
  group: (name, fn) => core.group(guardLogMessage(name), fn),
};

const githubState: StateStore = {
  save: (name, value) => core.saveState(name, value),
  get: (name) => core.getState(name),
};
