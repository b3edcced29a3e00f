import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/action-runner.ts';
import { tempDir } from '../support/git-repo.ts';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'index.js');

function cli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('ci-optimizer CLI (dist/cli/index.js)', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('--help lists every action folder with the description from its action.yml', () => {
    const { code, stdout } = cli(['--help']);
    expect(code).toBe(0);
    const description = /description: '(.*)'/
      .exec(readFileSync(join(REPO_ROOT, 'actions/report/action.yml'), 'utf8'))![1]
      .replace(/''/g, "'");
    expect(stdout).toContain(`report               ${description}`);
  });

  it('<action> --help prints the inputs and defaults read from action.yml', () => {
    const { code, stdout } = cli(['report', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--metrics-file');
    expect(stdout).toContain('--title (default: "ci-optimizer report")');
    expect(stdout).toContain('total-ms:');
  });

  it('runs an action and prints typed outputs as one JSON object, logs on stderr', () => {
    dir = tempDir();
    const metrics = join(dir, 'metrics.jsonl');
    writeFileSync(
      metrics,
      `${JSON.stringify({ action: 'cache-key', 'duration-ms': 40, phases: {}, counters: {} })}\nnot json\n`,
    );
    const { code, stdout, stderr } = cli(['report', '--metrics-file', metrics, '--json'], { cwd: dir });
    expect(code).toBe(0);
    const outputs = JSON.parse(stdout);
    expect(outputs).toMatchObject({ steps: 1, 'total-ms': 40, 'malformed-lines': 1 });
    expect(typeof outputs['duration-ms']).toBe('number');
    expect(outputs.metrics.action).toBe('report');
    expect(stderr).toMatch(/1 malformed metrics line\(s\) left out of the report \(.*metrics\.jsonl line 2: not JSON/);
  });

  it('writes the step summary to a file with --summary', () => {
    dir = tempDir();
    const metrics = join(dir, 'metrics.jsonl');
    writeFileSync(
      metrics,
      `${JSON.stringify({ action: 'test-filter', version: '0', 'duration-ms': 5, phases: {}, counters: {} })}\n`,
    );
    // The summary's folder must exist: a typo in it is a usage error, not a folder made on the fly.
    const missing = cli(['report', '--metrics-file', metrics, '--summary', 'out/summary.md', '--json'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--summary 'out/summary.md': the folder ${join(dir, 'out')} does not exist`);
    mkdirSync(join(dir, 'out'));
    const { code } = cli(['report', '--metrics-file', metrics, '--summary', 'out/summary.md', '--json'], { cwd: dir });
    expect(code).toBe(0);
    expect(readFileSync(join(dir, 'out/summary.md'), 'utf8')).toContain('## ci-optimizer report');
  });

  it('exits 2 with the known inputs on an unknown flag or action', () => {
    const flag = cli(['report', '--titel', 'x']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain(
      "unknown flag '--titel' for 'report'. Its inputs: --metrics-file, --metrics-dir, --title,",
    );
    const action = cli(['reprot']);
    expect(action.code).toBe(2);
    expect(action.stderr).toContain("unknown action 'reprot'");
  });

  it('exits 1 with the message on a user error (bad config)', () => {
    dir = tempDir();
    mkdirSync(join(dir, '.github'));
    writeFileSync(join(dir, '.github', 'ci-optimizer.yml'), 'report: [1, 2]\n');
    const { code, stderr, stdout } = cli(['report', '--repo', dir, '--json']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(".github/ci-optimizer.yml:1: section 'report' must be a map");
  });
});
