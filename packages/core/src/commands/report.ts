import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { jobMetricsPath } from '../metrics/index.ts';
import type { CommandContext, CommandWithConfig, Outputs } from '../contract/index.ts';
import { describeSkipped, openStore } from '../store/index.ts';
import { fitSummary } from '../summary/index.ts';
import { errorMessage, InputError } from '../errors/index.ts';
import { existsSync } from 'node:fs';
import {
  appendRun,
  computeDashboard,
  evaluateSlos,
  readCoveragePercent,
  readJobMetrics,
  readMetricsFolder,
  readRunHistory,
  renderDashboard,
  renderReportHtml,
  rollingHitRate,
  RUN_HISTORY_AREA,
  type RunRecord,
} from '../report/index.ts';

/** `report`: the job's dashboard, gathered from every ci-optimizer step's metrics record. */
export const reportCommand: CommandWithConfig = {
  name: 'report',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(
      ['title', 'metrics-file', 'metrics-dir', 'store', 'coverage-file', 'default-branch', 'html-file']
        .map((k) => [k, { type: 'string' }])
        .concat(
          ['price-per-minute', 'slo-pr-minutes', 'slo-main-minutes', 'slo-cache-hit-rate', 'slo-coverage'].map((k) => [
            k,
            { type: 'number' },
          ]),
        )
        .concat([
          ['trend', { type: 'boolean' }],
          ['record', { type: 'boolean' }],
        ]),
    ),
  },
  async main(ctx: CommandContext): Promise<Outputs> {
    const { inputs, run } = ctx;
    const title = inputs.string('title') || 'ci-optimizer report';
    const metricsFile = inputs.path('metrics-file') || run.metricsFile || jobMetricsPath(run.runnerTemp);
    const metricsDir = inputs.path('metrics-dir');
    const pricePerMinute = inputs.number('price-per-minute', { min: 0 });
    const targets = {
      prPipelineMinutes: inputs.number('slo-pr-minutes', { min: 0 }),
      mainPipelineMinutes: inputs.number('slo-main-minutes', { min: 0 }),
      cacheHitRatePercent: inputs.number('slo-cache-hit-rate', { min: 0, max: 100 }),
      coveragePercent: inputs.number('slo-coverage', { min: 0, max: 100 }),
    };
    const trend = inputs.boolean('trend');
    const record = inputs.boolean('record');
    const coverageFile = inputs.path('coverage-file');
    const htmlFile = inputs.path('html-file');
    // A path the user named that is not there is a mistake to fix, not an empty report.
    for (const [input, path] of [
      ['metrics-file', inputs.isSet('metrics-file') ? metricsFile : ''],
      ['metrics-dir', metricsDir],
    ]) {
      if (path !== '' && !existsSync(path)) {
        throw new InputError(
          `Input '${input}' has value '${inputs.string(input)}', but ${path} does not exist. Give the file (or folder) the earlier steps wrote, or leave it empty for this job's metrics.`,
        );
      }
    }

    const gathered = await ctx.metrics.phase('read', () => {
      const own = readJobMetrics(metricsFile);
      if (!metricsDir) return own;
      const others = readMetricsFolder(metricsDir);
      return {
        records: [...own.records, ...others.records],
        malformed: [...own.malformed, ...others.malformed],
        files: [...own.files, ...others.files],
      };
    });
    if (gathered.malformed.length > 0) {
      const shown = gathered.malformed
        .slice(0, 3)
        .map((bad) => `${bad.file} line ${bad.line}: ${bad.reason}`)
        .join('; ');
      const more = gathered.malformed.length > 3 ? `; and ${gathered.malformed.length - 3} more` : '';
      ctx.log.warning(
        `${gathered.malformed.length} malformed metrics line(s) left out of the report (${shown}${more}).`,
      );
    }
    if (gathered.records.length === 0) {
      // Nothing to add up: an empty run is not a 0 ms pipeline with its SLOs met, and it is not kept in the history.
      const where =
        gathered.files.length === 0 ? `no metrics file at ${metricsFile}` : `no record in ${gathered.files.join(', ')}`;
      ctx.log.warning(
        `report: ${where}: no ci-optimizer step has run in this job yet (run report after them; from the command line, in the same repository or with the same --metrics-dir). Nothing is reported and this run is not recorded.`,
      );
      ctx.summary.append(
        `No ci-optimizer step has recorded metrics in this job yet (${where}), so there is nothing to report. This run is not recorded in the history.`,
      );
      return {
        steps: 0,
        'total-ms': 0,
        'malformed-lines': gathered.malformed.length,
        'pipeline-ms': null,
        'tests-selected': null,
        'tests-total': null,
        'minutes-saved': null,
        'cost-saved': null,
        'cache-hit-rate': null,
        'slo-passed': null,
        'slo-json': [],
      };
    }

    const dashboard = computeDashboard(gathered.records, new Date());
    const kind = runKind(
      run.eventName,
      run.env.GITHUB_REF ?? '',
      inputs.string('default-branch') || defaultBranchOf(run.eventPayload),
    );
    let coveragePercent: number | undefined;
    try {
      coveragePercent = coverageFile ? readCoveragePercent(coverageFile) : undefined;
    } catch (error) {
      ctx.log.warning(`Coverage left out of the SLOs: ${errorMessage(error)}`);
    }

    const store = openStore(inputs.string('store'), run.workspace);
    let history: RunRecord[] = [];
    try {
      const read = await ctx.metrics.phase('history', () => readRunHistory(store));
      history = read.runs;
      const message = describeSkipped(store, RUN_HISTORY_AREA, read.skippedLines);
      if (message) ctx.log.warning(message);
    } catch (error) {
      ctx.log.warning(
        `Run history in ${store.description} is unreadable (${errorMessage(error)}); rates and trends cover this run only.`,
      );
    }
    const thisRun: RunRecord = {
      schema: 1,
      time: new Date().toISOString(),
      kind,
      ref: run.env.GITHUB_REF ?? '',
      sha: run.env.GITHUB_SHA ?? '',
      pipelineMs: dashboard.pipelineMs,
      testsSelected: dashboard.tests.selected,
      testsTotal: dashboard.tests.total,
      testTimeSavedMs: dashboard.tests.savedMs,
      cache:
        dashboard.cache.exact > 0
          ? 'exact'
          : dashboard.cache.partial > 0
            ? 'partial'
            : dashboard.cache.miss > 0
              ? 'miss'
              : 'none',
    };
    const runs = [...history, thisRun];
    const hitRate = rollingHitRate(runs);
    const slos = evaluateSlos(targets, {
      kind,
      pipelineMs: dashboard.pipelineMs,
      cacheHitRatePercent: hitRate,
      coveragePercent,
    });

    await ctx.metrics.phase('render', () => {
      const sections = renderDashboard({
        title,
        dashboard,
        records: gathered.records,
        slos,
        rollingHitRate: hitRate,
        pricePerMinute,
        trend: trend ? runs.slice(-30) : undefined,
        jobName: run.env.GITHUB_JOB,
      });
      if (gathered.malformed.length > 0) {
        sections.push(
          `_${gathered.malformed.length} malformed metrics line(s) left out: line ${gathered.malformed.map((m) => m.line).join(', ')}._`,
        );
      }
      const markdown = fitSummary(sections);
      ctx.summary.append(markdown);
      if (htmlFile) writeHtmlPage(ctx, htmlFile, renderReportHtml(markdown, title));
    });
    if (record) {
      try {
        await ctx.metrics.phase('record', () => appendRun(store, thisRun));
      } catch (error) {
        ctx.log.warning(`Could not record this run in ${store.description}: ${errorMessage(error)}`);
      }
    }
    ctx.metrics.count('steps', gathered.records.length);
    ctx.metrics.count('malformed-lines', gathered.malformed.length);
    const minutesSaved = dashboard.tests.savedMs / 60_000;
    const measuredSlos = slos.filter((slo) => slo.passed !== undefined);
    return {
      steps: gathered.records.length,
      'total-ms': dashboard.stepsMs,
      'malformed-lines': gathered.malformed.length,
      'pipeline-ms': dashboard.pipelineMs,
      'tests-selected': dashboard.tests.selected,
      'tests-total': dashboard.tests.total,
      'minutes-saved': Number(minutesSaved.toFixed(2)),
      'cost-saved': Number((minutesSaved * pricePerMinute).toFixed(4)),
      'cache-hit-rate': hitRate === undefined ? null : Number(hitRate.toFixed(1)),
      'slo-passed': measuredSlos.every((slo) => slo.passed),
      'slo-json': slos as unknown as Outputs[string],
    };
  },
};

/** Writes the HTML page; a folder that cannot be written costs the page, not the report (a warning says so). */
function writeHtmlPage(ctx: CommandContext, file: string, html: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, html);
  } catch (error) {
    ctx.log.warning(
      `The HTML report was not written to ${file} (${errorMessage(error)}); the step summary has the same report.`,
    );
  }
}

/** Pull request, the default branch, or anything else (for which SLO applies). */
function runKind(eventName: string, ref: string, defaultBranch: string): 'pr' | 'main' | 'other' {
  if (eventName.startsWith('pull_request') || eventName === 'merge_group') return 'pr';
  if (ref === `refs/heads/${defaultBranch}`) return 'main';
  return 'other';
}

function defaultBranchOf(payload: Record<string, unknown>): string {
  const repository = payload.repository as { default_branch?: unknown } | undefined;
  return typeof repository?.default_branch === 'string' ? repository.default_branch : 'main';
}
