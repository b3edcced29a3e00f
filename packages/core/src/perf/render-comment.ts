import { mdCode, mdText, mermaidLabel, safeLinkUrl } from '../escape/index.ts';
import type { BenchmarkComparison, Comparison } from './compare-benchmarks.ts';
import { formatP, percent } from './compare-benchmarks.ts';
import type { ProfileReport } from './profile-summary.ts';
import { describeFunction } from './profile-summary.ts';

/** GitHub rejects comment bodies longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** The hidden line that lets the next run find and update the same comment. */
export function commentMarker(id = 'default'): string {
  return `<!-- ci-optimizer:perf-comment id=${id.replace(/[^A-Za-z0-9_.:/-]/g, '_')} -->`;
}

/** Where the baseline came from, in words for the comment. */
export interface BaselineDescription {
  /** `same-job A/B`, `merge base`, `newest older baseline`, `file`. */
  kind: string;
  commit?: string;
  /** Age in milliseconds when known. */
  ageMs?: number;
  /** Set when older than max-baseline-age. */
  stale?: boolean;
}

export interface RenderOptions {
  comparison: Comparison;
  baseline: BaselineDescription;
  profile?: ProfileReport;
  runUrl?: string;
  markerId?: string;
  /** Rows shown before a table folds into <details>. */
  foldAfter?: number;
  limit?: number;
}

const VERDICT_ICON: Record<BenchmarkComparison['verdict'], string> = {
  regression: '🔴 regression',
  improvement: '🟢 improvement',
  unchanged: '⚪ unchanged',
  inconclusive: '🟡 inconclusive',
  'not-comparable': '⚫ not comparable',
};

/** Renders the sticky comment (also used for the step summary); stays under GitHub's 65,536-character limit. */
export function renderPerfComment(options: RenderOptions): string {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  // Shrink the tables until the body fits; the summary line and the regressions always come first.
  for (const rows of [Infinity, 200, 50, 20, 5, 0]) {
    const body = renderWithRowLimit(options, rows);
    if (body.length <= limit) return body;
  }
  const marker = commentMarker(options.markerId);
  const note = "\n\n_(truncated to fit GitHub's comment limit; the full report is in the step summary.)_";
  return renderWithRowLimit(options, 0).slice(0, limit - note.length - marker.length - 1) + note + '\n' + marker;
}

function renderWithRowLimit(options: RenderOptions, maxRows: number): string {
  const { comparison, baseline, profile } = options;
  const foldAfter = options.foldAfter ?? 10;
  const lines: string[] = [commentMarker(options.markerId)];
  lines.push(`### ${headline(comparison)}`, '');
  lines.push(summaryLine(comparison), '');
  lines.push(baselineLine(baseline, comparison), '');
  if (comparison.history) lines.push(...historyLines(comparison), '');
  if (comparison.pairs) lines.push(pairsLine(comparison.pairs), '');
  if (comparison.measure === 'instructions') lines.push(INSTRUCTIONS_NOTE, '');
  if (comparison.drift?.applied) {
    lines.push(
      `> [!NOTE]\n> ${comparison.drift.agreeing} of ${comparison.drift.of} benchmarks moved together by ${percent(comparison.drift.change)} ` +
        '(machine drift, most likely). Each benchmark is judged relative to that common shift. If this change touches code ' +
        'that every benchmark runs, confirm with the same-job A/B mode.',
      '',
    );
  }
  const notable = comparison.benchmarks.filter((b) => b.verdict !== 'unchanged');
  const unchanged = comparison.benchmarks.filter((b) => b.verdict === 'unchanged');
  const order: BenchmarkComparison['verdict'][] = ['regression', 'improvement', 'inconclusive', 'not-comparable'];
  notable.sort(
    (a, b) => order.indexOf(a.verdict) - order.indexOf(b.verdict) || Math.abs(b.change ?? 0) - Math.abs(a.change ?? 0),
  );
  if (notable.length > 0) {
    lines.push(...foldTable('Changes', benchmarkTable(notable, comparison, maxRows), notable.length, foldAfter), '');
  }
  if (unchanged.length > 0) {
    lines.push(...foldTable('Unchanged', benchmarkTable(unchanged, comparison, maxRows), unchanged.length, 0), '');
  }
  const chart = mermaidChart(comparison.benchmarks);
  if (chart && maxRows > 0) lines.push('<details><summary>Chart</summary>', '', chart, '', '</details>', '');
  if (profile) lines.push(...profileSection(profile), '');
  const footer = [`α=${comparison.alpha} (Holm-corrected), min-change ${percent(comparison.minChange, false)}`];
  if (comparison.measure === 'instructions')
    footer.splice(0, 1, `unit: instructions (Valgrind callgrind), min-change ${percent(comparison.minChange, false)}`);
  const runUrl = safeLinkUrl(options.runUrl);
  if (runUrl) footer.push(`[workflow run](${runUrl})`);
  lines.push(`<sub>${footer.join(' · ')} · ci-optimizer perf-comment</sub>`);
  return lines.join('\n');
}

function headline(comparison: Comparison): string {
  const count = (verdict: BenchmarkComparison['verdict']) =>
    comparison.benchmarks.filter((b) => b.verdict === verdict && !b.ignored).length;
  switch (comparison.verdict) {
    case 'regression':
      return `🔴 Performance: ${plural(count('regression'), 'regression')}`;
    case 'improvement':
      return `🟢 Performance: ${plural(count('improvement'), 'improvement')}, no regressions`;
    case 'inconclusive':
      return '🟡 Performance: no regressions found; some results are too noisy to tell';
    case 'unchanged':
      return '⚪ Performance: no significant change';
    default:
      return '⚫ Performance: nothing to compare';
  }
}

function summaryLine(comparison: Comparison): string {
  const parts = (['regression', 'improvement', 'inconclusive', 'unchanged', 'not-comparable'] as const)
    .map((verdict) => [verdict, comparison.benchmarks.filter((b) => b.verdict === verdict).length] as const)
    .filter(([, n]) => n > 0)
    .map(([verdict, n]) => `${n} ${verdict}`);
  const ignored = comparison.benchmarks.filter((b) => b.ignored && b.verdict === 'regression').length;
  const extra = ignored > 0 ? ` (${ignored} regression${ignored === 1 ? '' : 's'} on the ignore list)` : '';
  return `**${comparison.benchmarks.length} benchmarks:** ${parts.join(', ')}${extra}.`;
}

function baselineLine(baseline: BaselineDescription, comparison: Comparison): string {
  const commit = baseline.commit ? ` ${mdCode(baseline.commit.slice(0, 12))}` : '';
  const age = baseline.ageMs !== undefined ? `, ${formatAge(baseline.ageMs)} old` : '';
  const stale = baseline.stale ? ' ⚠️ older than max-baseline-age: refresh it with a push to the default branch' : '';
  const confidence = `${Math.round(comparison.confidence * 1000) / 10}%`;
  if (comparison.history || comparison.measure === 'instructions')
    return `Baseline: ${mdText(baseline.kind)}${commit}${age}.${stale}`;
  return `Baseline: ${mdText(baseline.kind)}${commit}${age}.${stale} Intervals are ${confidence} confidence intervals of the change.`;
}

function benchmarkTable(rows: BenchmarkComparison[], comparison: Comparison, maxRows: number): string[] {
  const shown = rows.slice(0, maxRows);
  const confidence = `${Math.round(comparison.confidence * 1000) / 10}% CI`;
  const table = [`| Benchmark | Baseline | PR | Change | ${confidence} | Verdict |`, '|---|---:|---:|---:|---|---|'];
  for (const row of shown) {
    const ci =
      row.changeLow !== undefined && Number.isFinite(row.changeLow) && Number.isFinite(row.changeHigh ?? NaN)
        ? `${percent(row.changeLow)} … ${percent(row.changeHigh!)}`
        : '—';
    const verdict = `${VERDICT_ICON[row.verdict]}${row.ignored ? ' (ignored)' : ''}`;
    const p = row.adjustedP !== undefined ? ` p=${formatP(row.adjustedP)}` : '';
    table.push(
      `| ${cell(row.label)} | ${formatValue(row.baseline, row.unit)} | ${formatValue(row.current, row.unit)} | ` +
        `${row.change !== undefined ? percent(row.change) : '—'} | ${ci} | ${verdict}<br><sub>${cell(row.reason)}${p && row.verdict === 'not-comparable' ? p : ''}</sub> |`,
    );
  }
  if (rows.length > shown.length) table.push(`| … ${rows.length - shown.length} more in the step summary | | | | | |`);
  return table;
}

function foldTable(title: string, table: string[], count: number, foldAfter: number): string[] {
  if (count <= foldAfter) return table;
  return [`<details><summary>${title} (${count})</summary>`, '', ...table, '', '</details>'];
}

function mermaidChart(rows: BenchmarkComparison[]): string | undefined {
  const charted = rows
    .filter((b) => b.change !== undefined && Number.isFinite(b.change))
    .sort((a, b) => Math.abs(b.change!) - Math.abs(a.change!))
    .slice(0, 12);
  if (charted.length === 0) return undefined;
  // Mermaid labels are parsed by another language: keep to characters that cannot end the label or add markup.
  const labels = charted.map((b) => `"${mermaidLabel(b.label)}"`);
  const values = charted.map((b) => (b.change! * 100).toFixed(1));
  return [
    '```mermaid',
    'xychart-beta',
    '  title "Change against the baseline (%, positive = bigger value)"',
    `  x-axis [${labels.join(', ')}]`,
    '  y-axis "change %"',
    `  bar [${values.join(', ')}]`,
    '```',
  ].join('\n');
}

function profileSection(profile: ProfileReport): string[] {
  const lines = [
    `#### Where the time went (${plural(Math.round(profile.samples), profile.unit === 'samples' ? 'sample' : profile.unit)})`,
    '',
  ];
  lines.push('| # | Slowest functions (self time) | Self | Total |', '|---:|---|---:|---:|');
  profile.topSelf.forEach((fn, i) =>
    lines.push(`| ${i + 1} | ${cell(describeFunction(fn))} | ${share(fn.selfShare)} | ${share(fn.totalShare)} |`),
  );
  lines.push('', '| # | Slowest functions (total time) | Total | Self |', '|---:|---|---:|---:|');
  profile.topTotal.forEach((fn, i) =>
    lines.push(`| ${i + 1} | ${cell(describeFunction(fn))} | ${share(fn.totalShare)} | ${share(fn.selfShare)} |`),
  );
  if (profile.grown && profile.grown.length > 0) {
    lines.push(
      '',
      '| Grew most against the baseline profile | Self: baseline → PR | Total: baseline → PR |',
      '|---|---:|---:|',
    );
    for (const fn of profile.grown) {
      lines.push(
        `| ${cell(describeFunction(fn))} | ${share(fn.baselineSelfShare)} → ${share(fn.selfShare)} | ${share(fn.baselineTotalShare)} → ${share(fn.totalShare)} |`,
      );
    }
  }
  return lines;
}

function share(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/** A measured value with a readable unit (seconds scale to ns/µs/ms). */
export function formatValue(value: number | undefined, unit: string): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  if (unit === 's') {
    const abs = Math.abs(value);
    if (abs < 1e-6) return `${(value * 1e9).toPrecision(4)} ns`;
    if (abs < 1e-3) return `${(value * 1e6).toPrecision(4)} µs`;
    if (abs < 1) return `${(value * 1e3).toPrecision(4)} ms`;
    return `${value.toPrecision(4)} s`;
  }
  if (unit === 'instructions') return `${formatCount(value)} instructions`;
  return `${Number(value.toPrecision(4))} ${cell(unit)}`;
}

function formatCount(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toPrecision(4)} G`;
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(4)} M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(4)} k`;
  return String(Math.round(value));
}

const INSTRUCTIONS_NOTE =
  'Values are **instructions** executed by each benchmark body (counted by Valgrind, harness excluded), not time: ' +
  "they do not move with the runner's load, so small changes are real.";

/** How same-job A/B verdicts were reached: pair by pair, with the noise of the pairs. */
function pairsLine(pairs: NonNullable<Comparison['pairs']>): string {
  const noise =
    pairs.noise !== undefined ? `, pair-to-pair noise ±${percent(pairs.noise, false)} (median over benchmarks)` : '';
  const shifts = pairs.shifts
    ? `; each pair's common shift (${pairs.shifts.map((shift) => percent(shift)).join(', ')}) is taken out`
    : '';
  return `Judged pair by pair: ${pairs.count} pairs of base and PR runs measured back to back in this job, each run's fastest round${noise}${shifts}.`;
}

/** The noise the cross-run verdicts stand on, and what to do when the history is too short to know it. */
function historyLines(comparison: Comparison): string[] {
  const history = comparison.history!;
  const noise =
    history.noise !== undefined
      ? `run-to-run noise ±${percent(history.noise, false)} (median over benchmarks, after each run's common shift)`
      : 'run-to-run noise unknown';
  const lone =
    history.loneSlowdown !== undefined && history.loneSlowdown > 0
      ? `, benchmarks moved alone by ${percent(history.loneSlowdown)} or more twice in them (a change must go beyond that)`
      : '';
  const drift =
    history.drift !== undefined
      ? `; this run's common shift ${percent(history.drift)} is taken out (each benchmark against the shift of the others)`
      : '';
  const lines = [
    `Judged run against runs: this PR's run against ${history.runs} baseline run${history.runs === 1 ? '' : 's'} of the default branch, ${noise}${lone}${drift}.`,
  ];
  const confirmation = confirmationLine(comparison);
  if (confirmation) lines.push('', confirmation);
  if (history.runs < history.minRuns) {
    lines.push(
      '',
      `> [!IMPORTANT]\n> ${history.runs} baseline run${history.runs === 1 ? ' is' : 's are'} too few to know how much a run moves on its own ` +
        `(${history.minRuns} needed), so changes are **inconclusive** unless beyond any plausible noise (${history.plausibleNoise}x). ` +
        'For a real answer: use `mode: ab` (base and PR measured in this job) or `measure: instructions`, or store more ' +
        'baselines (`mode: store-baseline` on every push to the default branch, or a scheduled run).',
    );
  }
  return lines;
}

/** How the flags were confirmed by re-runs in this job, or that a re-run would confirm them. */
function confirmationLine(comparison: Comparison): string | undefined {
  const confirmation = comparison.confirmation;
  if (!confirmation || confirmation.flagged === 0) return undefined;
  const flagged = plural(confirmation.flagged, 'flagged benchmark');
  if (confirmation.reruns > 0) {
    const dropped = confirmation.flagged - confirmation.confirmed;
    return (
      `Confirmed by re-runs: the ${flagged} ${confirmation.flagged === 1 ? 'was' : 'were'} re-run ${plural(confirmation.reruns, 'time')} in this job; ` +
      `${confirmation.confirmed} persisted in every re-run${dropped > 0 ? `, ${dropped} did not persist on re-run (now inconclusive: a one-off move of this run, not a change)` : ''}. ` +
      `(The PR run was screened at α=${confirmation.screenAlpha}, each re-run tested at α=${confirmation.confirmAlpha}.)`
    );
  }
  const how =
    confirmation.unavailable === 'failed'
      ? 'the re-run failed (see the job log)'
      : confirmation.unavailable === 'disabled'
        ? '`confirm-runs` is 0'
        : 'this job gave no benchmark command (`confirm-command` or `ab-command`)';
  return (
    `> [!NOTE]\n> Not confirmed: ${flagged} rest${confirmation.flagged === 1 ? 's' : ''} on this PR run alone (${how}). ` +
    'A re-run would confirm: one run judged against stored runs cannot tell a lone slowdown of one benchmark from a real change. ' +
    'Give perf-comment the command that runs the benchmarks (`confirm-command`) and it re-runs the flagged ones in this job (`confirm-runs`).'
  );
}

function formatAge(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours < 1) return `${Math.max(1, Math.round(ms / 60_000))} min`;
  if (hours < 48) return `${Math.round(hours)} h`;
  return `${Math.round(hours / 24)} days`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// Table cells cannot hold pipes or newlines, and names must not inject Markdown or HTML (see escape/).
function cell(text: string): string {
  return mdText(text, 500);
}
