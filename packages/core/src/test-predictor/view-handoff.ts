import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runRecordProblem } from '../test-history/index.ts';
import { VERSION } from '../version/index.ts';
import type { ChangeView } from './repository.ts';
import { isStrings } from './json-checks.ts';

/**
 * The change view `predict` worked out, handed to the `record` step of the same job (same repository, range and
 * settings), so record does not list, discover, load the graph and parse the changed files again. It is a file in
 * the runner's temp folder, which lives as long as the job; the view is the one the prediction ranked with, so the
 * run record gets the reach the predictor saw before the tests ran (an impact map a `learn` step updates between the
 * two steps is not read into this run's features). Nothing here ever fails a step: a missing, old, unreadable or
 * malformed hand-off is ignored and record works the view out itself.
 */

/** What a view depends on besides the store's contents; a hand-off is only used for the same key. */
export interface ViewHandoffKey {
  repoDir: string;
  head: string;
  base: string | null;
  /** Why the range has no base (test-filter runs every test then, and says why). */
  fallbackReason: string | null;
  graph: boolean;
  impactMap: boolean;
  /** test-filter's options (JSON data: globs, rules, limits). */
  filterOptions: unknown;
  /** The store's description (its kind and place). */
  store: string;
}

/** What a hand-off file holds. */
interface ViewHandoff {
  format: number;
  /** The key's text the file was written for: a file whose name another key hashes to is not that key's view. */
  key: string;
  view: ChangeView;
  /** The warnings working out the view logged, logged again by the step that takes it. */
  warnings: string[];
}

const FORMAT = 2;

/** A hand-off older than this is not used (a job runs for at most six hours on GitHub-hosted runners). */
export const HANDOFF_MAX_AGE_MS = 6 * 60 * 60 * 1000;

/** Where the hand-off of one key lives, and the key's text the file must hold to be that key's. */
export interface ViewHandoffSlot {
  path: string;
  key: string;
}

/**
 * The hand-off file of `key` in the runner's temp folder, named by a 64-bit FNV-1a hash of the key. Not a
 * cryptographic digest, so that a predict step need not load `node:crypto` (10-15 ms of its start): the folder is
 * the job's own. The file holds the key's text as well and is read only for the same text, so two keys whose hashes
 * collide never share a view (the later step works its view out itself).
 */
export function viewHandoffSlot(runnerTemp: string, key: ViewHandoffKey): ViewHandoffSlot {
  const text = JSON.stringify({ format: FORMAT, version: VERSION, ...key, repoDir: resolve(key.repoDir) });
  return { path: join(handoffFolder(runnerTemp), `${fnv1a64(text)}.json`), key: text };
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;

/** The 64-bit FNV-1a hash of the UTF-8 bytes of `text`, as 16 hex digits. */
function fnv1a64(text: string): string {
  let hash = FNV_OFFSET;
  for (const byte of Buffer.from(text, 'utf8')) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * FNV_PRIME);
  return hash.toString(16).padStart(16, '0');
}

function handoffFolder(runnerTemp: string): string {
  return join(runnerTemp, 'ci-optimizer', 'test-predictor-views');
}

/**
 * Whether a predict step of this job left any change view in the runner's temp folder: a record step then likely
 * takes one, and need not load what working a view out takes until it knows.
 */
export function anyViewHandoff(runnerTemp: string): boolean {
  try {
    return readdirSync(handoffFolder(runnerTemp)).some((name) => name.endsWith('.json'));
  } catch {
    return false;
  }
}

/** Writes the hand-off (whole or not at all: a temp file renamed into place); a failure is ignored. */
export async function saveViewHandoff(
  { path, key }: ViewHandoffSlot,
  view: ChangeView,
  warnings: readonly string[],
): Promise<void> {
  const document: ViewHandoff = { format: FORMAT, key, view, warnings: [...warnings] };
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(temp, JSON.stringify(document));
    await rename(temp, path);
  } catch {
    // Only an optimisation: record works the view out itself.
  }
}

/**
 * The hand-off in `slot` when it is there, younger than `maxAgeMs`, well formed and written for the slot's key;
 * undefined otherwise.
 */
export async function readViewHandoff(
  { path, key }: ViewHandoffSlot,
  maxAgeMs = HANDOFF_MAX_AGE_MS,
  now = Date.now(),
): Promise<{ view: ChangeView; warnings: string[] } | undefined> {
  try {
    const info = await stat(path);
    if (!info.isFile() || now - info.mtimeMs > maxAgeMs) return undefined;
    const document = JSON.parse(await readFile(path, 'utf8')) as unknown;
    if (handoffProblem(document, key)) return undefined;
    const { view, warnings } = document as ViewHandoff;
    return { view, warnings };
  } catch {
    return undefined;
  }
}

/**
 * Why a parsed hand-off cannot be used for `key`, or undefined when it can (the view's fields, types as ChangeView
 * says).
 */
function handoffProblem(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const { format, key: written, view, warnings } = value as Partial<Record<keyof ViewHandoff, unknown>>;
  if (format !== FORMAT) return 'another format';
  if (written !== key) return 'another key';
  if (!isStrings(warnings)) return 'warnings';
  if (typeof view !== 'object' || view === null) return 'no view';
  const v = view as Record<string, unknown>;
  // The diff and the reach have the shapes of a run record's (the history's checks).
  const asRun = { schema: 1, time: 't', commit: 'c', base: null, event: 'e', full: false, cases: [] };
  const problem = runRecordProblem({ ...asRun, changes: v.changes, reach: v.reach });
  if (problem) return problem;
  if (typeof v.reachAll !== 'boolean') return 'reachAll';
  if (!isStrings(v.reachAllReasons) || !isStrings(v.testFiles)) return 'lists';
  if (v.mapRemoved !== null && !isStrings(v.mapRemoved)) return 'mapRemoved';
  if (v.mapNote !== undefined && typeof v.mapNote !== 'string') return 'mapNote';
  if (v.syntaxUnjudged !== undefined && !isStrings(v.syntaxUnjudged)) return 'syntaxUnjudged';
  return undefined;
}
