import { COUNTERS } from '../metrics/index.ts';
import {
  runSubStep,
  type CommandContext,
  type CommandWithConfig,
  type Metrics,
  type Outputs,
  type SubStep,
} from '../contract/index.ts';
import { testFilterCommand } from './test-filter.ts';
import { testPredictorOutputFormat } from './test-predictor-outputs.ts';

/** The action.yml of the two actions the plan runs (their defaults apply to what the plan does not set). */
export interface TestPlanParts {
  testFilterYml: SubStep['actionYml'];
  testPredictorYml: SubStep['actionYml'];
}

/** Inputs of the plan that are handed to both parts under the same name. */
const SHARED = ['base', 'head', 'project-dir', 'store', 'always-run'];

/** The plan's metrics as one part sees them: counters go through, and the part's own values are kept apart. */
function partMetrics(metrics: Metrics, counters: Map<string, number>): Metrics {
  return {
    phase: (name, fn) => metrics.phase(name, fn),
    count: (name, value) => {
      counters.set(name, value);
      metrics.count(name, value);
    },
    add: (name, delta) => {
      counters.set(name, (counters.get(name) ?? 0) + delta);
      metrics.add(name, delta);
    },
  };
}

/**
 * The one-step test plan of the Marketplace entry: test-filter picks the test files the change can break, then
 * test-predictor orders them fail-fast, applies the budget and shards them.
 */
export function createTestPlanCommand(parts: TestPlanParts): CommandWithConfig {
  return {
    name: 'test-plan',
    async main(ctx: CommandContext): Promise<Outputs> {
      const shared = Object.fromEntries(SHARED.map((name) => [name, ctx.inputs.raw(name)]));
      const filterCounters = new Map<string, number>();
      const predictorCounters = new Map<string, number>();
      const filter = await ctx.log.group('test-filter: what the change can break', () =>
        runSubStep(
          { ...ctx, metrics: partMetrics(ctx.metrics, filterCounters) },
          {
            command: testFilterCommand,
            actionYml: parts.testFilterYml,
            given: {
              ...shared,
              'max-changed-files': ctx.inputs.raw('max-changed-files'),
              filters: ctx.inputs.raw('filters'),
            },
          },
        ),
      );
      // test-predictor is loaded when its part runs: a plan that stops in test-filter does not load it.
      const { testPredictorCommand } = await import('./test-predictor.ts');
      const predicted = await ctx.log.group('test-predictor: order, budget, shards', () =>
        runSubStep(
          { ...ctx, metrics: partMetrics(ctx.metrics, predictorCounters) },
          {
            command: testPredictorCommand,
            actionYml: parts.testPredictorYml,
            given: {
              ...shared,
              mode: 'predict',
              candidates: JSON.stringify(filter['tests-json'] ?? []),
              budget: ctx.inputs.raw('budget'),
              shards: ctx.inputs.raw('shards'),
            },
          },
        ),
      );
      // Both parts count tests; the plan's total is every test file, not the predictor's candidates.
      ctx.metrics.count(COUNTERS.testsTotal, Number(filter['total-count']));
      // The time not run adds up: what test-filter left out of the suite, then what the budget left out of the rest
      // (each part sets the same counter; the second alone said 0 whenever the budget kept every candidate).
      const saved = [filterCounters, predictorCounters].map((c) => c.get(COUNTERS.testTimeSavedMs));
      if (saved.some((ms) => ms !== undefined))
        ctx.metrics.count(
          COUNTERS.testTimeSavedMs,
          saved.reduce<number>((sum, ms) => sum + (ms ?? 0), 0),
        );
      // Likewise every test runs only when both parts say so.
      ctx.metrics.count(
        COUNTERS.runAll,
        filter['run-all'] === true && (predictorCounters.get(COUNTERS.runAll) ?? 1) > 0 ? 1 : 0,
      );
      return {
        'run-all': filter['run-all'],
        reasons: filter.reasons,
        'filter-selected-count': filter['selected-count'],
        'total-count': filter['total-count'],
        tests: predicted.selected ?? predicted.tests,
        'tests-json': predicted['selected-json'] ?? predicted.selected ?? predicted.tests,
        // The same list NUL-terminated in a file (see writeTestsFile): safe to pass to a runner from a shell.
        'tests-file': predicted['selected-file'] ?? predicted['tests-file'] ?? '',
        'selected-count': Array.isArray(predicted.selected) ? predicted.selected.length : filter['selected-count'],
        shards: predicted.shards,
        'shard-count': predicted['shard-count'],
        probabilities: predicted.probabilities,
        'estimated-recall': predicted['estimated-recall'],
        'cold-start': predicted['cold-start'],
        'filters-json': filter['filters-json'],
      };
    },
    formatOutput: {
      ...testPredictorOutputFormat,
      tests: (value) => (Array.isArray(value) ? value.join(' ') : String(value ?? '')),
      'tests-json': (value) => JSON.stringify(value ?? []),
    },
  };
}
