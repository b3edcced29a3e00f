import { spawnSync } from 'node:child_process';

/** How archives are compressed; part of the cache version, so an archive is only read back the way it was written. */
export type Compression = 'zstd' | 'gzip';

/** What the user may ask for: `auto` is zstd when the system has it, else gzip (like actions/cache). */
export type CompressionChoice = Compression | 'auto';

const available = new Map<string, boolean>();

function hasCommand(command: string): boolean {
  let known = available.get(command);
  if (known === undefined) {
    known = spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
    available.set(command, known);
  }
  return known;
}

/** The compression to use for `choice` on this machine. */
export function resolveCompression(choice: CompressionChoice): Compression {
  if (choice !== 'auto') return choice;
  return hasCommand('zstd') ? 'zstd' : 'gzip';
}

/** The object-name suffix for an archive. */
export function archiveExtension(compression: Compression): string {
  return compression === 'zstd' ? 'tar.zst' : 'tar.gz';
}

/** The command that compresses stdin to stdout. zstd uses every core (-T0) at its default level, like actions/cache. */
export function compressCommand(compression: Compression): [string, string[]] {
  if (compression === 'zstd') return ['zstd', ['-T0', '-3', '-q', '-c']];
  // pigz is gzip on all cores and writes the same format; plain gzip is the fallback everywhere.
  return hasCommand('pigz') ? ['pigz', ['-c']] : ['gzip', ['-c']];
}

/** The command that decompresses stdin to stdout, checking the format's own checksum. */
export function decompressCommand(compression: Compression): [string, string[]] {
  if (compression === 'zstd') return ['zstd', ['-d', '-q', '-c']];
  return ['gzip', ['-d', '-c']];
}
