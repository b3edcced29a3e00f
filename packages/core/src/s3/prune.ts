import { parseEntry } from './cache-index.ts';
import type { CallOptions, ObjectInfo, S3ObjectStore } from './objects.ts';

export interface PruneLimits {
  /** Entries older than this (ms since their record was written) are deleted; undefined keeps any age. */
  maxAgeMs?: number;
  /** Oldest entries are deleted until the archives left add up to at most this; undefined keeps any size. */
  maxTotalBytes?: number;
  /** Archives without an entry (a save that lost a race or died before publishing) are deleted after this long. */
  orphanGraceMs?: number;
  /** List what would go, delete nothing. */
  dryRun?: boolean;
  now?: Date;
}

export interface PruneReport {
  entriesKept: number;
  entriesDeleted: number;
  orphansDeleted: number;
  bytesKept: number;
  bytesDeleted: number;
  /** Cache keys deleted, oldest first. */
  deletedKeys: string[];
}

interface StoredEntry {
  version: string;
  key: string;
  record: ObjectInfo;
  archive?: ObjectInfo;
}

// Optionally under a scope (`branch/<name>/`, `pr/<n>/`, `tag/<name>/`, `ref/<ref>/`; see scope.ts).
const ENTRY_OBJECT = /^(?:(?:branch|pr|tag|ref)\/[^/]+\/)?([0-9a-f]{32})\/keys\/(.+)$/;
const ARCHIVE_OBJECT = /^(?:(?:branch|pr|tag|ref)\/[^/]+\/)?([0-9a-f]{32})\/data\/[^/]+$/;
const DEFAULT_ORPHAN_GRACE_MS = 60 * 60 * 1000;

/**
 * Deletes the oldest cache entries, by age and then by total size, like GitHub's cache eviction (which goes by last
 * access; S3 records only the write, so this goes by save time). Only objects in this tool's layout are touched.
 * An entry's record is deleted before its archive, so a reader never finds a record without its archive.
 */
export async function pruneCache(
  store: S3ObjectStore,
  limits: PruneLimits,
  options: CallOptions = {},
): Promise<PruneReport> {
  const now = (limits.now ?? new Date()).getTime();
  const objects = await store.listAll('', options);
  const archives = new Map<string, ObjectInfo>();
  const records: { version: string; key: string; record: ObjectInfo }[] = [];
  for (const object of objects) {
    const entryMatch = ENTRY_OBJECT.exec(object.key);
    if (entryMatch) records.push({ version: entryMatch[1], key: entryMatch[2], record: object });
    else if (ARCHIVE_OBJECT.test(object.key)) archives.set(object.key, object);
  }

  const entries: StoredEntry[] = [];
  const unusable: ObjectInfo[] = [];
  await forEachLimited(records, 8, async ({ version, key, record }) => {
    const bytes = await store.get(record.key, options);
    if (bytes === undefined) return;
    const parsed = parseEntry(bytes, key, version);
    if (typeof parsed === 'string') {
      unusable.push(record);
      return;
    }
    entries.push({ version, key, record, archive: archives.get(parsed.archive) });
  });
  const referenced = new Set(entries.map((entry) => entry.archive?.key).filter(Boolean));

  entries.sort((a, b) => a.record.lastModified.getTime() - b.record.lastModified.getTime());
  const doomed = new Set<StoredEntry>();
  if (limits.maxAgeMs !== undefined) {
    for (const entry of entries) if (now - entry.record.lastModified.getTime() > limits.maxAgeMs) doomed.add(entry);
  }
  const sizeOf = (entry: StoredEntry) => entry.archive?.size ?? 0;
  let total = entries.filter((entry) => !doomed.has(entry)).reduce((sum, entry) => sum + sizeOf(entry), 0);
  if (limits.maxTotalBytes !== undefined) {
    for (const entry of entries) {
      if (total <= limits.maxTotalBytes) break;
      if (doomed.has(entry)) continue;
      doomed.add(entry);
      total -= sizeOf(entry);
    }
  }
  // Entries whose archive is gone can never restore; they only cost a failed download.
  for (const entry of entries) if (!entry.archive) doomed.add(entry);

  const grace = limits.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS;
  const orphans = [...archives.values()].filter(
    (archive) => !referenced.has(archive.key) && now - archive.lastModified.getTime() > grace,
  );
  const staleRecords = unusable.filter((record) => now - record.lastModified.getTime() > grace);

  const doomedEntries = entries.filter((entry) => doomed.has(entry));
  if (!limits.dryRun) {
    await store.deleteMany(
      [...doomedEntries.map((entry) => entry.record.key), ...staleRecords.map((r) => r.key)],
      options,
    );
    await store.deleteMany(
      [...doomedEntries.flatMap((entry) => (entry.archive ? [entry.archive.key] : [])), ...orphans.map((o) => o.key)],
      options,
    );
  }
  const bytesDeleted =
    doomedEntries.reduce((sum, entry) => sum + sizeOf(entry), 0) + orphans.reduce((sum, o) => sum + o.size, 0);
  return {
    entriesKept: entries.length - doomedEntries.length,
    entriesDeleted: doomedEntries.length,
    orphansDeleted: orphans.length,
    bytesKept: total,
    bytesDeleted,
    deletedKeys: doomedEntries.map((entry) => entry.key),
  };
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}
