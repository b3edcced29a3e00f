export { restoreCache, type RestoreRequest, type RestoreResult, type CacheDeps } from './restore.ts';
export { saveCache, type SaveOutcome, type SaveResult } from './save.ts';
export { readCacheSettings, readS3Settings, type CacheSettings } from './settings.ts';
export { stepStateProvider, noStateProvider, type CacheState, type CacheStateProvider } from './state.ts';
export {
  Inputs as S3CacheInputs,
  Outputs as S3CacheOutputs,
  State as S3CacheState,
  SAVE_ALWAYS_ENV,
} from './constants.ts';
export { describeCacheFault, formatBytes, megabytesPerSecond } from './report.ts';
