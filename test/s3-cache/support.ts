import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@ci-optimizer/core/contract';
import { cacheVersion, resolveS3Settings } from '@ci-optimizer/core/s3';
import type { CacheSettings } from '@ci-optimizer/core/s3-cache';

/** A logger that keeps what it was told, for assertions. */
export class RecordingLogger implements Logger {
  readonly infos: string[] = [];
  readonly warnings: string[] = [];
  info(message: string) {
    this.infos.push(message);
  }
  debug() {}
  notice(message: string) {
    this.infos.push(message);
  }
  warning(message: string) {
    this.warnings.push(message);
  }
  group<T>(_name: string, fn: () => Promise<T>) {
    return fn();
  }
}

/** A runner-like set of folders: a workspace, a home and RUNNER_TEMP under one temp root. */
export class RunnerDirs {
  readonly root: string;
  readonly workspace: string;
  readonly home: string;
  readonly temp: string;
  /** `base`: where to create the folders (default the OS temp dir; see memoryBackedTempDir). */
  constructor(name = 'runner', base = tmpdir()) {
    this.root = mkdtempSync(join(base, 'ci-opt-s3cache-'));
    this.workspace = join(this.root, name, 'work', 'repo');
    this.home = join(this.root, name, 'home');
    this.temp = join(this.root, name, 'temp');
    for (const dir of [this.workspace, this.home, this.temp]) mkdirSync(dir, { recursive: true });
  }
  remove() {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * A memory-backed temp folder when the machine has one (/dev/shm), else the OS temp dir. Tests of many small files
 * measure our code, not the disk: on a busy shared disk, creating 20,000 files twice takes ten times longer.
 */
export function memoryBackedTempDir(): string {
  try {
    const probe = mkdtempSync(join('/dev/shm', 'ci-opt-probe-'));
    rmSync(probe, { recursive: true, force: true });
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/** Cache settings against a test endpoint, with short retries so fault tests stay quick. */
export function testSettings(
  dirs: { workspace: string; home: string; temp: string },
  s3: { bucket: string; endpoint: string; prefix: string },
  paths: string[],
  overrides: Partial<CacheSettings> = {},
): CacheSettings {
  return {
    s3: { ...resolveS3Settings(s3, {}), maxAttempts: 2, connectTimeoutMs: 1000, idleTimeoutMs: 5000 },
    paths,
    compression: 'zstd',
    version: cacheVersion({ paths, compression: 'zstd', cacheVersion: '', os: 'Linux', crossOs: false }),
    workspace: dirs.workspace,
    home: dirs.home,
    tempDir: dirs.temp,
    restoreTimeoutMs: 30_000,
    saveTimeoutMs: 60_000,
    retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
    transfer: { partSize: 5 * 1024 * 1024, concurrency: 4 },
    ...overrides,
  };
}

import { chmodSync, lstatSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';

/** Writes a file, creating folders. */
export function writeFile(path: string, content: string | Buffer, mode?: number) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  if (mode !== undefined) chmodSync(path, mode);
}

/** A small tree with what caches must keep: spaces in names, an executable, a private file, an empty folder, symlinks. */
export function buildTree(dir: string, variant: string) {
  writeFile(join(dir, 'file with spaces.txt'), `content ${variant}\n`);
  writeFile(join(dir, 'bin/tool'), `#!/bin/sh\necho ${variant}\n`, 0o751);
  writeFile(join(dir, 'private.key'), `key ${variant}`, 0o600);
  writeFile(join(dir, `only-in-${variant}.txt`), variant);
  mkdirSync(join(dir, 'empty dir/nested'), { recursive: true });
  symlinkSync('file with spaces.txt', join(dir, 'link to file'));
  symlinkSync('../outside/target', join(dir, 'dangling link'));
}

/** Every path below `dir` with its type, mode and content hash (or link target): equal snapshots, equal trees. */
export function snapshot(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (current: string, rel: string) => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      const key = rel === '' ? name : `${rel}/${name}`;
      const stat = lstatSync(path);
      const mode = (stat.mode & 0o7777).toString(8);
      if (stat.isSymbolicLink()) result[key] = `link -> ${readlinkSync(path)}`;
      else if (stat.isDirectory()) {
        result[key] = `dir ${mode}`;
        walk(path, key);
      } else result[key] = `file ${mode} ${createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16)}`;
    }
  };
  walk(dir, '');
  return result;
}
