import type { GitObject, GitObjectReader } from './git-objects.ts';

/** One file that differs between two trees, with its blob in the second (none when deleted). */
export interface TreeDeltaItem {
  status: 'added' | 'deleted' | 'modified';
  path: string;
  blob?: string;
}

/** One entry of a tree object. */
interface TreeEntry {
  /** The name's bytes (git compares names as bytes). */
  name: Buffer;
  mode: number;
  id: string;
}

const TYPE_MASK = 0o170000;
const isTree = (mode: number) => (mode & TYPE_MASK) === 0o040000;
/** A submodule's commit: not a file of this repository. */
const isGitlink = (mode: number) => (mode & TYPE_MASK) === 0o160000;

/** The entries of a tree object: `<octal mode> <name>\0<id as raw bytes>`, one after the other. */
export function treeEntries(bytes: Buffer, idBytes: number): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < bytes.length) {
    const space = bytes.indexOf(32, at);
    const nul = bytes.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + idBytes > bytes.length) throw new Error('damaged tree object');
    entries.push({
      mode: Number.parseInt(bytes.toString('latin1', at, space), 8),
      name: bytes.subarray(space + 1, nul),
      id: bytes.toString('hex', nul + 1, nul + 1 + idBytes),
    });
    at = nul + 1 + idBytes;
  }
  return entries;
}

/**
 * git's order of tree entries (`base_name_compare`): names as bytes, a tree's name as if it ended in `/`. A file and a
 * folder of the same name are two entries (the file first).
 */
function compareEntries(a: TreeEntry, b: TreeEntry): number {
  const length = Math.min(a.name.length, b.name.length);
  const common = a.name.compare(b.name, 0, length, 0, length);
  if (common !== 0) return common;
  const endA = a.name.length > length ? a.name[length] : isTree(a.mode) ? 47 : 0;
  const endB = b.name.length > length ? b.name[length] : isTree(b.mode) ? 47 : 0;
  return endA - endB;
}

/** What `git diff-tree -r` lists for an entry that is not a tree on either side (nothing when it did not change). */
function fileChange(path: string, before: TreeEntry | undefined, after: TreeEntry | undefined): TreeDeltaItem[] {
  const wasFile = before !== undefined && !isGitlink(before.mode);
  const isFile = after !== undefined && !isGitlink(after.mode);
  if (before && after && before.id === after.id && before.mode === after.mode) return [];
  if (isFile) return [{ status: wasFile ? 'modified' : 'added', path, blob: after!.id }];
  return wasFile ? [{ status: 'deleted', path }] : [];
}

/**
 * The files that differ between two trees read through `reader` (its `git cat-file --batch` process), exactly as
 * `git diff-tree -r --no-renames` lists them (`diffTrees`), in its order: a tree diff without a git process of its
 * own. Undefined when a tree cannot be read (not in the clone, or the reader failed).
 */
export async function diffTreesThroughReader(
  reader: GitObjectReader,
  from: string,
  to: string,
): Promise<TreeDeltaItem[] | undefined> {
  try {
    const [before, after] = await Promise.all([reader.read(from), reader.read(to)]);
    if (before?.type !== 'tree' || after?.type !== 'tree') return undefined;
    return await diffTreeObjects(reader, before, after, '');
  } catch {
    return undefined;
  }
}

/** The entries of a tree read through the reader (none for `undefined`: a side where the folder is not). */
async function entriesOf(reader: GitObjectReader, object: GitObject | string | undefined): Promise<TreeEntry[]> {
  if (object === undefined) return [];
  const tree = typeof object === 'string' ? await reader.read(object) : object;
  if (tree?.type !== 'tree' || !tree.bytes) throw new Error(`${String(object)} is not a readable tree`);
  return treeEntries(tree.bytes, tree.id.length / 2);
}

async function diffTreeObjects(
  reader: GitObjectReader,
  before: GitObject | string | undefined,
  after: GitObject | string | undefined,
  prefix: string,
): Promise<TreeDeltaItem[]> {
  const [left, right] = await Promise.all([entriesOf(reader, before), entriesOf(reader, after)]);
  // Each entry's part of the answer, in git's order; the folders that differ are read at once.
  const parts: Array<TreeDeltaItem[] | Promise<TreeDeltaItem[]>> = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    const order = i >= left.length ? 1 : j >= right.length ? -1 : compareEntries(left[i], right[j]);
    const a = order <= 0 ? left[i++] : undefined;
    const b = order >= 0 ? right[j++] : undefined;
    const entry = (a ?? b)!;
    const path = prefix + entry.name.toString('utf8');
    // Same name and kind on both sides, or one side only; a folder is walked (a pair of equal ids is no change).
    if ((a && isTree(a.mode)) || (b && isTree(b.mode))) {
      if (a && b && a.id === b.id) continue;
      parts.push(diffTreeObjects(reader, a?.id, b?.id, `${path}/`));
    } else {
      parts.push(fileChange(path, a, b));
    }
  }
  return (await Promise.all(parts)).flat();
}
