export {
  resolveCachePaths,
  relocate,
  isInside,
  topLevel,
  requestedPatterns,
  type ArchivePlan,
  type PathContext,
  type RequestedPattern,
} from './paths.ts';
export { memberName, memberTarget, memberTransformArgs, MEMBER_ROOTS } from './member-names.ts';
export {
  planPlacement,
  executePlacement,
  placementRules,
  PlacementError,
  type Placement,
  type PlacementRules,
} from './restore-plan.ts';
export {
  resolveCompression,
  archiveExtension,
  compressCommand,
  decompressCommand,
  type Compression,
  type CompressionChoice,
} from './compression.ts';
export {
  createArchiveStream,
  extractArchiveStream,
  ArchiveError,
  type ArchiveWriter,
  type ArchiveReader,
  type ExtractOptions,
} from './tar.ts';
export { moveIntoPlace } from './placement.ts';
