import { runAction } from '@ci-optimizer/core/runtime';
import { s3CacheRestoreCommand } from '@ci-optimizer/core/commands/s3-cache';
import actionYml from '../action.yml';

await runAction(s3CacheRestoreCommand, actionYml);
