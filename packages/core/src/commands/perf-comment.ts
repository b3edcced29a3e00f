import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { COUNTERS } from '../metrics/index.ts';
import { join } from 'node:path';
import { errorMessage, FailureWithOutputs, InputError, UserError } from '../errors/index.ts';
import {
  createGitHubClient,
  GitHubPermissionError,
  findStickyComment,
  upsertStickyComment,
  type GitHubClient,
} from '../github/index.ts';
import type { CommandContext, CommandWithConfig, Outputs } from '../contract/index.ts';
import { DEFAULT_STORE, openStore, type Store } from '../store/index.ts';
import type { AbInterleave, ConfirmRuns, Measure, PerfReport, SameJobAbRuns } from '../perf/index.ts';

const MODES = ['compare', 'ab', 'store-baseline', 'post'] as const;
type Mode = (typeof MODES)[number];

/**
 * The perf domain, imported when a run needs it: a compare run whose 'results' input is empty stops before (the
 * cold start of a step that fails on its inputs loads no benchmark code).
 */
const perfDomain = () => import('../perf/index.ts');

/** `perf-comment`: compares benchmark results with a baseline, explains profiles, keeps one PR comment current. */
export const perfCommentCommand: CommandWithConfig = {
  name: 'perf-comment',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...Object.fromEntries(
        [
          'results',
          'baseline',
          'profile',
          'baseline-profile',
          'mode',
          'store',
          'min-change',
          'max-baseline-age',
          'comment',
          'drift-correction',
          'ab-command',
          'marker-id',
          'payload',
          'measure',
          'ab-interleave',
          'confirm-command',
          'confirm-timeout',
        ].map((k) => [k, { type: 'string' }]),
      ),
      ignore: { type: ['array', 'string'], items: { type: 'string' } },
      alpha: { type: 'number' },
      'fail-on-regression': { type: 'boolean' },
      'top-functions': { type: 'integer' },
      'ab-runs': { type: ['integer', 'string'] },
      'ab-extra-runs': { type: 'integer' },
      'history-size': { type: 'integer' },
      'min-history-runs': { type: 'integer' },
      'confirm-runs': { type: 'integer' },
    },
  },
  formatOutput: {
    regressions: (value) => JSON.stringify(value),
    improvements: (value) => JSON.stringify(value),
  },
  async main(ctx: CommandContext): Promise<Outputs> {
    const mode = ctx.inputs.enum<Mode>('mode', MODES);
    if (mode === 'store-baseline') return storeBaselineMode(ctx);
    if (mode === 'post') return postMode(ctx);
    const report = await ctx.metrics.phase('compare', () => (mode === 'ab' ? abReport(ctx) : compareReport(ctx)));
    return publish(ctx, report);
  },
};

/** The legacy default store (before perf-comment used the suite's `dir:.ci-optimizer`), still read when present. */
const LEGACY_STORE = 'dir:.metrics';

function measureOf(ctx: CommandContext): Measure {
  return ctx.inputs.raw('measure').trim() === ''
    ? 'time'
    : ctx.inputs.enum<Measure>('measure', ['time', 'instructions']);
}

function statisticsOptions(ctx: CommandContext) {
  const { inputs } = ctx;
  const minChange = inputs.string('min-change');
  return {
    alpha: inputs.number('alpha', { min: 1e-6, max: 0.5 }),
    // Instruction counts do not move with the machine: 1% is a real change there; timings need 5%.
    minChange:
      minChange === '' ? (measureOf(ctx) === 'instructions' ? 0.01 : 0.05) : parsePercent(minChange, 'min-change'),
    ignore: inputs.list('ignore'),
    topN: inputs.int('top-functions', { min: 0, max: 50 }),
    driftCorrection: inputs.enum('drift-correction', ['auto', 'on', 'off'] as const),
    profileFile: inputs.path('profile') || undefined,
    baselineProfileFile: inputs.path('baseline-profile') || undefined,
  };
}

async function compareReport(ctx: CommandContext): Promise<PerfReport> {
  const { inputs, run } = ctx;
  const resultFiles = inputs.lines('results').map((file) => resolveIn(run.workspace, file));
  const baselineFiles = inputs.lines('baseline').map((file) => resolveIn(run.workspace, file));
  // Usage errors name the value as it was given, not as resolved in the workspace.
  const given = new Map(
    [...inputs.lines('results'), ...inputs.lines('baseline')].map((file) => [resolveIn(run.workspace, file), file]),
  );
  const inputWords = (input: string, file: string) => `Input '${input}' has value '${given.get(file) ?? file}'`;
  const options = { ...statisticsOptions(ctx), resultFiles, baselineFiles, inputWords };
  if (baselineFiles.length > 0) return (await perfDomain()).buildPerfReport(options);
  const mergeBase = mergeBaseOf(run.eventPayload, run.env);
  const candidates = mergeBase ? await (await perfDomain()).baselineCandidates(run.workspace, mergeBase) : [];
  if (resultFiles.length === 0 && !mayUseLegacyStore(ctx)) {
    // buildPerfReport's first check, made without loading the perf domain: the inputs a full run reads before it
    // (store, history-size, min-history-runs, max-baseline-age) are read and checked first, in the same order.
    openStore(inputs.string('store'), run.workspace);
    historyOptions(ctx);
    throw new InputError("Input 'results' is empty. Point it at the benchmark results file(s) of this run.");
  }
  const { buildPerfReport } = await perfDomain();
  const store = await storeWithBaselines(ctx, candidates);
  const confirm = await confirmRuns(ctx);
  try {
    return await buildPerfReport({
      ...options,
      currentRoot: run.workspace,
      store,
      historyStore: store,
      ...historyOptions(ctx),
      candidates,
      confirm,
    });
  } catch (error) {
    if (error instanceof UserError && !String(error.message).startsWith('Stored baseline')) throw error;
    // A broken store must not fail the job: compare with nothing and say why.
    ctx.log.warning(
      `Baselines in ${store.description} are unreadable (${errorMessage(error)}); nothing to compare with.`,
    );
    return buildPerfReport(options);
  }
}

/**
 * Confirmation of cross-run flags: the flagged benchmarks re-run `confirm-runs` times in this job with
 * `confirm-command` (else `ab-command`), all re-runs within `confirm-timeout`. A re-run that fails leaves the
 * one-stage verdicts and a warning; it never fails the step.
 */
async function confirmRuns(ctx: CommandContext): Promise<ConfirmRuns> {
  const { inputs, run, log } = ctx;
  const runs = inputs.int('confirm-runs', { min: 0, max: 10 });
  const own = inputs.string('confirm-command');
  const command = own || inputs.string('ab-command');
  const timeoutMs = inputs.duration('confirm-timeout');
  if (!command) return { runs };
  const inputName = own ? 'confirm-command' : 'ab-command';
  const { rerunBenchmarks } = await perfDomain();
  return {
    runs,
    rerun: (names, count) => {
      log.info(
        `Confirming ${names.length} flagged benchmark${names.length === 1 ? '' : 's'} with ${count} re-run${count === 1 ? '' : 's'} in this job (confirm-runs): ${names.map((name) => JSON.stringify(name)).join(', ')}`,
      );
      return ctx.metrics.phase('confirm', () =>
        rerunBenchmarks({
          command,
          dir: run.workspace,
          names,
          runs: count,
          outDir: join(run.runnerTemp, 'ci-optimizer', 'perf-confirm'),
          timeoutMs,
          inputName,
          onRun: (index, total) => log.info(`Re-run ${index} of ${total}`),
        }),
      );
    },
    onFailure: (error) =>
      log.warning(
        `The re-run that would confirm the flagged benchmarks failed (${errorMessage(error)}); the verdicts are the PR run's alone. Fix '${inputName}' (it must write results to {output}).`,
      ),
  };
}

/** The inputs that bound the stored history and the baseline's age. */
function historyOptions(ctx: CommandContext) {
  const { inputs } = ctx;
  return {
    historySize: inputs.int('history-size', { min: 2, max: 1000 }),
    minHistoryRuns: inputs.int('min-history-runs', { min: 2, max: 1000 }),
    maxBaselineAgeMs: inputs.duration('max-baseline-age'),
  };
}

/** Whether storeWithBaselines may turn to the legacy store (and say so): the default store, and a legacy folder. */
function mayUseLegacyStore(ctx: CommandContext): boolean {
  const spec = ctx.inputs.string('store');
  return (spec.trim() || DEFAULT_STORE) === DEFAULT_STORE && existsSync(join(ctx.run.workspace, LEGACY_STORE.slice(4)));
}

/**
 * The store named by the input. perf-comment used to default to `dir:.metrics`; with the suite's default now, a
 * workspace that still has baselines there (and none in the new store) is read from there, with a note.
 */
async function storeWithBaselines(ctx: CommandContext, candidates: readonly string[]): Promise<Store> {
  const { inputs, run } = ctx;
  const spec = inputs.string('store');
  const store = openStore(spec, run.workspace);
  if ((spec.trim() || DEFAULT_STORE) !== DEFAULT_STORE) return store;
  const { readBaselineRuns } = await perfDomain();
  try {
    const hasAny = async (candidate: Store) =>
      (await readBaselineRuns(candidate, { limit: 1 })).runs.length > 0 ||
      (await candidate.read('baseline.json')) !== undefined ||
      (await Promise.all(candidates.slice(0, 50).map((commit) => candidate.read(`baselines/${commit}.json`)))).some(
        Boolean,
      );
    if (await hasAny(store)) return store;
    const legacy = openStore(LEGACY_STORE, run.workspace);
    if (!(await hasAny(legacy))) return store;
    ctx.log.notice(
      `Reading baselines from ${legacy.description}, perf-comment's old default store. New baselines go to ${store.description} ` +
        "(the store every ci-optimizer action uses); move the folder there, or set 'store: dir:.metrics' to keep using it.",
    );
    return legacy;
  } catch {
    return store;
  }
}

function abRunsOf(ctx: CommandContext, measure: Measure): number {
  // One run per side is enough for instruction counts; timings need repeated runs to see run-to-run noise.
  if (ctx.inputs.raw('ab-runs').trim() === '') return measure === 'instructions' ? 1 : 3;
  return ctx.inputs.int('ab-runs', { min: 1, max: 20 });
}

function abInterleaveOf(ctx: CommandContext, measure: Measure, interleaves: readonly AbInterleave[]): AbInterleave {
  const given =
    ctx.inputs.raw('ab-interleave').trim() === ''
      ? 'rounds'
      : ctx.inputs.enum<AbInterleave>('ab-interleave', interleaves);
  // Instruction counts do not depend on the moment's load: whole runs, one after the other (Valgrind is slow enough).
  return measure === 'instructions' ? 'runs' : given;
}

async function abReport(ctx: CommandContext): Promise<PerfReport> {
  const { inputs, run } = ctx;
  const {
    AB_INTERLEAVES,
    addBaseWorktree,
    buildPerfReport,
    oneDeviantPairHidesAChange,
    prepareInstructionCounting,
    runSameJobAb,
  } = await perfDomain();
  const command = inputs.string('ab-command', { required: true });
  const measure = measureOf(ctx);
  const runsPerSide = abRunsOf(ctx, measure);
  const interleave = abInterleaveOf(ctx, measure, AB_INTERLEAVES);
  const statistics = statisticsOptions(ctx);
  const base = mergeBaseOf(run.eventPayload, run.env) ?? 'HEAD^1';
  const work = join(run.runnerTemp, 'ci-optimizer', 'perf-ab');
  const instructions =
    measure === 'instructions' ? await prepareInstructionCounting(join(work, 'callgrind'), run.env) : undefined;
  const baseDir = join(work, 'base');
  const removeWorktree = await addBaseWorktree(run.workspace, base, baseDir);
  try {
    const report = (runs: SameJobAbRuns) =>
      buildPerfReport({
        ...statistics,
        resultFiles: runs.head,
        baselineFiles: runs.base,
        sameJob: true,
        lockstep: runs.interleave === 'rounds',
        currentRoot: run.workspace,
        baselineRoot: baseDir,
        requireCommon: true,
        measure,
        inputWords: (_input, file) =>
          `Input 'ab-command' has value '${command}', which did not write benchmark results to {output} (${file}); make the command write them there (pytest: --benchmark-json={output})`,
      });
    const runs = await runSameJobAb({
      command,
      headDir: run.workspace,
      baseDir,
      runsPerSide,
      outDir: join(work, 'results'),
      env: instructions?.env,
      wrapCommand: instructions?.wrapCommand,
      interleave,
      onFallback: (why) => ctx.log.notice(`Same-job A/B: ${why}.`),
      // Timings only: one pair going the other way from all the others may hide a change; one more pair tells.
      maxExtraPairs: measure === 'time' ? inputs.int('ab-extra-runs', { min: 0, max: 10 }) : 0,
      // In lockstep only: with whole runs one after the other, pairs disagree too often for one to be set aside.
      morePairs: async (sofar) => {
        if (sofar.interleave !== 'rounds') return false;
        const hidden = oneDeviantPairHidesAChange((await report(sofar)).comparison);
        if (hidden)
          ctx.log.info('A/B: one pair goes the other way from the others; running one more pair (ab-extra-runs).');
        return hidden;
      },
      onRun: (side, index, total) =>
        ctx.log.info(
          `A/B run ${index} of ${total}: ${side}${instructions ? ' (under Valgrind, counting instructions)' : ''}`,
        ),
    });
    return await report(runs);
  } finally {
    await removeWorktree();
  }
}

async function storeBaselineMode(ctx: CommandContext): Promise<Outputs> {
  const { inputs, run } = ctx;
  const commit = run.env.GITHUB_SHA || (await headCommit(run.workspace));
  const files = inputs.lines('results');
  if (files.length === 0)
    throw new InputError("Input 'results' is empty. Point it at the benchmark results file(s) of this push's run.");
  const {
    appendBaselineRun,
    mergeBenchmarkRuns,
    normalizeBenchmarkNames,
    readBenchmarkFile,
    readProfileFile,
    runStatistics,
    saveBaseline,
  } = await perfDomain();
  const sets = await Promise.all(
    files.map((file) =>
      readBenchmarkFile(resolveIn(run.workspace, file)).catch((error: unknown) => {
        throw error instanceof InputError
          ? new InputError(`Input 'results' has value '${file}': ${error.message}`)
          : error;
      }),
    ),
  );
  const results = mergeBenchmarkRuns(sets.map((set) => normalizeBenchmarkNames(set, run.workspace)));
  const profileFile = inputs.path('profile');
  const profile = profileFile ? await readProfileFile(profileFile) : undefined;
  const historySize = inputs.int('history-size', { min: 2, max: 1000 });
  const store = openStore(inputs.string('store'), run.workspace);
  const createdAt = new Date().toISOString();
  ctx.metrics.count('benchmarks', results.benchmarks.length);
  try {
    await appendBaselineRun(store, { commit, createdAt, benchmarks: runStatistics(results) }, historySize);
    await saveBaseline(store, {
      commit,
      branch: (run.env.GITHUB_REF ?? '').replace(/^refs\/heads\//, '') || undefined,
      createdAt,
      results,
      profile,
    });
  } catch (error) {
    // A store fault never fails the push's job: pull requests compare with the runs stored before.
    ctx.log.warning(
      `Could not store the baseline of ${commit} in ${store.description} (${errorMessage(error)}). ` +
        'Pull requests keep comparing with the baseline runs stored before; check that the store is writable and has space.',
    );
    return { verdict: 'not-stored', regressions: [], improvements: [], 'comment-url': '' };
  }
  ctx.log.info(`Stored the baseline of ${commit} (${results.benchmarks.length} benchmarks) in ${store.description}.`);
  return { verdict: 'stored', regressions: [], improvements: [], 'comment-url': '' };
}

async function postMode(ctx: CommandContext): Promise<Outputs> {
  const { inputs, run } = ctx;
  const { commentMarker, FORK_PAYLOAD_FILE, parseForkPayload, perfOutputs, renderPerfComment } = await perfDomain();
  const given = inputs.string('payload') || FORK_PAYLOAD_FILE;
  const file = resolveIn(run.workspace, given);
  const payload = parseForkPayload(
    await readFile(file, 'utf8').catch(() => {
      throw new InputError(
        `Input 'payload' has value '${given}': cannot read '${file}'. Download the '${FORK_PAYLOAD_FILE}' artifact of the triggering run first (actions/download-artifact).`,
      );
    }),
    file,
  );
  // The PR number comes from the trusted event, never from the artifact.
  const client = await githubClient(ctx);
  const explicit = inputs.int('pr-number', { min: 0 });
  const ref = client ? await pullRequestOfWorkflowRun(client, run, explicit) : undefined;
  if (!client || !ref) {
    ctx.log.warning('No pull request found for the triggering run; nothing posted.');
    return { ...perfOutputs(payload.report), 'comment-url': '' } as Outputs;
  }
  const body = renderPerfComment({ ...payload.report, runUrl: triggeringRunUrl(run), markerId: payload.markerId });
  ctx.summary.append(body);
  const result = await upsertStickyComment(client, ref, commentMarker(payload.markerId), body);
  return { ...perfOutputs(payload.report), 'comment-url': result.url } as Outputs;
}

async function publish(ctx: CommandContext, report: PerfReport): Promise<Outputs> {
  const { inputs, run, log } = ctx;
  const { commentMarker, perfOutputs, renderPerfComment, shouldComment } = await perfDomain();
  const markerId =
    inputs.string('marker-id') || [run.env.GITHUB_WORKFLOW, run.env.GITHUB_JOB].filter(Boolean).join('/') || 'default';
  const runUrl = run.env.GITHUB_RUN_ID
    ? `${run.env.GITHUB_SERVER_URL ?? 'https://github.com'}/${run.env.GITHUB_REPOSITORY}/actions/runs/${run.env.GITHUB_RUN_ID}`
    : undefined;
  const body = renderPerfComment({ ...report, runUrl, markerId });
  ctx.summary.append(body);
  const outputs = perfOutputs(report);
  for (const verdict of ['regression', 'improvement', 'inconclusive', 'unchanged', 'not-comparable'] as const) {
    ctx.metrics.count(
      verdict === 'not-comparable' ? 'not-comparable' : `${verdict}s`,
      report.comparison.benchmarks.filter((b) => b.verdict === verdict).length,
    );
  }
  ctx.metrics.count(
    COUNTERS.perfRegressions,
    report.comparison.benchmarks.filter((b) => b.verdict === 'regression').length,
  );
  ctx.metrics.count(
    COUNTERS.perfImprovements,
    report.comparison.benchmarks.filter((b) => b.verdict === 'improvement').length,
  );
  if (report.baseline.stale)
    log.warning(`The baseline is older than max-baseline-age; push to the default branch to refresh it.`);

  let commentUrl = '';
  let payloadFile = '';
  const mode = inputs.enum('comment', ['always', 'on-change', 'never'] as const);
  const prNumber = Number((run.eventPayload.pull_request as { number?: number } | undefined)?.number);
  if (mode !== 'never' && Number.isInteger(prNumber) && prNumber > 0 && !run.isCli) {
    const client = await githubClient(ctx);
    const [owner, repo] = (run.env.GITHUB_REPOSITORY ?? '/').split('/');
    const ref = { owner, repo, issueNumber: prNumber };
    const marker = commentMarker(markerId);
    try {
      if (!client) throw new GitHubPermissionError('no token', 401);
      const existing = mode === 'on-change' ? await findStickyComment(client, ref, marker) : undefined;
      if (shouldComment(mode, report, existing !== undefined)) {
        commentUrl = (await ctx.metrics.phase('comment', () => upsertStickyComment(client, ref, marker, body))).url;
      }
    } catch (error) {
      if (error instanceof GitHubPermissionError)
        payloadFile = await leaveForTrustedWorkflow(ctx, report, markerId, runUrl);
      else
        log.warning(`The PR comment was not written (${errorMessage(error)}); the step summary has the same report.`);
    }
  }
  const result: Outputs = { ...(outputs as Outputs), 'comment-url': commentUrl, 'payload-file': payloadFile };
  if (inputs.boolean('fail-on-regression') && (outputs.regressions as string[]).length > 0) {
    // The outputs (verdict, regressions, comment-url) are still written before the step fails.
    throw new FailureWithOutputs(
      `Performance regression in ${(outputs.regressions as string[]).join(', ')} (fail-on-regression is on). ` +
        "Fix it, or list the benchmark in 'ignore' if the slowdown is intended.",
      result,
    );
  }
  return result;
}

/**
 * The link to the run that produced the artifact, from the trusted `workflow_run` event, and only when it is a run of
 * this repository on this server (the artifact's own URL is never used).
 */
function triggeringRunUrl(run: CommandContext['run']): string | undefined {
  const repository = run.env.GITHUB_REPOSITORY ?? '';
  const server = (run.env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const id = (run.eventPayload.workflow_run as { id?: unknown } | undefined)?.id;
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository) || !/^https:\/\/[A-Za-z0-9.-]+(:\d+)?$/.test(server))
    return undefined;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) return undefined;
  return `${server}/${repository}/actions/runs/${id}`;
}

/** A fork's read-only token cannot comment: leave the data for a trusted `workflow_run` workflow. */
async function leaveForTrustedWorkflow(
  ctx: CommandContext,
  report: PerfReport,
  markerId: string,
  runUrl?: string,
): Promise<string> {
  const { FORK_PAYLOAD_FILE, forkPayload } = await perfDomain();
  const dir = join(ctx.run.runnerTemp, 'ci-optimizer', 'perf-comment');
  await mkdir(dir, { recursive: true });
  const file = join(dir, FORK_PAYLOAD_FILE);
  await writeFile(file, forkPayload(report, markerId, runUrl));
  ctx.log.notice(
    'This token may not comment (a pull request from a fork gets a read-only token). The report is in the step summary and ' +
      `${file} (the 'payload-file' output). Upload it with actions/upload-artifact, and add a workflow on 'workflow_run' ` +
      "that downloads it and runs this action with 'mode: post' (see actions/perf-comment/README.md).",
  );
  return file;
}

async function githubClient(ctx: CommandContext): Promise<GitHubClient | undefined> {
  const token = ctx.inputs.string('token') || ctx.run.env.GITHUB_TOKEN;
  if (!token) return undefined;
  return createGitHubClient({ token, baseUrl: ctx.run.env.GITHUB_API_URL || undefined, log: ctx.log });
}

async function pullRequestOfWorkflowRun(client: GitHubClient, run: CommandContext['run'], explicit: number) {
  const [owner, repo] = (run.env.GITHUB_REPOSITORY ?? '/').split('/');
  if (explicit > 0) return { owner, repo, issueNumber: explicit };
  const workflowRun = run.eventPayload.workflow_run as
    | { pull_requests?: { number: number }[]; head_branch?: string; head_repository?: { owner?: { login?: string } } }
    | undefined;
  if (!workflowRun) return undefined;
  const direct = workflowRun.pull_requests?.[0]?.number;
  if (direct) return { owner, repo, issueNumber: direct };
  // GitHub leaves pull_requests empty for forks: find the open PR by the fork's owner and branch.
  const headOwner = workflowRun.head_repository?.owner?.login;
  if (!headOwner || !workflowRun.head_branch) return undefined;
  const { data } = await client.rest.pulls.list({
    owner,
    repo,
    state: 'open',
    head: `${headOwner}:${workflowRun.head_branch}`,
    per_page: 1,
  });
  return data[0] ? { owner, repo, issueNumber: data[0].number } : undefined;
}

/** The commit the PR is compared with: on pull_request the merge commit's first parent (docs/architecture.md#platform-facts). */
function mergeBaseOf(payload: Record<string, unknown>, env: NodeJS.ProcessEnv): string | undefined {
  const pr = payload.pull_request as { base?: { sha?: string } } | undefined;
  if (env.PERF_BASE_SHA) return env.PERF_BASE_SHA;
  if (pr) return 'HEAD^1';
  return pr === undefined && typeof payload.before === 'string' && !/^0+$/.test(payload.before)
    ? payload.before
    : undefined;
}

async function headCommit(dir: string): Promise<string> {
  // Loaded on first use: most runs never ask (the head comes from the event).
  const { openRepo } = await import('../git/index.ts');
  return (await openRepo(dir).raw(['rev-parse', 'HEAD'])).trim();
}

function resolveIn(base: string, file: string): string {
  return file.startsWith('/') ? file : join(base, file);
}

/** `5%`, `5` (percent) or `0.05` with a `%`-less fraction below 1 -> 0.05. */
function parsePercent(text: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(text.trim());
  if (!match) throw new InputError(`Input '${name}' has value '${text}', which is not a percentage. Use e.g. '5%'.`);
  const value = Number(match[1]);
  return match[2] === '%' || value >= 1 ? value / 100 : value;
}
