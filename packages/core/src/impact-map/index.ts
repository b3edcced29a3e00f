/**
 * The function-level impact map of test-filter: learned from per-test coverage (which test file executed which
 * function or method), compared against the changed functions of a diff, it narrows the static import closure to
 * the tests that executed what changed, with defences where coverage does not tell the whole truth.
 */
export { learnImpactMap, impactSupportOf } from './learn-map.ts';
export type { LearnRequest } from './learn-map.ts';
export { IMPACT_MAP_KEY, IMPACT_MAP_SCHEMA, ImpactMapIndex, encodeIds, decodeIds } from './map-format.ts';
export type { ImpactMap, ImpactMapModule, LearnSummary, SharedStateGroup } from './map-format.ts';
export { saveImpactMap, loadImpactMap } from './map-store.ts';
export {
  selectWithImpactMap,
  attributeChangedBodies,
  ALL_DEFENCES,
  DEFAULT_MAX_MAP_AGE_MS,
  DEFAULT_MAX_MAP_DISTANCE,
} from './select-with-map.ts';
export type { ImpactDefence, ImpactSelectRequest, ImpactSelection, ImpactMapUse } from './select-with-map.ts';
export {
  learnImpactMapIntoStore,
  selectWithStoredMap,
  renderImpactMapNote,
  renderLearnSummary,
} from './command-support.ts';
export type { LearnOutputs, LearnResult } from './command-support.ts';
export { selectTestsForChange } from './select-for-change.ts';
export type { ChangeSelection, ChangeSelectionOptions } from './select-for-change.ts';
