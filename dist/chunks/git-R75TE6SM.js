import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{GitObjectReader,ZERO_SHA,assertGitCheckout,deepenUntilMergeBase,diffTrees,diffTreesThroughReader,fetchCommit,hasCommit,isShallow,listChangedFiles,listChangedFilesWithNumstat,listTreeBlobs,mayBeInRepository,mergeBase,openRepo,parseNameStatus,probeCheckout,probeCheckoutAndRange,rawDiff,readBlobs,resolveCommit,resolveDiffRange,resolveSha,resolveShas,runGit,treeOf,workTreeRoot}from"./chunk-WLKD6UHE.js";import"./chunk-QQFMQDA4.js";import"./chunk-CY6WDTSA.js";export{GitObjectReader,ZERO_SHA,assertGitCheckout,deepenUntilMergeBase,listChangedFiles as diffChangedFiles,diffTrees,diffTreesThroughReader,fetchCommit,hasCommit,isShallow,listChangedFiles,listChangedFilesWithNumstat,listTreeBlobs,mayBeInRepository,mergeBase,openRepo,parseNameStatus,probeCheckout,probeCheckoutAndRange,rawDiff,readBlobs,resolveCommit,resolveDiffRange,resolveSha,resolveShas,runGit,treeOf,workTreeRoot};
