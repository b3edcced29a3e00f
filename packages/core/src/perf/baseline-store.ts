import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { simpleGit } from 'simple-git';
import { UserError } from '../errors/index.ts';
import type { BenchmarkSet } from './benchmark-types.ts';
import type { CpuProfile } from './parse-profiles.ts';

/**
 * The little a baseline needs from a store (docs/architecture.md#stores). The shared store module can be adapted to
 * it in a few lines; `directoryStore` is the `dir:` flavour used until then and by the CLI.
 */
export interface PerfStore {
  read(key: string): Promise<string | undefined>;
  /** Must never leave a half-written value visible. */
  write(key: string, text: string): Promise<void>;
}

/** A `dir:` store: one file per key under `root`, written to a temp file then renamed. */
export function directoryStore(root: string): PerfStore {
  return {
    async read(key) {
      try {
        return await readFile(join(root, key), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async write(key, text) {
      const file = join(root, key);
      await mkdir(dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temp, text);
      await rename(temp, file);
    },
  };
}

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

/** Stores a baseline under its commit and as the newest baseline. */
export async function saveBaseline(store: PerfStore, record: Omit<BaselineRecord, 'schema'>): Promise<void> {
  const text = JSON.stringify({ schema: BASELINE_SCHEMA, ...record });
  await store.write(baselineKey(record.commit), text);
  await store.write(LATEST_BASELINE_KEY, text);
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
  store: PerfStore,
  candidates: readonly string[],
  options: { maxAgeMs?: number; now?: number } = {},
): Promise<SelectedBaseline | undefined> {
  const now = options.now ?? Date.now();
  const finish = (record: BaselineRecord, kind: SelectedBaseline['kind']): SelectedBaseline => {
    const ageMs = Math.max(0, now - Date.parse(record.createdAt));
    return { record, kind, ageMs, stale: options.maxAgeMs !== undefined && ageMs > options.maxAgeMs };
  };
  for (const [index, commit] of candidates.entries()) {
    const text = await store.read(baselineKey(commit));
    if (text !== undefined) return finish(parseBaselineRecord(text, baselineKey(commit)), index === 0 ? 'merge base' : 'newest older baseline');
  }
  if (candidates.length > 0) return undefined;
  const latest = await store.read(LATEST_BASELINE_KEY);
  return latest === undefined ? undefined : finish(parseBaselineRecord(latest, LATEST_BASELINE_KEY), 'newest stored baseline');
}

/** Parses a stored baseline, accepting older schemas and refusing newer ones. */
export function parseBaselineRecord(text: string, source: string): BaselineRecord {
  let data: BaselineRecord;
  try {
    data = JSON.parse(text) as BaselineRecord;
  } catch (error) {
    throw new UserError(`Stored baseline '${source}' is not valid JSON (${(error as Error).message}). Delete it; the next push stores a new one.`);
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
    const output = await simpleGit(repoDir).raw(['rev-list', '--first-parent', `--max-count=${limit}`, mergeBase]);
    return output.split('\n').map((line) => line.trim()).filter(Boolean);
  } catch {
    // Shallow clones and unknown commits: the caller falls back to the newest stored baseline and says so.
    return [];
  }
}
