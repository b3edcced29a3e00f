import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '@ci-optimizer/core/version';
import { RunnerJob, REPO_ROOT, runActionStep } from '../support/action-runner.ts';

function bundledActions(): string[] {
  const names: string[] = [];
  const walk = (folder: string) => {
    for (const item of readdirSync(join(REPO_ROOT, folder), { withFileTypes: true })) {
      if (!item.isDirectory() || item.name === 'src') continue;
      const sub = `${folder}/${item.name}`;
      if (existsSync(join(REPO_ROOT, sub, 'src', 'main.ts'))) names.push(sub.slice('actions/'.length));
      walk(sub);
    }
  };
  walk('actions');
  return names.sort();
}

describe('bundles', () => {
  it('the core version is the package version', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(VERSION).toBe(pkg.version);
  });

  describe.each(bundledActions())('dist/%s', (action) => {
    it('is a self-contained ESM bundle with its licenses and no deprecated commands', () => {
      const code = readFileSync(join(REPO_ROOT, 'dist', action, 'index.js'), 'utf8');
      // Only Node's own modules and the bundle's chunks (static or behind import()), which must be there.
      const specifiers = [
        ...code.matchAll(/\bimport\s*(?:\{[^}]*\}|\*\s*as\s+[\w$]+|[\w$]+)\s*from\s*["']([^"']+)["']/g),
        ...code.matchAll(/\bimport\s*["']([^"']+)["']/g),
        ...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
      ]
        .map((m) => m[1])
        // Minified code also holds the word `import` before a string (a parser's token names): a specifier has no spaces or code.
        .filter((spec) => /^[\w@.:/-]+$/.test(spec));
      expect(specifiers.length).toBeGreaterThan(0);
      const builtin = (spec: string) => spec.startsWith('node:') || builtinModules.includes(spec);
      expect(specifiers.filter((spec) => !builtin(spec) && !/^\.\/chunks\/[\w-]+\.js$/.test(spec))).toEqual([]);
      for (const chunk of specifiers.filter((spec) => spec.startsWith('./'))) expect(existsSync(join(REPO_ROOT, 'dist', action, chunk)), chunk).toBe(true);
      expect(code).not.toContain('::set-output');
      expect(readFileSync(join(REPO_ROOT, 'dist', action, 'licenses.txt'), 'utf8')).toContain('@actions/core@');
    });

    it('starts under the runner with default inputs and publishes its timing outputs', async () => {
      const job = new RunnerJob();
      try {
        const { main } = await runActionStep({ action, job, post: false });
        // Some actions need inputs and fail with a clear message; either way the runtime ran and wrote its outputs.
        expect([0, 1]).toContain(main.exitCode);
        expect(main.stderr).not.toMatch(/ReferenceError|SyntaxError|Cannot find (module|package)/);
        expect(Number.isInteger(Number(main.outputs['duration-ms']))).toBe(true);
        expect(JSON.parse(main.outputs.metrics).action).toBe(action);
      } finally {
        job.remove();
      }
    });
  });
});
