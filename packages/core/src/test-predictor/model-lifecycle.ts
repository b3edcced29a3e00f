import type { Store } from '../store/index.ts';
import { STORE_KEYS, type RunRecord } from '../test-history/index.ts';
import {
  evaluateModel,
  readModel,
  trainFromHistory,
  writeModel,
  type Evaluation,
  type LoadedModel,
  type TrainSettings,
} from './training.ts';

/** What `mode: train` did with the model. */
export type ModelStatus = 'installed' | 'rolled-back' | 'kept' | 'skipped';

export interface RetrainResult {
  status: ModelStatus;
  reason: string;
  /** The model in use after this step (may be the previous one), or undefined. */
  active?: LoadedModel;
  /** Held-out figures of the candidates, all measured on the same newest runs. */
  candidate?: Evaluation;
  current?: Evaluation;
  previous?: Evaluation;
  trainingMs: number;
}

/**
 * Trains a candidate and installs it unless it is worse than the current or previous model by more than `maxDrop`
 * recall (at the budget's share of test time) on the same held-out runs. A worse candidate is discarded and the
 * better of the stored models stays active; when that is the previous one, it is restored (rolled back).
 */
export async function retrainWithRollback(
  store: Store,
  runs: readonly RunRecord[],
  settings: TrainSettings,
  maxDrop: number,
  warn: (message: string) => void,
): Promise<RetrainResult> {
  const started = performance.now();
  const outcome = trainFromHistory(runs, settings);
  const current = await readModel(store, STORE_KEYS.model, warn);
  if (!outcome.model || !outcome.heldOut) {
    return {
      status: 'skipped',
      reason: outcome.skippedReason ?? 'no model was trained',
      active: current,
      trainingMs: performance.now() - started,
    };
  }
  const previous = await readModel(store, STORE_KEYS.previousModel, warn);
  const figure = (e: Evaluation | undefined) => e?.testRecall ?? null;
  const candidate = outcome.evaluation;
  const currentEval = current ? evaluateModel(current.model, outcome.heldOut, settings.timeFraction) : undefined;
  const previousEval = previous ? evaluateModel(previous.model, outcome.heldOut, settings.timeFraction) : undefined;
  const candidateRecall = figure(candidate);
  const rivals = [
    { name: 'current', model: current, recall: figure(currentEval) },
    { name: 'previous', model: previous, recall: figure(previousEval) },
  ].filter(
    (r): r is { name: string; model: LoadedModel; recall: number } => r.model !== undefined && r.recall !== null,
  );
  const best = rivals.sort((a, b) => b.recall - a.recall)[0];
  const common = { candidate, current: currentEval, previous: previousEval, trainingMs: performance.now() - started };

  if (candidateRecall !== null && best && candidateRecall < best.recall - maxDrop) {
    const reason =
      `the new model's held-out recall ${pct(candidateRecall)} is more than ${pct(maxDrop)} below the ${best.name} model's ` +
      `${pct(best.recall)} (at ${pct(settings.timeFraction)} of test time)`;
    if (best.name === 'previous') {
      await writeModel(store, STORE_KEYS.model, best.model);
      if (current) await writeModel(store, STORE_KEYS.previousModel, current);
      return {
        status: 'rolled-back',
        reason: `${reason}; the previous model is restored`,
        active: best.model,
        ...common,
      };
    }
    return { status: 'kept', reason: `${reason}; the current model stays`, active: current, ...common };
  }
  if (current?.document) await writeModel(store, STORE_KEYS.previousModel, current);
  await writeModel(store, STORE_KEYS.model, outcome.model);
  const why =
    candidateRecall === null
      ? 'the held-out runs had no failures to measure recall on'
      : `held-out recall ${pct(candidateRecall)} at ${pct(settings.timeFraction)} of test time`;
  return { status: 'installed', reason: why, active: outcome.model, ...common };
}

function pct(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}
