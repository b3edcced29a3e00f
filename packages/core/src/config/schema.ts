import { Ajv, type ValidateFunction } from 'ajv';

let shared: Ajv | undefined;
const compiled = new Set<object>();

/**
 * Compiles one of the tool's own JSON schemas (config sections, records read back from stores) with one Ajv instance
 * for the process (ajv keeps each schema object's compiled function). The schemas are constants of the code: they are
 * checked against the JSON Schema meta-schema by the tests (test/config/schemas.test.ts), not at run time, where
 * compiling the meta-schema cost ~130 ms of CPU per Ajv instance, more than the rest of an action's start
 * (bench/cold-start.mjs).
 */
export function compileSchema(schema: object): ValidateFunction {
  shared ??= new Ajv({ allErrors: false, strict: false, validateSchema: false });
  compiled.add(schema);
  return shared.compile(schema);
}

/** Every schema compiled in this process so far (what the tests check against the meta-schema). */
export function compiledSchemas(): object[] {
  return [...compiled];
}

/**
 * A checker for records read back from a store: compiles the schema on first use and answers why a parsed value does
 * not match it (the first error's place and message), or undefined when it does. `what` names the record in the
 * answer when ajv gives no error detail.
 */
export function schemaProblemChecker(schema: object, what: string): (value: unknown) => string | undefined {
  let validate: ValidateFunction | undefined;
  return (value) => {
    validate ??= compileSchema(schema);
    if (validate(value)) return undefined;
    const error = validate.errors?.[0];
    return error ? `${error.instancePath || 'the line'} ${error.message ?? 'is invalid'}` : `not ${what}`;
  };
}
