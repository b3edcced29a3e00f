/**
 * test-history: the record of test runs kept in a store (one record per run: commit, change, per-test outcome and
 * duration), read bounded, and JUnit XML as the way outcomes come in. test-predictor learns from it; test-filter
 * reads the expected durations test-predictor keeps of it.
 */
export {
  parseJunitXml,
  parseJunitXmlTree,
  resolveCaseFile,
  caseId,
  type JunitCase,
  type TestOutcome,
  type FileResolution,
} from './junit.ts';
export {
  HISTORY_SCHEMA,
  STORE_KEYS,
  PREDICTOR_FOLDER,
  readHistory,
  segmentsRead,
  appendRun,
  appendRunSegment,
  withinBounds,
  runBytes,
  runId,
  type AppendOutcome,
  boundHistory,
  compactRun,
  HISTORY_LOG,
  RAW_HISTORY_BYTES,
  HISTORY_BYTES,
  diffWithLineCounts,
  parseNumstat,
  failedFiles,
  caseKey,
  changedPaths,
  type RunRecord,
  type CaseRecord,
  type ChangeRecord,
  type SafetyAudit,
} from './history.ts';
export { runRecordProblem, auditProblem } from './run-record-shape.ts';
export { scanJunitXml } from './junit-scan.ts';
