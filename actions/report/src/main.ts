import { reportCommand } from '@ci-optimizer/core/commands/report';
import { runAction } from '@ci-optimizer/core/runtime';
import actionYml from '../action.yml';

await runAction(reportCommand, actionYml);
