import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { runGit } from './run-git.ts';

export { runGit };

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

/** One object read by `GitObjectReader`: its id, type and content as UTF-8 text (a tree's also as bytes: it is binary). */
export interface GitObject {
  id: string;
  type: string;
  text: string;
  bytes?: Buffer;
}

/**
 * One long-lived `git cat-file --batch` process for every object a selection reads: `<rev>^{tree}` (the head's tree id),
 * `<rev>:<path>` (a file of a commit, read before its blob id is known) and blob ids, in the order asked. Saves a process
 * start per question, and lets the first reads run while the graph cache is loaded. Answers are kept by object id, so a
 * blob read by path is not read again by id. `close()` ends the process (reads after it start a new one).
 */
export class GitObjectReader {
  private session: BatchSession | undefined;
  private failure: Error | undefined;
  private readonly byId = new Map<string, GitObject>();
  private readonly repoDir: string;

  constructor(repoDir: string) {
    this.repoDir = repoDir;
  }

  /** The object `spec` names (undefined when the clone does not have it, or the spec cannot be written on one line). */
  read(spec: string): Promise<GitObject | undefined> {
    const known = this.byId.get(spec);
    if (known) return Promise.resolve(known);
    if (spec.includes('\n') || spec.includes('\r') || spec === '') return Promise.resolve(undefined);
    if (this.failure) return Promise.reject(this.failure);
    const session = (this.session ??= this.start());
    return new Promise((resolve, reject) => {
      session.waiting.push({
        resolve: (object) => {
          if (object) this.byId.set(object.id, object);
          resolve(object);
        },
        reject,
      });
      session.child.stdin.write(`${spec}\n`);
    });
  }

  /** An object this reader has already read, by its id (undefined when it has not; never reads). */
  known(id: string): GitObject | undefined {
    return this.byId.get(id);
  }

  /** Blob ids -> text, like `readBlobs` (ids the clone does not have are left out). */
  async readBlobs(ids: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    const objects = await Promise.all(unique.map((id) => this.read(id)));
    const result = new Map<string, string>();
    unique.forEach((id, i) => {
      const object = objects[i];
      if (object?.type === 'blob') result.set(id, object.text);
    });
    return result;
  }

  /** Ends the process once it has answered what was asked; a later read starts another. */
  close(): void {
    const session = this.session;
    this.session = undefined;
    session?.child.stdin.end();
  }

  private start(): BatchSession {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: this.repoDir, stdio: ['pipe', 'pipe', 'pipe'] });
    const session = new BatchSession(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A write after the process died must not throw out of the event loop: the close handler fails the reads instead.
    child.stdin.on('error', () => {});
    const fail = (error: Error) => {
      if (this.session === session) this.session = undefined;
      if (session.waiting.length === 0) return;
      this.failure = error;
      for (const waiter of session.waiting.splice(0)) waiter.reject(error);
    };
    child.on('error', fail);
    child.on('close', (code) =>
      fail(new Error(`git cat-file --batch failed (${code}): ${stderr.trim() || 'it ended before answering'}`)),
    );
    return session;
  }
}

/** One `git cat-file --batch` process: the questions it was asked and the part of its output not yet handed out. */
class BatchSession {
  readonly child: ChildProcessWithoutNullStreams;
  readonly waiting: Array<{ resolve: (object: GitObject | undefined) => void; reject: (error: Error) => void }> = [];
  private chunks: Buffer[] = [];
  private received = 0;
  /** Bytes the next answer needs before it can be read. */
  private needed = 0;

  constructor(child: ChildProcessWithoutNullStreams) {
    this.child = child;
    child.stdout.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.received += chunk.length;
      this.drain();
    });
  }

  /** Hands out every complete answer received, in the order the questions were written. */
  private drain(): void {
    if (this.received < this.needed) return;
    let buffer = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    for (;;) {
      const newline = buffer.indexOf(10);
      if (newline === -1 || this.waiting.length === 0) {
        this.needed = buffer.length + 1;
        break;
      }
      // "<id> <type> <size>" and the content, or "<spec> missing" (or "ambiguous") alone.
      const header = HEADER.exec(buffer.toString('utf8', 0, newline));
      if (!header) {
        buffer = buffer.subarray(newline + 1);
        this.waiting.shift()!.resolve(undefined);
        continue;
      }
      const end = newline + 1 + Number(header[3]);
      // Large contents arrive in many pieces: they are joined once, when all of it is here.
      if (buffer.length < end + 1) {
        this.needed = end + 1;
        break;
      }
      const object: GitObject = { id: header[1], type: header[2], text: buffer.toString('utf8', newline + 1, end) };
      if (object.type === 'tree') object.bytes = Buffer.from(buffer.subarray(newline + 1, end));
      buffer = buffer.subarray(end + 1);
      this.waiting.shift()!.resolve(object);
    }
    this.chunks = [buffer];
    this.received = buffer.length;
  }
}

const HEADER = /^([0-9a-f]{40,64}) ([a-z]+) (\d+)$/;

// The changed-file listing under the name the selection engine's callers use.
export { listChangedFiles as diffChangedFiles } from './changed-files.ts';
