export type {
  Command,
  CommandContext,
  Logger,
  Metrics,
  OutputValue,
  Outputs,
  RunEnvironment,
  StateStore,
  SummarySink,
} from './types.ts';
export { runAction, type CommandWithConfig } from './github.ts';
export { runCli, EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliEntry, type CliIo } from './cli.ts';
export { formatOutputValue, formatOutputs } from './outputs.ts';
export { runEnvironmentFromEnv } from './environment.ts';
export { executeStep, failureMessage } from './execute.ts';
export { runSubStep, type SubStep } from './compose.ts';
