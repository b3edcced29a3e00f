import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{action_default}from"../chunks/chunk-3GUXWXPY.js";import{testPredictorCommand}from"../chunks/chunk-HPNBO33F.js";import"../chunks/chunk-QVQLXG2N.js";import"../chunks/chunk-NQGHZLMV.js";import"../chunks/chunk-L6GRTB3S.js";import"../chunks/chunk-QFJU5QM4.js";import"../chunks/chunk-FMJBS4LA.js";import"../chunks/chunk-HU6ZTLZD.js";import{runAction}from"../chunks/chunk-3XVXHK3H.js";import"../chunks/chunk-RCJF4BDY.js";import"../chunks/chunk-HL2A2W7I.js";import"../chunks/chunk-JUBE7R7Y.js";import"../chunks/chunk-3BJAGDMI.js";import"../chunks/chunk-ID7MFAYF.js";import"../chunks/chunk-Y6R66KAF.js";import"../chunks/chunk-QQFMQDA4.js";import"../chunks/chunk-YSERSKIG.js";import"../chunks/chunk-CY6WDTSA.js";await runAction(testPredictorCommand,action_default);
