import { testPredictorCommand } from '@ci-optimizer/core/commands/test-predictor';
import { runAction } from '@ci-optimizer/core/runtime';
import actionYml from '../action.yml';

await runAction(testPredictorCommand, actionYml);
