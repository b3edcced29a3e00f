import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import type { PathContext } from './paths.ts';

/**
 * Archive member names say where a file belongs relative to the job, not where it was on the saving runner:
 * `ws/<path>` is below the workspace, `home/<path>` below the home folder, `abs/<path>` anywhere else. Restore maps
 * these onto its own workspace and home; nothing in the entry's record takes part in deciding where a file goes.
 */
export const MEMBER_ROOTS = ['ws', 'home', 'abs'] as const;
export type MemberRoot = (typeof MEMBER_ROOTS)[number];

/** The logical member name of an absolute path (as `createArchiveStream` stores it). */
export function memberName(path: string, context: PathContext): string {
  for (const [label, root] of orderedRoots(context)) {
    const rel = relative(root, path);
    if (rel === '') return label;
    if (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`)) return `${label}/${rel}`;
  }
  return `abs${path}`;
}

/**
 * The absolute path on this runner for a member name, or undefined when the name is not in the layout (another
 * root, `..` after normalisation, an empty or absolute name).
 */
export function memberTarget(name: string, context: PathContext): string | undefined {
  const clean = name.replace(/\/+$/, '');
  if (clean === '' || clean.startsWith('/')) return undefined;
  const normalised = normalize(clean);
  if (normalised !== clean || normalised.split('/').includes('..')) return undefined;
  const [label, ...rest] = normalised.split('/');
  const tail = rest.join('/');
  switch (label) {
    case 'ws':
      return tail === '' ? context.workspace : join(context.workspace, tail);
    case 'home':
      return tail === '' ? context.home : join(context.home, tail);
    case 'abs':
      return tail === '' ? undefined : `/${tail}`;
    default:
      return undefined;
  }
}

/**
 * `--transform` arguments for GNU tar that store absolute paths (given to tar without their leading `/`) under
 * their logical names. Every name first gets `abs/`; then the workspace and home prefixes (the longer first, so a
 * workspace inside the home folder counts as workspace) are replaced. Symlink targets are left alone (flag `S`).
 */
export function memberTransformArgs(context: PathContext): string[] {
  const args = ['--transform=s,^,abs/,S'];
  for (const [label, root] of orderedRoots(context)) {
    const stripped = root.replace(/^\/+/, '');
    if (stripped === '') continue;
    const delimiter = [',', '|', '#', '%', '@', '\u0001'].find((char) => !stripped.includes(char));
    if (delimiter === undefined) continue; // such a folder keeps its `abs/` names; restore then refuses them
    const pattern = `^abs/${escapeBasicRegex(stripped)}`;
    const d = delimiter;
    args.push(`--transform=s${d}${pattern}$${d}${label}${d}S`, `--transform=s${d}${pattern}/${d}${label}/${d}S`);
  }
  return args;
}

function orderedRoots(context: PathContext): [MemberRoot, string][] {
  const roots: [MemberRoot, string][] = [
    ['ws', normalize(context.workspace).replace(/\/+$/, '')],
    ['home', normalize(context.home).replace(/\/+$/, '')],
  ];
  return roots.filter(([, root]) => root !== '' && root !== '/').sort((a, b) => b[1].length - a[1].length);
}

/** Escapes a literal for a POSIX basic regular expression (GNU tar's --transform). */
function escapeBasicRegex(text: string): string {
  return text.replace(/[\\.*[\]^$]/g, (char) => (char === ']' ? ']' : `\\${char}`));
}
