import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{action_default}from"../chunks/chunk-FZCEQQD5.js";import{testFilterCommand}from"../chunks/chunk-3PAFHHER.js";import"../chunks/chunk-OGWRINYM.js";import"../chunks/chunk-SBX5H54G.js";import"../chunks/chunk-6GEYS663.js";import"../chunks/chunk-QFJU5QM4.js";import"../chunks/chunk-CJEGP6Y3.js";import"../chunks/chunk-FMJBS4LA.js";import"../chunks/chunk-HU6ZTLZD.js";import{runAction}from"../chunks/chunk-6VK4OOXD.js";import"../chunks/chunk-YSERSKIG.js";import"../chunks/chunk-Y6R66KAF.js";import"../chunks/chunk-QQFMQDA4.js";import"../chunks/chunk-CY6WDTSA.js";await runAction(testFilterCommand,action_default);
