// The CLI as an installable package (issue 18, item 9): `npm pack` in packages/cli, then an offline install of the
// tarball into a fresh project, whose `ci-optimizer` command must run. Also the Node floor and the bundle's mode.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE_REQUIREMENT, nodeVersionProblem } from '../../packages/cli/src/node-version.ts';
import { REPO_ROOT } from '../support/action-runner.ts';
import { tempDir } from '../support/git-repo.ts';
import { timeoutFor } from '../support/timeouts.ts';

const work = tempDir('ci-opt-pack-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

// npm and node from this Node installation (not whatever `node` is first on PATH).
const env = {
  ...process.env,
  PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
  npm_config_cache: join(work, 'npm-cache'),
  npm_config_update_notifier: 'false',
};

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the ci-optimizer CLI package', () => {
  it(
    'packs to a tarball with the bundle and no dependencies, installs offline, and runs as `ci-optimizer`',
    () => {
      const packed = run('npm', ['pack', '--json', '--pack-destination', work], join(REPO_ROOT, 'packages', 'cli'));
      expect(packed.code, packed.stderr).toBe(0);
      const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
      const files = info.files.map((f) => f.path).sort();
      expect(files).toContain('bin/ci-optimizer.js');
      expect(files).toContain('dist/cli/index.js');
      expect(files).toContain('dist/tree-sitter-python.wasm');
      expect(files.some((f) => f.startsWith('dist/chunks/'))).toBe(true);
      expect(files.some((f) => f.startsWith('src/'))).toBe(false);
      // The copy made for packing is gone again.
      expect(existsSync(join(REPO_ROOT, 'packages', 'cli', 'dist'))).toBe(false);

      const project = join(work, 'project');
      run('mkdir', ['-p', project], work);
      writeFileSync(
        join(project, 'package.json'),
        JSON.stringify({ name: 'user-project', version: '1.0.0', private: true }),
      );
      const installed = run(
        'npm',
        ['install', '--offline', '--no-audit', '--no-fund', join(work, info.filename)],
        project,
      );
      expect(installed.code, installed.stderr).toBe(0);
      const manifest = JSON.parse(
        readFileSync(join(project, 'node_modules', '@ci-optimizer', 'cli', 'package.json'), 'utf8'),
      );
      expect(manifest.dependencies ?? {}).toEqual({});
      expect(manifest.engines.node).toBe(NODE_REQUIREMENT);

      // The installed command, through its shebang (node from PATH) as a user's shell runs it.
      const help = run(join(project, 'node_modules', '.bin', 'ci-optimizer'), ['--help'], project);
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toContain('Usage: ci-optimizer <action>');
      expect(help.stdout).toMatch(/test-filter\s+Runs only the test files a change can break/);
      const npx = run('npx', ['--offline', '--no-install', 'ci-optimizer', 'test-filter', '--help'], project);
      expect(npx.code, npx.stderr).toBe(0);
      expect(npx.stdout).toContain('--project-dir');
    },
    timeoutFor(3, 15_000),
  );

  it('states one Node floor everywhere and refuses an older Node with the version and the fix', () => {
    expect(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).engines.node).toBe(NODE_REQUIREMENT);
    expect(JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'cli', 'package.json'), 'utf8')).engines.node).toBe(
      NODE_REQUIREMENT,
    );
    expect(nodeVersionProblem('20.19.0')).toMatch(
      /^Node 20\.19\.0 is too old: ci-optimizer needs Node 22\.13 or newer/,
    );
    expect(nodeVersionProblem('22.12.0')).toBeDefined();
    expect(nodeVersionProblem('23.3.0')).toBeDefined();
    for (const ok of ['22.13.0', '23.4.0', '24.0.0', '26.1.0']) expect(nodeVersionProblem(ok)).toBeUndefined();
    expect(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).toContain('Node.js 22.13 or newer');
  });

  it.skipIf(!existsSync(join(REPO_ROOT, '.git')))(
    'commits the executables as 755, so `npm ci` leaves the clone clean',
    () => {
      const listed = run('git', ['ls-files', '-s', 'dist/cli/index.js', 'packages/cli/bin/ci-optimizer.js'], REPO_ROOT)
        .stdout.trim()
        .split('\n');
      expect(listed).toHaveLength(2);
      for (const line of listed) expect(line).toMatch(/^100755 /);
      expect(readdirSync(join(REPO_ROOT, 'dist', 'cli'))).toContain('index.js');
    },
  );
});
