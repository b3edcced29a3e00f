import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs git in `repoDir` and returns stdout (large buffers: tree listings of big repositories). */
export async function runGit(repoDir: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, { cwd: repoDir, maxBuffer: 1 << 30, encoding: 'utf8' });
  return stdout;
}

/** The full commit id of `rev`, or undefined when the clone does not have it. */
export async function resolveCommit(repoDir: string, rev: string): Promise<string | undefined> {
  try {
    return (await runGit(repoDir, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Every file of a commit (path -> blob id), read from git's objects so the working tree does not matter. */
export async function listTreeBlobs(repoDir: string, rev: string): Promise<Map<string, string>> {
  const out = await runGit(repoDir, ['ls-tree', '-r', '-z', '--full-tree', rev]);
  const files = new Map<string, string>();
  for (const entry of out.split('\0')) {
    if (!entry) continue;
    // "<mode> <type> <id>\t<path>"; submodules (type commit) are not files of this repository.
    const tab = entry.indexOf('\t');
    const [, type, id] = entry.slice(0, tab).split(' ');
    if (type === 'blob') files.set(entry.slice(tab + 1), id);
  }
  return files;
}

/** The tree id of a commit, or undefined when the clone does not have it. */
export async function treeOf(repoDir: string, rev: string): Promise<string | undefined> {
  try {
    return (await runGit(repoDir, ['rev-parse', '--verify', '--quiet', `${rev}^{tree}`])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The files that differ between two trees (`git diff-tree -r`, no rename detection: a rename is a delete and an add),
 * with the blob at `to`; undefined when `from` is not in the clone. Submodules are not files of this repository.
 */
export async function diffTrees(
  repoDir: string,
  from: string,
  to: string,
): Promise<{ status: 'added' | 'deleted' | 'modified'; path: string; blob?: string }[] | undefined> {
  let out: string;
  try {
    out = await runGit(repoDir, ['diff-tree', '-r', '-z', '--no-renames', '--no-commit-id', from, to]);
  } catch {
    return undefined;
  }
  const fields = out.split('\0');
  const delta: { status: 'added' | 'deleted' | 'modified'; path: string; blob?: string }[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    // ":<old mode> <new mode> <old id> <new id> <status>" then the path.
    const [oldMode, newMode, , newId] = fields[i].slice(1).split(' ');
    const path = fields[i + 1];
    const wasFile = oldMode !== '000000' && oldMode !== '160000';
    const isFile = newMode !== '000000' && newMode !== '160000';
    if (isFile) delta.push({ status: wasFile ? 'modified' : 'added', path, blob: newId });
    else if (wasFile) delta.push({ status: 'deleted', path });
  }
  return delta;
}

/** Reads blobs by id in one `git cat-file --batch` process (id -> UTF-8 text). */
export async function readBlobs(repoDir: string, ids: readonly string[]): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  const unique = [...new Set(ids)];
  if (unique.length === 0) return result;
  const child = spawn('git', ['cat-file', '--batch'], { cwd: repoDir, stdio: ['pipe', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  child.stdin.end(`${unique.join('\n')}\n`);
  const code = await done;
  if (code !== 0) throw new Error(`git cat-file --batch failed (${code}): ${stderr.trim()}`);
  const buffer = Buffer.concat(chunks);
  let offset = 0;
  for (const id of unique) {
    const newline = buffer.indexOf(10, offset);
    const header = buffer.toString('utf8', offset, newline);
    const [, type, size] = header.split(' ');
    offset = newline + 1;
    if (type === 'missing' || size === undefined) continue;
    const length = Number(size);
    result.set(id, buffer.toString('utf8', offset, offset + length));
    offset += length + 1;
  }
  return result;
}

// The changed-file listing under the name the selection engine's callers use.
export { listChangedFiles as diffChangedFiles, type ChangedFile } from './changed-files.ts';
