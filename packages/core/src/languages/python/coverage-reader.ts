import { open, readFile } from 'node:fs/promises';
import { UserError } from '../../errors/index.ts';

/** Per-test coverage as coverage.py recorded it: measured file -> context -> executed lines (sorted). */
export interface CoverageContexts {
  format: 'coverage-json' | 'coverage-sqlite';
  /** `coverage.py 7.4.0`, for the map's provenance. */
  tool: string;
  files: Map<string, Map<string, number[]>>;
  /** Distinct contexts seen, the empty one (import and collection time) included. */
  contextCount: number;
  /** Entries the reader could not use, by reason (a malformed line entry, an arc without lines...). */
  skipped: Map<string, number>;
}

/** Adds `n` to a reason's count. */
export function countSkip(skipped: Map<string, number>, reason: string, n = 1): void {
  if (n > 0) skipped.set(reason, (skipped.get(reason) ?? 0) + n);
}

const HOW_TO_PRODUCE =
  'Produce it with `pytest --cov=<package> --cov-context=test` (pytest-cov) and pass the `.coverage` file, or ' +
  'run `coverage json --show-contexts -o coverage.json` afterwards and pass that.';

/** Reads per-test coverage from a `.coverage` SQLite file or a `coverage json --show-contexts` report. */
export async function readCoverageContexts(path: string): Promise<CoverageContexts> {
  let head: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      head = Buffer.alloc(16);
      await handle.read(head, 0, 16, 0);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new UserError(`Coverage file '${path}' cannot be read (${(error as Error).message}). ${HOW_TO_PRODUCE}`);
  }
  if (head.toString('latin1').startsWith('SQLite format 3')) return readCoverageSqlite(path);
  return parseCoverageJson(await readFile(path, 'utf8'), path);
}

/** Parses coverage.py's JSON report; it must carry contexts (`--show-contexts`). */
export function parseCoverageJson(text: string, where: string): CoverageContexts {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(`Coverage file '${where}' is not valid JSON (${(error as Error).message}). ${HOW_TO_PRODUCE}`);
  }
  const report = parsed as { meta?: { version?: unknown; show_contexts?: unknown }; files?: unknown };
  if (
    typeof report !== 'object' ||
    report === null ||
    typeof report.files !== 'object' ||
    report.files === null ||
    Array.isArray(report.files)
  ) {
    throw new UserError(
      `Coverage file '${where}' is not a coverage.py JSON report (no 'files' object). ${HOW_TO_PRODUCE}`,
    );
  }
  const files = new Map<string, Map<string, number[]>>();
  const contexts = new Set<string>();
  const skipped = new Map<string, number>();
  for (const [file, entry] of Object.entries(report.files as Record<string, unknown>)) {
    // coverage.py 7.5+ (format 3) repeats the contexts under `functions` and `classes`; the file's own map has them all.
    const byLine = (entry as { contexts?: unknown } | null)?.contexts;
    if (typeof byLine !== 'object' || byLine === null || Array.isArray(byLine)) {
      throw new UserError(
        `Coverage file '${where}' has no per-line contexts for '${file}': it was written without --show-contexts ` +
          `or recorded without test contexts. ${HOW_TO_PRODUCE}`,
      );
    }
    const byContext = new Map<string, number[]>();
    for (const [lineText, names] of Object.entries(byLine as Record<string, unknown>)) {
      const line = Number(lineText);
      // Line 0 is how coverage.py records that a module without statements (an empty __init__.py) ran.
      if (!/^\d+$/.test(lineText) || !Number.isSafeInteger(line) || !Array.isArray(names)) {
        countSkip(skipped, 'line entries that are not a line number with a list of contexts');
        continue;
      }
      for (const name of names as unknown[]) {
        if (typeof name !== 'string') {
          countSkip(skipped, 'context names that are not strings');
          continue;
        }
        contexts.add(name);
        const lines = byContext.get(name);
        if (lines) lines.push(line);
        else byContext.set(name, [line]);
      }
    }
    for (const lines of byContext.values()) lines.sort((a, b) => a - b);
    files.set(file, byContext);
  }
  const version = safeVersion(report.meta?.version);
  return { format: 'coverage-json', tool: `coverage.py ${version}`, files, contextCount: contexts.size, skipped };
}

/** The recorded coverage.py version when it looks like one (it reaches summaries), else 'unknown'. */
const safeVersion = (value: unknown): string =>
  typeof value === 'string' && /^[\w.+-]{1,40}$/.test(value) ? value : 'unknown';

/** Lines set in a coverage.py "numbits" blob: bit j of byte i is line 8*i + j. */
export function decodeNumbits(numbits: Uint8Array): number[] {
  const lines: number[] = [];
  for (let i = 0; i < numbits.length; i++) {
    const byte = numbits[i];
    if (byte === 0) continue;
    for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) lines.push(i * 8 + bit);
  }
  return lines;
}

interface SqliteModule {
  DatabaseSync: new (
    path: string,
    options?: { readOnly?: boolean },
  ) => {
    prepare(sql: string): { all(...params: unknown[]): Record<string, unknown>[] };
    close(): void;
  };
}

/** Reads the `.coverage` SQLite database through Node's built-in `node:sqlite` (line bits or arcs). */
export async function readCoverageSqlite(path: string): Promise<CoverageContexts> {
  let sqlite: SqliteModule;
  try {
    sqlite = (await import('node:sqlite')) as unknown as SqliteModule;
  } catch {
    throw new UserError(
      `Coverage file '${path}' is a SQLite database, which needs Node 22.5 or newer (node:sqlite). ` +
        'Convert it with `coverage json --show-contexts -o coverage.json` and pass that instead.',
    );
  }
  let db: InstanceType<SqliteModule['DatabaseSync']>;
  try {
    db = new sqlite.DatabaseSync(path, { readOnly: true });
  } catch (error) {
    throw new UserError(
      `Coverage file '${path}' cannot be opened as SQLite (${(error as Error).message}). ${HOW_TO_PRODUCE}`,
    );
  }
  try {
    const tables = new Set(
      db
        .prepare("select name from sqlite_master where type = 'table'")
        .all()
        .map((row) => String(row.name)),
    );
    if (!tables.has('file') || !tables.has('context') || (!tables.has('line_bits') && !tables.has('arc'))) {
      throw new UserError(
        `Coverage file '${path}' is SQLite but not a coverage.py data file (tables: ${[...tables].join(', ') || 'none'}). ${HOW_TO_PRODUCE}`,
      );
    }
    const skipped = new Map<string, number>();
    const fileNames = new Map(
      db
        .prepare('select id, path from file')
        .all()
        .map((row) => [Number(row.id), String(row.path)]),
    );
    const contextNames = new Map(
      db
        .prepare('select id, context from context')
        .all()
        .map((row) => [Number(row.id), String(row.context ?? '')]),
    );
    const meta = tables.has('meta')
      ? new Map(
          db
            .prepare('select key, value from meta')
            .all()
            .map((row) => [String(row.key), String(row.value)]),
        )
      : new Map();
    const files = new Map<string, Map<string, number[]>>();
    const linesOf = (fileId: number, contextId: number) => {
      const file = fileNames.get(fileId);
      if (file === undefined) {
        countSkip(skipped, 'rows of a file id the file table does not have');
        return undefined;
      }
      let byContext = files.get(file);
      if (!byContext) files.set(file, (byContext = new Map()));
      const context = contextNames.get(contextId) ?? '';
      let lines = byContext.get(context);
      if (!lines) byContext.set(context, (lines = []));
      return lines;
    };
    if (tables.has('line_bits')) {
      for (const row of db.prepare('select file_id, context_id, numbits from line_bits').all()) {
        const lines = linesOf(Number(row.file_id), Number(row.context_id));
        if (!lines) continue;
        if (!(row.numbits instanceof Uint8Array)) {
          countSkip(skipped, 'line_bits rows without a numbits blob');
          continue;
        }
        for (const line of decodeNumbits(row.numbits)) lines.push(line);
      }
    }
    if (tables.has('arc')) {
      // coverage.py derives executed lines from arcs the same way: every positive end of a recorded arc (negative
      // numbers are entries to and exits from a code object starting at that line).
      const seen = new Map<number[], Set<number>>();
      for (const row of db.prepare('select file_id, context_id, fromno, tono from arc').all()) {
        const lines = linesOf(Number(row.file_id), Number(row.context_id));
        if (!lines) continue;
        let set = seen.get(lines);
        if (!set) seen.set(lines, (set = new Set(lines)));
        for (const line of [Number(row.fromno), Number(row.tono)]) {
          if (line > 0 && !set.has(line)) {
            set.add(line);
            lines.push(line);
          }
        }
      }
    }
    for (const byContext of files.values()) for (const lines of byContext.values()) lines.sort((a, b) => a - b);
    return {
      format: 'coverage-sqlite',
      tool: `coverage.py ${safeVersion(meta.get('version'))}`,
      files,
      contextCount: contextNames.size,
      skipped,
    };
  } finally {
    db.close();
  }
}
