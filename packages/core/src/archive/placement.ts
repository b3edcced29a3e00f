import { spawn } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, rename, rm, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Moves `source` (from a staging folder) to `target`. A missing target is a single rename; an existing directory
 * is merged entry by entry (what `tar -x` over it would do: cached files win, other files stay); anything else in
 * the way is replaced. Falls back to `cp -a` when staging and target are on different filesystems.
 */
export async function moveIntoPlace(source: string, target: string): Promise<void> {
  const targetStat = await lstatOrUndefined(target);
  const sourceStat = await lstat(source);
  if (targetStat?.isDirectory() && sourceStat.isDirectory()) {
    for (const name of await readdir(source)) await moveIntoPlace(join(source, name), join(target, name));
    // The cached directory's mode and times are what tar restored on the staged copy; carry them over.
    await chmod(target, sourceStat.mode & 0o7777);
    await utimes(target, sourceStat.atime, sourceStat.mtime);
    return;
  }
  if (targetStat) await rm(target, { recursive: true, force: true });
  else await mkdir(dirname(target), { recursive: true });
  try {
    await rename(source, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyPreserving(source, target);
    await rm(source, { recursive: true, force: true });
  }
}

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch {
    return undefined;
  }
}

/** `cp -a` keeps modes, times, symlinks and holes of sparse files, which Node's fs.cp does not all keep. */
function copyPreserving(source: string, target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('cp', ['-a', '--', source, target], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`cp -a failed: ${stderr.trim()}`))));
  });
}
