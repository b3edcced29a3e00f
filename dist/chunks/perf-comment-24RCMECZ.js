import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{perfCommentCommand}from"./chunk-OHMDTDMX.js";import"./chunk-QT2IAVG7.js";import"./chunk-QC3PF26J.js";import"./chunk-QQNTZHGZ.js";import"./chunk-MD7RD3FD.js";import"./chunk-ID7MFAYF.js";import"./chunk-P36TXUDD.js";import"./chunk-Y6R66KAF.js";import"./chunk-QQFMQDA4.js";import"./chunk-CY6WDTSA.js";export{perfCommentCommand};
