import * as core from '@actions/core';
import { loadConfigSection } from '../config/index.ts';
import { isUserError } from '../errors/index.ts';
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
 * command, writes outputs, the step summary and the metrics record. A post step never fails the job.
 */
export async function runAction(command: CommandWithConfig, actionYml: ActionYml): Promise<void> {
  const metadata = actionMetadata(actionYml);
  const isPost = core.getState(POST_MARKER) === 'true';
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

  for (const [name, value] of Object.entries(formatOutputs(command, result.outputs))) core.setOutput(name, value);
  if (summaryParts.length > 0) {
    try {
      await core.summary.addRaw(summaryParts.join('\n\n'), true).write();
    } catch (error) {
      core.warning(guardLogMessage(`Could not write the step summary: ${(error as Error).message}`));
    }
  }
  if (result.error !== undefined) {
    if (!isUserError(result.error) && result.error instanceof Error && result.error.stack)
      core.debug(result.error.stack);
    if (isPost) core.warning(guardLogMessage(`Post step of ${command.name}: ${failureMessage(result.error)}`));
    else core.setFailed(guardLogMessage(failureMessage(result.error)));
  }
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
