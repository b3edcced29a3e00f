// The environment a bundled action runs in on a GitHub runner, for the benchmarks that run the shipped bundles
// (cold-start.mjs, selection-speed.mjs): a scratch folder as the runner's temp and home, and empty files for the
// runner's file commands (outputs, state, step summary, environment).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Variables for an action run in `scratch` on `workspace` (the file-command files are created empty in `scratch`).
 * @param {string} scratch
 * @param {string} [workspace]
 * @returns {Record<string, string>}
 */
export function runnerEnvironment(scratch, workspace = scratch) {
  /** @type {Record<string, string>} */
  const env = {
    PATH: process.env.PATH,
    HOME: scratch,
    RUNNER_TEMP: scratch,
    GITHUB_WORKSPACE: workspace,
    RUNNER_OS: 'Linux',
  };
  for (const name of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV']) {
    env[name] = join(scratch, name);
    writeFileSync(env[name], '');
  }
  return env;
}
