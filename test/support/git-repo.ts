import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A real git repository in a temp dir, for tests. Call `remove()` in afterEach/afterAll. */
export class TempGitRepo {
  readonly dir: string;

  constructor(dir?: string) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'ci-opt-repo-'));
    if (!dir) {
      this.git('init', '-q', '-b', 'main');
      this.git('config', 'user.name', 'Test');
      this.git('config', 'user.email', 'test@example.invalid');
      this.git('config', 'commit.gpgsign', 'false');
    }
  }

  /** Runs git in the repository and returns its trimmed stdout. */
  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  }

  /** Writes files (path relative to the repo -> content); creates folders as needed. */
  write(files: Record<string, string>): this {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
    return this;
  }

  delete(...paths: string[]): this {
    for (const path of paths) unlinkSync(join(this.dir, path));
    return this;
  }

  /** Stages everything and commits; returns the new commit's sha. */
  commit(message = 'change'): string {
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.head();
  }

  head(): string {
    return this.git('rev-parse', 'HEAD');
  }

  /** What actions/checkout checks out for a pull request: `branch` merged into `base` (no fast-forward), detached. */
  mergeCommit(base: string, branch: string, message = 'Merge'): string {
    this.git('checkout', '-q', '--detach', base);
    this.git('merge', '-q', '--no-ff', '-m', message, branch);
    return this.head();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A fresh temp directory; remove it with rmSync(dir, {recursive: true, force: true}). */
export function tempDir(prefix = 'ci-opt-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
