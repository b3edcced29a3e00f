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

/** The modules a bundle file imports (static or behind import()). */
function importSpecifiers(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  return (
    [
      ...code.matchAll(/\bimport\s*(?:\{[^}]*\}|\*\s*as\s+[\w$]+|[\w$]+)\s*from\s*["']([^"']+)["']/g),
      ...code.matchAll(/\bimport\s*["']([^"']+)["']/g),
      ...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
    ]
      .map((m) => m[1])
      // Minified code also holds the word `import` before a string (a parser's token names): a specifier has no spaces or code.
      .filter((spec) => /^[\w@.:/-]+$/.test(spec))
  );
}

describe('bundles', () => {
  it('the core version is the package version', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(VERSION).toBe(pkg.version);
  });

  it('come from one build: chunks import only Node built-ins and other chunks, and one licenses.txt covers dist/', () => {
    // The S3 SDK's error messages tell the user to write `import "@aws-sdk/signature-v4-crt"`: text, not imports.
    const inMessages = ['@aws-sdk/signature-v4-crt', '@aws-sdk/signature-v4a'];
    const chunks = readdirSync(join(REPO_ROOT, 'dist', 'chunks'));
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) {
      const specifiers = importSpecifiers(join(REPO_ROOT, 'dist', 'chunks', chunk));
      const foreign = specifiers.filter(
        (spec) =>
          !spec.startsWith('node:') &&
          !builtinModules.includes(spec) &&
          !/^\.\/[\w-]+\.js$/.test(spec) &&
          !inMessages.includes(spec),
      );
      expect(foreign, chunk).toEqual([]);
      for (const spec of specifiers.filter((s) => s.startsWith('./')))
        expect(existsSync(join(REPO_ROOT, 'dist', 'chunks', spec)), `${chunk} imports ${spec}`).toBe(true);
    }
    const licenses = readFileSync(join(REPO_ROOT, 'dist', 'licenses.txt'), 'utf8');
    for (const pkg of ['@actions/core@', 'yaml@', 'ajv@', '@aws-sdk/client-s3@', 'web-tree-sitter@'])
      expect(licenses).toContain(pkg);
    // The Python parser's WebAssembly, where tree-sitter-parser.ts looks for it (the parent of chunks/ and of dist/<action>/).
    for (const wasm of ['tree-sitter.wasm', 'tree-sitter-python.wasm'])
      expect(existsSync(join(REPO_ROOT, 'dist', wasm)), wasm).toBe(true);
  });

  describe.each(bundledActions())('dist/%s', (action) => {
    it('is an ESM bundle that imports only Node built-ins and chunks of the shared build, with no deprecated commands', () => {
      const specifiers = importSpecifiers(join(REPO_ROOT, 'dist', action, 'index.js'));
      expect(specifiers.length).toBeGreaterThan(0);
      const builtin = (spec: string) => spec.startsWith('node:') || builtinModules.includes(spec);
      // The entry sits in dist/<action>/ (one level deeper for s3-cache/restore); the chunks are dist/chunks/.
      const chunk = new RegExp(`^${'\\.\\./'.repeat(action.split('/').length)}chunks/[\\w-]+\\.js$`);
      expect(specifiers.filter((spec) => !builtin(spec) && !chunk.test(spec))).toEqual([]);
      for (const spec of specifiers.filter((s) => s.startsWith('.')))
        expect(existsSync(join(REPO_ROOT, 'dist', action, spec)), spec).toBe(true);
      expect(readFileSync(join(REPO_ROOT, 'dist', action, 'index.js'), 'utf8')).not.toContain('::set-output');
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

    it("fails with one annotation when the runner's output file cannot be written, not with Node's dump of minified code", async () => {
      const job = new RunnerJob();
      try {
        // A folder where the output file should be: writing to it fails as on a full or read-only disk.
        const { main } = await runActionStep({ action, job, post: false, stepFiles: { GITHUB_OUTPUT: job.root } });
        expect(main.exitCode).toBe(1);
        const errors = main.annotations.filter((a) => a.level === 'error').map((a) => a.message);
        expect(
          errors.some((message) => message.startsWith("Could not write the step's outputs (GITHUB_OUTPUT): ")),
          errors.join('\n'),
        ).toBe(true);
        expect(errors.join('\n')).toContain(job.root);
        // Node prints the source line of an uncaught error: a whole minified chunk.
        expect(main.stderr.length, main.stderr.slice(0, 300)).toBeLessThan(200);
      } finally {
        job.remove();
      }
    });
  });
});
