export { computeCacheKeys, type CacheKeyRequest, type CacheKeyResult, type EcosystemKey } from './cache-key.ts';
export { detectEcosystems, listProjectFiles, type DetectedEcosystem, type DetectOptions } from './detect.ts';
export {
  ECOSYSTEMS,
  ECOSYSTEM_IDS,
  isEcosystemId,
  type EcosystemId,
  type EcosystemSpec,
  type RuntimeName,
} from './ecosystems.ts';
export {
  normalizeDependencyFile,
  normalFormOf,
  normalizeRequirements,
  pyprojectDependencyText,
  canonicalJson,
  type NormalForm,
} from './normalize.ts';
export { readTomlStatements, canonicalToml, type TomlStatement } from './toml-statements.ts';
export {
  hashDependencyFiles,
  combineHashes,
  KEY_HASH_LENGTH,
  type DependencyHash,
  type HashedFile,
} from './dependency-hash.ts';
export {
  resolveRuntimeVersion,
  parseRuntimeVersion,
  parsePythonVersion,
  parseProbeOutput,
  probeRuntime,
  type RuntimeVersion,
  type RuntimeSources,
} from './runtime-version.ts';
export { cachePathsFor, toRunnerOs, type RunnerOs, type CachePathContext } from './cache-paths.ts';
export {
  composeKey,
  keySegment,
  cacheVersionSegment,
  dateBucket,
  isoWeek,
  ROTATIONS,
  type Rotation,
  type KeyParts,
  type ComposedKey,
} from './compose.ts';
export {
  classifyRestore,
  keyFamily,
  summarizeHitRate,
  recordRestore,
  readRestoreHistory,
  hitRecordProblem,
  HIT_HISTORY_KEY,
  HIT_HISTORY_AREA,
  type RestoreOutcome,
  type HitRecord,
  type HitRateSummary,
} from './hit-rate.ts';
