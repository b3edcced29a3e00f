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

// The changed-file listing is the core git layer's; the old name stays for this domain's callers.
export { listChangedFiles as diffChangedFiles, type ChangedFile } from '../git/index.ts';
