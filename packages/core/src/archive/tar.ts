import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { compressCommand, decompressCommand, type Compression } from './compression.ts';
import { memberTransformArgs } from './member-names.ts';
import type { ArchivePlan, PathContext } from './paths.ts';

/** Raised when tar or the compressor fails; the message carries the tool's own words. */
export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
  /** Which tool failed: a failing decompressor on restore means the archive bytes are damaged. */
  readonly tool: 'tar' | 'compressor' | 'decompressor';
  /** `no-space`: the disk filled up; `too-large`: the archive unpacks to more than allowed. */
  readonly reason?: 'no-space' | 'too-large';
  constructor(message: string, tool: 'tar' | 'compressor' | 'decompressor' = 'tar', reason?: 'no-space' | 'too-large') {
    super(message);
    this.tool = tool;
    this.reason = reason;
  }
}

/** Options of an extraction: a limit on the bytes of the unpacked tar stream. */
export interface ExtractOptions {
  /** Stop and fail once the decompressed stream exceeds this many bytes. */
  maxBytes?: number;
  /** Says what the limit is and how to raise it, for the error message. */
  limitText?: string;
  /** `no-space` when the limit is the free space on the disk. */
  limitReason?: 'too-large' | 'no-space';
}

/** A running `tar | compressor`: `stream` carries the compressed archive and fails if either tool fails. */
export interface ArchiveWriter {
  stream: Readable;
  /** Resolves when both tools have exited cleanly; `warnings` holds what tar said about files that changed. */
  done: Promise<{ warnings: string[] }>;
  kill(): void;
}

/** A running `decompressor | tar -x`: feed it the archive with `write`, then `finish`. */
export interface ArchiveReader {
  write(chunk: Buffer): Promise<void>;
  /** Closes the input and waits for both tools; rejects with ArchiveError when either failed. */
  finish(): Promise<void>;
  kill(): void;
}

// GNU format: long names and big files without a pax header per member (which costs ~15% on many small files).
// Names are stored relative to `/` so that restore can extract into a staging folder and move roots into place.
const CREATE_ARGS = ['--create', '--file=-', '--format=gnu', '--sparse', '--directory=/', '--null'];

/**
 * Starts `tar -c | zstd` (or gzip) over the plan's paths. The archive stream ends only after both tools exited
 * with success, so an upload fed from it can never complete a cut-short archive.
 */
export function createArchiveStream(plan: ArchivePlan, compression: Compression, names?: PathContext): ArchiveWriter {
  const list = plan.entries ?? plan.roots;
  const args = [
    ...CREATE_ARGS,
    ...(plan.entries ? ['--no-recursion'] : []),
    // With `names`, members are stored as ws/..., home/..., abs/... (see member-names.ts).
    ...(names ? memberTransformArgs(names) : []),
    '--verbatim-files-from',
    '--files-from=-',
  ];
  const tar = spawn('tar', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const [command, commandArgs] = compressCommand(compression);
  const compressor = spawn(command, commandArgs, { stdio: [tar.stdout!, 'pipe', 'pipe'] });
  // The compressor holds its own copy of the pipe; ours would keep tar's 'close' from ever firing.
  tar.stdout!.destroy();
  const tarStderr = collect(tar.stderr!);
  const compressorStderr = collect(compressor.stderr!);
  tar.stdin!.on('error', () => undefined);
  tar.stdin!.end(list.map((path) => path.replace(/^\/+/, '')).join('\0') + '\0');

  const output = new PassThrough({ highWaterMark: 1024 * 1024 });
  compressor.stdout!.pipe(output, { end: false });
  const outputEnded = once(compressor.stdout!, 'end');

  const done = (async () => {
    const [tarCode, compressorCode] = await Promise.all([exitCode(tar), exitCode(compressor)]);
    // tar exits 1 when a file changed or vanished while it was read; the archive is still well-formed.
    if (tarCode !== 0 && tarCode !== 1) {
      throw new ArchiveError(`tar failed (exit ${tarCode}): ${tarStderr.text() || 'no message'}`);
    }
    if (compressorCode !== 0) {
      throw new ArchiveError(
        `${command} failed (exit ${compressorCode}): ${compressorStderr.text() || 'no message'}`,
        'compressor',
      );
    }
    await outputEnded;
    return { warnings: tarCode === 1 ? tarStderr.lines() : [] };
  })();
  done.then(
    () => output.end(),
    (error: Error) => output.destroy(error),
  );
  return {
    stream: output,
    done,
    kill: () => {
      tar.kill('SIGKILL');
      compressor.kill('SIGKILL');
    },
  };
}

/**
 * Starts `zstd -d | tar -x` into `directory`, the decompressed stream passing through this process so that its size
 * is counted and capped (`maxBytes`). Owners are not restored (a root runner would otherwise hand files to the uid
 * of whoever saved them); modes are restored, and the caller clears setuid/setgid bits before placing anything.
 * tar refuses `..`, absolute member names and writes through symlinks, so an archive cannot write outside
 * `directory`.
 */
export function extractArchiveStream(
  directory: string,
  compression: Compression,
  options: ExtractOptions = {},
): ArchiveReader {
  const [command, commandArgs] = decompressCommand(compression);
  const decompressor = spawn(command, commandArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
  const tar = spawn(
    'tar',
    ['--extract', '--file=-', `--directory=${directory}`, '--no-same-owner', '--preserve-permissions'],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  const decompressorStderr = collect(decompressor.stderr!);
  const tarStderr = collect(tar.stderr!);
  const input = decompressor.stdin!;
  let inputError: Error | undefined;
  input.on('error', (error) => {
    inputError = error;
  });
  let limitError: ArchiveError | undefined;
  let unpacked = 0;
  const limit = options.maxBytes ?? Number.POSITIVE_INFINITY;
  tar.stdin!.on('error', () => undefined);
  decompressor.stdout!.on('data', (chunk: Buffer) => {
    unpacked += chunk.length;
    if (unpacked > limit && !limitError) {
      limitError = new ArchiveError(
        `${options.limitReason === 'no-space' ? 'the disk is full: ' : ''}the archive unpacks to more than ` +
          `${options.limitText ?? `${limit} bytes`}; nothing was restored`,
        'tar',
        options.limitReason ?? 'too-large',
      );
      decompressor.kill('SIGKILL');
      tar.kill('SIGKILL');
      return;
    }
    if (!tar.stdin!.write(chunk)) {
      decompressor.stdout!.pause();
      tar.stdin!.once('drain', () => decompressor.stdout!.resume());
    }
  });
  decompressor.stdout!.on('end', () => tar.stdin!.end());

  const codes = Promise.all([exitCode(decompressor), exitCode(tar)]);
  const failure = (async () => {
    const [decompressorCode, tarCode] = await codes;
    if (limitError) throw limitError;
    const tarText = tarStderr.text();
    if (/No space left on device|Disk quota exceeded|Wrote only \d+ of \d+ bytes/i.test(tarText)) {
      throw new ArchiveError(
        `the disk is full: tar could not write the unpacked files into ${directory} (${tarText.split('\n')[0]}); ` +
          'free some space or cache less',
        'tar',
        'no-space',
      );
    }
    if (decompressorCode !== 0) {
      throw new ArchiveError(
        `${command} failed (exit ${decompressorCode}): ${decompressorStderr.text() || 'no message'}`,
        'decompressor',
      );
    }
    if (tarCode !== 0) throw new ArchiveError(`tar failed (exit ${tarCode}): ${tarText || 'no message'}`);
  })();
  failure.catch(() => undefined);
  // Settles only when both tools are gone: with their error, or with ours when they quit without one.
  const died = failure.then(() => {
    throw new ArchiveError(`${command} and tar exited before the whole archive was written to them`);
  });
  died.catch(() => undefined);

  return {
    async write(chunk: Buffer) {
      if (inputError || limitError) return died;
      if (input.write(chunk)) return;
      // Wait for room, but not forever: a tool that died never drains its input.
      try {
        await Promise.race([once(input, 'drain'), died]);
      } catch (error) {
        if (error instanceof ArchiveError) throw error;
        return died;
      }
    },
    async finish() {
      input.end();
      await failure;
    },
    kill: () => {
      decompressor.kill('SIGKILL');
      tar.kill('SIGKILL');
    },
  };
}

function exitCode(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Keeps the last few KiB a tool wrote to stderr, for error messages. */
function collect(stream: Readable): { text(): string; lines(): string[] } {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text = (text + chunk).slice(-4096);
  });
  return {
    text: () => text.trim(),
    lines: () =>
      text
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
  };
}
