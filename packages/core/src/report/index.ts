export { readJobMetrics, readMetricsFolder, type JobMetrics } from './job-metrics.ts';
export { computeDashboard, type Dashboard } from './dashboard.ts';
export { evaluateSlos, type SloResult, type SloTargets } from './slo.ts';
export { readCoveragePercent } from './coverage.ts';
export { renderDashboard, headline } from './render.ts';
export {
  readRunHistory,
  appendRun,
  rollingHitRate,
  RUN_HISTORY_AREA,
  RUN_HISTORY_KEY,
  type RunRecord,
} from './run-history.ts';
export { stepsTable } from './summary-table.ts';
export { renderReportHtml } from './html.ts';
