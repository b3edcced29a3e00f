import { Minimatch } from 'minimatch';
import { lstat, readdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors/index.ts';

/** What to put in an archive, as absolute paths. */
export interface ArchivePlan {
  /** Top-level paths (no root inside another); restore moves exactly these into place. */
  roots: string[];
  /**
   * Every path to archive, directories included, when `!` exclusions make tar's own recursion unusable;
   * undefined when tar may recurse into the roots.
   */
  entries?: string[];
}

export interface PathContext {
  /** Relative patterns are resolved against this folder (GITHUB_WORKSPACE). */
  workspace: string;
  /** What `~` means. */
  home: string;
}

const GLOB_CHARS = /[*?[\]]/;

/**
 * Resolves actions/cache-style `path` lines (globs, `!` exclusions, `~`, relative to the workspace) into what to
 * archive. Unlike actions/cache, an exclusion also removes files below a matched directory (`~/.npm` with
 * `!~/.npm/_logs` leaves the logs out), because the file list handed to tar is exact.
 */
export async function resolveCachePaths(patterns: readonly string[], context: PathContext): Promise<ArchivePlan> {
  const lines = patterns.map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.length === 0) {
    throw new UserError("Input 'path' is empty. List the files or folders to cache, one per line (globs allowed).");
  }
  const absolute = lines.map((line) => absolutePattern(line, context));
  const hasExclusions = absolute.some((line) => line.startsWith('!'));
  const hasGlobs = absolute.some((line) => GLOB_CHARS.test(line.replace(/^!/, '')));

  if (!hasExclusions && !hasGlobs) {
    const existing: string[] = [];
    for (const path of absolute) if (await exists(path)) existing.push(path);
    return { roots: topLevel(existing) };
  }
  const matched = await expandGlobs(absolute, hasExclusions);
  if (!hasExclusions) return { roots: topLevel(matched) };
  const entries = [...new Set(matched)].sort();
  const set = new Set(entries);
  const roots = entries.filter((path) => !set.has(dirname(path)));
  return { roots: topLevel(roots), entries };
}

/** One `path` line as restore checks members against it: absolute, compiled, with the folder its walk starts at. */
export interface RequestedPattern {
  negate: boolean;
  matcher: Minimatch;
  /** The folder before the first glob character (the path itself for a literal line). */
  base: string;
}

/** The job's own `path` lines as absolute patterns on this runner: what restore may place, and nothing else. */
export function requestedPatterns(patterns: readonly string[], context: PathContext): RequestedPattern[] {
  const lines = patterns.map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  return lines
    .map((line) => compile(absolutePattern(line, context)))
    .map(({ negate, matcher, base }) => ({ negate, matcher, base }));
}

interface CompiledPattern {
  negate: boolean;
  matcher: Minimatch;
  /** The folder before the first glob character: where the walk starts. */
  base: string;
  literal: boolean;
}

// Dotfiles match like any file (actions/cache caches ~/.npm and friends); symlinks are never followed.
const MATCH_OPTIONS = { dot: true, nocomment: true, nonegate: true } as const;

/**
 * Expands absolute patterns (actions/cache / @actions/glob semantics: `*`, `**`, `?`, `[...]`, `!` excludes).
 * With `withDescendants`, a matched folder brings everything below it, so that an exclusion can remove part of it.
 * Written here rather than with @actions/glob, which prints `::debug::` lines to stdout and would break the
 * command line's `--json` output.
 */
async function expandGlobs(patterns: readonly string[], withDescendants: boolean): Promise<string[]> {
  const compiled = patterns.map(compile);
  const excluded = (path: string) =>
    compiled.some((p) => p.negate && ancestry(path).some((candidate) => p.matcher.match(candidate)));
  const found = new Set<string>();
  const addTree = async (path: string, isDirectory: boolean) => {
    if (found.has(path) || excluded(path)) return;
    found.add(path);
    if (withDescendants && isDirectory) {
      for (const child of await listDir(path)) await addTree(join(path, child.name), child.isDirectory());
    }
  };
  for (const pattern of compiled.filter((p) => !p.negate)) {
    if (pattern.literal) {
      const stat = await lstat(pattern.base).catch(() => undefined);
      if (stat) await addTree(pattern.base, stat.isDirectory());
      continue;
    }
    const walk = async (dir: string): Promise<void> => {
      for (const child of await listDir(dir)) {
        const path = join(dir, child.name);
        if (pattern.matcher.match(path)) await addTree(path, child.isDirectory());
        // Descend only where the pattern could still match something deeper.
        if (child.isDirectory() && pattern.matcher.match(path, true)) await walk(path);
      }
    };
    if (pattern.matcher.match(pattern.base)) await addTree(pattern.base, true);
    await walk(pattern.base);
  }
  return [...found];
}

function compile(pattern: string): CompiledPattern {
  const negate = pattern.startsWith('!');
  const body = negate ? pattern.slice(1) : pattern;
  const segments = body.split('/');
  const firstGlob = segments.findIndex((segment) => GLOB_CHARS.test(segment));
  const literal = firstGlob === -1;
  const baseSegments = literal ? segments : segments.slice(0, firstGlob);
  const base = unescapeGlob(baseSegments.join('/') || '/');
  return { negate, matcher: new Minimatch(body, MATCH_OPTIONS), base, literal };
}

/** `path` and each folder above it. */
export function ancestry(path: string): string[] {
  const chain = [path];
  for (let parent = dirname(path); parent !== chain[chain.length - 1]; parent = dirname(parent)) chain.push(parent);
  return chain;
}

async function listDir(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function unescapeGlob(path: string): string {
  return path.replace(/\[(.)\]/g, '$1');
}

/** Turns one `path` line into an absolute glob, keeping its `!`. */
function absolutePattern(line: string, context: PathContext): string {
  const negated = line.startsWith('!');
  let body = negated ? line.slice(1).trim() : line;
  if (body === '~' || body.startsWith('~/')) body = escapeGlob(context.home) + body.slice(1);
  else if (!isAbsolute(body)) body = join(escapeGlob(context.workspace), body);
  body = body.length > 1 ? body.replace(/\/+$/, '') : body;
  return negated ? `!${body}` : body;
}

/** Makes a literal folder name safe to prefix a glob (a workspace named `a[1]` must not become a character class). */
function escapeGlob(path: string): string {
  return path.replace(/[*?[]/g, (char) => `[${char}]`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Drops duplicates and paths inside another listed path, so tar never archives a file twice. */
export function topLevel(paths: readonly string[]): string[] {
  const sorted = [...new Set(paths.map((p) => resolve(p)))].sort();
  const kept: string[] = [];
  for (const path of sorted) {
    if (!kept.some((root) => isInside(path, root))) kept.push(path);
  }
  return kept;
}

/** True when `path` is `parent` or below it. */
export function isInside(path: string, parent: string): boolean {
  const rel = relative(parent, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/** Where a path saved on one runner belongs on this one: workspace- and home-relative paths follow those folders. */
export function relocate(path: string, from: PathContext, to: PathContext): string {
  if (isInside(path, from.workspace)) return join(to.workspace, relative(from.workspace, path));
  if (isInside(path, from.home)) return join(to.home, relative(from.home, path));
  return path;
}
