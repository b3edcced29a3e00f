import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { normalizeDependencyFile, type NormalForm } from './normalize.ts';

/** One file that went into a hash. */
export interface HashedFile {
  /** Relative to the detection root, POSIX separators. */
  path: string;
  form: NormalForm;
  /** sha256 of the normalised content. */
  sha256: string;
}

export interface DependencyHash {
  /** Short content hash for keys (20 hex digits: 80 bits, ample for one repository's caches). */
  hash: string;
  files: HashedFile[];
}

export const KEY_HASH_LENGTH = 20;

/**
 * Hashes dependency files after normalisation. Requirements files pull in the files they name with `-r`/`-c`, so
 * a change in an included file changes the key even when the includer is untouched.
 */
export function hashDependencyFiles(root: string, files: string[]): DependencyHash {
  const seen = new Set<string>();
  const hashed: HashedFile[] = [];
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    let content: string;
    try {
      content = readFileSync(posix.join(root, path), 'utf8');
    } catch {
      return;
    }
    const { form, text } = normalizeDependencyFile(path, content);
    hashed.push({ path, form, sha256: sha256(text) });
    if (form === 'requirements') {
      for (const included of requirementIncludes(text)) {
        const target = posix.normalize(posix.join(posix.dirname(path), included));
        if (!target.startsWith('../') && existsSync(posix.join(root, target))) visit(target);
      }
    }
  };
  for (const file of files) visit(file);
  hashed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const combined = hashed.map((file) => `${file.path}\0${file.sha256}`).join('\n');
  return { hash: sha256(combined).slice(0, KEY_HASH_LENGTH), files: hashed };
}

/** Combines several hashes (one per ecosystem) into one, order-independent. */
export function combineHashes(hashes: string[]): string {
  if (hashes.length === 1) return hashes[0];
  return sha256([...hashes].sort().join('\n')).slice(0, KEY_HASH_LENGTH);
}

/** Files named by `-r`, `--requirement`, `-c`, `--constraint` in normalised requirements text. */
function requirementIncludes(text: string): string[] {
  const includes: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=[^\s-]))(\S+)/.exec(line);
    if (match) includes.push(match[1]);
  }
  return includes;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
