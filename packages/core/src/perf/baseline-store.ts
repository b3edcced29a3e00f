import { UserError } from '../errors/index.ts';
import { openRepo } from '../git/index.ts';
import type { Store } from '../store/index.ts';
import type { BenchmarkSet } from './benchmark-types.ts';
import type { CpuProfile } from './parse-profiles.ts';

export const BASELINE_SCHEMA = 1;
/** Newest baseline, the file the plan names (`.metrics/baseline.json` with the default `dir:.metrics`). */
export const LATEST_BASELINE_KEY = 'baseline.json';

/** Results (and optionally a profile) of one default-branch commit. */
export interface BaselineRecord {
  schema: number;
  commit: string;
  branch?: string;
  /** ISO time the baseline was measured. */
  createdAt: string;
  results: BenchmarkSet;
  profile?: CpuProfile;
}

/** Where a baseline for one commit lives. */
export function baselineKey(commit: string): string {
  return `baselines/${commit}.json`;
}

/** Tries of the compare-and-swap of the newest baseline before giving up (each loser read a newer one first). */
const LATEST_ATTEMPTS = 10;

/**
 * Stores a baseline under its commit, and as the newest baseline unless a newer one is stored. The per-commit key is
 * last-writer-wins on purpose: two jobs measuring one commit store equally good baselines of it. The newest one
 * is a conditional write (Store.writeIf): two pushes that finish out of order cannot leave the older as the newest.
 */
export async function saveBaseline(store: Store, record: Omit<BaselineRecord, 'schema'>): Promise<void> {
  const text = JSON.stringify({ schema: BASELINE_SCHEMA, ...record });
  await store.write(baselineKey(record.commit), text);
  for (let attempt = 1; attempt <= LATEST_ATTEMPTS; attempt++) {
    const current = await store.readVersioned(LATEST_BASELINE_KEY);
    if (current && storedIsNewer(current.data, record.createdAt)) return;
    if (await store.writeIf(LATEST_BASELINE_KEY, text, current?.version)) return;
  }
  throw new Error(
    `${LATEST_BASELINE_KEY} kept changing under ${LATEST_ATTEMPTS} attempts to replace it; the baseline of ${record.commit} is stored under its commit`,
  );
}

/** Whether a stored newest baseline was measured after `createdAt` (an unreadable one is replaced). */
function storedIsNewer(data: Buffer, createdAt: string): boolean {
  try {
    const stored = JSON.parse(data.toString('utf8')) as Partial<BaselineRecord>;
    return typeof stored.createdAt === 'string' && Date.parse(stored.createdAt) > Date.parse(createdAt);
  } catch {
    return false;
  }
}

/** A chosen baseline and why it was chosen. */
export interface SelectedBaseline {
  record: BaselineRecord;
  kind: 'merge base' | 'newest older baseline' | 'newest stored baseline';
  ageMs: number;
  stale: boolean;
}

/**
 * The baseline to compare with: the merge base's own, else the newest one among its older first-parent
 * ancestors (`candidates`, merge base first), else — when git history is unavailable — the newest stored.
 */
export async function selectBaseline(
  store: Store,
  candidates: readonly string[],
  options: { maxAgeMs?: number; now?: number } = {},
): Promise<SelectedBaseline | undefined> {
  const now = options.now ?? Date.now();
  const finish = (record: BaselineRecord, kind: SelectedBaseline['kind']): SelectedBaseline => {
    const ageMs = Math.max(0, now - Date.parse(record.createdAt));
    return { record, kind, ageMs, stale: options.maxAgeMs !== undefined && ageMs > options.maxAgeMs };
  };
  for (const [index, commit] of candidates.entries()) {
    const text = (await store.read(baselineKey(commit)))?.toString('utf8');
    if (text !== undefined)
      return finish(
        parseBaselineRecord(text, baselineKey(commit)),
        index === 0 ? 'merge base' : 'newest older baseline',
      );
  }
  if (candidates.length > 0) return undefined;
  const latest = (await store.read(LATEST_BASELINE_KEY))?.toString('utf8');
  return latest === undefined
    ? undefined
    : finish(parseBaselineRecord(latest, LATEST_BASELINE_KEY), 'newest stored baseline');
}

/** Parses a stored baseline, accepting older schemas and refusing newer ones. */
export function parseBaselineRecord(text: string, source: string): BaselineRecord {
  let data: BaselineRecord;
  try {
    data = JSON.parse(text) as BaselineRecord;
  } catch (error) {
    throw new UserError(
      `Stored baseline '${source}' is not valid JSON (${(error as Error).message}). Delete it; the next push stores a new one.`,
    );
  }
  if (typeof data.schema !== 'number' || data.schema > BASELINE_SCHEMA) {
    throw new UserError(
      `Stored baseline '${source}' has schema ${String(data.schema)}, newer than this version understands (${BASELINE_SCHEMA}). Update ci-optimizer.`,
    );
  }
  if (!data.results || !Array.isArray(data.results.benchmarks)) {
    throw new UserError(`Stored baseline '${source}' has no results. Delete it; the next push stores a new one.`);
  }
  return data;
}

/** The merge base and its first-parent ancestors, newest first: the commits whose baselines may stand in. */
export async function baselineCandidates(repoDir: string, mergeBase: string, limit = 50): Promise<string[]> {
  try {
    const output = await openRepo(repoDir).raw(['rev-list', '--first-parent', `--max-count=${limit}`, mergeBase]);
    return output
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
  } catch {
    // Shallow clones and unknown commits: the caller falls back to the newest stored baseline and says so.
    return [];
  }
}
