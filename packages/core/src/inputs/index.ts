// Typed access to an action's inputs (precedence: given value > config file > action.yml default), and the input
// types each action declares so that a bad value fails before any work.
export { Inputs, parseDuration, parseSize, type InputValues, type NumberBounds } from './typed-inputs.ts';
export {
  DECLARED_INPUT_TYPES,
  declaredInputTypes,
  isBooleanInput,
  validateDeclaredInputs,
  type InputType,
  type InputTypes,
} from './declared.ts';
