import { runAction } from '@ci-optimizer/core/runtime';
import { s3CachePruneCommand } from '@ci-optimizer/core/commands/s3-cache';
import actionYml from '../action.yml';

await runAction(s3CachePruneCommand, actionYml);
