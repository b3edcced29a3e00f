import type { CliEntry } from '@ci-optimizer/core/runtime';
import { reportCommand } from '@ci-optimizer/core/commands/report';
import { cacheKeyCommand } from '@ci-optimizer/core/commands/cache-key';
import { testFilterCommand } from '@ci-optimizer/core/commands/test-filter';
import { perfCommentCommand } from '@ci-optimizer/core/commands/perf-comment';
import { testPredictorCommand } from '@ci-optimizer/core/commands/test-predictor';
import { createTestPlanCommand } from '@ci-optimizer/core/commands/test-plan';
import { s3CacheCommand, s3CacheRestoreCommand, s3CacheSaveCommand, s3CachePruneCommand } from '@ci-optimizer/core/commands/s3-cache';
import metadata from 'virtual:action-metadata';

/** Every action the CLI offers, with its action.yml text (inputs, defaults, help). Add new actions here. */
export const commands = [
  createTestPlanCommand({ testFilterYml: metadata['test-filter'], testPredictorYml: metadata['test-predictor'] }),
  reportCommand, cacheKeyCommand, testFilterCommand, perfCommentCommand, testPredictorCommand,
  s3CacheCommand, s3CacheRestoreCommand, s3CacheSaveCommand, s3CachePruneCommand];

/** The CLI entries: each command paired with its action.yml, embedded at bundle time. */
export function cliEntries(): CliEntry[] {
  return commands.map((command) => {
    const actionYml = metadata[command.name];
    if (actionYml === undefined) throw new Error(`No action.yml bundled for '${command.name}' (expected actions/${command.name}/action.yml).`);
    return { command, actionYml };
  });
}
