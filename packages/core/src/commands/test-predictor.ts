import type { CommandContext, CommandWithConfig, Outputs } from '../contract/index.ts';
import { testPredictorOutputFormat } from './test-predictor-outputs.ts';
import { readFirstSettings } from './test-predictor-settings.ts';

/**
 * `test-predictor`: records test outcomes, trains the failure model, and orders, selects and shards tests. The
 * modes and the predictor domain are loaded once the first settings (config, `project-dir`, `mode`) are read, so a
 * run with a wrong mode loads neither.
 */
export const testPredictorCommand: CommandWithConfig = {
  name: 'test-predictor',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(
      [
        'budget',
        'shards',
        'slow-threshold',
        'always-run',
        'store',
        'project-dir',
        'graph',
        'impact-map',
        'max-miss-rate',
        'miss-window',
        'retrain-after',
        'max-drop',
        'min-history',
        'train-time-budget',
        'history-limit',
        'model-file',
        'top',
        'full-run',
      ].map((name) => [name, { type: ['string', 'number', 'boolean', 'array'] }]),
    ),
  },
  async main(ctx: CommandContext): Promise<Outputs> {
    const first = readFirstSettings(ctx);
    const { runTestPredictor } = await import('./test-predictor-modes.ts');
    return runTestPredictor(ctx, first);
  },
  formatOutput: testPredictorOutputFormat,
};
