import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{restoreStep,s3CacheCommand,s3CachePruneCommand,s3CacheRestoreCommand,s3CacheSaveCommand,saveStep}from"./chunk-FXANFAYV.js";import"./chunk-YRVY3JYU.js";import"./chunk-QC3PF26J.js";import"./chunk-Y6R66KAF.js";import"./chunk-7KBNODNU.js";import"./chunk-QQFMQDA4.js";import"./chunk-CY6WDTSA.js";export{restoreStep,s3CacheCommand,s3CachePruneCommand,s3CacheRestoreCommand,s3CacheSaveCommand,saveStep};
