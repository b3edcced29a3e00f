import { COUNTERS } from '../metrics/index.ts';
import { errorMessage, UserError } from '../errors/index.ts';
import type { CommandContext, CommandWithConfig, Outputs } from '../contract/index.ts';
import { describeSkipped, openStore } from '../store/index.ts';
import { logValue, mdCode } from '../escape/index.ts';
import { fitSummary, markdownCell, markdownTable } from '../summary/index.ts';
import {
  type CacheKeyResult,
  classifyRestore,
  computeCacheKeys,
  ECOSYSTEM_IDS,
  type EcosystemId,
  HIT_HISTORY_AREA,
  type HitRateSummary,
  isEcosystemId,
  keyFamily,
  recordRestore,
  type RestoreOutcome,
  ROTATIONS,
  type RuntimeName,
  summarizeHitRate,
} from '../cache-key/index.ts';

const RUNTIME_INPUTS: RuntimeName[] = ['python', 'node', 'go', 'rust', 'java'];

/** `cache-key`: dependency cache keys that never cross OS, arch, interpreter or cache version, and their hit rate. */
export const cacheKeyCommand: CommandWithConfig = {
  name: 'cache-key',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      'working-directory': { type: 'string' },
      ecosystems: { type: ['string', 'array'] },
      'dependency-files': { type: ['string', 'array'] },
      'key-prefix': { type: 'string' },
      'cache-version': { type: ['string', 'number'] },
      rotate: { type: 'string', enum: [...ROTATIONS] },
      'probe-runtimes': { type: 'boolean' },
      'python-version': { type: ['string', 'number'] },
      'node-version': { type: ['string', 'number'] },
      'go-version': { type: ['string', 'number'] },
      'rust-version': { type: ['string', 'number'] },
      'java-version': { type: ['string', 'number'] },
      store: { type: 'string' },
      'hit-rate-window': { type: 'integer', minimum: 1 },
      'hit-rate-target': { type: 'number', minimum: 0, maximum: 100 },
    },
  },
  async main(ctx: CommandContext): Promise<Outputs> {
    const request = readRequest(ctx);
    const result = await ctx.metrics.phase('keys', () => computeCacheKeys(request));
    for (const warning of result.warnings) ctx.log.warning(warning);
    ctx.metrics.count('ecosystems', result.ecosystems.length);
    ctx.metrics.count(
      'dependency-files',
      result.ecosystems.reduce((sum, e) => sum + e.files.length, 0),
    );
    ctx.log.info(`key: ${logValue(result.key, 1000)}`);

    const hits = await trackHitRate(ctx, result.key);
    ctx.summary.append(renderSummary(result, hits));
    return {
      key: result.key,
      'restore-keys': result.restoreKeys,
      paths: result.paths,
      hash: result.hash,
      'ecosystems-json': result.ecosystems.map((e) => ({
        id: e.id,
        key: e.key,
        'restore-keys': e.restoreKeys,
        paths: e.paths,
        hash: e.hash,
        files: e.files.map((f) => f.path),
        runtime: e.runtime
          ? { segment: e.runtime.segment, version: e.runtime.version, source: e.runtime.source }
          : null,
      })),
      // null when no restore result was given: '' on GitHub, null in the CLI's --json.
      'hit-outcome': hits?.outcome ?? null,
      'hit-rate': hits?.summary ? round1(hits.summary.hitRate * 100) : null,
      'hit-rate-runs': hits?.summary?.runs ?? null,
      'hit-rate-met': hits?.summary ? hits.summary.met : null,
    };
  },
  formatOutput: {
    'ecosystems-json': (value) => JSON.stringify(value),
  },
};

function readRequest(ctx: CommandContext): Parameters<typeof computeCacheKeys>[0] {
  const { inputs, run } = ctx;
  const ecosystems = inputs.list('ecosystems').map((value) => {
    const id = value.toLowerCase();
    if (!isEcosystemId(id)) {
      throw new UserError(
        `Input 'ecosystems' has value '${value}', which is not a known ecosystem. Use some of: ${ECOSYSTEM_IDS.join(', ')} ` +
          `(or leave it empty to detect them).`,
      );
    }
    return id as EcosystemId;
  });
  const runtimeInputs: Partial<Record<RuntimeName, string>> = {};
  for (const runtime of RUNTIME_INPUTS) {
    const value = inputs.optionalString(`${runtime}-version`);
    if (value) runtimeInputs[runtime] = value;
  }
  return {
    root: run.workspace,
    workingDirectory: inputs.path('working-directory') || run.workspace,
    ecosystems,
    globs: inputs.lines('dependency-files'),
    prefix: inputs.string('key-prefix') || 'deps',
    os: run.runnerOs,
    image: run.env.ImageOS,
    arch: run.runnerArch,
    cacheVersion: inputs.optionalString('cache-version') ?? run.env.CACHE_VERSION ?? '',
    rotate: inputs.enum('rotate', ROTATIONS),
    runtimeInputs,
    probe: inputs.boolean('probe-runtimes'),
    env: run.env,
  };
}

interface HitTracking {
  outcome: RestoreOutcome;
  summary?: HitRateSummary;
}

/**
 * Records the restore step's result when it was passed in, and computes the family's rate. The history is an
 * optimisation's bookkeeping: a store that cannot be read or written is a warning, never a failed job.
 */
async function trackHitRate(ctx: CommandContext, computedKey: string): Promise<HitTracking | undefined> {
  const { inputs } = ctx;
  const cacheHit = inputs.string('cache-hit');
  const matchedKey = inputs.string('cache-matched-key');
  if (!inputs.boolean('record-restore') && cacheHit === '' && matchedKey === '') return undefined;
  const key = inputs.string('restored-key') || computedKey;
  const outcome = classifyRestore(key, cacheHit, matchedKey);
  const window = inputs.int('hit-rate-window', { min: 1 });
  const target = inputs.number('hit-rate-target', { min: 0, max: 100 }) / 100;
  // The report's cache counters (COUNTERS), so the dashboard shows the hit kind when actions/cache did the restore.
  ctx.metrics.count(
    outcome === 'exact'
      ? COUNTERS.cacheExactHit
      : outcome === 'partial'
        ? COUNTERS.cachePartialHit
        : COUNTERS.cacheMiss,
    1,
  );
  try {
    const store = openStore(inputs.string('store'), ctx.run.workspace);
    const summary = await ctx.metrics.phase('history', async () => {
      const { records, skippedLines } = await recordRestore(store, {
        time: new Date().toISOString(),
        family: keyFamily(key),
        key,
        outcome,
        ...(matchedKey ? { matchedKey } : {}),
        ...(ctx.run.env.GITHUB_RUN_ID ? { runId: ctx.run.env.GITHUB_RUN_ID } : {}),
        ...(ctx.run.env.GITHUB_REF ? { ref: ctx.run.env.GITHUB_REF } : {}),
      });
      const skipped = describeSkipped(store, HIT_HISTORY_AREA, skippedLines);
      if (skipped) ctx.log.warning(skipped);
      return summarizeHitRate(records, keyFamily(key), window, target);
    });
    ctx.metrics.count('hit-rate-percent', round1(summary.hitRate * 100));
    if (!summary.met) {
      ctx.log.warning(
        `Cache hit rate is ${round1(summary.hitRate * 100)}% over the last ${summary.runs} run(s), below the target ` +
          `${round1(target * 100)}%. Look for a key input that changes every run (a timestamp, a generated file) ` +
          `or caches evicted before reuse.`,
      );
    }
    return { outcome, summary };
  } catch (error) {
    if (error instanceof UserError) throw error;
    ctx.log.warning(`Could not update the cache hit history (${errorMessage(error)}); the hit rate is not reported.`);
    return { outcome };
  }
}

function renderSummary(result: CacheKeyResult, hits: HitTracking | undefined): string {
  const rows = result.ecosystems.map((e) => [
    e.id,
    markdownCell(e.files.map((f) => mdCode(f.path, { inTable: true })).join(' ')),
    e.runtime ? `${e.runtime.segment} (${e.runtime.source})` : '—',
    markdownCell(mdCode(e.key, { inTable: true, max: 1000 })),
  ]);
  const sections = [
    '### Cache key',
    mdCode(result.key, { max: 1000 }),
    markdownTable(['Ecosystem', 'Files', 'Runtime', 'Key'], rows),
  ];
  if (hits) {
    const rate = hits.summary
      ? `hit rate ${round1(hits.summary.hitRate * 100)}% over ${hits.summary.runs} run(s) ` +
        `(${hits.summary.exact} exact, ${hits.summary.partial} partial, ${hits.summary.miss} miss; ` +
        `target ${round1(hits.summary.target * 100)}%: ${hits.summary.met ? 'met' : 'not met'})`
      : 'hit rate unavailable';
    sections.push(`This restore: **${hits.outcome}**; ${rate}.`);
  }
  return fitSummary(sections);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
