import { loadConfigSection } from '../config/index.ts';
import { declaredInputTypes, Inputs, validateDeclaredInputs } from '../inputs/index.ts';
import { actionMetadata, inputDefaults, type ActionYml } from '../metadata/index.ts';
import type { CommandContext, CommandWithConfig, Outputs } from './types.ts';

/** One action run as a part of another: its command, its action.yml (for defaults) and the inputs to give it. */
export interface SubStep {
  command: CommandWithConfig;
  actionYml: ActionYml;
  given: Record<string, string | undefined>;
}

/**
 * Runs another action's command inside this step, sharing the log, metrics, state, summary and run environment.
 * Its inputs are the `given` values over its own action.yml defaults and its section of the config file, exactly
 * as if it ran as its own step.
 */
export async function runSubStep(ctx: CommandContext, step: SubStep): Promise<Outputs> {
  const metadata = actionMetadata(step.actionYml);
  const config = step.command.configSchema
    ? loadConfigSection(ctx.run.workspace, step.command.name.split('/')[0], step.command.configSchema).values
    : undefined;
  const inputs = new Inputs({
    given: step.given,
    defaults: inputDefaults(metadata),
    config,
    baseDir: ctx.run.workspace,
  });
  validateDeclaredInputs(inputs, declaredInputTypes(step.command.name));
  return step.command.main({ ...ctx, inputs });
}
