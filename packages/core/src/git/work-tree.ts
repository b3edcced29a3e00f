import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The root of the git work tree around `dir`, or undefined outside one (or without git). Synchronous: the command
 * line settles its repository folder before anything runs.
 */
export function workTreeRoot(dir: string): string | undefined {
  const result = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, encoding: 'utf8' });
  const top = result.status === 0 ? result.stdout.trim() : '';
  return top === '' ? undefined : resolve(top);
}
