import { createHash, randomBytes } from 'node:crypto';
import type { Store } from './store.ts';

/**
 * An append-only log of records (one run's history line, one report run, ...) in a store, safe when many jobs
 * append at once on any backend, without conditional writes:
 *
 * - An append writes the record as an object of its own, `<area>/pending/<digest of its id>.json`. No two writers
 *   touch the same object unless they append the same record (same id), and then either copy is the record.
 * - Compaction folds the pending objects and the segments into one new segment `<area>/segments/<time>-<random>.jsonl`
 *   and then deletes exactly the objects it read. Whatever it deletes is already in the segment it wrote, so two
 *   compactions at once (or a compaction racing an append) never lose a record; at worst a record is in two
 *   segments for a while, and readers keep one copy per id.
 * - Every line is validated on read. A line that is not JSON, has the wrong shape or a newer schema is skipped and
 *   counted; compaction keeps newer-schema lines verbatim (a newer version of the action wrote them) and drops the
 *   rest.
 *
 * Readers parse segment by segment and line by line from bytes, so no single string grows with the history.
 */
export interface RecordLogSpec<T> {
  /** The folder of the log in the store, e.g. `test-predictor/history`. */
  area: string;
  /** A single JSON Lines file that older versions appended to; read, and folded in by the next compaction. */
  legacyKey?: string;
  /** The newest schema this version reads. */
  maxSchema: number;
  /** The reason a parsed line is not a record of this log, or undefined when it is one. */
  validate(value: unknown): string | undefined;
  /** The record's identity: a record appended twice is kept once. */
  idOf(record: T): string;
  /** The order of the log (ISO time); ties keep the id order. */
  timeOf(record: T): string;
}

export interface SkippedLine {
  /** Store key of the object the line is in. */
  key: string;
  /** 1-based line number in that object. */
  line: number;
  reason: string;
  /** The line's schema is newer than this version reads (kept by compaction). */
  newer: boolean;
}

export interface RecordLogContent<T> {
  /** The records, oldest first, one per id. */
  records: T[];
  skipped: SkippedLine[];
}

/** What one object of the log held, parsed: its records (with the bytes of their lines) and skipped lines in line order. */
interface ParsedObject<T> {
  records: T[];
  /** The line each record was parsed from (same index), which a compaction writes again as it is. */
  lines: Buffer[];
  skipped: Omit<SkippedLine, 'key'>[];
  newerLines: Buffer[];
}

/**
 * The segments a read parsed, by key. A segment is written once under a unique name and never changed (compaction
 * writes new ones and deletes the old), so a compaction in the same process can take them from here instead of
 * reading and parsing them again; pending objects and the legacy file are always read again. The records a read
 * returns are not changed by its caller (a compaction writes a kept record's line as it was read).
 */
export type RecordLogSnapshot<T> = ReadonlyMap<string, ParsedObject<T>>;

interface ReadOutcome<T> extends RecordLogContent<T> {
  /** The objects read (to delete after a compaction). */
  keys: string[];
  /** Newer-schema lines, verbatim. */
  newerLines: Buffer[];
  /** Each record's line as read (valid JSON of that record), so compaction need not serialise it again. */
  lineOf: Map<T, Buffer>;
  snapshot: Map<string, ParsedObject<T>>;
  /** The segments read, with their listed sizes, when the log was read from segments alone (see readRecordLog). */
  segmentsOnly?: { key: string; size: number }[];
}

const NEWLINE = Buffer.from('\n');
const PENDING = 'pending';
const SEGMENTS = 'segments';
/** A compacted segment is cut into objects of at most this many bytes (one record may be larger). */
const SEGMENT_BYTES = 32 * 1024 * 1024;

/** The key a record's own object gets: by its id, so the same record appended twice is one object. */
export function pendingKey(area: string, id: string): string {
  return `${area}/${PENDING}/${createHash('sha256').update(id).digest('hex').slice(0, 32)}.json`;
}

/**
 * Appends one record as its own object. Returns 'exists' without writing when a record with the same id is
 * already in `known` (the caller's fresh read of the log).
 */
export async function appendRecord<T>(
  store: Store,
  spec: RecordLogSpec<T>,
  record: T,
  known?: readonly T[],
): Promise<'added' | 'exists'> {
  const id = spec.idOf(record);
  if (known?.some((other) => spec.idOf(other) === id)) return 'exists';
  const problem = spec.validate(record);
  if (problem) throw new Error(`refusing to store an invalid record: ${problem}`);
  await store.write(pendingKey(spec.area, id), `${JSON.stringify(record)}\n`);
  return 'added';
}

/** The key of a segment: written once under it and never changed (its time, a random tag and its part number). */
function segmentKey(area: string, stamp: string, tag: string, part: number): string {
  return `${area}/${SEGMENTS}/${stamp}-${tag}-${String(part).padStart(4, '0')}.jsonl`;
}

/** The time part of a new segment's key: keys of later segments sort after it (the store lists keys in order). */
function segmentStamp(): string {
  return new Date().toISOString().replace(/[-:.]/g, '');
}

/**
 * Appends one record as a segment of its own, under a new key, and returns the key and size written: for an append
 * that is not compacted now, so the log stays made of segments alone (what a stored summary naming its segments can
 * describe). As safe as appendRecord when jobs append at once: no two writers touch the same object, and readers
 * and compactions treat it as any other segment (one copy per id). The caller checks the id is not in the log.
 */
export async function appendSegment<T>(
  store: Store,
  spec: RecordLogSpec<T>,
  record: T,
): Promise<{ key: string; size: number }> {
  const problem = spec.validate(record);
  if (problem) throw new Error(`refusing to store an invalid record: ${problem}`);
  const data = Buffer.from(`${JSON.stringify(record)}\n`);
  const key = segmentKey(spec.area, segmentStamp(), randomBytes(6).toString('hex'), 0);
  await store.write(key, data);
  return { key, size: data.length };
}

/**
 * Reads the log: segments, pending records and the legacy file, validated, one record per id, oldest first. The
 * snapshot lets a compaction of the same store right after (compactRecordLog) skip the segments read here.
 */
export async function readRecordLog<T>(
  store: Store,
  spec: RecordLogSpec<T>,
): Promise<
  RecordLogContent<T> & {
    snapshot: RecordLogSnapshot<T>;
    /**
     * When the records came from segments alone (no pending object, no legacy file, every listed segment read): the
     * segments with their listed sizes, which name this content (a segment is never changed); else undefined.
     */
    segmentsOnly?: { key: string; size: number }[];
  }
> {
  const { records, skipped, snapshot, segmentsOnly } = await readAll(store, spec);
  return { records, skipped, snapshot, ...(segmentsOnly ? { segmentsOnly } : {}) };
}

function parseObject<T>(data: Buffer, spec: RecordLogSpec<T>): ParsedObject<T> {
  const parsedObject: ParsedObject<T> = { records: [], lines: [], skipped: [], newerLines: [] };
  forEachLine(data, (bytes, line) => {
    const parsed = parseLine(bytes, spec);
    if ('reason' in parsed) {
      parsedObject.skipped.push({ line, reason: parsed.reason, newer: parsed.newer });
      if (parsed.newer) parsedObject.newerLines.push(Buffer.concat([bytes, NEWLINE]));
      return;
    }
    parsedObject.records.push(parsed.record);
    parsedObject.lines.push(bytes);
  });
  return parsedObject;
}

async function readAll<T>(store: Store, spec: RecordLogSpec<T>, reuse?: RecordLogSnapshot<T>): Promise<ReadOutcome<T>> {
  const listing = await store.list(`${spec.area}/`);
  const pending = listing.filter(
    (entry) => entry.key.startsWith(`${spec.area}/${PENDING}/`) && entry.key.endsWith('.json'),
  );
  const segments = listing.filter(
    (entry) => entry.key.startsWith(`${spec.area}/${SEGMENTS}/`) && entry.key.endsWith('.jsonl'),
  );
  // Pending (raw) copies first: where a record is also in a segment, possibly compacted, the raw one is kept.
  const keys = [...pending.map((entry) => entry.key), ...segments.map((entry) => entry.key)];
  if (spec.legacyKey) keys.push(spec.legacyKey);
  const out: ReadOutcome<T> = {
    records: [],
    skipped: [],
    keys: [],
    newerLines: [],
    lineOf: new Map(),
    snapshot: new Map(),
  };
  const segmentKeys = new Set(segments.map((entry) => entry.key));
  const seen = new Set<string>();
  for (const key of keys) {
    let parsedObject = segmentKeys.has(key) ? reuse?.get(key) : undefined;
    if (!parsedObject) {
      const data = await store.read(key);
      // Gone since the listing: a compaction moved it into a segment (read now or on the next read).
      if (data === undefined) continue;
      parsedObject = parseObject(data, spec);
    }
    if (segmentKeys.has(key)) out.snapshot.set(key, parsedObject);
    out.keys.push(key);
    for (const skipped of parsedObject.skipped) out.skipped.push({ key, ...skipped });
    out.newerLines.push(...parsedObject.newerLines);
    const { records, lines } = parsedObject;
    records.forEach((record, index) => {
      const id = spec.idOf(record);
      if (seen.has(id)) return;
      seen.add(id);
      out.records.push(record);
      out.lineOf.set(record, lines[index]);
    });
  }
  if (out.keys.length === segments.length && out.keys.every((key) => segmentKeys.has(key)))
    out.segmentsOnly = segments.map((entry) => ({ key: entry.key, size: entry.size }));
  const order = out.records.map((record, index) => ({ record, index, time: spec.timeOf(record) }));
  order.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.index - b.index));
  out.records = order.map((item) => item.record);
  return out;
}

/** What a compaction wrote: the segments (in order, with their sizes) and how many newer-schema lines it kept. */
export interface CompactedLog {
  objects: number;
  segments: { key: string; size: number }[];
  newerLines: number;
}

/**
 * Folds the pending records and the segments into one new segment, after `shrink` (retention, byte bounds) has
 * had its say, then deletes what it read. Returns the records kept. Safe to run in several jobs at once. `reuse`:
 * the snapshot of a read of this store in this process (readRecordLog), whose segments are not read again.
 */
export async function compactRecordLog<T>(
  store: Store,
  spec: RecordLogSpec<T>,
  shrink: (records: T[]) => T[] = (records) => records,
  reuse?: RecordLogSnapshot<T>,
): Promise<RecordLogContent<T> & CompactedLog> {
  const read = await readAll(store, spec, reuse);
  const kept = shrink(read.records);
  // A record kept as read is written as the line it was read from (the same JSON value), not serialised again; the
  // line and its newline are copied once, into the segment.
  const lineOf = (record: T): Buffer[] => {
    const line = read.lineOf.get(record);
    return line ? [line, NEWLINE] : [Buffer.from(`${JSON.stringify(record)}\n`)];
  };
  const lines: Buffer[][] = [...read.newerLines.map((line) => [line]), ...kept.map(lineOf)];
  const written: string[] = [];
  const segments: CompactedLog['segments'] = [];
  const stamp = segmentStamp();
  const tag = randomBytes(6).toString('hex');
  let part: Buffer[] = [];
  let size = 0;
  const flush = async () => {
    if (part.length === 0) return;
    const key = segmentKey(spec.area, stamp, tag, written.length);
    const data = Buffer.concat(part);
    await store.write(key, data);
    written.push(key);
    segments.push({ key, size: data.length });
    part = [];
    size = 0;
  };
  for (const pieces of lines) {
    const length = pieces.reduce((sum, piece) => sum + piece.length, 0);
    if (size > 0 && size + length > SEGMENT_BYTES) await flush();
    part.push(...pieces);
    size += length;
  }
  await flush();
  const keep = new Set(written);
  for (const key of read.keys) if (!keep.has(key)) await store.delete(key);
  return {
    records: kept,
    skipped: read.skipped.filter((line) => !line.newer),
    objects: written.length,
    segments,
    newerLines: read.newerLines.length,
  };
}

/** Calls `visit` with each non-blank line's bytes and its 1-based number, without decoding the whole buffer. */
function forEachLine(data: Buffer, visit: (line: Buffer, number: number) => void): void {
  let start = 0;
  let number = 0;
  while (start <= data.length) {
    let end = data.indexOf(0x0a, start);
    if (end < 0) end = data.length;
    number++;
    const line = data.subarray(start, end);
    if (!isBlank(line)) visit(line, number);
    start = end + 1;
  }
}

function isBlank(line: Buffer): boolean {
  for (const byte of line) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  return true;
}

function parseLine<T>(bytes: Buffer, spec: RecordLogSpec<T>): { record: T } | { reason: string; newer: boolean } {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { reason: `not JSON (${(error as Error).message.split('\n')[0]})`, newer: false };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { reason: 'not a JSON object', newer: false };
  const schema = (value as { schema?: unknown }).schema;
  if (typeof schema !== 'number' || !Number.isInteger(schema))
    return { reason: "no integer 'schema' field", newer: false };
  if (schema > spec.maxSchema) {
    return {
      reason: `schema ${schema} is newer than this version reads (up to ${spec.maxSchema}); upgrade the action`,
      newer: true,
    };
  }
  const problem = spec.validate(value);
  if (problem) return { reason: problem, newer: false };
  return { record: value as T };
}

/** One warning for all skipped lines of a log: how many, and the first few with where and why. */
export function describeSkipped(store: Store, area: string, skipped: readonly SkippedLine[]): string | undefined {
  if (skipped.length === 0) return undefined;
  const shown = skipped
    .slice(0, 3)
    .map((line) => `${line.key} line ${line.line}: ${truncate(line.reason, 200)}`)
    .join('; ');
  return (
    `${skipped.length} unusable line(s) in ${store.description}/${area} skipped (${shown}` +
    `${skipped.length > 3 ? `; and ${skipped.length - 3} more` : ''}). The rest of the history is used.`
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
