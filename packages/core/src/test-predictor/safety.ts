import { readJsonDocument, writeJsonDocument, type Store } from '../store/index.ts';
import { STORE_KEYS, type RunRecord } from '../test-history/index.ts';

/** Schema of the safety state document. */
export const SAFETY_SCHEMA = 1;

/** What the miss rates read of a run (a run of the history, or its audit as the history's summary keeps it). */
export type AuditedRun = Pick<RunRecord, 'time' | 'full' | 'audit'>;

/** Misses over the last full runs. Rates are null when those runs had no real failure to miss. */
export interface MissRate {
  /** Full runs with an audit in the window. */
  runs: number;
  failures: number;
  missedByPredictor: number;
  missedByTestFilter: number;
  predictorRate: number | null;
  testFilterRate: number | null;
}

/** Whether selection is on, and why not. Kept in the store so every run sees the same switch. */
export interface SafetyState {
  schema: number;
  selectionEnabled: boolean;
  reason: string;
  /** When the switch last changed. */
  since: string;
  /** Runs before this time are left out of the rate after a person's reset. */
  resetAt?: string;
  missRate: MissRate;
}

/** The miss rates over the newest `window` audited full runs (after `since`, when given). */
export function computeMissRate(history: readonly AuditedRun[], window: number, since?: string): MissRate {
  const audited = history.filter((run) => run.full && run.audit && (!since || run.time > since)).slice(-window);
  let failures = 0;
  let missedByPredictor = 0;
  let missedByTestFilter = 0;
  let predictorFailures = 0;
  let filterFailures = 0;
  for (const run of audited) {
    const audit = run.audit!;
    failures += audit.failedFiles.length;
    if (audit.missedByPredictor) {
      predictorFailures += audit.failedFiles.length;
      missedByPredictor += audit.missedByPredictor.length;
    }
    if (audit.missedByTestFilter) {
      filterFailures += audit.failedFiles.length;
      missedByTestFilter += audit.missedByTestFilter.length;
    }
  }
  return {
    runs: audited.length,
    failures,
    missedByPredictor,
    missedByTestFilter,
    predictorRate: predictorFailures > 0 ? missedByPredictor / predictorFailures : null,
    testFilterRate: filterFailures > 0 ? missedByTestFilter / filterFailures : null,
  };
}

/** Reads the safety switch; absent or unreadable means selection is on. */
export async function readSafetyState(store: Store, warn: (message: string) => void): Promise<SafetyState | undefined> {
  try {
    return await readJsonDocument<SafetyState>(store, STORE_KEYS.safety, SAFETY_SCHEMA);
  } catch (error) {
    warn(
      `The safety state ${store.description}/${STORE_KEYS.safety} cannot be read (${(error as Error).message}); treating selection as on.`,
    );
    return undefined;
  }
}

/**
 * The switch after a full run: off while the predictor's miss rate is above `maxMissRate`, on again once it is not
 * (the window moves on) or when a person resets it (`reset`: runs before now no longer count).
 */
export function nextSafetyState(
  previous: SafetyState | undefined,
  history: readonly AuditedRun[],
  options: { window: number; maxMissRate: number; reset: boolean; now: string },
): SafetyState {
  const resetAt = options.reset ? options.now : previous?.resetAt;
  const missRate = computeMissRate(history, options.window, resetAt);
  const rate = missRate.predictorRate;
  const tooHigh = rate !== null && rate > options.maxMissRate;
  const wasEnabled = previous?.selectionEnabled ?? true;
  const enabled = !tooHigh;
  let reason: string;
  if (tooHigh) {
    reason =
      `the predictor missed ${missRate.missedByPredictor} of ${missRate.failures} failing test file(s) over the last ` +
      `${missRate.runs} full run(s) (${formatRate(rate)}), above max-miss-rate ${formatRate(options.maxMissRate)}: every test runs until the rate recovers or someone sets reset-safety: true`;
  } else if (options.reset) {
    reason = 'reset by a person (reset-safety: true); misses before now no longer count';
  } else {
    reason =
      rate === null
        ? 'no failing full run measured yet'
        : `miss rate ${formatRate(rate)} is within max-miss-rate ${formatRate(options.maxMissRate)}`;
  }
  return {
    schema: SAFETY_SCHEMA,
    selectionEnabled: enabled,
    reason,
    since: enabled === wasEnabled && previous && !options.reset ? previous.since : options.now,
    ...(resetAt ? { resetAt } : {}),
    missRate,
  };
}

/** Writes the switch atomically. */
export async function writeSafetyState(store: Store, state: SafetyState): Promise<void> {
  await writeJsonDocument(store, STORE_KEYS.safety, state);
}

/** Tries of the compare-and-swap before the last computed state is written plainly. */
const UPDATE_ATTEMPTS = 10;

/**
 * Computes the next switch from the stored one and writes it with a conditional write (Store.writeIf), again from a
 * fresh read when another job wrote in between: a person's reset (`resetAt`) written by one job is never overwritten
 * by a record that read the state before it. An unreadable or newer-schema document counts as absent (with a warning).
 */
export async function updateSafetyState(
  store: Store,
  next: (previous: SafetyState | undefined) => SafetyState,
  warn: (message: string) => void,
): Promise<SafetyState> {
  let state: SafetyState | undefined;
  for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
    const current = await store.readVersioned(STORE_KEYS.safety);
    state = next(current === undefined ? undefined : parseSafetyState(store, current.data, warn));
    if (await store.writeIf(STORE_KEYS.safety, `${JSON.stringify(state)}\n`, current?.version)) return state;
  }
  throw new Error(`${STORE_KEYS.safety} kept changing under ${UPDATE_ATTEMPTS} attempts to update it`);
}

function parseSafetyState(store: Store, data: Buffer, warn: (message: string) => void): SafetyState | undefined {
  try {
    const parsed = JSON.parse(data.toString('utf8')) as Partial<SafetyState>;
    if (typeof parsed.schema !== 'number' || parsed.schema > SAFETY_SCHEMA)
      throw new Error(`schema ${String(parsed.schema)} is not one this version reads (up to ${SAFETY_SCHEMA})`);
    return parsed as SafetyState;
  } catch (error) {
    warn(
      `The safety state ${store.description}/${STORE_KEYS.safety} cannot be read (${(error as Error).message}); treating selection as on.`,
    );
    return undefined;
  }
}

/** A rate as a percentage with one decimal. */
export function formatRate(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`;
}
