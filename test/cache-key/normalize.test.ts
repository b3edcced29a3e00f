import { describe, expect, it } from 'vitest';
import {
  canonicalToml,
  normalizeDependencyFile,
  normalizeRequirements,
  pyprojectDependencyText,
  readTomlStatements,
} from '@ci-optimizer/core/cache-key';

describe('TOML statements', () => {
  it('keeps strings verbatim (with # and brackets inside) and drops comments, blanks and trailing commas', () => {
    const text = [
      '# top',
      '[project]',
      'name = "a # not a comment"',
      'dependencies = [',
      '  "requests[socks]>=2",  # why',
      "  'x ]',",
      ']',
      '',
      '[[tool.x]]',
      'a = 1',
      '[[tool.x]]',
      'a = """multi',
      '# still string',
      '"""',
      '[tool."quoted.name"]',
      'b = { c = 1, d = [1,2,] }',
    ].join('\n');
    expect(readTomlStatements(text)).toEqual([
      { path: 'project.name', value: '"a # not a comment"' },
      { path: 'project.dependencies', value: `["requests[socks]>=2",'x ]']` },
      { path: 'tool.x[0].a', value: '1' },
      { path: 'tool.x[1].a', value: '"""multi\n# still string\n"""' },
      { path: 'tool.quoted.name.b', value: '{c=1,d=[1,2]}' },
    ]);
  });

  it('canonical form ignores layout but not values', () => {
    const a = '[a]\nx = [\n  1,\n  2,\n]\n';
    const b = '# c\n[a]\n\nx = [1, 2]   # same\n';
    expect(canonicalToml(a)).toBe(canonicalToml(b));
    expect(canonicalToml(a)).not.toBe(canonicalToml('[a]\nx = [2, 1]\n'));
  });

  it('pyproject: only what decides installs', () => {
    const text = [
      '[project]',
      'name = "svc"',
      'version = "1.2.3"',
      'dependencies = ["requests"]',
      '[project.optional-dependencies]',
      'dev = ["pytest"]',
      '[build-system]',
      'requires = ["hatchling"]',
      '[dependency-groups]',
      'lint = ["ruff"]',
      '[tool.ruff]',
      'line-length = 100',
      '[tool.poetry.group.test.dependencies]',
      'pytest = "^8"',
    ].join('\n');
    expect(pyprojectDependencyText(text).split('\n')).toEqual([
      'project.dependencies=["requests"]',
      'project.optional-dependencies.dev=["pytest"]',
      'build-system.requires=["hatchling"]',
      'dependency-groups.lint=["ruff"]',
      'tool.poetry.group.test.dependencies.pytest="^8"',
    ]);
  });
});

describe('other formats', () => {
  it('requirements: pip comment rules and line continuations', () => {
    expect(
      normalizeRequirements('# c\nrequests==2 \\\n  --hash=sha256:ab  # pin\nurl @ https://x.example/a#egg=b\n\n'),
    ).toBe('requests==2 --hash=sha256:ab\nurl @ https://x.example/a#egg=b');
  });

  it('an unparsable JSON lockfile falls back to the line form instead of failing', () => {
    const result = normalizeDependencyFile('package-lock.json', '{ broken\n\n');
    expect(result).toEqual({ form: 'lines', text: '{ broken' });
  });

  it('go.sum order, XML comments, Gradle comments inside strings are kept', () => {
    expect(normalizeDependencyFile('go.sum', 'b v1 h1:x\n\na v1 h1:y\n').text).toBe('a v1 h1:y\nb v1 h1:x');
    expect(normalizeDependencyFile('pom.xml', '<a>\n  <!-- c -->\n  <b>1</b>\n</a>').text).toBe('<a><b>1</b></a>');
    expect(normalizeDependencyFile('build.gradle', 'maven { url "https://repo.example/x" } // c\n').text).toBe(
      'maven { url "https://repo.example/x" }',
    );
  });
});
