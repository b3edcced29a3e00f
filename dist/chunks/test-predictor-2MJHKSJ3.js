import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{testPredictorCommand}from"./chunk-DYJSAUES.js";import"./chunk-XDLE2WOY.js";import"./chunk-L6O2EKFY.js";import"./chunk-6QK7DXKF.js";import"./chunk-L6GRTB3S.js";import"./chunk-ZU7GMS53.js";import"./chunk-5R3O64JI.js";import"./chunk-QT2IAVG7.js";import"./chunk-QFJU5QM4.js";import"./chunk-QC3PF26J.js";import"./chunk-BHMND7ER.js";import"./chunk-QQNTZHGZ.js";import"./chunk-MD7RD3FD.js";import"./chunk-ID7MFAYF.js";import"./chunk-P36TXUDD.js";import"./chunk-Y6R66KAF.js";import"./chunk-QQFMQDA4.js";import"./chunk-CY6WDTSA.js";export{testPredictorCommand};
