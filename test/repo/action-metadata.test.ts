import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/action-runner.ts';

/** Every action.yml of the repository: the root Marketplace entry and each folder under actions/. */
function actionFiles(): string[] {
  const found: string[] = [];
  if (existsSync(join(REPO_ROOT, 'action.yml'))) found.push('action.yml');
  const walk = (folder: string) => {
    for (const item of readdirSync(join(REPO_ROOT, folder), { withFileTypes: true })) {
      if (!item.isDirectory() || item.name === 'src') continue;
      const sub = `${folder}/${item.name}`;
      if (existsSync(join(REPO_ROOT, sub, 'action.yml'))) found.push(`${sub}/action.yml`);
      walk(sub);
    }
  };
  walk('actions');
  return found.sort();
}

// Drop-in compatibility with actions/cache keeps its camelCase input name.
const NAME_EXCEPTIONS = new Set(['enableCrossOsArchive']);
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

describe('action metadata', () => {
  const files = actionFiles();

  it('finds the actions', () => {
    expect(files).toContain('actions/report/action.yml');
  });

  describe.each(files)('%s', (file) => {
    const metadata = parse(readFileSync(join(REPO_ROOT, file), 'utf8')) as Record<string, any>;
    const folder = dirname(join(REPO_ROOT, file));

    it('has the required keys and runs on node24 from dist/', () => {
      expect(typeof metadata.name).toBe('string');
      expect(typeof metadata.description).toBe('string');
      expect(metadata.description.length).toBeLessThanOrEqual(125 * 2);
      expect(metadata.runs.using).toBe('node24');
      for (const key of ['main', 'post'] as const) {
        if (metadata.runs[key] === undefined) continue;
        const target = resolve(folder, metadata.runs[key]);
        expect(relative(REPO_ROOT, target).startsWith('dist/'), `${key} points into dist/`).toBe(true);
        expect(existsSync(target), `${key} ${metadata.runs[key]} exists`).toBe(true);
      }
    });

    it('describes every input and output with kebab-case names', () => {
      for (const [name, input] of Object.entries<Record<string, unknown>>(metadata.inputs ?? {})) {
        expect(KEBAB.test(name) || NAME_EXCEPTIONS.has(name), `input '${name}' is kebab-case`).toBe(true);
        expect(
          typeof input.description === 'string' && input.description.trim() !== '',
          `input '${name}' has a description`,
        ).toBe(true);
      }
      for (const [name, output] of Object.entries<Record<string, unknown>>(metadata.outputs ?? {})) {
        expect(KEBAB.test(name), `output '${name}' is kebab-case`).toBe(true);
        expect(
          typeof output.description === 'string' && output.description.trim() !== '',
          `output '${name}' has a description`,
        ).toBe(true);
      }
    });

    it('declares the standard timing outputs', () => {
      expect(Object.keys(metadata.outputs ?? {})).toEqual(expect.arrayContaining(['duration-ms', 'metrics']));
    });

    it('has a README next to it', () => {
      if (file === 'action.yml') return;
      expect(existsSync(join(folder, 'README.md'))).toBe(true);
    });
  });
});
