import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './git-repo.ts';

/**
 * A `git` that logs each call's arguments and runs the real one: put `dir` first on PATH, then `calls()` gives the
 * argument lines of every git process started since the last `clear()` (the tests that count git processes).
 */
export class LoggingGitShim {
  readonly dir = tempDir('ci-opt-git-shim-');
  private readonly log = join(this.dir, 'calls.log');

  constructor() {
    const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    writeFileSync(join(this.dir, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${this.log}'\nexec '${real}' "$@"\n`);
    chmodSync(join(this.dir, 'git'), 0o755);
    this.clear();
  }

  /** PATH with the shim first. */
  path(rest = process.env.PATH ?? ''): string {
    return `${this.dir}:${rest}`;
  }

  clear(): void {
    writeFileSync(this.log, '');
  }

  /** Each logged call's arguments without leading `-c name=value` options. */
  calls(): string[] {
    return readFileSync(this.log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace(/^(-c \S+ )+/, ''));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
