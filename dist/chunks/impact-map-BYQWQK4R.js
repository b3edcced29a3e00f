import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{ALL_DEFENCES,DEFAULT_MAX_MAP_AGE_MS,DEFAULT_MAX_MAP_DISTANCE,IMPACT_MAP_KEY,IMPACT_MAP_SCHEMA,ImpactMapIndex,attributeChangedBodies,decodeIds,encodeIds,impactSupportOf,learnImpactMap,learnImpactMapIntoStore,loadImpactMap,renderImpactMapNote,renderLearnSummary,saveImpactMap,selectTestsForChange,selectWithImpactMap,selectWithStoredMap}from"./chunk-MQIYSHPP.js";import"./chunk-OKVEEC5D.js";import"./chunk-WLKD6UHE.js";import"./chunk-QFJU5QM4.js";import"./chunk-QC3PF26J.js";import"./chunk-DSM3WD75.js";import"./chunk-Y6R66KAF.js";import"./chunk-QQFMQDA4.js";import"./chunk-CY6WDTSA.js";export{ALL_DEFENCES,DEFAULT_MAX_MAP_AGE_MS,DEFAULT_MAX_MAP_DISTANCE,IMPACT_MAP_KEY,IMPACT_MAP_SCHEMA,ImpactMapIndex,attributeChangedBodies,decodeIds,encodeIds,impactSupportOf,learnImpactMap,learnImpactMapIntoStore,loadImpactMap,renderImpactMapNote,renderLearnSummary,saveImpactMap,selectTestsForChange,selectWithImpactMap,selectWithStoredMap};
