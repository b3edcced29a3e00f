import { mdCode } from '../escape/index.ts';
import { details, fitSummary, formatDuration, markdownTable } from '../summary/index.ts';
import { formatBudget, type Budget } from './budget.ts';
import type { RetrainResult } from './model-lifecycle.ts';
import type { Prediction } from './predict.ts';
import { RANKING_DESCRIPTIONS } from './rankings.ts';
import { formatRate, type SafetyState } from './safety.ts';
import type { Evaluation, LoadedModel } from './training.ts';

const pct = (value: number | null | undefined) =>
  value === null || value === undefined ? 'n/a' : `${(value * 100).toFixed(1)}%`;

/** One line on the model: age, training window and held-out figures. */
export function modelLine(model: LoadedModel | undefined, now: Date): string {
  if (!model) return 'Model: none yet (cold start).';
  const doc = model.document;
  if (!doc) return `Model: ${model.source} (an XGBoost model without ci-optimizer's training record).`;
  const ageMs = now.getTime() - Date.parse(doc.trainedAt);
  const e = doc.evaluation;
  const figures = e
    ? `held-out on the newest ${e.runs} runs: ROC AUC ${e.auc ?? 'n/a'}, PR AUC ${e.prAuc ?? 'n/a'}, test recall ${pct(e.testRecall)} and change recall ${pct(e.changeRecall)} at ${pct(e.timeFraction)} of test time`
    : 'no held-out figures (too little history when trained)';
  return `Model: trained ${formatDuration(Math.max(0, ageMs))} ago on ${doc.window.runs} runs (${doc.rows} rows, ${doc.positives} failures); ${figures}.`;
}

/** The step summary of `mode: predict`. */
export function renderPredictSummary(input: {
  prediction: Prediction;
  budget: Budget;
  model: LoadedModel | undefined;
  safety?: SafetyState;
  display: (file: string) => string;
  top: number;
  now: Date;
  /** Why test-filter's impact map was or was not used, and how many reached files it left out. */
  impactMap?: { note: string; removed: number | null };
}): string {
  const { prediction: p, display } = input;
  const sel = p.selection;
  const share = sel.totalSeconds > 0 ? sel.selectedSeconds / sel.totalSeconds : 1;
  const files = new Set(sel.selected.map((item) => p.fileOf.get(item) ?? item)).size;
  const heading =
    p.granularity === 'case'
      ? `${sel.selected.length} of ${p.items.length} test cases (in ${files} of ${p.ordered.length} test files) selected`
      : `${sel.selected.length} of ${p.ordered.length} test files selected`;
  const sections = [
    `## test-predictor: ${heading} (budget ${formatBudget(input.budget)})`,
    `Estimated recall ${pct(sel.estimatedRecall)} for ${pct(share)} of the expected test time (${formatDuration(sel.selectedSeconds * 1000)} of ${formatDuration(sel.totalSeconds * 1000)}), in ${p.shards.length} shard(s).`,
  ];
  if (input.safety && !input.safety.selectionEnabled) sections.push(`> **Selection is off:** ${input.safety.reason}.`);
  sections.push(rankingLine(p));
  if (p.coldStart)
    sections.push(
      `> **No usable model:** ${p.coldStartReason}; a simple ranking chosen on the history orders the tests.`,
    );
  sections.push(modelLine(input.model, input.now));
  if (input.impactMap) {
    const removed = input.impactMap.removed;
    sections.push(
      `Impact map: ${input.impactMap.note}` +
        (removed
          ? `; ${removed} test file(s) the import graph reaches never ran the changed functions and are ranked as such.`
          : '.'),
    );
  }
  const casesSelected = new Map<string, number>();
  for (const item of sel.selected)
    casesSelected.set(p.fileOf.get(item) ?? item, (casesSelected.get(p.fileOf.get(item) ?? item) ?? 0) + 1);
  const selectedFiles = new Set(casesSelected.keys());
  const rows = p.ordered
    .slice(0, input.top)
    .map((test, i) => [
      i + 1,
      display(test.file),
      Number(test.probability.toFixed(4)),
      formatDuration(test.duration * 1000),
      selectedFiles.has(test.file)
        ? p.wholeFiles.has(test.file) || p.granularity === 'file'
          ? 'yes'
          : `${casesSelected.get(test.file) ?? 0} case(s)`
        : 'no',
      test.mustRun ??
        (p.reasons.get(test.file) ?? [])
          .map((r) => `${r.feature}=${formatValue(r.value)} (+${r.contribution.toFixed(2)})`)
          .join(', '),
    ]);
  sections.push(
    markdownTable(['#', 'test file', 'p(fail)', 'duration', 'selected', 'main reasons'], rows, [
      'right',
      'left',
      'right',
      'right',
      'left',
      'left',
    ]),
  );
  if (p.shards.length > 1) {
    sections.push(
      details(
        `${p.shards.length} shards`,
        markdownTable(
          ['shard', 'test files', 'expected time'],
          p.shards.map((s) => [s.index, s.tests.length, formatDuration(s.seconds * 1000)]),
        ),
      ),
    );
  }
  if (sel.droppedReached.length > 0) {
    sections.push(
      details(
        `${sel.droppedReached.length} test file(s) the import graph reaches were left out by the budget`,
        sel.droppedReached.map((f) => `- ${mdCode(display(f))}`).join('\n'),
      ),
    );
  }
  if (p.slowTests.length > 0) {
    sections.push(
      details(
        `${p.slowTests.length} slow test(s): candidates for @pytest.mark.slow`,
        markdownTable(
          ['test', 'median time'],
          p.slowTests.slice(0, 50).map((t) => [display(t.id), formatDuration(t.seconds * 1000)]),
        ),
      ),
    );
  }
  return fitSummary(sections);
}

/**
 * Which ranking ran, why, and its figures on the team's own history (the replayed runs it was chosen on, else the
 * held-out runs), then the other rankings' change recall on the same runs.
 */
function rankingLine(p: Prediction): string {
  const { chosen, replay, heldOut } = p.ranking;
  const replayed = replay as Partial<Record<string, Evaluation>> | undefined;
  const [where, all] = replayed?.[chosen] ? ['replayed', replayed] : ['held-out', heldOut];
  const own = all[chosen];
  const others = Object.entries(all)
    .filter(([name, e]) => e && name !== chosen)
    .map(([name, e]) => `${name} ${pct(e!.changeRecall)}`)
    .join(', ');
  const figures = own
    ? ` On the team's own history (${own.faultyRuns} ${where} run(s) with failures) it caught ${pct(own.changeRecall)} of the faulty changes at ${pct(own.timeFraction)} of test time, APFDc ${own.apfd ?? 'n/a'}${others ? ` (change recall of the others: ${others})` : ''}.`
    : '';
  return `**Ranking: ${chosen}** (${RANKING_DESCRIPTIONS[chosen]}): ${p.ranking.reason}.${figures}`;
}

/** The step summary of `mode: record`: what ran, whether the predicted-risky tests were the ones that failed, safety. */
export function renderRecordSummary(input: {
  commit: string;
  cases: number;
  failed: string[];
  flaky: string[];
  risky: string[];
  ranks: Map<string, { rank: number; probability: number }>;
  candidates: number;
  full: boolean;
  safety?: SafetyState;
  retrain?: RetrainResult;
  display: (file: string) => string;
}): string {
  const sections = [
    `## test-predictor: recorded ${input.cases} test cases of ${input.commit.slice(0, 12)}${input.full ? ' (full run)' : ''}`,
  ];
  const caught = input.failed.filter((f) => input.risky.includes(f)).length;
  if (input.failed.length === 0) {
    sections.push(
      `No test failed${input.flaky.length ? ` for real (${input.flaky.length} flaky failure(s) kept out of the labels)` : ''}.`,
    );
  } else {
    sections.push(
      `${caught} of ${input.failed.length} failing test file(s) were among the ${input.risky.length} the predictor flagged as risky (p ≥ 0.5).`,
    );
    sections.push(
      markdownTable(
        ['failing test file', 'predicted rank', 'p(fail)'],
        input.failed.map((file) => {
          const r = input.ranks.get(file);
          return [
            input.display(file),
            r ? `${r.rank} of ${input.candidates}` : 'not scored',
            r ? Number(r.probability.toFixed(4)) : null,
          ];
        }),
      ),
    );
  }
  if (input.flaky.length)
    sections.push(
      details(
        `${input.flaky.length} flaky test(s)`,
        input.flaky.map((id) => `- ${mdCode(input.display(id))}`).join('\n'),
      ),
    );
  if (input.safety) {
    const m = input.safety.missRate;
    sections.push(
      `Measured safety over the last ${m.runs} full run(s): predictor missed ${m.missedByPredictor} of ${m.failures} failing test file(s) (${formatRate(m.predictorRate)}), ` +
        `test-filter alone ${m.missedByTestFilter} (${formatRate(m.testFilterRate)}). Selection is ${input.safety.selectionEnabled ? 'on' : '**off**'}: ${input.safety.reason}.`,
    );
  }
  if (input.retrain) sections.push(`Retraining: ${input.retrain.status} — ${input.retrain.reason}.`);
  return fitSummary(sections);
}

/** The step summary of `mode: train`: the candidate and the stored models on the same held-out runs. */
export function renderTrainSummary(result: RetrainResult, model: LoadedModel | undefined, now: Date): string {
  const row = (name: string, e: Evaluation | undefined): (string | number | null)[] =>
    e
      ? [name, e.runs, e.failures, e.auc, e.prAuc, pct(e.testRecall), pct(e.changeRecall)]
      : [name, null, null, null, null, 'n/a', 'n/a'];
  const rows = [row('new', result.candidate)];
  if (result.current) rows.push(row('current', result.current));
  if (result.previous) rows.push(row('previous', result.previous));
  const fraction = result.candidate?.timeFraction;
  return fitSummary([
    `## test-predictor: model ${result.status}`,
    `${result.reason}. Training took ${formatDuration(result.trainingMs)}.`,
    markdownTable(
      [
        'model',
        'held-out runs',
        'failures',
        'ROC AUC',
        'PR AUC',
        `test recall${fraction ? ` @${pct(fraction)}` : ''}`,
        'change recall',
      ],
      rows,
    ),
    modelLine(model, now),
  ]);
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}
