/**
 * Runs a workflow file the way GitHub's runner would, on this machine, for the end-to-end tests: jobs in `needs`
 * order (independent jobs concurrently), matrix jobs fanned out from `strategy.matrix`, job and step `if:`
 * conditions, `with:`/`env:` expressions and job outputs evaluated by workflow-expressions.ts, ci-optimizer
 * actions through their dist bundles (test/support/action-runner.ts) and `run:` steps with bash.
 *
 * What needs GitHub or a network is emulated or skipped, and only what the allow-lists below name:
 * - EMULATED: actions/checkout (a clone of the origin repository at the run's commit, honouring fetch-depth),
 *   actions/setup-python (puts a `python` that is /usr/bin/python3 on PATH), actions/cache (+ /restore, /save:
 *   a cache service with GitHub's key, restore-key and branch-scope rules; paths inside the workspace are really
 *   saved and restored, paths outside it only keyed), actions/upload-artifact and actions/download-artifact
 *   (folders in the run's root).
 * - SKIPPED: docker/* actions and the `run:` steps named in SKIPPED_RUN_STEPS (package installs and scanners
 *   that download), recorded as skipped with their evaluated inputs.
 * Any other `uses:` fails the run, so a new step in the workflow has to be placed in one of these lists.
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, RunnerJob, parseCommandFile, runActionStep, type StepOutcome } from '../support/action-runner.ts';
import {
  ExpressionError,
  StrictObject,
  evaluateCondition,
  evaluateText,
  evaluateValue,
  type EvaluationScope,
  type Value,
} from './workflow-expressions.ts';

/** The prefix users write for the suite's actions (OWNER is the documented placeholder). */
export const SUITE_ACTION = /^OWNER\/ci-optimizer\/actions\/([a-z0-9-]+(?:\/[a-z0-9-]+)?)@v1$/;

/** `run:` steps that download packages or tools; skipped by name, everything else runs for real. */
export const SKIPPED_RUN_STEPS = new Set([
  'install dependencies',
  'install coverage',
  'install the scanners',
  'known vulnerabilities in the dependencies',
  'static analysis of the service',
]);

/** Actions that build or push images: they need a Docker daemon and a registry. */
const SKIPPED_ACTIONS = /^docker\//;

/** Outputs of the emulated actions, as their action.yml declares them (so a typo in the workflow still fails). */
const EMULATED_OUTPUTS: Record<string, string[]> = {
  'actions/checkout': ['ref', 'commit'],
  'actions/setup-python': ['python-version', 'cache-hit', 'python-path'],
  'actions/cache': ['cache-hit'],
  'actions/cache/restore': ['cache-hit', 'cache-primary-key', 'cache-matched-key'],
  'actions/cache/save': [],
  'actions/upload-artifact': ['artifact-id', 'artifact-url', 'artifact-digest'],
  'actions/download-artifact': ['download-path'],
};

/** The inputs each emulator honours; any other `with:` key fails the run rather than being silently ignored. */
const EMULATED_INPUTS: Record<string, string[]> = {
  'actions/checkout': ['fetch-depth'],
  'actions/setup-python': ['python-version-file'],
  'actions/cache': ['path', 'key', 'restore-keys'],
  'actions/cache/restore': ['path', 'key', 'restore-keys'],
  'actions/cache/save': ['path', 'key'],
  // retention-days only matters on GitHub; the run's artifacts live as long as the test.
  'actions/upload-artifact': ['name', 'path', 'include-hidden-files', 'retention-days'],
  'actions/download-artifact': ['name', 'pattern', 'path', 'merge-multiple'],
};

interface WorkflowStep {
  id?: string;
  name?: string;
  if?: unknown;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  'continue-on-error'?: unknown;
  'working-directory'?: string;
}

interface WorkflowJob {
  name?: string;
  needs?: string | string[];
  if?: unknown;
  env?: Record<string, unknown>;
  outputs?: Record<string, string>;
  strategy?: { matrix?: unknown; 'fail-fast'?: unknown };
  steps?: WorkflowStep[];
}

export interface Workflow {
  name?: string;
  on?: unknown;
  env?: Record<string, unknown>;
  concurrency?: unknown;
  jobs: Record<string, WorkflowJob>;
}

/** Reads and parses a workflow file. */
export function readWorkflow(file: string): Workflow {
  const workflow = parse(readFileSync(file, 'utf8')) as Workflow;
  if (!workflow?.jobs) throw new Error(`${file} has no jobs`);
  return workflow;
}

/** Cache entries that outlive a run: GitHub's cache service, scoped by the ref that saved them. */
export class CacheService {
  readonly root = mkdtempSync(join(tmpdir(), 'ci-opt-cache-service-'));
  private readonly entries: { key: string; scope: string; dir: string; seq: number }[] = [];
  private seq = 0;

  /** Keys saved so far, oldest first, with the ref that saved them. */
  list(): { key: string; scope: string }[] {
    return this.entries.map(({ key, scope }) => ({ key, scope }));
  }

  /** GitHub's lookup: per scope (this ref, the PR's base, the default branch), the exact key, then each restore key's newest prefix match. */
  find(key: string, restoreKeys: string[], scopes: string[]): { key: string; dir: string; exact: boolean } | undefined {
    for (const scope of scopes) {
      const inScope = this.entries.filter((entry) => entry.scope === scope);
      const exact = inScope.find((entry) => entry.key === key);
      if (exact) return { key: exact.key, dir: exact.dir, exact: true };
      for (const prefix of restoreKeys) {
        const newest = inScope.filter((entry) => entry.key.startsWith(prefix)).sort((a, b) => b.seq - a.seq)[0];
        if (newest) return { key: newest.key, dir: newest.dir, exact: false };
      }
    }
    return undefined;
  }

  /** Saves a snapshot of `paths` (those inside the workspace); false when the key exists in the scope (immutable). */
  save(key: string, scope: string, paths: string[], workspace: string): boolean {
    if (this.entries.some((entry) => entry.key === key && entry.scope === scope)) return false;
    const dir = join(this.root, String(++this.seq));
    mkdirSync(dir, { recursive: true });
    for (const path of paths) {
      const inside = workspaceRelative(path, workspace);
      if (inside !== undefined && existsSync(join(workspace, inside)))
        cpSync(join(workspace, inside), join(dir, inside), { recursive: true });
    }
    this.entries.push({ key, scope, dir, seq: this.seq });
    return true;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

function workspaceRelative(path: string, workspace: string): string | undefined {
  if (path.startsWith('~') || isAbsolute(path)) {
    const rel = isAbsolute(path) ? relative(workspace, path) : '..';
    return rel.startsWith('..') ? undefined : rel;
  }
  return path.replace(/\/+$/, '');
}

export interface WorkflowRunOptions {
  workflow: Workflow;
  /** The repository as GitHub holds it; checkout clones it. */
  origin: string;
  /** A ref in origin that points at `sha` (refs/heads/main, refs/pull/7/merge). */
  checkoutRef: string;
  event: { name: string; payload: Record<string, unknown> };
  /** GITHUB_REF and GITHUB_SHA of the run. */
  ref: string;
  sha: string;
  runId: string;
  cache: CacheService;
  /** Environment given to every action and run step (e.g. GITHUB_API_URL of a local API). */
  env?: Record<string, string>;
  token?: string;
  /** Jobs not to run (recorded as not run); their dependants see them as skipped. */
  onlyJobs?: string[];
}

export interface StepRecord {
  id?: string;
  name: string;
  /** action: a ci-optimizer bundle; emulated/skipped: see the module comment; run: bash; not-run: its if: was false. */
  kind: 'action' | 'emulated' | 'skipped' | 'run' | 'not-run';
  uses?: string;
  /** The step's evaluated `with:` (the inputs the runner would hand over). */
  inputs: Record<string, string>;
  env: Record<string, string>;
  outcome: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
  outcomeDetail?: StepOutcome;
  log?: string;
  ms: number;
}

export interface JobRecord {
  job: string;
  /** The job's display name (evaluated with its matrix entry). */
  name: string;
  matrix?: Record<string, Value>;
  result: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
  steps: StepRecord[];
  workspace: string;
  runnerTemp: string;
  ms: number;
}

export interface WorkflowRun {
  /** Every job instance (matrix jobs once per entry), in the order they finished. */
  jobs: JobRecord[];
  /** One job's instances. */
  instances(job: string): JobRecord[];
  /** The single instance of a job (fails for matrix jobs with several). */
  job(job: string): JobRecord;
  artifacts: string;
  remove(): void;
}

/** Runs the workflow's jobs for one event. */
export async function runWorkflow(options: WorkflowRunOptions): Promise<WorkflowRun> {
  const runRoot = mkdtempSync(join(tmpdir(), 'ci-opt-run-'));
  const artifacts = join(runRoot, 'artifacts');
  const python = pythonShim(runRoot);
  mkdirSync(artifacts, { recursive: true });
  const github = githubContext(options);
  const workflowEnv = evaluateEnv(options.workflow.env, { contexts: { github } });
  // Evaluated for strictness only: a concurrency expression the evaluator cannot read fails the run.
  evaluateTree(options.workflow.concurrency, { contexts: { github } });

  const jobs = options.workflow.jobs;
  const results = new Map<string, { result: JobRecord['result']; outputs: Record<string, string> }>();
  const finished: JobRecord[] = [];
  const runners: RunnerJob[] = [];
  const pending = new Set(Object.keys(jobs));
  const needsOf = (id: string) => [jobs[id].needs ?? []].flat();
  for (const id of pending)
    for (const need of needsOf(id)) if (!jobs[need]) throw new Error(`job '${id}' needs unknown job '${need}'`);

  while (pending.size > 0) {
    const ready = [...pending].filter((id) => needsOf(id).every((need) => results.has(need)));
    if (ready.length === 0) throw new Error(`jobs ${[...pending].join(', ')} wait on each other`);
    for (const id of ready) pending.delete(id);
    await Promise.all(
      ready.map(async (id) => {
        const records = await runJob(id, jobs[id], {
          ...options,
          github,
          workflowEnv,
          results,
          artifacts,
          python,
          runners,
          needs: needsOf(id),
        });
        finished.push(...records);
        const result = records.some((r) => r.result === 'failure')
          ? 'failure'
          : records.every((r) => r.result === 'skipped')
            ? 'skipped'
            : 'success';
        results.set(id, { result, outputs: records[records.length - 1]?.outputs ?? {} });
      }),
    );
  }
  const instances = (job: string) => finished.filter((record) => record.job === job);
  return {
    jobs: finished,
    instances,
    job(job) {
      const found = instances(job);
      if (found.length !== 1) throw new Error(`job '${job}' ran ${found.length} times`);
      return found[0];
    },
    artifacts,
    remove: () => {
      for (const runner of runners) runner.remove();
      rmSync(runRoot, { recursive: true, force: true });
    },
  };
}

function evaluateTree(value: unknown, scope: EvaluationScope): void {
  if (typeof value === 'string') evaluateValue(value, scope);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) evaluateTree(item, scope);
}

interface JobContext extends WorkflowRunOptions {
  github: StrictObject;
  workflowEnv: Record<string, string>;
  results: Map<string, { result: JobRecord['result']; outputs: Record<string, string> }>;
  artifacts: string;
  python: string;
  runners: RunnerJob[];
  needs: string[];
}

/** The `github` context of a run: the event, ref and sha; reading any other property fails. */
export function githubContext(
  options: Pick<WorkflowRunOptions, 'event' | 'ref' | 'sha' | 'runId' | 'token'>,
): StrictObject {
  const pr = options.event.payload.pull_request as { base?: { ref?: string }; head?: { ref?: string } } | undefined;
  return StrictObject.of('github', {
    event_name: options.event.name,
    event: options.event.payload as Value,
    ref: options.ref,
    ref_name: options.ref.replace(/^refs\/(heads|tags)\//, ''),
    sha: options.sha,
    run_id: options.runId,
    run_attempt: '1',
    repository: 'octo-org/octo-repo',
    repository_owner: 'octo-org',
    workflow: 'optimize',
    base_ref: pr?.base?.ref ?? '',
    head_ref: pr?.head?.ref ?? '',
    token: options.token ?? 'ghs_e2e',
    server_url: 'https://github.com',
  });
}

function needsContext(ctx: JobContext): StrictObject {
  const record: Record<string, Value> = {};
  for (const need of ctx.needs) {
    const done = ctx.results.get(need)!;
    const declared = Object.keys(ctx.workflow.jobs[need].outputs ?? {});
    record[need] = StrictObject.of(`needs.${need}`, {
      result: done.result,
      outputs: new StrictObject(`needs.${need}.outputs`, (name) =>
        declared.includes(name) ? (done.outputs[name] ?? '') : undefined,
      ),
    });
  }
  return StrictObject.of('needs', record);
}

function jobStatus(ctx: JobContext): 'success' | 'failure' | 'skipped' {
  const results = ctx.needs.map((need) => ctx.results.get(need)!.result);
  if (results.includes('failure')) return 'failure';
  return results.every((result) => result === 'success') ? 'success' : 'skipped';
}

/** Evaluates an `env:` map to the text the runner exports. */
export function evaluateEnv(env: Record<string, unknown> | undefined, scope: EvaluationScope): Record<string, string> {
  return Object.fromEntries(Object.entries(env ?? {}).map(([name, value]) => [name, evaluateText(value, scope)]));
}

async function runJob(id: string, job: WorkflowJob, ctx: JobContext): Promise<JobRecord[]> {
  const needs = needsContext(ctx);
  const skipped = (name: string): JobRecord => ({
    job: id,
    name,
    result: 'skipped',
    outputs: {},
    steps: [],
    workspace: '',
    runnerTemp: '',
    ms: 0,
  });
  if (ctx.onlyJobs && !ctx.onlyJobs.includes(id)) return [skipped(job.name ?? id)];
  const scope: EvaluationScope = { contexts: { github: ctx.github, needs }, status: jobStatus(ctx) };
  if (!evaluateCondition(job.if, scope)) return [skipped(job.name ?? id)];

  const entries = matrixEntries(job, { contexts: { github: ctx.github, needs } });
  return Promise.all(entries.map((matrix) => runJobInstance(id, job, ctx, needs, matrix)));
}

function matrixEntries(job: WorkflowJob, scope: EvaluationScope): (Record<string, Value> | undefined)[] {
  if (job.strategy?.matrix === undefined) return [undefined];
  const matrix = evaluateValue(job.strategy.matrix, scope) as Record<string, Value>;
  const keys = Object.keys(matrix ?? {});
  if (keys.length !== 1 || keys[0] !== 'include' || !Array.isArray(matrix.include)) {
    throw new Error(`only a matrix of the form {include: [...]} is supported, got ${JSON.stringify(matrix)}`);
  }
  if (matrix.include.length === 0)
    throw new Error('the matrix is empty: GitHub fails such a job ("Matrix vector does not contain any values")');
  return matrix.include as Record<string, Value>[];
}

async function runJobInstance(
  id: string,
  job: WorkflowJob,
  ctx: JobContext,
  needs: StrictObject,
  matrix: Record<string, Value> | undefined,
): Promise<JobRecord> {
  const started = Date.now();
  const runner = new RunnerJob();
  ctx.runners.push(runner);
  const home = join(runner.root, 'home');
  mkdirSync(home, { recursive: true });
  const matrixContext: Record<string, Value> = matrix ? { matrix: StrictObject.of('matrix', matrix) } : {};
  const runnerContext = StrictObject.of('runner', { temp: runner.runnerTemp, os: 'Linux', arch: 'X64' });
  const jobEnv = {
    ...ctx.workflowEnv,
    ...evaluateEnv(job.env, { contexts: { github: ctx.github, needs, ...matrixContext, runner: runnerContext } }),
  };
  const name = evaluateText(job.name ?? id, { contexts: { github: ctx.github, needs, ...matrixContext } });
  const record: JobRecord = {
    job: id,
    name,
    matrix,
    result: 'success',
    outputs: {},
    steps: [],
    workspace: runner.workspace,
    runnerTemp: runner.runnerTemp,
    ms: 0,
  };
  const paths: string[] = [];
  const stepsById: Record<string, StrictObject> = {};
  const postSaves: (() => void)[] = [];
  let failed = false;

  const runnerEnv = (): Record<string, string> => ({
    PATH: [...paths, process.env.PATH ?? ''].join(':'),
    HOME: home,
    GITHUB_REF: ctx.ref,
    GITHUB_SHA: ctx.sha,
    GITHUB_RUN_ID: ctx.runId,
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: id,
    GITHUB_WORKFLOW: ctx.workflow.name ?? 'workflow',
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_BASE_REF: (ctx.github.get('base_ref') as string) ?? '',
    GITHUB_HEAD_REF: (ctx.github.get('head_ref') as string) ?? '',
    ...(ctx.env ?? {}),
  });

  for (const [index, step] of (job.steps ?? []).entries()) {
    const scope: EvaluationScope = {
      contexts: {
        github: ctx.github,
        needs,
        ...matrixContext,
        runner: runnerContext,
        steps: StrictObject.of('steps', { ...stepsById }),
        env: StrictObject.of('env', { ...jobEnv }),
      },
      status: failed ? 'failure' : 'success',
    };
    const stepName = step.name ?? step.uses ?? step.run?.split('\n')[0] ?? `step ${index + 1}`;
    const stepStarted = Date.now();
    const stepRecord: StepRecord = {
      id: step.id,
      name: stepName,
      kind: 'not-run',
      uses: step.uses,
      inputs: {},
      env: {},
      outcome: 'skipped',
      outputs: {},
      ms: 0,
    };
    if (evaluateCondition(step.if, scope)) {
      const env = { ...jobEnv, ...evaluateEnv(step.env, scope) };
      const stepScope: EvaluationScope = {
        ...scope,
        contexts: { ...scope.contexts, env: StrictObject.of('env', env) },
      };
      stepRecord.env = env;
      stepRecord.inputs = Object.fromEntries(
        Object.entries(step.with ?? {}).map(([k, v]) => [k, evaluateText(v, stepScope)]),
      );
      try {
        await executeStep(step, stepRecord, stepScope, {
          ctx,
          runner,
          env,
          runnerEnv,
          paths,
          postSaves,
          python: ctx.python,
        });
      } catch (error) {
        if (error instanceof ExpressionError) throw error;
        stepRecord.outcome = 'failure';
        stepRecord.log = `${stepRecord.log ?? ''}\n${(error as Error).stack ?? String(error)}`;
      }
      const continueOnError =
        step['continue-on-error'] !== undefined && evaluateText(step['continue-on-error'], stepScope) === 'true';
      if (stepRecord.outcome === 'failure' && !continueOnError) failed = true;
    }
    stepRecord.ms = Date.now() - stepStarted;
    record.steps.push(stepRecord);
    if (step.id) {
      const declared = declaredOutputs(step.uses);
      const produced = stepRecord.outputs;
      stepsById[step.id] = StrictObject.of(`steps.${step.id}`, {
        outcome: stepRecord.outcome,
        conclusion: stepRecord.outcome === 'failure' && step['continue-on-error'] ? 'success' : stepRecord.outcome,
        outputs: new StrictObject(`steps.${step.id}.outputs`, (output) =>
          Object.hasOwn(produced, output) ? produced[output] : declared.includes(output) ? '' : undefined,
        ),
      });
    }
  }
  // actions/cache saves in its post step, which runs only when the job succeeded.
  if (!failed) for (const save of postSaves.reverse()) save();
  const outputScope: EvaluationScope = {
    contexts: {
      github: ctx.github,
      needs,
      ...matrixContext,
      runner: runnerContext,
      steps: StrictObject.of('steps', stepsById),
    },
  };
  record.outputs = Object.fromEntries(
    Object.entries(job.outputs ?? {}).map(([k, v]) => [k, evaluateText(v, outputScope)]),
  );
  record.result = failed ? 'failure' : 'success';
  record.ms = Date.now() - started;
  return record;
}

function declaredOutputs(uses: string | undefined): string[] {
  if (!uses) return [];
  const suite = SUITE_ACTION.exec(uses);
  if (suite) {
    const metadata = parse(readFileSync(join(REPO_ROOT, 'actions', suite[1], 'action.yml'), 'utf8')) as {
      outputs?: Record<string, unknown>;
    };
    return Object.keys(metadata.outputs ?? {});
  }
  return EMULATED_OUTPUTS[uses.replace(/@.*$/, '')] ?? [];
}

interface StepEnvironment {
  ctx: JobContext;
  runner: RunnerJob;
  env: Record<string, string>;
  runnerEnv: () => Record<string, string>;
  paths: string[];
  postSaves: (() => void)[];
  python: string;
}

async function executeStep(
  step: WorkflowStep,
  record: StepRecord,
  scope: EvaluationScope,
  where: StepEnvironment,
): Promise<void> {
  if (step.run !== undefined) {
    if (SKIPPED_RUN_STEPS.has(record.name)) {
      record.kind = 'skipped';
      record.outcome = 'success';
      return;
    }
    record.kind = 'run';
    const script = evaluateText(step.run, scope);
    const result = await runBash(
      script,
      step['working-directory'] ? join(where.runner.workspace, step['working-directory']) : where.runner.workspace,
      {
        ...where.runnerEnv(),
        ...where.env,
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: where.runner.workspace,
        RUNNER_TEMP: where.runner.runnerTemp,
      },
      where.runner,
    );
    record.outputs = result.outputs;
    record.log = result.log;
    record.outcome = result.exitCode === 0 ? 'success' : 'failure';
    return;
  }
  const uses = step.uses;
  if (!uses) throw new Error(`step '${record.name}' has neither run nor uses`);
  const suite = SUITE_ACTION.exec(uses);
  if (suite) {
    record.kind = 'action';
    await runSuiteAction(suite[1], record, scope, where);
    return;
  }
  if (SKIPPED_ACTIONS.test(uses)) {
    record.kind = 'skipped';
    record.outcome = 'success';
    return;
  }
  record.kind = 'emulated';
  const action = uses.replace(/@v\d+$/, '');
  if (action === uses) throw new Error(`'${uses}' is not pinned to a major version`);
  const emulate = EMULATORS[action];
  if (!emulate)
    throw new Error(
      `'${uses}' is neither a ci-optimizer action nor in the emulated or skipped lists of workflow-runner.ts`,
    );
  const unknown = Object.keys(record.inputs).filter((input) => !EMULATED_INPUTS[action].includes(input));
  if (unknown.length > 0)
    throw new ExpressionError(
      `the emulation of ${action} does not honour the input(s) ${unknown.join(', ')} (step '${record.name}')`,
    );
  record.outputs = await emulate(record.inputs, where);
  record.outcome = 'success';
}

async function runSuiteAction(
  action: string,
  record: StepRecord,
  scope: EvaluationScope,
  where: StepEnvironment,
): Promise<void> {
  const metadata = parse(readFileSync(join(REPO_ROOT, 'actions', action, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, { default?: unknown }>;
  };
  const inputs = { ...record.inputs };
  // The runner evaluates expressions in action.yml defaults (`${{ github.token }}`); the harness passes text.
  for (const [name, input] of Object.entries(metadata.inputs ?? {})) {
    if (!(name in inputs) && typeof input.default === 'string' && input.default.includes('${{'))
      inputs[name] = evaluateText(input.default, scope);
  }
  const { main, post } = await runActionStep({
    action,
    job: where.runner,
    workspace: where.runner.workspace,
    inputs,
    event: where.ctx.event,
    env: { ...where.runnerEnv(), ...where.env },
  });
  record.outcomeDetail = main;
  record.outputs = main.outputs;
  record.log = `${main.stdout}\n${main.stderr}`;
  record.outcome = main.exitCode === 0 && (post?.exitCode ?? 0) === 0 ? 'success' : 'failure';
}

type Emulator = (
  inputs: Record<string, string>,
  where: StepEnvironment,
) => Promise<Record<string, string>> | Record<string, string>;

const EMULATORS: Record<string, Emulator> = {
  'actions/checkout': async (inputs, { ctx, runner }) => {
    const depth = Number(inputs['fetch-depth'] ?? '1');
    const git = (...args: string[]) => runGit(runner.workspace, args);
    await git('init', '-q');
    await git('remote', 'add', 'origin', `file://${ctx.origin}`);
    const target = ctx.checkoutRef
      .replace(/^refs\/heads\//, 'refs/remotes/origin/')
      .replace(/^refs\/pull\//, 'refs/remotes/pull/');
    if (depth === 0)
      await git(
        'fetch',
        '-q',
        '--no-tags',
        'origin',
        '+refs/heads/*:refs/remotes/origin/*',
        `+${ctx.checkoutRef}:${target}`,
      );
    else await git('fetch', '-q', '--no-tags', `--depth=${depth}`, 'origin', `+${ctx.checkoutRef}:${target}`);
    await git('checkout', '-q', '--detach', ctx.sha);
    return { ref: ctx.ref, commit: ctx.sha };
  },
  'actions/setup-python': (inputs, { python, paths, runner }) => {
    const wanted = readFileSync(
      join(runner.workspace, inputs['python-version-file'] ?? '.python-version'),
      'utf8',
    ).trim();
    paths.unshift(python);
    return { 'python-version': wanted, 'cache-hit': 'false', 'python-path': join(python, 'python') };
  },
  'actions/cache': (inputs, where) => {
    const restored = restoreCache(inputs, where);
    if (restored.hit !== 'true') {
      where.postSaves.push(() =>
        where.ctx.cache.save(inputs.key, where.ctx.ref, lines(inputs.path), where.runner.workspace),
      );
    }
    return { 'cache-hit': restored.hit };
  },
  'actions/cache/restore': (inputs, where) => {
    const restored = restoreCache(inputs, where);
    return { 'cache-hit': restored.hit, 'cache-primary-key': inputs.key, 'cache-matched-key': restored.matched };
  },
  'actions/cache/save': (inputs, where) => {
    where.ctx.cache.save(inputs.key, where.ctx.ref, lines(inputs.path), where.runner.workspace);
    return {};
  },
  'actions/upload-artifact': (inputs, { ctx, runner }) => {
    const name = inputs.name || 'artifact';
    const target = join(ctx.artifacts, name);
    if (existsSync(target))
      throw new Error(`an artifact named '${name}' was already uploaded in this run (upload-artifact@v4 refuses)`);
    const hidden = inputs['include-hidden-files'] === 'true';
    let files = 0;
    for (const path of lines(inputs.path)) {
      const source = resolve(runner.workspace, path);
      if (!existsSync(source)) continue;
      if (statSync(source).isDirectory()) files += copyTree(source, target, hidden, relative(runner.workspace, source));
      else if (hidden || !isHidden(relative(runner.workspace, source))) {
        mkdirSync(target, { recursive: true });
        cpSync(source, join(target, basename(source)));
        files++;
      }
    }
    if (files === 0) rmSync(target, { recursive: true, force: true });
    const outputs: Record<string, string> = files === 0 ? {} : { 'artifact-id': name };
    return outputs;
  },
  'actions/download-artifact': (inputs, { ctx, runner }) => {
    const destination = resolve(runner.workspace, inputs.path || '.');
    const available = existsSync(ctx.artifacts) ? readdirSync(ctx.artifacts).sort() : [];
    if (inputs.name) {
      if (!available.includes(inputs.name)) throw new Error(`Artifact not found for name: ${inputs.name}`);
      cpSync(join(ctx.artifacts, inputs.name), destination, { recursive: true });
    } else {
      const pattern = new RegExp(
        `^${(inputs.pattern || '*')
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      );
      for (const name of available.filter((n) => pattern.test(n))) {
        cpSync(join(ctx.artifacts, name), inputs['merge-multiple'] === 'true' ? destination : join(destination, name), {
          recursive: true,
        });
      }
    }
    return { 'download-path': destination };
  },
};

function restoreCache(
  inputs: Record<string, string>,
  { ctx, runner }: StepEnvironment,
): { hit: string; matched: string } {
  const pr = ctx.event.payload.pull_request as { base?: { ref?: string } } | undefined;
  const scopes = [ctx.ref, ...(pr?.base?.ref ? [`refs/heads/${pr.base.ref}`] : []), 'refs/heads/main'];
  const found = ctx.cache.find(inputs.key, lines(inputs['restore-keys']), [...new Set(scopes)]);
  if (!found) return { hit: '', matched: '' };
  for (const path of lines(inputs.path)) {
    const inside = workspaceRelative(path, runner.workspace);
    if (inside !== undefined && existsSync(join(found.dir, inside)))
      cpSync(join(found.dir, inside), join(runner.workspace, inside), { recursive: true });
  }
  return { hit: found.exact ? 'true' : 'false', matched: found.key };
}

function lines(text: string | undefined): string[] {
  return (text ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function isHidden(path: string): boolean {
  return path.split(/[\\/]/).some((part) => part.startsWith('.') && part !== '.' && part !== '..');
}

/** Copies a folder's files (upload-artifact keeps paths relative to the folder); hidden ones only when asked. */
function copyTree(source: string, target: string, hidden: boolean, shownAs: string): number {
  let count = 0;
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const relPath = join(rel, entry.name);
      if (!hidden && isHidden(join(shownAs, relPath))) continue;
      if (entry.isDirectory()) walk(join(dir, entry.name), relPath);
      else {
        mkdirSync(dirname(join(target, relPath)), { recursive: true });
        cpSync(join(dir, entry.name), join(target, relPath));
        count++;
      }
    }
  };
  walk(source, '');
  return count;
}

/** A folder with `python` and `python3` pointing at the system interpreter, as setup-python puts on PATH. */
function pythonShim(root: string): string {
  const dir = join(root, 'python-bin');
  mkdirSync(dir, { recursive: true });
  symlinkSync('/usr/bin/python3', join(dir, 'python'));
  symlinkSync('/usr/bin/python3', join(dir, 'python3'));
  return dir;
}

function runGit(cwd: string, args: string[]): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('git', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolveRun() : reject(new Error(`git ${args.join(' ')} failed (${code}): ${stderr}`)),
    );
  });
}

/** Runs a `run:` script as the runner's default shell does: bash --noprofile --norc -eo pipefail. */
function runBash(
  script: string,
  cwd: string,
  env: Record<string, string>,
  runner: RunnerJob,
): Promise<{ exitCode: number; log: string; outputs: Record<string, string> }> {
  const file = runner.stepFile('script.sh');
  writeFileSync(file, script);
  const outputFile = runner.stepFile('output');
  const files = {
    GITHUB_OUTPUT: outputFile,
    GITHUB_ENV: runner.stepFile('env'),
    GITHUB_PATH: runner.stepFile('path'),
    GITHUB_STEP_SUMMARY: runner.stepFile('summary'),
  };
  return new Promise((resolveRun, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
      cwd,
      env: { ...env, ...files },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      resolveRun({ exitCode: code ?? 1, log, outputs: parseCommandFile(readFileSync(outputFile, 'utf8')) }),
    );
  });
}
