import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { compressCommand, decompressCommand, type Compression } from './compression.ts';
import type { ArchivePlan } from './paths.ts';

/** Raised when tar or the compressor fails; the message carries the tool's own words. */
export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
  /** Which tool failed: a failing decompressor on restore means the archive bytes are damaged. */
  readonly tool: 'tar' | 'compressor' | 'decompressor';
  constructor(message: string, tool: 'tar' | 'compressor' | 'decompressor' = 'tar') {
    super(message);
    this.tool = tool;
  }
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
export function createArchiveStream(plan: ArchivePlan, compression: Compression): ArchiveWriter {
  const list = plan.entries ?? plan.roots;
  const args = [...CREATE_ARGS, ...(plan.entries ? ['--no-recursion'] : []), '--verbatim-files-from', '--files-from=-'];
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
 * Starts `zstd -d | tar -x` into `directory`. Owners are not restored (a root runner would otherwise hand files to
 * the uid of whoever saved them); modes are restored exactly. tar refuses `..` and absolute member names, so an
 * archive cannot write outside `directory`.
 */
export function extractArchiveStream(directory: string, compression: Compression): ArchiveReader {
  const [command, commandArgs] = decompressCommand(compression);
  const decompressor = spawn(command, commandArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
  const tar = spawn(
    'tar',
    ['--extract', '--file=-', `--directory=${directory}`, '--no-same-owner', '--preserve-permissions'],
    { stdio: [decompressor.stdout!, 'ignore', 'pipe'] },
  );
  decompressor.stdout!.destroy();
  const decompressorStderr = collect(decompressor.stderr!);
  const tarStderr = collect(tar.stderr!);
  const input = decompressor.stdin!;
  let inputError: Error | undefined;
  input.on('error', (error) => {
    inputError = error;
  });

  const codes = Promise.all([exitCode(decompressor), exitCode(tar)]);
  const failure = (async () => {
    const [decompressorCode, tarCode] = await codes;
    if (decompressorCode !== 0) {
      throw new ArchiveError(
        `${command} failed (exit ${decompressorCode}): ${decompressorStderr.text() || 'no message'}`,
        'decompressor',
      );
    }
    if (tarCode !== 0) throw new ArchiveError(`tar failed (exit ${tarCode}): ${tarStderr.text() || 'no message'}`);
  })();
  failure.catch(() => undefined);
  // Settles only when both tools are gone: with their error, or with ours when they quit without one.
  const died = failure.then(() => {
    throw new ArchiveError(`${command} and tar exited before the whole archive was written to them`);
  });
  died.catch(() => undefined);

  return {
    async write(chunk: Buffer) {
      if (inputError) return died;
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
