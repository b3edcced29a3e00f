export {
  listChangedFiles,
  listChangedFilesWithNumstat,
  parseNameStatus,
  rawDiff,
  type ChangedFile,
  type ChangeStatus,
} from './changed-files.ts';
export { resolveDiffRange, type DiffRange, type DiffRangeOptions } from './run-context.ts';
export { mayBeInRepository, workTreeRoot } from './work-tree.ts';
export {
  ZERO_SHA,
  openRepo,
  assertGitCheckout,
  hasCommit,
  resolveSha,
  resolveShas,
  probeCheckout,
  probeCheckoutAndRange,
  isShallow,
  mergeBase,
  fetchCommit,
  deepenUntilMergeBase,
} from './revisions.ts';
export {
  diffChangedFiles,
  diffTrees,
  GitObjectReader,
  listTreeBlobs,
  readBlobs,
  resolveCommit,
  runGit,
  treeOf,
} from './git-objects.ts';
export type { GitObject } from './git-objects.ts';
export { diffTreesThroughReader, type TreeDeltaItem } from './tree-diff.ts';
