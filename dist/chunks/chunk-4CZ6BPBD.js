import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
var COUNTERS={cacheExactHit:"cache-exact-hit",cachePartialHit:"cache-partial-hit",cacheMiss:"cache-miss",testsSelected:"tests-selected",testsTotal:"tests-total",testTimeSavedMs:"test-time-saved-ms",runAll:"run-all",predictedFailures:"predicted-failures",actualFailures:"actual-failures",predictedFailuresCaught:"predicted-failures-caught",perfRegressions:"perf-regressions",perfImprovements:"perf-improvements"};export{COUNTERS};
