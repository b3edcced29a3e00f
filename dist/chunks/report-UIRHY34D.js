import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{reportCommand}from"./chunk-RI47JU3T.js";import"./chunk-L6GRTB3S.js";import"./chunk-QFJU5QM4.js";import"./chunk-7HLQPBMB.js";import"./chunk-MD7RD3FD.js";import"./chunk-HZJPNDDL.js";import"./chunk-Y6R66KAF.js";import"./chunk-7KBNODNU.js";import"./chunk-QQFMQDA4.js";import"./chunk-CY6WDTSA.js";export{reportCommand};
