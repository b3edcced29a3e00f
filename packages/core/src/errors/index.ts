/**
 * A mistake the user can fix (bad input, unreadable config). Its message says what is wrong, where, and how to
 * fix it; it is reported without a stack trace. Anything else that is thrown is a bug of ours.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(message: string) {
    super(message);
  }
}

/**
 * A value of an input (or a command-line flag) that is not accepted: a usage error. The CLI exits with 2 for it;
 * an action fails the step, before any work is done when the input's type is declared (see inputs/declared.ts).
 */
export class InputError extends UserError {}

/** True for a rejected input value or flag (a usage error: exit code 2 on the command line). */
export function isInputError(error: unknown): error is InputError {
  return error instanceof InputError;
}

/**
 * A step that must fail after it has produced its outputs (a gate such as `fail-on-regression`): the outputs are
 * still written, then the step fails with the message.
 */
export class FailureWithOutputs extends UserError {
  readonly outputs: Record<string, unknown>;
  // No parameter property: Node's TypeScript type stripping (used by the benchmarks) does not support them.
  constructor(message: string, outputs: Record<string, unknown>) {
    super(message);
    this.outputs = outputs;
  }
}

/** True for errors whose message is meant for the user as it is. */
export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** The message of anything thrown, for logs and warnings. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
