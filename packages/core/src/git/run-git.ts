import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs git in `repoDir` and returns stdout (large buffers: tree listings of big repositories). */
export async function runGit(repoDir: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, { cwd: repoDir, maxBuffer: 1 << 30, encoding: 'utf8' });
  return stdout;
}
