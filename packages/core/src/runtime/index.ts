export { runAction } from './github.ts';
export { runCli, EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliEntry, type CliIo } from './cli.ts';
export { formatOutputValue, formatOutputs } from './outputs.ts';
export { runEnvironmentFromEnv } from './environment.ts';
export { executeStep, failureMessage } from './execute.ts';
export type { CommandWithConfig } from './types.ts';
