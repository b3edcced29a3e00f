export { reportCommand } from './command.ts';
export { readJobMetrics, type JobMetrics } from './job-metrics.ts';
export { stepsTable } from './summary-table.ts';
