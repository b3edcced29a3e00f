import type { Evaluation } from './evaluation.ts';
import { pairedSignTest } from './paired-tests.ts';
import { SIMPLE_RANKINGS, type RankingChoice, type RankingName, type SimpleRanking } from './rankings.ts';

/**
 * The ranking that runs unless another one is significantly better: co-failure weighed by the import graph's lift
 * combines the two signals that find failures on real projects, and reduces to co-failure where the graph does not
 * tell tests apart.
 */
const DEFAULT_RANKING: SimpleRanking = 'co-failure-graph';
/** Significance of the paired tests (one-sided), fixed before any measurement: the usual 5%. */
const ALPHA = 0.05;

/** Orders evaluations on what a selection is judged by: change recall at the time share, then APFDc, then test recall. */
function better(a: Evaluation, b: Evaluation): number {
  const keys: (keyof Evaluation)[] = ['changeRecall', 'apfd', 'testRecall'];
  for (const key of keys) {
    const x = (a[key] as number | null | undefined) ?? -1;
    const y = (b[key] as number | null | undefined) ?? -1;
    if (Math.abs(x - y) > 1e-9) return x - y;
  }
  return 0;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Why `challenger` is significantly better than `incumbent` on the same runs, or undefined: on one of the two
 * criteria (faulty runs caught at the time share: McNemar's exact test; APFDc: the sign test) at ALPHA, and not
 * worse on the other (as many runs caught, as high a mean APFDc).
 */
export function significantlyBetter(challenger: Evaluation, incumbent: Evaluation): string | undefined {
  const a = challenger.outcomes;
  const b = incumbent.outcomes;
  if (!a || !b || a.caught.length !== b.caught.length || a.caught.length === 0) return undefined;
  const caught = pairedSignTest(a.caught, b.caught);
  const apfd = pairedSignTest(a.apfd, b.apfd);
  const notFewer = sum(a.caught) >= sum(b.caught);
  const notLower = sum(a.apfd) >= sum(b.apfd) - 1e-9;
  if (caught.p < ALPHA && notLower)
    return `it catches ${caught.wins} faulty run(s) the other misses against ${caught.losses} (p = ${caught.p.toFixed(3)})`;
  if (apfd.p < ALPHA && notFewer)
    return `its APFDc is higher in ${apfd.wins} run(s) and lower in ${apfd.losses} (p = ${apfd.p.toFixed(3)})`;
  return undefined;
}

/** Evaluations without their per-run outcomes (what the model document keeps). */
export function withoutOutcomes<K extends string>(
  evaluations: Partial<Record<K, Evaluation>>,
): Partial<Record<K, Evaluation>> {
  const out: Partial<Record<K, Evaluation>> = {};
  for (const [name, e] of Object.entries(evaluations) as [K, Evaluation | undefined][]) {
    if (!e) continue;
    const { outcomes: _, ...rest } = e;
    out[name] = rest;
  }
  return out;
}

/**
 * Picks the ranking to run, on the two figures a selection is judged by (change recall at the time share and
 * APFDc), compared run by run: co-failure-graph unless another simple ranking is significantly better on the
 * replayed history (or on the held-out runs when no replay is given); then the model only if it is significantly
 * better than that ranking on the newest held-out runs. Close calls keep the incumbent, so no margin is tuned: a
 * switch needs evidence that a fair coin would give less than one time in twenty.
 */
export function chooseRanking(
  heldOut: Partial<Record<RankingName, Evaluation>>,
  replay?: Partial<Record<SimpleRanking, Evaluation>>,
): RankingChoice {
  const basis: Partial<Record<RankingName, Evaluation>> = replay ?? heldOut;
  const simple = SIMPLE_RANKINGS.filter((name) => basis[name] && basis[name]!.faultyRuns > 0);
  const stored = {
    heldOut: withoutOutcomes(heldOut),
    ...(replay ? { replay: withoutOutcomes(replay) } : {}),
  };
  if (simple.length === 0) {
    return {
      // Without a failure the history says nothing; the import graph is the order of a team without one.
      chosen: heldOut.model ? 'model' : 'import-graph',
      reason: 'no run had a failure to compare the rankings on',
      ...stored,
    };
  }
  const figure = (e: Evaluation) =>
    `change recall ${pct(e.changeRecall)}, APFDc ${e.apfd ?? 'n/a'}, test recall ${pct(e.testRecall)}`;
  const where = (e: Evaluation, kind: string) =>
    `${e.faultyRuns} ${kind} run(s) with failures at ${pct(e.timeFraction)} of test time`;
  const kind = replay ? 'replayed' : 'held-out';
  const incumbent = simple.includes(DEFAULT_RANKING)
    ? DEFAULT_RANKING
    : simple.reduce((a, b) => (better(basis[b]!, basis[a]!) > 0 ? b : a));
  const winners = simple
    .filter((name) => name !== incumbent)
    .map((name) => ({ name, why: significantlyBetter(basis[name]!, basis[incumbent]!) }))
    .filter((w): w is { name: SimpleRanking; why: string } => w.why !== undefined)
    .sort((a, b) => better(basis[b.name]!, basis[a.name]!));
  const best = winners[0]?.name ?? incumbent;
  let bestReason: string;
  if (winners.length) {
    bestReason = `${best} is significantly better than ${incumbent} on ${where(basis[best]!, kind)}: ${winners[0].why} (${figure(basis[best]!)} against ${figure(basis[incumbent]!)})`;
  } else {
    const runnerUp = simple
      .filter((name) => name !== incumbent)
      .reduce<SimpleRanking | undefined>(
        (a, b) => (a === undefined || better(basis[b]!, basis[a]!) > 0 ? b : a),
        undefined,
      );
    bestReason =
      `${incumbent} on ${where(basis[incumbent]!, kind)} (${figure(basis[incumbent]!)})` +
      (runnerUp
        ? `; no other ranking is significantly better (the closest, ${runnerUp}: ${figure(basis[runnerUp]!)})`
        : '');
  }
  const model = heldOut.model;
  const rival = heldOut[best];
  if (model && rival) {
    const why = significantlyBetter(model, rival);
    if (why)
      return {
        chosen: 'model',
        reason: `${bestReason}, and the model is significantly better than it on the newest ${model.runs} held-out run(s): ${why} (${figure(model)} against ${figure(rival)})`,
        ...stored,
      };
    return {
      chosen: best,
      reason: `${bestReason}; the model is not significantly better on the newest ${model.runs} held-out run(s) (${figure(model)} against ${figure(rival)})`,
      ...stored,
    };
  }
  return { chosen: best, reason: bestReason, ...stored };
}

function pct(value: number | null | undefined): string {
  return value === null || value === undefined ? 'n/a' : `${(value * 100).toFixed(1)}%`;
}
