/**
 * test-predictor: learns from CI history which test files a change will break, runs them first, selects within a
 * budget and shards the rest by duration; measures its own misses on full runs and switches itself off above a
 * miss rate.
 */
export {
  parseJunitXml,
  resolveCaseFile,
  caseId,
  type JunitCase,
  type TestOutcome,
  type FileResolution,
} from '../test-history/index.ts';
export {
  findJunitFiles,
  junitRunOf,
  readJunitReports,
  readJunitRun,
  type JunitReports,
  type JunitRun,
} from './record.ts';
export {
  HISTORY_SCHEMA,
  STORE_KEYS,
  readHistory,
  appendRun,
  boundHistory,
  compactRun,
  runRecordProblem,
  HISTORY_LOG,
  RAW_HISTORY_BYTES,
  HISTORY_BYTES,
  diffWithLineCounts,
  parseNumstat,
  failedFiles,
  type RunRecord,
  type CaseRecord,
  type ChangeRecord,
  type SafetyAudit,
} from '../test-history/index.ts';
export { labelFlaky, realFailedFiles, flakyIdsOf, type FlakyLabels } from './flaky.ts';
export {
  FEATURE_NAMES,
  HistoryStats,
  changeOfRun,
  combineWithGraphPrior,
  graphDiscriminates,
  selectedByTestFilter,
  summarizeChange,
  looksLikeTest,
  type ChangeContext,
  type FeatureName,
} from './features.ts';
export {
  parseBudget,
  formatBudget,
  selectForBudget,
  failFastOrder,
  failuresPerSecond,
  type Budget,
  type BudgetSelection,
  type ScoredTest,
} from './budget.ts';
export { buildShards, shardLowerBound, shardMatrix, type Shard, type ShardMatrix, type TimedTest } from './shards.ts';
export {
  describeRanking,
  historyStats,
  predictTests,
  rankingFor,
  slowTests,
  type PredictRequest,
  type Prediction,
  type SlowTest,
} from './predict.ts';
export {
  MODEL_SCHEMA,
  buildHistoryDataset,
  trainFromHistory,
  evaluateModel,
  evaluateScores,
  evaluateSimpleRankings,
  chooseSimpleRanking,
  timeWeightedApfd,
  heldOutTests,
  scoreHeldOut,
  scoreHeldOutAsPredicted,
  readModel,
  parseModel,
  writeModel,
  type Evaluation,
  type RunOutcomes,
  type HistoryDataset,
  type HeldOutRuns,
  type LoadedModel,
  type ParseModelOptions,
  type ModelDocument,
  type TrainSettings,
  type TrainOutcome,
} from './training.ts';
export { retrainWithRollback, type ModelStatus, type RetrainResult } from './model-lifecycle.ts';
export {
  computeMissRate,
  type AuditedRun,
  nextSafetyState,
  readSafetyState,
  writeSafetyState,
  updateSafetyState,
  formatRate,
  type MissRate,
  type SafetyState,
} from './safety.ts';
export { viewChange, hopsOf, filesParse, type ChangeView } from './repository.ts';
export { expectedFileDurations, type ExpectedDurations } from './expected-durations.ts';
export {
  anyViewHandoff,
  readViewHandoff,
  saveViewHandoff,
  viewHandoffSlot,
  type ViewHandoffKey,
  type ViewHandoffSlot,
} from './view-handoff.ts';
export { factsOfHistory, recentTotalsOf, type HistoryFacts } from './history-facts.ts';
export {
  readHistorySummary,
  readSummaryDocument,
  summaryFactsOf,
  readRecordSummary,
  decodeRecordSummary,
  advanceHistorySummary,
  storeAdvancedSummary,
  summaryWithRuns,
  storeHistorySummary,
  storedSummaryOf,
  encodeHistorySummary,
  decodeHistorySummary,
  HISTORY_SUMMARY_KEY,
  SLOW_FLOOR,
  type SegmentIdentity,
  type StoredSummary,
  type RecordSummary,
} from './history-summary.ts';
export {
  readNeeded,
  tailOf,
  tailHasRun,
  tailHasCommit,
  auditedRuns,
  MAX_SEGMENTS,
  type TailDocument,
} from './history-tail.ts';
export { renderPredictSummary, renderRecordSummary, renderTrainSummary } from './summary.ts';
export { chooseRanking, significantlyBetter } from './ranking-choice.ts';
export { binomialUpperTail, pairedSignTest, type SignTest } from './paired-tests.ts';
export {
  simpleScore,
  simpleScores,
  RANKINGS,
  SIMPLE_RANKINGS,
  type RankingChoice,
  type RankingName,
  type SimpleRanking,
} from './rankings.ts';
export {
  CaseStats,
  GRANULARITIES,
  buildCaseReplay,
  caseScores,
  expandToCases,
  passableNodeId,
  type CaseItems,
  type Granularity,
  type ReplayedCase,
} from './cases.ts';
