import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{assertProjectDir,loadLanguagePack,testFilterCommand}from"./chunk-ZBU4CCNM.js";import"./chunk-OKVEEC5D.js";import"./chunk-WLKD6UHE.js";import"./chunk-QFJU5QM4.js";import"./chunk-QC3PF26J.js";import"./chunk-MD7RD3FD.js";import"./chunk-DSM3WD75.js";import"./chunk-Y6R66KAF.js";import"./chunk-7KBNODNU.js";import"./chunk-QQFMQDA4.js";import"./chunk-CY6WDTSA.js";export{assertProjectDir,loadLanguagePack,testFilterCommand};
