import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ActionRunOptions {
  /** The action's folder under actions/ (`report`, `s3-cache/restore`). */
  action: string;
  /** Inputs as a workflow's `with:` gives them; action.yml defaults fill the rest, as the runner does. */
  inputs?: Record<string, string>;
  /** GITHUB_EVENT_NAME and the payload written to GITHUB_EVENT_PATH. */
  event?: { name: string; payload: Record<string, unknown> };
  /** GITHUB_WORKSPACE (default: a fresh temp dir). */
  workspace?: string;
  /** RUNNER_TEMP to share between steps of one job (default: a fresh temp dir per job). */
  job?: RunnerJob;
  /** Extra environment (AWS credentials, GITHUB_TOKEN, GITHUB_API_URL, ...). */
  env?: Record<string, string>;
  /** Paths to use instead of the fresh command files the runner gives every step (a broken runner's, say). */
  stepFiles?: Partial<Record<StepFileName, string>>;
  /** Run the post step after main when the action declares one (default true). */
  post?: boolean;
  timeoutMs?: number;
}

type StepFileName = 'GITHUB_OUTPUT' | 'GITHUB_STATE' | 'GITHUB_ENV' | 'GITHUB_PATH' | 'GITHUB_STEP_SUMMARY';

export interface StepOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** GITHUB_OUTPUT parsed (plain and heredoc forms). */
  outputs: Record<string, string>;
  /** GITHUB_STATE parsed. */
  state: Record<string, string>;
  /** What the step appended to GITHUB_STEP_SUMMARY. */
  summary: string;
  /** `::warning::`, `::error::`, `::notice::` workflow commands the step printed. */
  annotations: { level: string; message: string }[];
}

export interface ActionRun {
  main: StepOutcome;
  post?: StepOutcome;
}

/** The runner's per-job folders: RUNNER_TEMP is shared by every step of a job (metrics.jsonl lives there). */
export class RunnerJob {
  readonly root = mkdtempSync(join(tmpdir(), 'ci-opt-job-'));
  readonly runnerTemp = join(this.root, 'runner-temp');
  readonly workspace = join(this.root, 'workspace');
  private step = 0;

  constructor() {
    mkdirSync(this.runnerTemp, { recursive: true });
    mkdirSync(this.workspace, { recursive: true });
  }

  /** A fresh file for one of the step's command files. */
  stepFile(kind: string): string {
    const path = join(this.root, 'files', `${++this.step}-${kind}`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '');
    return path;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * Runs `dist/<action>/index.js` (and its post step) in a child process the way the GitHub runner does: INPUT_*
 * with action.yml defaults, GITHUB_OUTPUT/STATE/ENV/PATH/STEP_SUMMARY files, the event payload, STATE_* for post.
 */
export async function runActionStep(options: ActionRunOptions): Promise<ActionRun> {
  const metadata = parse(readFileSync(join(REPO_ROOT, 'actions', options.action, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, { default?: unknown }>;
    runs: { using: string; main: string; post?: string };
  };
  const ownJob = options.job === undefined;
  const job = options.job ?? new RunnerJob();
  try {
    const actionDir = join(REPO_ROOT, 'actions', options.action);
    const workspace = options.workspace ?? job.workspace;
    const env: Record<string, string> = { ...baseEnv(job, workspace), ...(options.env ?? {}) };
    for (const [name, input] of Object.entries(metadata.inputs ?? {})) {
      const given = options.inputs?.[name];
      const value = given ?? (input.default === undefined || input.default === null ? '' : String(input.default));
      env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
    }
    for (const name of Object.keys(options.inputs ?? {})) {
      if (!(name in (metadata.inputs ?? {})))
        throw new Error(`Input '${name}' is not declared in actions/${options.action}/action.yml`);
    }
    if (options.event) {
      const eventPath = job.stepFile('event.json');
      writeFileSync(eventPath, JSON.stringify(options.event.payload));
      env.GITHUB_EVENT_NAME = options.event.name;
      env.GITHUB_EVENT_PATH = eventPath;
    }
    const main = await runScript(
      resolve(actionDir, metadata.runs.main),
      env,
      job,
      options.timeoutMs,
      options.stepFiles,
    );
    let post: StepOutcome | undefined;
    if (metadata.runs.post && options.post !== false) {
      const postEnv = { ...env };
      for (const [name, value] of Object.entries(main.state)) postEnv[`STATE_${name}`] = value;
      post = await runScript(
        resolve(actionDir, metadata.runs.post),
        postEnv,
        job,
        options.timeoutMs,
        options.stepFiles,
      );
    }
    return { main, post };
  } finally {
    if (ownJob) job.remove();
  }
}

function baseEnv(job: RunnerJob, workspace: string): Record<string, string> {
  // Only what a runner provides plus PATH/HOME: the step must not depend on the test process's environment.
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? job.root,
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_REPOSITORY_OWNER: 'octo-org',
    GITHUB_RUN_ID: '1234567890',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_NUMBER: '42',
    GITHUB_JOB: 'test',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_TEMP: job.runnerTemp,
    RUNNER_TOOL_CACHE: join(job.root, 'tool-cache'),
  };
}

async function runScript(
  script: string,
  env: Record<string, string>,
  job: RunnerJob,
  timeoutMs = 120_000,
  stepFiles: Partial<Record<StepFileName, string>> = {},
): Promise<StepOutcome> {
  if (!existsSync(script)) throw new Error(`${script} does not exist: run 'npm run bundle' first`);
  const files: Record<StepFileName, string> = {
    GITHUB_OUTPUT: job.stepFile('output'),
    GITHUB_STATE: job.stepFile('state'),
    GITHUB_ENV: job.stepFile('env'),
    GITHUB_PATH: job.stepFile('path'),
    GITHUB_STEP_SUMMARY: job.stepFile('summary'),
    ...stepFiles,
  };
  const child = spawn(process.execPath, [script], {
    cwd: env.GITHUB_WORKSPACE,
    env: { ...env, ...files },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exitCode = await new Promise<number>((resolveExit, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${timeoutMs} ms.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveExit(code ?? 1);
    });
  });
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseCommandFile(readStepFile(files.GITHUB_OUTPUT)),
    state: parseCommandFile(readStepFile(files.GITHUB_STATE)),
    summary: readStepFile(files.GITHUB_STEP_SUMMARY),
    annotations: parseAnnotations(stdout),
  };
}

/** A command file's text; '' when a test gave the step something that is not a readable file. */
function readStepFile(path: string): string {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ? readFileSync(path, 'utf8') : '';
}

/** Parses a GITHUB_OUTPUT/GITHUB_STATE/GITHUB_ENV file: `name=value` lines and `name<<DELIM ... DELIM` blocks. */
export function parseCommandFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const body: string[] = [];
      index++;
      while (index < lines.length && lines[index] !== delimiter) body.push(lines[index++]);
      if (index >= lines.length) throw new Error(`Unterminated heredoc for '${name}' (delimiter ${delimiter})`);
      values[name] = body.join('\n');
      continue;
    }
    const equals = line.indexOf('=');
    if (equals < 0) throw new Error(`Malformed command file line: ${line}`);
    values[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return values;
}

function parseAnnotations(stdout: string): { level: string; message: string }[] {
  const annotations: { level: string; message: string }[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^::(warning|error|notice)(?: [^:]*)?::(.*)$/.exec(line);
    if (match)
      annotations.push({
        level: match[1],
        message: match[2].replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'),
      });
  }
  return annotations;
}
