import { testFilterCommand } from '@ci-optimizer/core/commands/test-filter';
import { runAction } from '@ci-optimizer/core/runtime';
import actionYml from '../action.yml';

await runAction(testFilterCommand, actionYml);
