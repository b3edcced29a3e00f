import { runAction } from '@ci-optimizer/core/runtime';
import { s3CacheSaveCommand } from '@ci-optimizer/core/commands/s3-cache';
import actionYml from '../action.yml';

await runAction(s3CacheSaveCommand, actionYml);
