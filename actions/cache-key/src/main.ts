import { cacheKeyCommand } from '@ci-optimizer/core/commands/cache-key';
import { runAction } from '@ci-optimizer/core/runtime';
import actionYml from '../action.yml';

await runAction(cacheKeyCommand, actionYml);
