import { chmod, lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { memberTarget, MEMBER_ROOTS } from './member-names.ts';
import { ancestry, isInside, requestedPatterns, type PathContext, type RequestedPattern } from './paths.ts';
import { moveIntoPlace } from './placement.ts';

/** Raised when an extracted archive holds something the job did not ask for; nothing has been placed yet. */
export class PlacementError extends Error {
  override readonly name = 'PlacementError';
}

/** What restore may place: the job's `path` lines on this runner, minus folders that must never be written. */
export interface PlacementRules {
  patterns: RequestedPattern[];
  /** Never written, replaced or merged into, whatever `path` says (the action's own folder). */
  protectedPaths: string[];
}

export function placementRules(
  paths: readonly string[],
  context: PathContext,
  protectedPaths: readonly string[] = [],
): PlacementRules {
  return { patterns: requestedPatterns(paths, context), protectedPaths: [...protectedPaths] };
}

/** A checked plan: the staged subtrees to move and where, and what was left out. */
export interface Placement {
  moves: { source: string; target: string; member: string }[];
  /** Device nodes, FIFOs and sockets found in the archive and deleted from the staging folder. */
  dropped: string[];
  /** Files and folders whose setuid/setgid bits were cleared. */
  privilegeBitsCleared: number;
}

/**
 * Checks an archive extracted into `staging` against the job's request, before anything is placed. Every member must
 * map (by its logical name, see member-names.ts) to a path under one of the requested paths on this runner, or be a
 * folder on the way to one; anything else throws PlacementError naming the member. Special files are deleted from
 * staging; setuid/setgid bits are cleared; a hard link to a file outside the archive, a folder on the way that is a
 * symlink on this runner, or a member inside a protected folder also throw. `recordedRoots` (from the entry's
 * record) may only confirm: a member outside them throws too.
 */
export async function planPlacement(
  staging: string,
  context: PathContext,
  rules: PlacementRules,
  recordedRoots?: readonly string[],
): Promise<Placement> {
  const placement: Placement = { moves: [], dropped: [], privilegeBitsCleared: 0 };
  const positive = rules.patterns.filter((p) => !p.negate);
  const negative = rules.patterns.filter((p) => p.negate);
  const matchesAny = (patterns: RequestedPattern[], path: string) =>
    patterns.some((p) => ancestry(path).some((candidate) => p.matcher.match(candidate)));
  const couldContain = (path: string) => positive.some((p) => p.matcher.match(path, true));
  const belowBase = (path: string) => positive.some((p) => path !== p.base && isInside(path, p.base));
  const links = new Map<string, { nlink: number; seen: number; member: string }>();
  const refuse = (member: string, why: string): never => {
    throw new PlacementError(`the archive member '${member}' ${why}; nothing was restored`);
  };

  const visit = async (source: string, member: string, allowedAbove: boolean): Promise<void> => {
    const stat = await lstat(source);
    if (stat.isBlockDevice() || stat.isCharacterDevice() || stat.isFIFO() || stat.isSocket()) {
      await rm(source, { force: true });
      placement.dropped.push(member);
      return;
    }
    if (stat.isFile() && stat.nlink > 1) {
      const id = `${stat.dev}:${stat.ino}`;
      const link = links.get(id) ?? { nlink: stat.nlink, seen: 0, member };
      link.seen++;
      links.set(id, link);
    }
    if (!stat.isSymbolicLink() && (stat.mode & 0o6000) !== 0) {
      await chmod(source, stat.mode & 0o1777);
      placement.privilegeBitsCleared++;
    }
    const top = member.split('/')[0];
    if (member === top) {
      if (!(MEMBER_ROOTS as readonly string[]).includes(top) || !stat.isDirectory()) {
        refuse(member, "is not in this tool's archive layout (ws/, home/, abs/)");
      }
      for (const name of await readdir(source)) await visit(join(source, name), `${member}/${name}`, false);
      return;
    }
    const target = memberTarget(member, context);
    if (target === undefined)
      return refuse(member, 'has a name that does not normalise to a path below ws/, home/ or abs/');
    const inProtected = rules.protectedPaths.find(
      (path) => isInside(target, path) || (!stat.isDirectory() && isInside(path, target)),
    );
    if (inProtected !== undefined) refuse(member, `would write into ${inProtected}, which restore never touches`);
    if (negative.length > 0 && matchesAny(negative, target))
      refuse(member, `maps to ${target}, which the 'path' input excludes`);
    const allowed = allowedAbove || matchesAny(positive, target);
    if (allowed) {
      if (!allowedAbove) {
        if (recordedRoots && !recordedRoots.some((root) => isInside(member, root) || isInside(root, member))) {
          refuse(member, "is not among the paths that the entry's record lists");
        }
        placement.moves.push({ source, target, member });
      }
    } else {
      if (!stat.isDirectory() || !couldContain(target)) {
        refuse(member, `maps to ${target}, which is not under any path the 'path' input asks for`);
      }
      // A folder on the way to a requested path: created if missing, never chmodded, never a symlink out.
      if (belowBase(target)) {
        const existing = await lstat(target).catch(() => undefined);
        if (existing && !existing.isDirectory())
          refuse(member, `would be placed through ${target}, which is not a folder here (a symlink?)`);
      }
    }
    if (stat.isDirectory()) {
      for (const name of await readdir(source)) await visit(join(source, name), `${member}/${name}`, allowed);
    }
  };

  for (const name of await readdir(staging)) await visit(join(staging, name), name, false);
  for (const link of links.values()) {
    if (link.seen < link.nlink) refuse(link.member, 'is a hard link to a file outside the archive');
  }
  return placement;
}

/** Moves each planned subtree into place (see moveIntoPlace: folders merge, cached files win). */
export async function executePlacement(placement: Placement): Promise<void> {
  for (const move of placement.moves) await moveIntoPlace(move.source, move.target);
}
