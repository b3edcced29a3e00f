import { declaredInputTypes, validateDeclaredInputs } from '../inputs/index.ts';
import { FailureWithOutputs, errorMessage, isUserError } from '../errors/index.ts';
import { appendMetricsRecord, MetricsRecorder, type MetricsRecord } from '../metrics/index.ts';
import { flushOpenStores, takeStoreFaults, type StoreFault } from '../store/index.ts';
import { VERSION } from '../version/index.ts';
import type { Command, CommandContext, Outputs } from './types.ts';

export interface StepResult {
  outputs: Outputs;
  record: MetricsRecord;
  error?: unknown;
}

/**
 * Runs one step (main or post) of a command: times it, saves the stores it changed, adds `duration-ms` and
 * `metrics` to its outputs, appends the job metrics record, and hands back the error instead of throwing so the caller reports it its own way.
 */
export async function executeStep(
  command: Command,
  step: 'main' | 'post',
  makeContext: (metrics: MetricsRecorder) => CommandContext,
  /** metricsFile: where the step's record is appended (undefined: not kept). */
  options: { metricsFile: string | undefined; warn: (message: string) => void },
): Promise<StepResult> {
  const metrics = new MetricsRecorder();
  let outputs: Outputs = {};
  let failure: unknown;
  let context: CommandContext | undefined;
  let storeRequired = false;
  takeStoreFaults(); // a fault of an earlier step in this process is not this step's
  try {
    // Building the context reads the config file, which can fail on the user's mistake: that is a step failure too.
    context = makeContext(metrics);
    // Every declared input is checked before the step does anything (a post step only reads what main accepted).
    if (step === 'main') validateDeclaredInputs(context.inputs, declaredInputTypes(command.name));
    storeRequired = context.inputs.boolean('store-required');
    const produced = step === 'main' ? await command.main(context) : await command.post?.(context);
    outputs = produced ?? {};
  } catch (error) {
    failure = error;
    if (error instanceof FailureWithOutputs) outputs = error.outputs as Outputs;
  }
  // Stores that keep changes until the step ends (github-cache) save them now, also after a failure.
  await flushOpenStores(options.warn);
  const faults = takeStoreFaults();
  if (faults.length > 0) {
    context?.summary.append(storeFaultSummary(faults, storeRequired));
    if (storeRequired && failure === undefined) {
      failure = new Error(`store-required is true and ${faults.map((fault) => fault.message).join('; ')}`);
    }
  }
  const record = metrics.toRecord(command.name, VERSION, {
    step,
    outcome: failure === undefined ? 'success' : 'failure',
  });
  outputs = { ...outputs, 'duration-ms': record['duration-ms'], metrics: record as unknown as Outputs[string] };
  if (options.metricsFile) {
    try {
      appendMetricsRecord(options.metricsFile, record);
    } catch (error) {
      options.warn(`Could not append to the job's metrics file: ${errorMessage(error)}`);
    }
  }
  return { outputs, record, error: failure };
}

/** The one-line message for a failure: the user's error as it is, a bug with a hint to report it. */
export function failureMessage(error: unknown): string {
  if (isUserError(error)) return error.message;
  return `${errorMessage(error)} (this is a bug in ci-optimizer; please report it with the log above)`;
}

/** The summary's note that a store did not work: history (baselines, models, ...) is not being kept. */
function storeFaultSummary(faults: readonly StoreFault[], required: boolean): string {
  const lines = faults.map(
    (fault) => `- \`${fault.store.replace(/`/g, "'")}\`: ${fault.message.replace(/[\r\n]+/g, ' ').slice(0, 500)}`,
  );
  return [
    '> [!WARNING]',
    `> **History is not being kept**: ${faults.length === 1 ? 'a store' : `${faults.length} stores`} did not work in this step, so what it should remember (history, model, baseline, statistics) is not saved or read. ` +
      (required
        ? 'The step fails because store-required is true.'
        : 'Set `store-required: true` to make this fail the step.'),
    '',
    ...lines,
  ].join('\n');
}
