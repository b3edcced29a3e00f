// The parts of GitHub's dependency caching that decide hit rates, modelled from its documentation:
// - actions/cache lookup: in each scope in turn (the run's ref, then the base branch, then the default branch),
//   an exact match of `key`, then the newest entry whose key starts with `key`, then each restore key in order
//   (newest prefix match); only entries of the same cache "version" (a hash of the paths and compression) count.
// - keys are immutable: saving a key that exists in the scope is refused; actions/cache saves only when the
//   primary key was not an exact hit.
// - entries unused for 7 days are evicted; above 10 GB per repository the least recently used go first.
// - the runner's hashFiles(): sha256 over the sha256 digests of the matched files, '' when none match.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const DAY_MS = 86_400_000;

/** The in-memory cache service of one repository. */
export class ActionsCacheModel {
  constructor({ maxBytes = 10 * 1024 ** 3, maxIdleMs = 7 * DAY_MS } = {}) {
    this.entries = [];
    this.maxBytes = maxBytes;
    this.maxIdleMs = maxIdleMs;
    this.seq = 0;
    this.refusedSaves = 0;
    this.evicted = 0;
    /** Every entry ever saved, evicted or not, to tell why a miss happened. */
    this.saved = [];
  }

  /**
   * Why a lookup missed: 'none' when no compatible cache (by `compatible(meta)`) was ever saved in the scopes,
   * 'evicted' when all of those were evicted, 'key' when one was there but the keys did not reach it.
   */
  missCause(scopes, compatible) {
    const candidates = this.saved.filter((entry) => scopes.includes(entry.scope) && compatible(entry.meta));
    if (candidates.length === 0) return 'none';
    return candidates.some((entry) => this.entries.includes(entry)) ? 'key' : 'evicted';
  }

  /** Drops entries unused for longer than the idle limit (run before each workflow run). */
  expire(now) {
    const before = this.entries.length;
    this.entries = this.entries.filter((entry) => now - entry.lastUsed <= this.maxIdleMs);
    this.evicted += before - this.entries.length;
  }

  /**
   * Looks up `key` then `restoreKeys` scope by scope. Returns { entry, matchedKey, outcome } where outcome is
   * 'exact' | 'partial' | 'miss'.
   */
  restore({ key, restoreKeys, version, scopes, now }) {
    for (const scope of scopes) {
      const candidates = this.entries.filter((entry) => entry.scope === scope && entry.version === version);
      const exact = candidates.find((entry) => entry.key === key);
      const found = exact ?? newestWithPrefix(candidates, key) ?? firstRestoreKeyMatch(candidates, restoreKeys);
      if (found) {
        found.lastUsed = now;
        return { entry: found, matchedKey: found.key, outcome: found.key === key ? 'exact' : 'partial' };
      }
    }
    return { entry: undefined, matchedKey: '', outcome: 'miss' };
  }

  /** Saves an entry; false when the key already exists in that scope (the service refuses to reserve it). */
  save({ key, version, scope, now, size, meta }) {
    if (this.entries.some((entry) => entry.key === key && entry.version === version && entry.scope === scope)) {
      this.refusedSaves += 1;
      return false;
    }
    const entry = { key, version, scope, created: now, seq: this.seq++, lastUsed: now, size, meta };
    this.entries.push(entry);
    this.saved.push(entry);
    this.enforceSize();
    return true;
  }

  enforceSize() {
    let total = this.entries.reduce((sum, entry) => sum + entry.size, 0);
    if (total <= this.maxBytes) return;
    const byAge = [...this.entries].sort((a, b) => a.lastUsed - b.lastUsed || a.seq - b.seq);
    const drop = new Set();
    for (const entry of byAge) {
      if (total <= this.maxBytes) break;
      drop.add(entry);
      total -= entry.size;
    }
    this.entries = this.entries.filter((entry) => !drop.has(entry));
    this.evicted += drop.size;
  }
}

function newest(entries) {
  return entries.reduce((best, entry) => (best === undefined || entry.seq > best.seq ? entry : best), undefined);
}

function newestWithPrefix(entries, prefix) {
  return newest(entries.filter((entry) => entry.key.startsWith(prefix)));
}

function firstRestoreKeyMatch(entries, restoreKeys) {
  for (const prefix of restoreKeys) {
    const found = newestWithPrefix(entries, prefix);
    if (found) return found;
  }
  return undefined;
}

/** actions/cache's cache version: the paths and the compression method (and a Windows-only flag, unused here). */
export function cacheVersionOf(paths, compression = 'zstd') {
  return createHash('sha256')
    .update([...paths, compression].join('|'))
    .digest('hex');
}

/** The runner's hashFiles() over files matching `match(relativePath)`, walked in sorted order. */
export function hashFiles(root, match) {
  const files = [];
  const walk = (rel) => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (entry.name !== '.git') walk(path);
      } else if (match(path)) {
        files.push(path);
      }
    }
  };
  walk('');
  if (files.length === 0) return '';
  const result = createHash('sha256');
  for (const file of files)
    result.update(
      createHash('sha256')
        .update(readFileSync(join(root, file)))
        .digest(),
    );
  return result.digest('hex');
}

/** `hashFiles('requirements.txt')`: the root file only. */
export const rootRequirements = (path) => path === 'requirements.txt';
/** `hashFiles('**\/requirements.txt')`: setup-python's default cache-dependency-path for pip. */
export const anyRequirements = (path) => path === 'requirements.txt' || path.endsWith('/requirements.txt');

/**
 * The key scheme of actions/setup-python with `cache: pip` (src/cache-distributions/pip-cache.ts): on Linux
 * `setup-python-${RUNNER_OS}-${arch}-${osVersion}-${osName}-python-${pythonVersion}-pip-${hash}`, elsewhere
 * without the OS version and name; the restore key is the same without the hash. `pythonVersion` is the full
 * version setup-python installed (3.12.7), `hash` is hashFiles of cache-dependency-path (default
 * '**\/requirements.txt', falling back to pyproject.toml).
 */
export function setupPythonPipKeys({ runnerOs, nodeArch, linuxVersion, linuxName, pythonVersion, hash }) {
  const stem =
    runnerOs === 'Linux'
      ? `setup-python-${runnerOs}-${nodeArch}-${linuxVersion}-${linuxName}-python-${pythonVersion}-pip`
      : `setup-python-${runnerOs}-${nodeArch}-python-${pythonVersion}-pip`;
  return { key: `${stem}-${hash}`, restoreKeys: [stem] };
}
