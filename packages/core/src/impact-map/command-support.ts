import { mdText } from '../escape/index.ts';
import { errorMessage } from '../errors/index.ts';
import type { Store } from '../store/index.ts';
import type { SelectTestsRequest, TestSelection } from '../test-filter/index.ts';
import type { LanguagePack } from '../languages/index.ts';
import { impactSupportOf, learnImpactMap } from './learn-map.ts';
import { ImpactMapIndex, type LearnSummary } from './map-format.ts';
import { loadImpactMap, saveImpactMap } from './map-store.ts';
import { selectWithImpactMap, type ImpactMapUse, type ImpactSelection } from './select-with-map.ts';

/** What `mode: learn` reports as outputs. */
export interface LearnOutputs {
  'map-commit': string;
  'map-test-files': number;
  'map-functions': number;
  'map-bytes': number;
}

/** `LearnOutputs` plus the summary line of what was read and skipped (not an output). */
export interface LearnResult extends LearnOutputs {
  readSummary: string;
}

/** One line for the summary: what learning read from the coverage data and what it skipped, by reason. */
export function renderLearnSummary(learned: LearnSummary | undefined, tool: string, language: string): string {
  if (!learned) return '';
  const skipped = Object.entries(learned.skipped);
  const parts = [
    `read ${learned.files} ${language} file(s) and ${learned.testContexts} test context(s) from ${tool}`,
    `${learned.lineHits} line hit(s) attributed`,
    learned.importContext ? 'code run outside any test (imports, collection) counts as module level' : '',
    learned.remappedFiles ? `${learned.remappedFiles} file(s) matched by path tail` : '',
    learned.filesNotParsed ? `${learned.filesNotParsed} file(s) do not parse (module level)` : '',
    learned.importedBeforeCoverage
      ? `${learned.importedBeforeCoverage} module(s) imported before coverage started (their functions count as import time)`
      : '',
    skipped.length ? `skipped: ${skipped.map(([reason, n]) => `${n} ${reason}`).join('; ')}` : 'nothing skipped',
  ];
  return parts.filter(Boolean).join('; ');
}

/** `mode: learn`: reads the coverage file, learns the map on `commit` and writes it to the store. */
export async function learnImpactMapIntoStore(options: {
  repoDir: string;
  coveragePath: string;
  pack: LanguagePack;
  store: Store;
  commit?: string;
  projectDir?: string;
  warn?: (message: string) => void;
}): Promise<LearnResult> {
  const coverage = await impactSupportOf(options.pack).readCoverage(options.coveragePath);
  const map = await learnImpactMap({
    repoDir: options.repoDir,
    coverage,
    pack: options.pack,
    commit: options.commit,
    projectDir: options.projectDir,
    warn: options.warn,
  });
  await saveImpactMap(options.store, map);
  return {
    'map-commit': map.commit,
    'map-test-files': map.tests.length,
    'map-functions': new ImpactMapIndex(map).unitCount,
    'map-bytes': Buffer.byteLength(JSON.stringify(map)),
    readSummary: renderLearnSummary(map.learned, coverage.tool, options.pack.name),
  };
}

/**
 * `mode: select` with a store: narrows the static selection with the stored map when there is a usable one. A store
 * that cannot be read is a warning and the static selection stands.
 */
export async function selectWithStoredMap(options: {
  store: Store | undefined;
  request: SelectTestsRequest;
  staticSelection: TestSelection;
  maxMapAgeMs?: number;
  maxMapDistance?: number;
}): Promise<ImpactSelection> {
  let loaded: Awaited<ReturnType<typeof loadImpactMap>> = {};
  if (options.store) {
    try {
      loaded = await loadImpactMap(options.store);
    } catch (error) {
      loaded = { problem: `the store cannot be read (${errorMessage(error)})` };
    }
  }
  return selectWithImpactMap({
    request: options.request,
    staticSelection: options.staticSelection,
    map: loaded.map,
    mapProblem: loaded.problem,
    maxMapAgeMs: options.maxMapAgeMs,
    maxMapDistance: options.maxMapDistance,
  });
}

/** One line for the step summary: whether the map narrowed the selection, and why (not). */
export function renderImpactMapNote(use: ImpactMapUse): string {
  const commit = use.commit
    ? ` (map of ${mdText(use.commit.slice(0, 12))}${use.distance !== undefined ? `, ${use.distance} commits behind` : ''})`
    : '';
  // The reason can name files and store entries: escaped like any name.
  return `**Impact map${commit}:** ${use.used ? '' : 'not used — '}${mdText(use.reason, 1000)}.`;
}
