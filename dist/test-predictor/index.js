import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{action_default}from"../chunks/chunk-3GUXWXPY.js";import{testPredictorCommand}from"../chunks/chunk-3UFZEQP3.js";import"../chunks/chunk-WUHLSVJN.js";import"../chunks/chunk-FKT24ARY.js";import"../chunks/chunk-L6GRTB3S.js";import"../chunks/chunk-QFJU5QM4.js";import"../chunks/chunk-CJEGP6Y3.js";import"../chunks/chunk-FMJBS4LA.js";import"../chunks/chunk-HU6ZTLZD.js";import{runAction}from"../chunks/chunk-DTAH6UMP.js";import"../chunks/chunk-36TE2DUJ.js";import"../chunks/chunk-GJBDD4TJ.js";import"../chunks/chunk-2NP5BKSO.js";import"../chunks/chunk-MD7RD3FD.js";import"../chunks/chunk-MKQKNVHG.js";import"../chunks/chunk-4CZ6BPBD.js";import"../chunks/chunk-Y6R66KAF.js";import"../chunks/chunk-QQFMQDA4.js";import"../chunks/chunk-YSERSKIG.js";import"../chunks/chunk-CY6WDTSA.js";await runAction(testPredictorCommand,action_default);
