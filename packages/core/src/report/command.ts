import { jobMetricsPath } from '../metrics/index.ts';
import type { CommandWithConfig } from '../runtime/github.ts';
import type { CommandContext, Outputs } from '../runtime/types.ts';
import { fitSummary, formatDuration } from '../summary/index.ts';
import { readJobMetrics } from './job-metrics.ts';
import { stepsTable } from './summary-table.ts';

/** `report`: the job's dashboard, gathered from every ci-optimizer step's metrics record. */
export const reportCommand: CommandWithConfig = {
  name: 'report',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { title: { type: 'string' }, 'metrics-file': { type: 'string' } },
  },
  async main(ctx: CommandContext): Promise<Outputs> {
    const path = ctx.inputs.path('metrics-file') || jobMetricsPath(ctx.run.runnerTemp);
    const title = ctx.inputs.string('title') || 'ci-optimizer report';
    const metrics = await ctx.metrics.phase('read', () => readJobMetrics(path));
    for (const bad of metrics.malformed) {
      ctx.log.warning(`Metrics file ${path} line ${bad.line} is malformed (${bad.reason}); it is left out of the report.`);
    }
    if (!metrics.found) ctx.log.notice(`No metrics file at ${path}: no ci-optimizer step has run in this job yet.`);
    const records = metrics.records;
    const totalMs = records.reduce((sum, record) => sum + record['duration-ms'], 0);
    await ctx.metrics.phase('render', () => {
      const sections = [`## ${title}`];
      if (records.length === 0) {
        sections.push('_No ci-optimizer step reported metrics in this job._');
      } else {
        sections.push(`${records.length} ci-optimizer step(s), ${formatDuration(totalMs)} in all.`, stepsTable(records));
      }
      if (metrics.malformed.length > 0) {
        sections.push(`_${metrics.malformed.length} malformed metrics line(s) left out: line ${metrics.malformed.map((m) => m.line).join(', ')}._`);
      }
      ctx.summary.append(fitSummary(sections));
    });
    ctx.metrics.count('steps', records.length);
    ctx.metrics.count('malformed-lines', metrics.malformed.length);
    return {
      steps: records.length,
      'total-ms': totalMs,
      'malformed-lines': metrics.malformed.length,
    };
  },
};
