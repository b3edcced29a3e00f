import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{perfCommentCommand}from"./chunk-P5T2SOTT.js";import"./chunk-DSM3WD75.js";import"./chunk-7KBNODNU.js";import"./chunk-QQFMQDA4.js";import"./chunk-CY6WDTSA.js";export{perfCommentCommand};
