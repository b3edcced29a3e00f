/** How often a cache is started afresh even when no dependency changed (caches grow with every delta install). */
export const ROTATIONS = ['none', 'daily', 'weekly', 'monthly'] as const;
export type Rotation = (typeof ROTATIONS)[number];

/** Everything a key is made of, most general first. */
export interface KeyParts {
  prefix: string;
  /** Ecosystem ids (`pip`, `npm`); several when one cache holds several tools. */
  tools: string[];
  /** `ubuntu24`, `macos15`, `linux`, ... */
  os: string;
  /** `x64`, `arm64`. */
  arch: string;
  /** Runtime segments (`cpython3.11`, `node20`); empty for ecosystems without one. */
  runtimes: string[];
  cacheVersion: string;
  /** The date bucket when rotating (`2026w46`). */
  bucket?: string;
  hash: string;
}

export interface ComposedKey {
  key: string;
  /** Fallback prefixes, most specific first; every one still pins OS, arch, runtime and cache version. */
  restoreKeys: string[];
}

/**
 * Builds a key and its restore-keys. Segments are joined by `-` and never contain one, and each restore key ends
 * with `-`, so a prefix can only match whole segments: `cpython3.1-` is not a prefix of `cpython3.11-...`.
 *
 * Every segment before the hash is a safety boundary (OS, arch, interpreter, cache version) or a freshness
 * boundary (the rotation bucket), so the only safe fallback is "same everything, any lockfile": one restore key.
 */
export function composeKey(parts: KeyParts): ComposedKey {
  const segments = [
    keyPrefix(parts.prefix),
    parts.tools.map(keySegment).join('+'),
    keySegment(parts.os),
    keySegment(parts.arch),
    parts.runtimes.length > 0 ? parts.runtimes.map(keySegment).join('+') : 'noruntime',
    cacheVersionSegment(parts.cacheVersion),
  ];
  if (parts.bucket) segments.push(keySegment(parts.bucket));
  const stem = `${segments.join('-')}-`;
  return { key: `${stem}${keySegment(parts.hash)}`, restoreKeys: [stem] };
}

/** A value made safe as one key segment: no `-` (the separator), no `,` (actions/cache splits on it), no spaces. */
export function keySegment(value: string): string {
  const cleaned = value.trim().replace(/[^A-Za-z0-9._+]/g, '_');
  return cleaned === '' ? '_' : cleaned;
}

/** The user's prefix may contain dashes (`my-app`); it is the same in every key of a family, so that is safe. */
function keyPrefix(value: string): string {
  const cleaned = value
    .trim()
    .replace(/[^A-Za-z0-9._+-]/g, '_')
    .replace(/-+$/, '');
  return cleaned === '' ? 'deps' : cleaned;
}

/** `2` -> `v2`, `v2` -> `v2`, '' -> `v0`. */
export function cacheVersionSegment(value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') return 'v0';
  return /^v\d/.test(trimmed) ? keySegment(trimmed) : `v${keySegment(trimmed)}`;
}

/** The bucket of `now` (UTC) for a rotation: `d20261115`, `2026w46` (ISO week), `2026m11`; undefined for none. */
export function dateBucket(rotation: Rotation, now: Date): string | undefined {
  const year = now.getUTCFullYear();
  const month = String(now.getUTCMonth() + 1).padStart(2, '0');
  const day = String(now.getUTCDate()).padStart(2, '0');
  switch (rotation) {
    case 'none':
      return undefined;
    case 'daily':
      return `d${year}${month}${day}`;
    case 'monthly':
      return `${year}m${month}`;
    case 'weekly': {
      const { isoYear, week } = isoWeek(now);
      return `${isoYear}w${String(week).padStart(2, '0')}`;
    }
  }
}

/** ISO 8601 week: weeks start on Monday, week 1 holds the year's first Thursday. */
export function isoWeek(date: Date): { isoYear: number; week: number } {
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  const thursday = new Date(day - weekday * 86_400_000 + 3 * 86_400_000);
  const isoYear = thursday.getUTCFullYear();
  const firstThursday = Date.UTC(isoYear, 0, 4);
  const firstWeekday = (new Date(firstThursday).getUTCDay() + 6) % 7;
  const week1Monday = firstThursday - firstWeekday * 86_400_000;
  return { isoYear, week: Math.floor((thursday.getTime() - week1Monday) / (7 * 86_400_000)) + 1 };
}
