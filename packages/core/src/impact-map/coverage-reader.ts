import { open, readFile } from 'node:fs/promises';
import { UserError } from '../errors/index.ts';

/** Per-test coverage as coverage.py recorded it: measured file -> context -> executed lines (sorted). */
export interface CoverageContexts {
  format: 'coverage-json' | 'coverage-sqlite';
  /** `coverage.py 7.4.0`, for the map's provenance. */
  tool: string;
  files: Map<string, Map<string, number[]>>;
  /** Distinct contexts seen, the empty one (import and collection time) included. */
  contextCount: number;
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
  if (typeof report !== 'object' || report === null || typeof report.files !== 'object' || report.files === null || Array.isArray(report.files)) {
    throw new UserError(`Coverage file '${where}' is not a coverage.py JSON report (no 'files' object). ${HOW_TO_PRODUCE}`);
  }
  const files = new Map<string, Map<string, number[]>>();
  const contexts = new Set<string>();
  for (const [file, entry] of Object.entries(report.files as Record<string, unknown>)) {
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
      if (!Number.isInteger(line) || line < 1 || !Array.isArray(names) || names.some((name) => typeof name !== 'string')) {
        throw new UserError(`Coverage file '${where}': '${file}' line '${lineText}' has malformed contexts ${JSON.stringify(names)}. ${HOW_TO_PRODUCE}`);
      }
      for (const name of names as string[]) {
        contexts.add(name);
        const lines = byContext.get(name);
        if (lines) lines.push(line);
        else byContext.set(name, [line]);
      }
    }
    for (const lines of byContext.values()) lines.sort((a, b) => a - b);
    files.set(file, byContext);
  }
  const version = typeof report.meta?.version === 'string' ? report.meta.version : 'unknown';
  return { format: 'coverage-json', tool: `coverage.py ${version}`, files, contextCount: contexts.size };
}

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
  DatabaseSync: new (path: string, options?: { readOnly?: boolean }) => {
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
    throw new UserError(`Coverage file '${path}' cannot be opened as SQLite (${(error as Error).message}). ${HOW_TO_PRODUCE}`);
  }
  try {
    const tables = new Set(db.prepare("select name from sqlite_master where type = 'table'").all().map((row) => String(row.name)));
    if (!tables.has('file') || !tables.has('context') || (!tables.has('line_bits') && !tables.has('arc'))) {
      throw new UserError(`Coverage file '${path}' is SQLite but not a coverage.py data file (tables: ${[...tables].join(', ') || 'none'}). ${HOW_TO_PRODUCE}`);
    }
    const fileNames = new Map(db.prepare('select id, path from file').all().map((row) => [Number(row.id), String(row.path)]));
    const contextNames = new Map(db.prepare('select id, context from context').all().map((row) => [Number(row.id), String(row.context ?? '')]));
    const meta = tables.has('meta') ? new Map(db.prepare('select key, value from meta').all().map((row) => [String(row.key), String(row.value)])) : new Map();
    const files = new Map<string, Map<string, number[]>>();
    const linesOf = (fileId: number, contextId: number) => {
      const file = fileNames.get(fileId);
      if (file === undefined) return undefined;
      let byContext = files.get(file);
      if (!byContext) files.set(file, (byContext = new Map()));
      const context = contextNames.get(contextId) ?? '';
      let lines = byContext.get(context);
      if (!lines) byContext.set(context, (lines = []));
      return lines;
    };
    if (tables.has('line_bits')) {
      for (const row of db.prepare('select file_id, context_id, numbits from line_bits').all()) {
        linesOf(Number(row.file_id), Number(row.context_id))?.push(...decodeNumbits(row.numbits as Uint8Array));
      }
    }
    if (tables.has('arc')) {
      // coverage.py derives executed lines from arcs the same way: every positive end of a recorded arc.
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
    return { format: 'coverage-sqlite', tool: `coverage.py ${meta.get('version') ?? 'unknown'}`, files, contextCount: contextNames.size };
  } finally {
    db.close();
  }
}
