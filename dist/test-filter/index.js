import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{action_default}from"../chunks/chunk-H3CYMNIM.js";import{testFilterCommand}from"../chunks/chunk-ZBU4CCNM.js";import"../chunks/chunk-OKVEEC5D.js";import"../chunks/chunk-WLKD6UHE.js";import"../chunks/chunk-QFJU5QM4.js";import"../chunks/chunk-QC3PF26J.js";import{runAction}from"../chunks/chunk-BVOXFA5K.js";import"../chunks/chunk-6PCITIDZ.js";import"../chunks/chunk-RCJF4BDY.js";import"../chunks/chunk-54S5UPRC.js";import"../chunks/chunk-7HLQPBMB.js";import"../chunks/chunk-MD7RD3FD.js";import"../chunks/chunk-DSM3WD75.js";import"../chunks/chunk-Y6R66KAF.js";import"../chunks/chunk-7KBNODNU.js";import"../chunks/chunk-QQFMQDA4.js";import"../chunks/chunk-YSERSKIG.js";import"../chunks/chunk-CY6WDTSA.js";await runAction(testFilterCommand,action_default);
