// The dependency rules (.dependency-cruiser.cjs, docs/architecture.md) fail on what they forbid: a small tree laid out
// like packages/core/src with one deliberate violation per rule, checked by the project's own configuration.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/action-runner.ts';
import { tempDir } from '../support/git-repo.ts';
import { timeoutFor } from '../support/timeouts.ts';

const work = tempDir('ci-opt-deps-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'ESNext',
        moduleResolution: 'Bundler',
        allowImportingTsExtensions: true,
        noEmit: true,
      },
    }),
  );
  return dir;
}

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Runs the rules as `npm run lint:deps` does (its exit code) and reads the violations from the JSON report it writes. */
function cruise(dir: string): { code: number | null; violations: Violation[] } {
  const report = join(dir, 'report.json');
  const result = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs'),
      'packages',
      'actions',
      '--config',
      join(REPO_ROOT, '.dependency-cruiser.cjs'),
      '--output-type',
      'err',
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  const json = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs'),
      'packages',
      'actions',
      '--config',
      join(REPO_ROOT, '.dependency-cruiser.cjs'),
      '--output-type',
      'json',
      '--output-to',
      report,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  expect(json.status, json.stderr).toBe(0);
  return { code: result.status, violations: JSON.parse(readFileSync(report, 'utf8')).summary.violations };
}

const clean = {
  'packages/core/src/errors/index.ts': 'export class UserError extends Error {}\n',
  'packages/core/src/alpha/index.ts': "export { alpha } from './alpha.ts';\n",
  'packages/core/src/alpha/alpha.ts':
    "import { UserError } from '../errors/index.ts';\nexport const alpha = () => new UserError('a');\n",
  'packages/core/src/beta/index.ts': "export { beta } from './beta.ts';\n",
  'packages/core/src/beta/beta.ts': "import { alpha } from '../alpha/index.ts';\nexport const beta = () => alpha();\n",
  'packages/core/src/runtime/index.ts':
    "import * as core from '@actions/core';\nexport const info = (text: string) => core.info(text);\n",
  // A language pack is used through its own index.ts; an action's entry imports its command's file.
  'packages/core/src/languages/toy/index.ts': 'export const toyPack = { name: "toy" };\n',
  'packages/core/src/commands/alpha.ts':
    "import { alpha } from '../alpha/index.ts';\nimport { toyPack } from '../languages/toy/index.ts';\nexport const alphaCommand = () => [alpha(), toyPack];\n",
  'actions/alpha/src/main.ts':
    "import { alphaCommand } from '../../../packages/core/src/commands/alpha.ts';\nalphaCommand();\n",
  // Two engines, each on its own (a command would combine them).
  'packages/core/src/perf/index.ts':
    "import { UserError } from '../errors/index.ts';\nexport const perf = () => new UserError('p');\n",
  'packages/core/src/report/index.ts': "export const report = () => 'r';\n",
};

describe('dependency rules', () => {
  it(
    'pass on a tree that keeps them',
    () => {
      const { code, violations } = cruise(tree('clean', clean));
      expect(violations).toEqual([]);
      expect(code).toBe(0);
    },
    timeoutFor(1, 20_000),
  );

  it(
    'fail on a deliberately added cycle between two domains, a deep import and @actions/core below runtime/',
    () => {
      const dir = tree('broken', {
        ...clean,
        // alpha -> beta -> alpha: the cycle.
        'packages/core/src/alpha/alpha.ts':
          "import { beta } from '../beta/index.ts';\nexport const alpha = () => beta;\n",
        // Reaching into another folder's internals instead of its index.ts.
        'packages/core/src/gamma/index.ts': "import { beta } from '../beta/beta.ts';\nexport const gamma = beta;\n",
        // The runner protocol outside runtime/.
        'packages/core/src/delta/index.ts':
          "import * as core from '@actions/core';\nexport const delta = () => core.info('x');\n",
      });
      const { code, violations } = cruise(dir);
      expect(code).not.toBe(0);
      const found = violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
      expect(found).toContain('no-cycles: packages/core/src/alpha/alpha.ts -> packages/core/src/beta/index.ts');
      expect(found).toContain(
        'domain-through-index: packages/core/src/gamma/index.ts -> packages/core/src/beta/beta.ts',
      );
      expect(
        found.some((v) => v.startsWith('runner-protocol-in-runtime-only: packages/core/src/delta/index.ts -> ')),
      ).toBe(true);
    },
    timeoutFor(1, 20_000),
  );

  it(
    'fail when an engine orchestrates another, a domain imports the runtime or a command, or an entry reaches past an index',
    () => {
      const dir = tree('layers', {
        ...clean,
        // report/ calling perf/: combining two engines is a command's job.
        'packages/core/src/report/index.ts':
          "import { perf } from '../perf/index.ts';\nexport const report = () => perf();\n",
        // A domain using the runtime (even its types) or a command: the layers point down only.
        'packages/core/src/beta/beta.ts':
          "import { info } from '../runtime/index.ts';\nimport { alphaCommand } from '../commands/alpha.ts';\nexport const beta = () => [info('b'), alphaCommand];\n",
        // An entry reaching into a domain's file instead of its index.ts.
        'actions/alpha/src/main.ts': "import { alpha } from '../../../packages/core/src/alpha/alpha.ts';\nalpha();\n",
        // The selection engine choosing a language itself instead of taking the pack a command gives it.
        'packages/core/src/impact-map/index.ts':
          "import { toyPack } from '../languages/toy/index.ts';\nexport const map = () => toyPack;\n",
      });
      const { code, violations } = cruise(dir);
      expect(code).not.toBe(0);
      const found = violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
      expect(found).toContain(
        'engines-do-not-orchestrate-engines: packages/core/src/report/index.ts -> packages/core/src/perf/index.ts',
      );
      expect(found).toContain(
        'nothing-imports-the-runtime: packages/core/src/beta/beta.ts -> packages/core/src/runtime/index.ts',
      );
      expect(found).toContain(
        'domains-below-commands: packages/core/src/beta/beta.ts -> packages/core/src/commands/alpha.ts',
      );
      expect(found).toContain(
        'entries-through-core-index: actions/alpha/src/main.ts -> packages/core/src/alpha/alpha.ts',
      );
      expect(found).toContain(
        'engines-know-no-language: packages/core/src/impact-map/index.ts -> packages/core/src/languages/toy/index.ts',
      );
    },
    timeoutFor(1, 20_000),
  );
});
