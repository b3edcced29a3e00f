import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
var UserError=class extends Error{name="UserError";constructor(message){super(message)}},InputError=class extends UserError{};function isInputError(error){return error instanceof InputError}var FailureWithOutputs=class extends UserError{outputs;constructor(message,outputs){super(message),this.outputs=outputs}};function isUserError(error){return error instanceof UserError}function errorMessage(error){return error instanceof Error?error.message:String(error)}export{UserError,InputError,isInputError,FailureWithOutputs,isUserError,errorMessage};
