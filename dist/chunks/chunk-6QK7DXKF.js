import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
function json(value){return JSON.stringify(value)}var testPredictorOutputFormat={tests:v=>v.join(" "),selected:v=>v.join(" "),"tests-json":json,"selected-json":json,"failed-tests":json,"flaky-tests":json,"slow-tests":json,shards:v=>JSON.stringify({include:v})};export{testPredictorOutputFormat};
