/**
 * The contract between the runtime and the commands: what a command is (`Command`), what it is given
 * (`CommandContext`: inputs, log, metrics, state, summary, run environment) and what it returns (`Outputs`). The
 * runtime (`runtime/`) implements it for the runner and for the CLI; commands and the domains they call see only this
 * folder, so nothing below the runtime depends on how it is run (docs/architecture.md, "Layers").
 */
export type {
  Command,
  CommandContext,
  CommandWithConfig,
  Logger,
  Metrics,
  OutputValue,
  Outputs,
  RunEnvironment,
  StateStore,
  SummarySink,
} from './types.ts';
export { runSubStep, type SubStep } from './compose.ts';
