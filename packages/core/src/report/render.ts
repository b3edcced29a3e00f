import { mdText } from '../escape/index.ts';
import type { MetricsRecord } from '../metrics/index.ts';
import { details, formatDuration, markdownTable, mermaid, mermaidGantt } from '../summary/index.ts';
import type { Dashboard } from './dashboard.ts';
import type { RunRecord } from './run-history.ts';
import type { SloResult } from './slo.ts';
import { stepsTable } from './summary-table.ts';

export interface DashboardView {
  title: string;
  dashboard: Dashboard;
  records: MetricsRecord[];
  slos: SloResult[];
  rollingHitRate?: number;
  pricePerMinute: number;
  trend?: RunRecord[];
  /** The name of the job the report runs in (GITHUB_JOB), for its own records on the timeline. */
  jobName?: string;
}

/** The headline: pipeline time, tests run, time and money saved, SLOs met. */
export function headline(view: DashboardView): string {
  const { dashboard } = view;
  const parts = [`Pipeline ${formatDuration(dashboard.pipelineMs)}`];
  if (dashboard.tests.seen) {
    parts.push(
      dashboard.tests.runAll
        ? `all ${dashboard.tests.total} test files run`
        : `${dashboard.tests.selected} of ${dashboard.tests.total} test files run`,
    );
  }
  if (dashboard.tests.savedMs > 0) {
    const minutes = dashboard.tests.savedMs / 60_000;
    const cost = minutes * view.pricePerMinute;
    // The time as it is (a demo saves seconds, a real suite minutes): a rounded "0.0 min" hid real savings.
    parts.push(
      `${formatDuration(dashboard.tests.savedMs)} of test time saved (${cost < 0.01 ? '< $0.01' : `≈ $${cost.toFixed(2)}`})`,
    );
  }
  const measured = view.slos.filter((slo) => slo.passed !== undefined);
  if (measured.length > 0) {
    const met = measured.filter((slo) => slo.passed).length;
    parts.push(`SLOs ${met}/${measured.length} ${met === measured.length ? '✅' : '❌'}`);
  }
  return `**${parts.join(' · ')}**`;
}

/** Every section of the dashboard, in reading order. */
export function renderDashboard(view: DashboardView): string[] {
  const { dashboard, records } = view;
  const sections = [`## ${mdText(view.title)}`, headline(view)];
  sections.push(
    '### SLOs',
    markdownTable(
      ['Objective', 'Target', 'Measured', ''],
      view.slos.map((slo) => [
        slo.name,
        slo.target,
        slo.measured,
        slo.passed === undefined ? '—' : slo.passed ? '✅' : '❌',
      ]),
      ['left', 'left', 'right', 'center'],
    ),
  );
  if (records.length > 0) {
    const starts = records.map((record) => Date.parse(record.started ?? '')).filter(Number.isFinite);
    const origin = starts.length > 0 ? Math.min(...starts) : 0;
    let cursor = 0;
    const tasks = records.map((record) => {
      const start = Number.isFinite(Date.parse(record.started ?? '')) ? Date.parse(record.started!) - origin : cursor;
      cursor = start + record['duration-ms'];
      return {
        section: record.job ?? view.jobName ?? 'job',
        name: record.step === 'post' ? `${record.action} post` : record.action,
        startMs: start,
        durationMs: record['duration-ms'],
      };
    });
    sections.push('### Timeline', mermaidGantt('ci-optimizer steps', tasks));
  }
  const facts: string[][] = [];
  if (dashboard.cache.exact + dashboard.cache.partial + dashboard.cache.miss > 0) {
    const kind =
      dashboard.cache.exact > 0 ? 'exact hit' : dashboard.cache.partial > 0 ? 'partial hit (restore key)' : 'miss';
    facts.push([
      'Cache',
      kind + (view.rollingHitRate === undefined ? '' : `; rolling hit rate ${view.rollingHitRate.toFixed(1)}%`),
    ]);
  }
  if (dashboard.tests.seen) {
    facts.push([
      'Tests',
      `${dashboard.tests.selected} of ${dashboard.tests.total} test files selected${dashboard.tests.runAll ? ' (run-all triggered)' : ''}; ` +
        (dashboard.tests.savedKnown
          ? `${formatDuration(dashboard.tests.savedMs)} of test time not run`
          : 'time not run unknown, no test durations recorded yet: record runs with test-predictor'),
    ]);
  }
  if (dashboard.predictions.seen) {
    facts.push([
      'Predictions',
      `${dashboard.predictions.predicted} predicted likely to fail, ${dashboard.predictions.actual} failed, ${dashboard.predictions.caught} of those were predicted`,
    ]);
  }
  if (dashboard.perf.seen) {
    facts.push([
      'Performance',
      `${dashboard.perf.regressions} regression(s), ${dashboard.perf.improvements} improvement(s)`,
    ]);
  }
  if (facts.length > 0) sections.push('### This run', markdownTable(['Area', 'This run'], facts));
  if (view.trend && view.trend.length > 1) sections.push('### Trend', trendChart(view.trend));
  if (records.length > 0)
    sections.push(
      details(`${records.length} ci-optimizer step(s), ${formatDuration(dashboard.stepsMs)}`, stepsTable(records)),
    );
  return sections;
}

/** Pipeline minutes of the last runs as a mermaid line chart. */
function trendChart(runs: RunRecord[]): string {
  const minutes = runs.map((run) => Number((run.pipelineMs / 60_000).toFixed(2)));
  const max = Math.max(1, ...minutes);
  return mermaid(
    [
      'xychart-beta',
      `  title "Pipeline minutes, last ${runs.length} runs"`,
      `  x-axis [${runs.map((_, index) => index + 1).join(', ')}]`,
      `  y-axis "minutes" 0 --> ${Math.ceil(max * 1.1)}`,
      `  line [${minutes.join(', ')}]`,
    ].join('\n'),
  );
}
