import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import { minimatch } from 'minimatch';
import { caseId, parseJunitXml, resolveCaseFile, type FileResolution, type JunitCase } from '../test-history/index.ts';
import type { CaseRecord } from '../test-history/index.ts';

/** The test cases of one run, gathered from its JUnit files. */
export interface JunitRun {
  cases: CaseRecord[];
  /** The files read, in order. */
  files: string[];
  /** Files that could not be read as JUnit (malformed, over the parser's limits, unreadable): skipped. */
  skipped: { file: string; reason: string }[];
  /** A digest of the files read, in order: the run's identity (the same reports recorded twice are one run). */
  digest: string;
  /** Cases whose test file could not be told (kept with file ''; they count for nothing per file). */
  unattributed: number;
}

/**
 * Expands the `junit` input: paths or globs, relative to the workspace. A plain walk with minimatch rather than
 * @actions/glob, whose debug lines go to stdout and would break the CLI's `--json` output.
 */
export async function findJunitFiles(patterns: readonly string[], workspace: string): Promise<string[]> {
  const found = new Set<string>();
  for (const pattern of patterns) {
    const absolute = (isAbsolute(pattern) ? pattern : join(workspace, pattern)).split(sep).join('/');
    const parts = absolute.split('/');
    const firstGlob = parts.findIndex((part) => /[*?[\]{}]/.test(part));
    if (firstGlob < 0) {
      if (await isFile(absolute)) found.add(absolute);
      continue;
    }
    const base = parts.slice(0, firstGlob).join('/') || '/';
    const matches: string[] = [];
    await walk(base, async (file) => {
      if (minimatch(file, absolute, { dot: true })) matches.push(file);
    });
    for (const file of matches.sort()) found.add(file);
  }
  return [...found];
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function walk(dir: string, visit: (file: string) => Promise<void>): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = `${dir.replace(/\/$/, '')}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== '.git' && entry.name !== 'node_modules') await walk(full, visit);
    } else if (entry.isFile()) {
      await visit(full);
    }
  }
}

/** The JUnit files of a run, read and parsed, before their cases are tied to test files (readJunitReports). */
export interface JunitReports {
  /** The files parsed, in order, with their cases. */
  parsed: { file: string; cases: JunitCase[] }[];
  skipped: JunitRun['skipped'];
  /** A digest of the files parsed, in order. */
  digest: string;
}

/**
 * Reads JUnit files in order into case records. A case id seen again (a second report from a rerun, or the
 * attempts a reporter folds into one case as `rerunFailure` elements) is marked as a retry. A file that cannot be
 * read as JUnit (malformed, over the XML parser's entity or nesting limits, not a report) is skipped with its
 * reason; the others are recorded.
 */
export async function readJunitRun(paths: readonly string[], resolution: FileResolution): Promise<JunitRun> {
  return junitRunOf(await readJunitReports(paths), resolution);
}

/** The reading and parsing part of readJunitRun, which needs no test file list (record starts it early). */
export async function readJunitReports(paths: readonly string[]): Promise<JunitReports> {
  const parsed: JunitReports['parsed'] = [];
  const skipped: JunitRun['skipped'] = [];
  const hash = createHash('sha256');
  for (const path of paths) {
    let cases: JunitCase[];
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
      cases = parseJunitXml(bytes.toString('utf8'), path);
    } catch (error) {
      skipped.push({ file: path, reason: (error as Error).message });
      continue;
    }
    parsed.push({ file: path, cases });
    hash.update(createHash('sha256').update(bytes).digest());
  }
  return { parsed, skipped, digest: `junit-sha256:${hash.digest('hex')}` };
}

/**
 * What resolveCaseFile reads of a case: its file attribute, classname and suite name, and for a case with an empty
 * classname (pytest's collection case) its name and outcome too.
 */
function resolutionKey(testCase: JunitCase): string {
  const { fileAttribute, classname, suiteName } = testCase;
  // An absent and an empty attribute read alike (no path).
  const parts = [fileAttribute ?? '', classname, suiteName ?? ''];
  if (classname === '') parts.push(testCase.name, testCase.outcome);
  return JSON.stringify(parts);
}

/** The case records of parsed JUnit files, each case tied to its test file (readJunitRun's second part). */
export function junitRunOf(reports: JunitReports, resolution: FileResolution): JunitRun {
  const cases: CaseRecord[] = [];
  const seen = new Set<string>();
  let unattributed = 0;
  // The cases of a file share its attributes: each set of them is resolved once.
  const files = new Map<string, string | undefined>();
  for (const { cases: parsed } of reports.parsed) {
    for (const testCase of parsed) {
      const key = resolutionKey(testCase);
      let file = files.get(key);
      if (file === undefined && !files.has(key)) {
        file = resolveCaseFile(testCase, resolution);
        files.set(key, file);
      }
      if (file === undefined) unattributed++;
      const id = caseId(file, testCase);
      const attempt = (outcome: CaseRecord['outcome'], duration: number) => {
        cases.push({ file: file ?? '', id, outcome, duration, retry: seen.has(id) });
        seen.add(id);
      };
      const share = testCase.duration / (testCase.rerunFailures + 1);
      for (let i = 0; i < testCase.rerunFailures; i++) attempt('failed', share);
      attempt(testCase.outcome, share);
    }
  }
  return {
    cases,
    files: reports.parsed.map((report) => report.file),
    skipped: reports.skipped,
    unattributed,
    digest: reports.digest,
  };
}
