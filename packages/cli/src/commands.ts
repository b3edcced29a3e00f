import type { CliEntry, CommandWithConfig } from '@ci-optimizer/core/runtime';
import metadata from 'virtual:action-metadata';

/**
 * Every action the CLI offers, in the order of its help, with how to load its command. Each loader is a dynamic
 * import(), so the bundle keeps every command in its own chunk and a run loads only the one it names (help loads
 * none). Add new actions here.
 */
const loaders: [name: string, load: () => Promise<CommandWithConfig>][] = [
  [
    'test-plan',
    async () =>
      (await import('@ci-optimizer/core/commands/test-plan')).createTestPlanCommand({
        testFilterYml: actionYml('test-filter'),
        testPredictorYml: actionYml('test-predictor'),
      }),
  ],
  ['report', async () => (await import('@ci-optimizer/core/commands/report')).reportCommand],
  ['cache-key', async () => (await import('@ci-optimizer/core/commands/cache-key')).cacheKeyCommand],
  ['test-filter', async () => (await import('@ci-optimizer/core/commands/test-filter')).testFilterCommand],
  ['perf-comment', async () => (await import('@ci-optimizer/core/commands/perf-comment')).perfCommentCommand],
  ['test-predictor', async () => (await import('@ci-optimizer/core/commands/test-predictor')).testPredictorCommand],
  ['s3-cache', async () => (await import('@ci-optimizer/core/commands/s3-cache')).s3CacheCommand],
  ['s3-cache/restore', async () => (await import('@ci-optimizer/core/commands/s3-cache')).s3CacheRestoreCommand],
  ['s3-cache/save', async () => (await import('@ci-optimizer/core/commands/s3-cache')).s3CacheSaveCommand],
  ['s3-cache/prune', async () => (await import('@ci-optimizer/core/commands/s3-cache')).s3CachePruneCommand],
];

/** An action's action.yml, embedded (parsed) at bundle time. */
function actionYml(name: string): CliEntry['actionYml'] {
  const yml = metadata[name];
  if (yml === undefined) throw new Error(`No action.yml bundled for '${name}' (expected actions/${name}/action.yml).`);
  return yml;
}

/** The CLI entries: each action's name and action.yml, and the loader of its command. */
export function cliEntries(): CliEntry[] {
  return loaders.map(([name, load]) => ({ name, actionYml: actionYml(name), load }));
}
