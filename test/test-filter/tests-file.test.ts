import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTestsFile } from '@ci-optimizer/core/test-filter';
import { tempDir } from '../support/git-repo.ts';

// The NUL-separated list of test files a step hands to the shell (`tests-file`, `selected-file`): each write gets a
// file of its own, so two steps of one job (or two lists of one step) never overwrite each other's.
describe('tests file', () => {
  const temp = tempDir('ci-opt-tests-file-');
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('writes every list to a new file, each name followed by a NUL', () => {
    const names = ['tests/test a.py', "tests/it's\n*.py", '-leading.py'];
    const paths = Array.from({ length: 50 }, () => writeTestsFile(temp, 'test-predictor-tests', names));
    expect(new Set(paths).size).toBe(50);
    expect(readdirSync(`${temp}/ci-optimizer/tests-files`).sort()).toEqual(paths.map((path) => basename(path)).sort());
    for (const path of paths) {
      expect(basename(path)).toMatch(/^test-predictor-tests-.+\.nul$/);
      expect(readFileSync(path, 'utf8')).toBe(names.map((name) => `${name}\0`).join(''));
    }
    expect(readFileSync(writeTestsFile(temp, 'empty', []), 'utf8')).toBe('');
  });
});
