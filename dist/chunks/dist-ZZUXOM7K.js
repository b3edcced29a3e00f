import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{A,Ae,Ht,Kt,O,Sn,Vt,at,c,qe,wo,xe,zt}from"./chunk-VKWRN4NM.js";import"./chunk-SBX5H54G.js";import"./chunk-CY6WDTSA.js";export{qe as CheckRepoActions,zt as CleanOptions,Kt as DiffNameStatus,Ht as GitConfigScope,Ae as GitConstructError,O as GitError,A as GitPluginError,at as GitResponseError,Vt as ResetMode,xe as TaskConfigurationError,Sn as grepQueryBuilder,c as pathspec,wo as simpleGit};
