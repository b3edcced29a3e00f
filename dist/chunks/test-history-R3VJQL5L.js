import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{HISTORY_BYTES,HISTORY_LOG,HISTORY_SCHEMA,PREDICTOR_FOLDER,RAW_HISTORY_BYTES,STORE_KEYS,appendRun,appendRunSegment,auditProblem,boundHistory,caseId,caseKey,changedPaths,compactRun,diffWithLineCounts,failedFiles,parseJunitXml,parseJunitXmlTree,parseNumstat,readHistory,resolveCaseFile,runBytes,runId,runRecordProblem,scanJunitXml,segmentsRead,withinBounds}from"./chunk-JEXH7GBM.js";import"./chunk-L6GRTB3S.js";import"./chunk-ODSMWWMH.js";import"./chunk-DSM3WD75.js";import"./chunk-QQFMQDA4.js";import"./chunk-CY6WDTSA.js";export{HISTORY_BYTES,HISTORY_LOG,HISTORY_SCHEMA,PREDICTOR_FOLDER,RAW_HISTORY_BYTES,STORE_KEYS,appendRun,appendRunSegment,auditProblem,boundHistory,caseId,caseKey,changedPaths,compactRun,diffWithLineCounts,failedFiles,parseJunitXml,parseJunitXmlTree,parseNumstat,readHistory,resolveCaseFile,runBytes,runId,runRecordProblem,scanJunitXml,segmentsRead,withinBounds};
