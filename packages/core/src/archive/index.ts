export { resolveCachePaths, relocate, isInside, topLevel, type ArchivePlan, type PathContext } from './paths.ts';
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
} from './tar.ts';
export { moveIntoPlace } from './placement.ts';
