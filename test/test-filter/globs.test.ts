import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import { BUILTIN_IGNORE, BUILTIN_RUN_ALL_ON, matchesGlob } from '@ci-optimizer/core/test-filter';

describe('matchesGlob', () => {
  it('answers as minimatch does for the built-in globs, including those it tests without compiling', () => {
    const paths = [
      'pyproject.toml',
      'svc/pyproject.toml',
      '.hidden/pyproject.toml',
      'pyproject.toml.bak',
      'xpyproject.toml',
      'a/b/setup.py',
      'a/xsetup.py',
      'Pipfile',
      'a/Pipfile.lock',
      '.python-version',
      'a/.python-version',
      'MANIFEST.in',
      'a/MANIFEST.inx',
      'uv.lock/inner',
      'a/.pytest.ini',
      'requirements-dev.txt',
      'requirements/ci/x.txt',
      '.github/workflows/ci.yml',
      '.github',
      'x/.github/a',
      'docs/index.md',
      'docs',
      'src/app.py',
      'src/a/b.py',
      'README.md',
      'logo.png',
      'a/b/c.txt',
      'b.txt',
    ];
    const globs = [
      ...BUILTIN_RUN_ALL_ON,
      ...BUILTIN_IGNORE,
      '**/x.py',
      'conftest.py',
      'src/**/*.py',
      'a/./b*',
      './src/*.py',
      'a//b*',
      '*.txt',
      'a/*/c.txt',
      'b*',
    ];
    const expected = globs.flatMap((glob) =>
      paths.map((path) => [
        glob,
        path,
        minimatch(path, glob, { dot: true, nocomment: true, matchBase: !glob.includes('/') }),
      ]),
    );
    expect(globs.flatMap((glob) => paths.map((path) => [glob, path, matchesGlob(path, glob)]))).toEqual(expected);
    expect(expected.filter(([, , hit]) => hit).length).toBeGreaterThan(10);
  });
});
