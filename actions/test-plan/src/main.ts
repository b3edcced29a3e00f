import { runAction } from '@ci-optimizer/core/runtime';
import { createTestPlanCommand } from '@ci-optimizer/core/commands/test-plan';
import testFilterYml from '../../test-filter/action.yml';
import testPredictorYml from '../../test-predictor/action.yml';
import actionYml from '../action.yml';

await runAction(createTestPlanCommand({ testFilterYml, testPredictorYml }), actionYml);
