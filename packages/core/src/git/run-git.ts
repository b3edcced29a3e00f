import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs git in `repoDir` and returns stdout (large buffers: tree listings of big repositories). */
export async function runGit(repoDir: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, { cwd: repoDir, maxBuffer: 1 << 30, encoding: 'utf8' });
  return stdout;
}

/** Runs git in `repoDir` with `input` on its standard input (a batch of questions, one a line) and returns stdout. */
export async function runGitWithInput(repoDir: string, args: string[], input: string): Promise<string> {
  const pending = execFileAsync('git', args, { cwd: repoDir, maxBuffer: 1 << 30, encoding: 'utf8' });
  // git may exit before reading everything (a wrong folder): the rejected promise says so, not a pipe error.
  pending.child.stdin?.on('error', () => {});
  pending.child.stdin?.end(input);
  return (await pending).stdout;
}

/** Like runGit, but an exit status in `allowed` (besides 0) is an answer: stdout and the status, never a throw. */
export async function runGitStatus(
  repoDir: string,
  args: string[],
  allowed: readonly number[],
): Promise<{ status: number; stdout: string }> {
  try {
    return { status: 0, stdout: await runGit(repoDir, args) };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: unknown };
    if (typeof failed.code === 'number' && allowed.includes(failed.code) && typeof failed.stdout === 'string')
      return { status: failed.code, stdout: failed.stdout };
    throw error;
  }
}
