import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigSection } from '@ci-optimizer/core/config';
import { tempDir } from '../support/git-repo.ts';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    'max-changed-files': { type: 'integer', minimum: 1 },
    ignore: { type: 'array', items: { type: 'string' } },
    map: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

describe('loadConfigSection', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (text: string) => {
    dir = tempDir();
    mkdirSync(join(dir, '.github'));
    writeFileSync(join(dir, '.github', 'ci-optimizer.yml'), text);
  };

  it('returns an empty section when there is no config file', () => {
    dir = tempDir();
    expect(loadConfigSection(dir, 'test-filter', schema)).toEqual({ values: {} });
  });

  it('returns the section validated against its schema', () => {
    write(
      'test-filter:\n  max-changed-files: 50\n  ignore: ["docs/**"]\n  map:\n    "src/payments/**": "tests/payments/**"\nreport:\n  title: x\n',
    );
    expect(loadConfigSection(dir, 'test-filter', schema)).toEqual({
      file: '.github/ci-optimizer.yml',
      values: { 'max-changed-files': 50, ignore: ['docs/**'], map: { 'src/payments/**': 'tests/payments/**' } },
    });
  });

  it('names file, line and key for a value of the wrong type', () => {
    write('# comment\ntest-filter:\n  ignore: ["docs/**"]\n  max-changed-files: lots\n');
    expect(() => loadConfigSection(dir, 'test-filter', schema)).toThrow(
      `.github/ci-optimizer.yml:4: 'test-filter.max-changed-files' must be integer (got "lots").`,
    );
  });

  it('names an unknown key with its line and lists the known ones', () => {
    write('test-filter:\n  ignore: []\n  max-changed-file: 3\n');
    expect(() => loadConfigSection(dir, 'test-filter', schema)).toThrow(
      ".github/ci-optimizer.yml:3: unknown key 'test-filter.max-changed-file'. Known keys of 'test-filter': max-changed-files, ignore, map.",
    );
  });

  it('names an unknown section', () => {
    write('test-filtre:\n  ignore: []\n');
    expect(() => loadConfigSection(dir, 'test-filter', schema)).toThrow(
      /ci-optimizer.yml:1: unknown section 'test-filtre'/,
    );
  });

  it('reports YAML syntax errors with line and column', () => {
    write('test-filter:\n  ignore: [unclosed\n');
    expect(() => loadConfigSection(dir, 'test-filter', schema)).toThrow(/ci-optimizer.yml:\d+:\d+: not valid YAML/);
  });
});
