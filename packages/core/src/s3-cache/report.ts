import { errorMessage } from '../errors/index.ts';
import { ArchiveError, PlacementError } from '../archive/index.ts';
import { IntegrityError, describeS3Error, type S3Settings } from '../s3/index.ts';

/** Why a restore or save did not happen, in one sentence for a warning (no credentials, ever). */
export function describeCacheFault(error: unknown, s3: S3Settings): string {
  if (error instanceof IntegrityError) return `the stored archive is damaged: ${error.message}.`;
  if (error instanceof ArchiveError || error instanceof PlacementError) return `${error.message}.`;
  if ((error as { code?: string }).code === 'ENOSPC') return `the disk is full: ${errorMessage(error)}`;
  const code = (error as { code?: string } | undefined)?.code;
  const ours = code === 'StoreUnresponsive' || (error as { firstByteTimeout?: boolean } | undefined)?.firstByteTimeout;
  if (!ours && error instanceof Error && error.name === 'TimeoutError' && !('$metadata' in error)) {
    return 'it took longer than its timeout and was cancelled (raise restore-timeout / save-timeout if the cache is large).';
  }
  return describeS3Error(error, { bucket: s3.bucket, endpoint: s3.endpoint });
}

/** Throughput in MB/s (10^6 bytes), rounded to one decimal; 0 when nothing moved. */
export function megabytesPerSecond(bytes: number, ms: number): number {
  if (bytes <= 0 || ms <= 0) return 0;
  return Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10;
}

/** Bytes as a short human figure for logs. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
