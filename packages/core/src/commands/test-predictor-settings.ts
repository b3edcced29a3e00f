import type { CommandContext } from '../contract/index.ts';
import { loadConfigSection } from '../config/index.ts';
import { resolveTestFilterOptions, type TestFilterOptions } from '../test-filter/index.ts';
import { testFilterCommand } from './test-filter.ts';

const MODES = ['record', 'train', 'predict'] as const;

/** The settings test-predictor reads before its mode runs (and before it loads its engine), in this order. */
export interface FirstSettings {
  mode: (typeof MODES)[number];
  repoDir: string;
  projectDir: string;
  filterOptions: TestFilterOptions;
}

/** The config section, `project-dir` and `mode`: the checks a run makes before it loads the predictor. */
export function readFirstSettings(ctx: CommandContext): FirstSettings {
  const repoDir = ctx.run.workspace;
  const section = loadConfigSection(repoDir, 'test-filter', testFilterCommand.configSchema).values;
  const filterOptions = resolveTestFilterOptions(section);
  const projectDir = ctx.inputs.isSet('project-dir')
    ? ctx.inputs
        .string('project-dir')
        .replace(/^\.\/?/, '')
        .replace(/\/+$/, '')
    : filterOptions.projectDir;
  return {
    mode: ctx.inputs.enum('mode', MODES),
    repoDir,
    projectDir,
    filterOptions: { ...filterOptions, projectDir },
  };
}
