import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors/index.ts';
import { jobMetricsPath } from '../metrics/index.ts';
import type { RunEnvironment } from './types.ts';

const OS_NAMES: Record<string, string> = { linux: 'Linux', darwin: 'macOS', win32: 'Windows' };
const ARCH_NAMES: Record<string, string> = { x64: 'X64', arm64: 'ARM64', arm: 'ARM', ia32: 'X86' };

/** The run environment as the GitHub runner describes it (GITHUB_* and RUNNER_* variables). */
export function runEnvironmentFromEnv(env: NodeJS.ProcessEnv = process.env, isCli = false): RunEnvironment {
  const runnerTemp = env.RUNNER_TEMP || join(tmpdir(), 'ci-optimizer-run');
  return {
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    runnerTemp,
    metricsFile: jobMetricsPath(runnerTemp),
    eventName: env.GITHUB_EVENT_NAME ?? '',
    eventPayload: readEventPayload(env.GITHUB_EVENT_PATH),
    runnerOs: env.RUNNER_OS || OS_NAMES[process.platform] || process.platform,
    runnerArch: env.RUNNER_ARCH || ARCH_NAMES[process.arch] || process.arch.toUpperCase(),
    env,
    isCli,
  };
}

function readEventPayload(path: string | undefined): Record<string, unknown> {
  if (!path || !existsSync(path)) return {};
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch (error) {
    throw new UserError(`The event payload ${path} (GITHUB_EVENT_PATH) is not valid JSON: ${(error as Error).message}`);
  }
}
