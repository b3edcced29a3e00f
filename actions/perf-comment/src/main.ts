import { perfCommentCommand } from '@ci-optimizer/core/commands/perf-comment';
import { runAction } from '@ci-optimizer/core/runtime';
import actionYml from '../action.yml';

await runAction(perfCommentCommand, actionYml);
