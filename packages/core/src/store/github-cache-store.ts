import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { errorMessage, UserError } from '../errors/index.ts';
import { DirStore, versionOf } from './dir-store.ts';
import { recordStoreFault } from './faults.ts';
import type { Store, StoreEntry, StoredValue } from './store.ts';

/** The spec prefix and the name used when the spec gives none. */
export const GITHUB_CACHE_SPEC = 'github-cache';
export const DEFAULT_GITHUB_CACHE_NAME = 'ci-optimizer';

/** What @actions/cache archives, relative to the store's folder (see callLibrary). */
const LIBRARY_PATH = 'files';
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Entry keys are `<prefix><seq>` with the sequence zero-padded, so the newest is also the largest. */
const SEQUENCE_DIGITS = 10;
const MAX_SAVE_ATTEMPTS = 30;
/** Tries that see the same newest entry before a number taken but never finalized is stepped over. */
const STALE_AFTER = 8;
/** How @actions/cache reports that the key is taken (the service's already_exists). */
const TAKEN = /another job may be creating this cache|already exists|Unable to reserve cache/i;

/** Where a store reports what it recovered from; the runtime points it at the step's log. */
export interface StoreLog {
  info(message: string): void;
  warning(message: string): void;
}

export interface GitHubCacheStoreOptions {
  /** The environment to read RUNNER_TEMP, GITHUB_RUN_ID, ... from. @actions/cache itself reads process.env. */
  env?: NodeJS.ProcessEnv;
  log?: StoreLog;
  /** Where @actions/cache's own output goes: the runner's log (stdout) or, for the CLI, stderr. */
  libraryOutput?: 'stdout' | 'stderr';
}

/** Parses `github-cache` / `github-cache:NAME` into the NAME; anything else is the user's mistake. */
export function parseGitHubCacheSpec(spec: string): string {
  const text = spec.trim();
  if (text === GITHUB_CACHE_SPEC) return DEFAULT_GITHUB_CACHE_NAME;
  const name = text.startsWith(`${GITHUB_CACHE_SPEC}:`) ? text.slice(GITHUB_CACHE_SPEC.length + 1) : undefined;
  if (name === undefined || !NAME_PATTERN.test(name)) {
    throw new UserError(
      `Input 'store' has value '${text}', which is not a GitHub cache store. Use 'github-cache' (name ` +
        `'${DEFAULT_GITHUB_CACHE_NAME}') or 'github-cache:NAME' where NAME is 1-64 letters, digits, '.', '_' or '-' ` +
        `starting with a letter or digit, e.g. 'github-cache:nightly'.`,
    );
  }
  return name;
}

/**
 * The `github-cache` backend: the store's files live in a folder under RUNNER_TEMP (a DirStore, so reads and
 * writes are its atomic ones) that is carried between runs with @actions/cache under a rolling key family.
 *
 * - First use in a job restores the newest entry of the family: the primary key never matches exactly and the
 *   restore key is the family prefix, so the service picks the newest entry. A marker file tells the job's later
 *   steps (other processes, same RUNNER_TEMP) not to restore again, which would overwrite what they wrote.
 * - `flush()`, when this process wrote, merges its changes into the family's newest entry and saves the result as
 *   the next entry in sequence (`<prefix><seq>`, seq one above the newest). Entries are immutable and the service
 *   refuses to create a key that exists (`already_exists`), so that key is a compare-and-swap: of jobs that save at
 *   once, one gets the key and the others restore the new newest entry, merge again and take the next number. Only
 *   the files this process wrote or deleted are merged in, so records other jobs added (the record logs keep one
 *   object per record) are never lost. A conditional write (`writeIf`) is checked against the job's folder when it is
 *   made and again at the merge: when another job changed that key since this job restored it, the other job's
 *   value is kept and this job's change to the key is dropped (with a note in the log), as a compare-and-swap that
 *   lost would have been.
 * - GitHub scopes caches by branch: a pull request's run reads its own entries, then its base branch's and the
 *   default branch's; what it saves is visible to that pull request only.
 * - A fault of the cache service (down, denied, not on a runner) is a warning: the store goes on as a local
 *   folder that starts empty and is not saved. It never fails the step.
 */
export class GitHubCacheStore implements Store {
  readonly description: string;
  readonly name: string;
  /** The folder that is archived; the DirStore root. */
  readonly folder: string;
  private readonly files: DirStore;
  private readonly base: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly log: StoreLog;
  private readonly libraryOutput: 'stdout' | 'stderr';
  private restoring?: Promise<void>;
  private dirty = false;
  /** What this process changed, to merge into the newest entry at flush: key -> written or deleted. */
  private readonly changes = new Map<string, 'write' | 'delete'>();
  /** Keys changed only by conditional writes -> the version they had when this job first changed them. */
  private readonly conditional = new Map<string, string | undefined>();
  private unavailableWarned = false;

  constructor(spec: string, options: GitHubCacheStoreOptions = {}) {
    this.name = parseGitHubCacheSpec(spec);
    this.description =
      this.name === DEFAULT_GITHUB_CACHE_NAME ? GITHUB_CACHE_SPEC : `${GITHUB_CACHE_SPEC}:${this.name}`;
    this.env = options.env ?? process.env;
    const log = options.log ?? stderrLog;
    // Every warning of this store is a fault of it: noted for the step's summary and for store-required.
    this.log = {
      info: (message) => log.info(message),
      warning: (message) => {
        const named = `${message} (cache service: ${this.env.ACTIONS_RESULTS_URL || 'not configured'})`;
        recordStoreFault(this.description, named);
        log.warning(named);
      },
    };
    this.libraryOutput = options.libraryOutput ?? 'stdout';
    this.base = join(this.env.RUNNER_TEMP || tmpdir(), 'ci-optimizer', 'github-cache', this.name);
    this.folder = join(this.base, 'files');
    this.files = new DirStore(this.folder);
  }

  /** Keys of this store's entries start with this; the newest of them is restored. */
  get keyPrefix(): string {
    // '/' cannot occur in a name, so no family's prefix is the start of another's ('a/' vs 'a-b/').
    return `ci-optimizer-store/${this.name}/`;
  }

  async read(key: string): Promise<Buffer | undefined> {
    await this.restoreOnce();
    return this.files.read(key);
  }

  async write(key: string, data: Buffer | string): Promise<void> {
    await this.restoreOnce();
    await this.files.write(key, data);
    this.changes.set(key, 'write');
    this.conditional.delete(key);
    this.dirty = true;
  }

  async readVersioned(key: string): Promise<StoredValue | undefined> {
    await this.restoreOnce();
    return this.files.readVersioned(key);
  }

  async writeIf(key: string, data: Buffer | string, expected: string | undefined): Promise<boolean> {
    await this.restoreOnce();
    const written = await this.files.writeIf(key, data, expected);
    if (!written) return false;
    if (!this.changes.has(key)) this.conditional.set(key, expected);
    this.changes.set(key, 'write');
    this.dirty = true;
    return true;
  }

  async list(prefix = ''): Promise<StoreEntry[]> {
    await this.restoreOnce();
    return this.files.list(prefix);
  }

  async delete(key: string): Promise<void> {
    await this.restoreOnce();
    await this.files.delete(key);
    this.changes.set(key, 'delete');
    this.conditional.delete(key);
    this.dirty = true;
  }

  /**
   * Merges what this process changed into the family's newest entry and saves that as the next entry of the
   * sequence, retrying when another job took the number first (see the class comment); faults are warnings.
   */
  async flush(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    if (!this.serviceAvailable('saved')) return;
    let key = '';
    try {
      let lastSeen = -1;
      let sameSeen = 0;
      for (let attempt = 1; attempt <= MAX_SAVE_ATTEMPTS; attempt++) {
        const staging = join(this.base, `merge-${process.pid}-${randomBytes(4).toString('hex')}`);
        try {
          const newest = await this.restoreNewestInto(staging);
          // A number taken but never finalized (a job that died mid-save) would block the family: after a few
          // tries that see no newer entry, step over it.
          sameSeen = newest.sequence === lastSeen ? sameSeen + 1 : 0;
          lastSeen = newest.sequence;
          const next = newest.sequence + 1 + (sameSeen >= STALE_AFTER ? sameSeen - STALE_AFTER + 1 : 0);
          this.mergeChangesInto(join(staging, LIBRARY_PATH));
          key = `${this.keyPrefix}${String(next).padStart(SEQUENCE_DIGITS, '0')}`;
          const { value: cacheId, problems } = await this.callLibrary(staging, (cache) =>
            cache.saveCache([LIBRARY_PATH], key),
          );
          if (cacheId !== -1 && problems.length === 0) {
            this.log.info(
              `Saved the store '${this.description}' to the GitHub cache as '${key}'${attempt > 1 ? ` (attempt ${attempt}: other jobs saved first, their changes are kept)` : ''}.`,
            );
            return;
          }
          if (!problems.some((problem) => TAKEN.test(problem))) {
            this.log.warning(
              `The store '${this.description}' was not saved to the GitHub cache as '${key}'` +
                `${problems.length > 0 ? `: ${problems.join('; ')}` : ' (the service did not accept the entry)'}. ` +
                'The next run starts from the previous entry.',
            );
            return;
          }
        } finally {
          rmSync(staging, { recursive: true, force: true });
        }
        // Another job took the number: wait a little (more each time, with jitter) and merge again.
        await new Promise((done) => setTimeout(done, Math.min(5_000, 200 * attempt) + Math.floor(Math.random() * 300)));
      }
      this.log.warning(
        `The store '${this.description}' was not saved to the GitHub cache: other jobs took ${MAX_SAVE_ATTEMPTS} entry numbers in a row (last tried '${key}'). This run's changes are not kept.`,
      );
    } catch (error) {
      this.log.warning(
        `The store '${this.description}' was not saved to the GitHub cache${key ? ` as '${key}'` : ''}: ${errorMessage(error)}. The next run starts from the previous entry.`,
      );
    }
  }

  /** Restores the family's newest entry into `dir/files`; its sequence number (0: none or an older key format). */
  private async restoreNewestInto(dir: string): Promise<{ sequence: number }> {
    mkdirSync(join(dir, LIBRARY_PATH), { recursive: true });
    const { value, problems } = await this.callLibrary(dir, (cache) =>
      cache.restoreCache([LIBRARY_PATH], `${this.keyPrefix}latest`, [this.keyPrefix]),
    );
    if (problems.length > 0)
      throw new Error(`the newest entry could not be restored to merge into: ${problems.join('; ')}`);
    mkdirSync(join(dir, LIBRARY_PATH), { recursive: true });
    const tail = value?.slice(this.keyPrefix.length) ?? '';
    return { sequence: /^\d+$/.test(tail) ? Number(tail) : 0 };
  }

  /**
   * Applies this process's writes and deletes to a restored copy of the folder. A key written only conditionally is
   * left as the other job wrote it when its version there is no longer the one this job started from.
   */
  private mergeChangesInto(folder: string): void {
    for (const [key, change] of this.changes) {
      const target = join(folder, ...key.split('/'));
      const source = join(this.folder, ...key.split('/'));
      if (this.conditional.has(key)) {
        const theirs = existsSync(target) ? versionOf(readFileSync(target)) : undefined;
        if (theirs !== this.conditional.get(key)) {
          this.log.info(
            `Another job changed '${key}' in the store '${this.description}' since this job read it: its value is kept, this job's conditional write of it is dropped.`,
          );
          continue;
        }
      }
      if (change === 'delete' || !existsSync(source)) {
        rmSync(target, { force: true });
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(source, target);
    }
  }

  private restoreOnce(): Promise<void> {
    this.restoring ??= this.restore();
    return this.restoring;
  }

  private async restore(): Promise<void> {
    const marker = join(this.base, 'restored.json');
    if (existsSync(marker)) return;
    // The marker is written whatever happens: a later step that retried a failed restore would replace the files
    // the job's earlier steps wrote.
    rmSync(this.folder, { recursive: true, force: true });
    mkdirSync(this.folder, { recursive: true });
    let restoredKey: string | undefined;
    if (this.serviceAvailable('restored')) {
      try {
        const primaryKey = `${this.keyPrefix}latest`;
        const { value, problems } = await this.callLibrary(this.base, (cache) =>
          cache.restoreCache([LIBRARY_PATH], primaryKey, [this.keyPrefix]),
        );
        restoredKey = value;
        if (problems.length > 0) {
          restoredKey = undefined;
          rmSync(this.folder, { recursive: true, force: true }); // a download or extraction cut short
          this.log.warning(
            `The store '${this.description}' could not be restored from the GitHub cache: ${problems.join('; ')}. It starts empty.`,
          );
        } else if (value === undefined) {
          this.log.info(
            `The GitHub cache has no entry for the store '${this.description}' yet (keys '${this.keyPrefix}*'); it starts empty.`,
          );
        } else {
          this.log.info(`Restored the store '${this.description}' from the GitHub cache entry '${value}'.`);
        }
      } catch (error) {
        rmSync(this.folder, { recursive: true, force: true });
        this.log.warning(
          `The store '${this.description}' could not be restored from the GitHub cache: ${errorMessage(error)}. It starts empty.`,
        );
      }
      mkdirSync(this.folder, { recursive: true });
    }
    writeFileSync(marker, `${JSON.stringify({ key: restoredKey ?? null, at: new Date().toISOString() })}\n`);
  }

  private serviceAvailable(what: 'restored' | 'saved'): boolean {
    const missing = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'].filter((name) => !this.env[name]);
    if (missing.length === 0) return true;
    if (!this.unavailableWarned) {
      this.unavailableWarned = true;
      this.log.warning(
        `The store '${this.description}' cannot reach the GitHub cache: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set ` +
          '(the runner gives them to JavaScript actions only, not to run: steps or a local shell). ' +
          `It works as a local folder this time and is not ${what === 'restored' ? 'restored or ' : ''}saved.`,
      );
    }
    return false;
  }

  /**
   * Calls @actions/cache (loaded on first use, so actions that never use this store do not pay for it) from this
   * store's own folder, and collects the problems it reports through @actions/core.
   *
   * The library hashes the path text it is given into the entry's version (a lookup only sees its own version),
   * resolves relative paths against the working directory (refusing '..') and roots the archive at
   * GITHUB_WORKSPACE. Working in the store's folder with the path `files` keeps both the version and the paths in
   * the archive the same on every runner, wherever its RUNNER_TEMP and workspace are. The call is the only thing
   * the store awaits while they are changed, and both are put back before it returns.
   */
  private async callLibrary<T>(
    dir: string,
    call: (cache: typeof import('@actions/cache')) => Promise<T>,
  ): Promise<{ value: T; problems: string[] }> {
    const cache = await import('@actions/cache');
    const cwd = process.cwd();
    const workspace = process.env.GITHUB_WORKSPACE;
    mkdirSync(join(dir, LIBRARY_PATH), { recursive: true });
    process.chdir(dir);
    process.env.GITHUB_WORKSPACE = dir;
    const capture = captureLibraryOutput(this.libraryOutput);
    try {
      const value = await call(cache);
      return { value, problems: capture.problems };
    } finally {
      capture.stop();
      process.chdir(cwd);
      if (workspace === undefined) delete process.env.GITHUB_WORKSPACE;
      else process.env.GITHUB_WORKSPACE = workspace;
    }
  }
}

const stderrLog: StoreLog = {
  info: (message) => process.stderr.write(`${message}\n`),
  warning: (message) => process.stderr.write(`warning: ${message}\n`),
};

/**
 * @actions/cache reports through @actions/core, which writes workflow commands to stdout. While it runs, its
 * warnings and errors (and its 'Failed to ...' notes) are taken out of the log and returned, so the store reports
 * one warning with the cause instead of an error annotation; the rest goes to the runner's log, or to stderr for
 * the CLI, whose stdout carries its JSON.
 */
function captureLibraryOutput(target: 'stdout' | 'stderr'): { problems: string[]; stop(): void } {
  const problems: string[] = [];
  const original = process.stdout.write;
  const forward = (text: string) =>
    target === 'stdout' ? original.call(process.stdout, text) : process.stderr.write(text);
  let pending = '';
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
      const line = pending.slice(0, newline + 1);
      pending = pending.slice(newline + 1);
      const text = line.trimEnd();
      const problem =
        /^::(?:warning|error)(?: [^:]*)?::(.*)$/.exec(text) ?? /^(Failed to (?:save|restore): .*)$/.exec(text);
      // A refused reservation is reported without its cause, which only the debug log has.
      const cause = /^::debug::(Failed to reserve cache: .*)$/.exec(text);
      if (problem) problems.push(unescapeCommand(problem[1]));
      if (cause) problems.push(unescapeCommand(cause[1]));
      if (problem) continue;
      if (target === 'stdout' || !/^::(?:debug|add-mask)::/.test(line)) forward(line);
    }
    const callback = rest.find((item) => typeof item === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  return {
    problems,
    stop() {
      process.stdout.write = original;
      if (pending !== '') forward(pending);
    },
  };
}

function unescapeCommand(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, ' ').replace(/%25/g, '%');
}
