import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cachePathsFor,
  composeKey,
  computeCacheKeys,
  dateBucket,
  detectEcosystems,
  isoWeek,
  parsePythonVersion,
  parseRuntimeVersion,
  resolveRuntimeVersion,
} from '@ci-optimizer/core/cache-key';
import { UserError } from '@ci-optimizer/core/errors';
import { tempDir } from '../support/git-repo.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = tempDir('ci-opt-cache-key-');
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const base = { os: 'Linux', arch: 'X64', probe: false };

describe('interpreter versions never share a key or a restore-key prefix', () => {
  const versions = ['3.1', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13', '3.13t', 'pypy3.10', 'pypy3.11'];

  it('for every pair of Python minors, on the same files', async () => {
    const dir = project({ 'requirements.txt': 'requests==2.32.3\n' });
    const results = await Promise.all(
      versions.map((python) => computeCacheKeys({ root: dir, ...base, runtimeInputs: { python } })),
    );
    for (let i = 0; i < results.length; i += 1) {
      for (let j = 0; j < results.length; j += 1) {
        if (i === j) continue;
        const [a, b] = [results[i], results[j]];
        expect(a.key, `${versions[i]} vs ${versions[j]}`).not.toBe(b.key);
        // actions/cache matches a restore key as a prefix of stored keys (and of the key itself).
        for (const prefix of [a.key, ...a.restoreKeys]) {
          expect(b.key.startsWith(prefix), `${versions[i]} prefix ${prefix} matches ${versions[j]} key ${b.key}`).toBe(
            false,
          );
        }
      }
    }
  });

  it('patch releases of one minor share the key (the wheel cache is valid across them)', async () => {
    const dir = project({ 'requirements.txt': 'requests==2.32.3\n' });
    const a = await computeCacheKeys({ root: dir, ...base, runtimeInputs: { python: '3.12.4' } });
    const b = await computeCacheKeys({ root: dir, ...base, runtimeInputs: { python: '3.12.7' } });
    expect(a.key).toBe(b.key);
  });

  it('OS, arch and CACHE_VERSION are boundaries too', async () => {
    const dir = project({ 'requirements.txt': 'requests==2.32.3\n' });
    const variants = await Promise.all([
      computeCacheKeys({ root: dir, ...base, runtimeInputs: { python: '3.12' } }),
      computeCacheKeys({ root: dir, ...base, os: 'macOS', runtimeInputs: { python: '3.12' } }),
      computeCacheKeys({ root: dir, ...base, os: 'Windows', runtimeInputs: { python: '3.12' } }),
      computeCacheKeys({ root: dir, ...base, arch: 'ARM64', runtimeInputs: { python: '3.12' } }),
      computeCacheKeys({ root: dir, ...base, image: 'ubuntu22', runtimeInputs: { python: '3.12' } }),
      computeCacheKeys({ root: dir, ...base, cacheVersion: '1', runtimeInputs: { python: '3.12' } }),
      computeCacheKeys({ root: dir, ...base, cacheVersion: '11', runtimeInputs: { python: '3.12' } }),
    ]);
    for (const a of variants) {
      for (const b of variants) {
        if (a === b) continue;
        expect(a.restoreKeys.some((prefix) => b.key.startsWith(prefix))).toBe(false);
      }
    }
  });
});

describe('runtime versions', () => {
  it('reads the real Python interpreter (implementation and minor)', async () => {
    const expected = execFileSync(
      'python3',
      ['-c', 'import sys,platform;print(platform.python_implementation().lower()+"%d.%d"%sys.version_info[:2])'],
      {
        encoding: 'utf8',
      },
    ).trim();
    const dir = project({ '.python-version': '2.7\n' });
    const found = await resolveRuntimeVersion('python', { dir, root: dir, probe: true });
    // The interpreter wins over the file: it is what pip will run under.
    expect(found.segment.replace(/t$/, '')).toBe(expected);
    expect(found.source).toMatch(/^interpreter/);
  });

  it('reads the real node (major version)', async () => {
    const version = execFileSync('node', ['--version'], { encoding: 'utf8' }).trim();
    const found = await resolveRuntimeVersion('node', { dir: '.', root: '.', probe: true });
    expect(found.segment).toBe(`node${version.slice(1).split('.')[0]}`);
  });

  it('falls back to the input, then version files from the project folder up to the root', async () => {
    const dir = project({
      '.python-version': '3.11.7\n',
      'svc/.tool-versions': 'nodejs 20.11.1\npython 3.12.1\n',
      'svc/api/pyproject.toml': '[project]\nrequires-python = ">=3.10,<3.11"\n',
      'web/.nvmrc': 'v18.19.0\n',
      'other/pyproject.toml': '[project]\nrequires-python = ">=3.9"\n',
      'go.mod': 'module x\n\ngo 1.21\n\ntoolchain go1.22.4\n',
      'rust-toolchain.toml': '[toolchain]\nchannel = "1.79.0"\n',
      '.sdkmanrc': 'java=21.0.2-tem\n',
    });
    const noProbe = { root: dir, probe: false };
    expect((await resolveRuntimeVersion('python', { ...noProbe, dir, inputs: { python: 'pypy3.10' } })).segment).toBe(
      'pypy3.10',
    );
    expect((await resolveRuntimeVersion('python', { ...noProbe, dir })).segment).toBe('cpython3.11');
    expect((await resolveRuntimeVersion('python', { ...noProbe, dir: join(dir, 'svc') })).segment).toBe('cpython3.12');
    const api = await resolveRuntimeVersion('python', { ...noProbe, dir: join(dir, 'svc/api') });
    expect([api.segment, api.source]).toEqual(['cpython3.10', 'svc/api/pyproject.toml requires-python']);
    expect((await resolveRuntimeVersion('node', { ...noProbe, dir: join(dir, 'web') })).segment).toBe('node18');
    expect((await resolveRuntimeVersion('node', { ...noProbe, dir: join(dir, 'svc') })).segment).toBe('node20');
    expect((await resolveRuntimeVersion('go', { ...noProbe, dir })).segment).toBe('go1.22');
    expect((await resolveRuntimeVersion('rust', { ...noProbe, dir })).segment).toBe('rust1.79');
    expect((await resolveRuntimeVersion('java', { ...noProbe, dir })).segment).toBe('java21');
    // A nearer open range does not pin a minor: marked inexact so the action warns.
    const other = await resolveRuntimeVersion('python', { ...noProbe, dir: join(dir, 'other') });
    expect(other.exact).toBe(false);
  });

  it('parses the forms users write', () => {
    expect(parsePythonVersion('3.13t')?.segment).toBe('cpython3.13t');
    expect(parsePythonVersion('pypy3.10-7.3.12')?.segment).toBe('pypy3.10');
    expect(parsePythonVersion('3.12.0rc2')?.segment).toBe('cpython3.12');
    expect(parsePythonVersion('==3.11.*')?.segment).toBe('cpython3.11');
    expect(parsePythonVersion('~=3.11.0')?.segment).toBe('cpython3.11');
    expect(parsePythonVersion('>=3.11')?.exact).toBe(false);
    expect(parsePythonVersion('system')).toBeUndefined();
    expect(parseRuntimeVersion('java', '1.8.0_392')?.segment).toBe('java8');
    expect(parseRuntimeVersion('java', 'temurin-17.0.11+9')?.segment).toBe('java17');
    expect(parseRuntimeVersion('node', 'lts/iron')?.exact).toBe(false);
  });

  it('warns when the Python version cannot be pinned', async () => {
    const dir = project({ 'pyproject.toml': '[project]\nrequires-python = ">=3.9"\ndependencies = ["requests"]\n' });
    const result = await computeCacheKeys({ root: dir, ...base });
    expect(result.warnings.join('\n')).toMatch(/python version for the pip cache is not pinned/);
  });
});

describe('monorepos', () => {
  const files = {
    'services/api/requirements.txt': 'fastapi==0.111.0\n',
    'services/api/.python-version': '3.12\n',
    'services/worker/poetry.lock': '[[package]]\nname = "celery"\nversion = "5.4.0"\n',
    'services/worker/pyproject.toml': '[tool.poetry]\nname = "worker"\n',
    'web/package-lock.json': '{"lockfileVersion":3,"packages":{}}',
    'web/package.json': '{"name":"web"}',
    'tools/go.mod': 'module tools\n\ngo 1.22\n',
  };

  it('finds every lockfile and keys each ecosystem apart, plus one combined key', async () => {
    const dir = project(files);
    const result = await computeCacheKeys({ root: dir, ...base, runtimeInputs: { node: '20', go: '1.22' } });
    expect(result.ecosystems.map((e) => e.id)).toEqual(['pip', 'poetry', 'npm', 'go']);
    const pip = result.ecosystems.find((e) => e.id === 'pip')!;
    expect(pip.runtime?.segment).toBe('cpython3.12');
    expect(result.key).toMatch(/^deps-pip\+poetry\+npm\+go-linux-x64-/);
    expect(new Set(result.ecosystems.map((e) => e.key)).size).toBe(4);
  });

  it('limits to a working directory or to globs', async () => {
    const dir = project(files);
    const web = await computeCacheKeys({
      root: dir,
      workingDirectory: join(dir, 'web'),
      ...base,
      runtimeInputs: { node: '20' },
    });
    expect(web.ecosystems.map((e) => e.id)).toEqual(['npm']);
    const services = detectEcosystems(dir, { globs: ['services/**'] });
    expect(services.map((e) => e.id)).toEqual(['pip', 'poetry']);
    expect(services.find((e) => e.id === 'pip')!.projectDirs).toEqual(['services/api']);
  });

  it('a change in one service changes that ecosystem key only', async () => {
    const dir = project(files);
    const opts = { root: dir, ...base, runtimeInputs: { node: '20', go: '1.22' } };
    const before = await computeCacheKeys(opts);
    writeFileSync(join(dir, 'services/api/requirements.txt'), 'fastapi==0.112.0\n');
    const after = await computeCacheKeys(opts);
    const changed = after.ecosystems.filter((e, i) => e.key !== before.ecosystems[i].key).map((e) => e.id);
    expect(changed).toEqual(['pip']);
    expect(after.key).not.toBe(before.key);
  });

  it('an ecosystem asked for but absent is a user error naming the input and the fix', async () => {
    const dir = project({ 'requirements.txt': 'x\n' });
    const attempt = computeCacheKeys({ root: dir, ...base, ecosystems: ['cargo'] });
    await expect(attempt).rejects.toBeInstanceOf(UserError);
    await expect(attempt).rejects.toThrow(/Input 'ecosystems' asks for 'cargo'.*Cargo\.lock/);
  });

  it('no dependency file at all is a user error', async () => {
    const dir = project({ 'README.md': '# x\n' });
    await expect(computeCacheKeys({ root: dir, ...base })).rejects.toThrow(/No dependency files found/);
  });
});

describe('key parts', () => {
  it('CACHE_VERSION and rotation buckets make new keys; restore keys stay inside the bucket', () => {
    const parts = {
      prefix: 'deps',
      tools: ['pip'],
      os: 'ubuntu24',
      arch: 'x64',
      runtimes: ['cpython3.12'],
      hash: 'abc',
    };
    const v1 = composeKey({ ...parts, cacheVersion: '1' });
    const v2 = composeKey({ ...parts, cacheVersion: 'v2' });
    expect(v1.key).toBe('deps-pip-ubuntu24-x64-cpython3.12-v1-abc');
    expect(v2.restoreKeys).toEqual(['deps-pip-ubuntu24-x64-cpython3.12-v2-']);
    const weekly = composeKey({
      ...parts,
      cacheVersion: '1',
      bucket: dateBucket('weekly', new Date('2026-11-16T10:00:00Z')),
    });
    expect(weekly.key).toBe('deps-pip-ubuntu24-x64-cpython3.12-v1-2026w47-abc');
    expect(weekly.restoreKeys).toEqual(['deps-pip-ubuntu24-x64-cpython3.12-v1-2026w47-']);
    // Dashes and commas in values cannot split or extend a segment.
    expect(composeKey({ ...parts, os: 'my-os,x', cacheVersion: '1' }).key).toBe(
      'deps-pip-my_os_x-x64-cpython3.12-v1-abc',
    );
  });

  it('ISO weeks across year ends, months and days', () => {
    expect(isoWeek(new Date('2026-01-01T00:00:00Z'))).toEqual({ isoYear: 2026, week: 1 });
    expect(isoWeek(new Date('2027-01-01T00:00:00Z'))).toEqual({ isoYear: 2026, week: 53 });
    expect(isoWeek(new Date('2024-12-30T00:00:00Z'))).toEqual({ isoYear: 2025, week: 1 });
    expect(dateBucket('monthly', new Date('2026-03-31T23:59:00Z'))).toBe('2026m03');
    expect(dateBucket('daily', new Date('2026-03-31T23:59:00Z'))).toBe('d20260331');
    expect(dateBucket('none', new Date())).toBeUndefined();
  });

  it('cache folders per OS, with the tools own overrides', () => {
    const ctx = { env: {}, root: '.', projectDirs: ['.'] };
    expect(cachePathsFor('pip', { ...ctx, os: 'Linux' })).toEqual(['~/.cache/pip']);
    expect(cachePathsFor('pip', { ...ctx, os: 'macOS' })).toEqual(['~/Library/Caches/pip']);
    expect(cachePathsFor('pip', { ...ctx, os: 'Windows' })).toEqual(['~/AppData/Local/pip/Cache']);
    expect(cachePathsFor('pip', { ...ctx, os: 'Linux', env: { PIP_CACHE_DIR: '/cache/pip' } })).toEqual(['/cache/pip']);
    expect(cachePathsFor('npm', { ...ctx, os: 'Linux' })).toEqual(['~/.npm']);
    expect(cachePathsFor('go', { ...ctx, os: 'macOS' })).toEqual(['~/go/pkg/mod', '~/Library/Caches/go-build']);
    expect(cachePathsFor('gradle', { ...ctx, os: 'Linux' })).toEqual(['~/.gradle/caches', '~/.gradle/wrapper']);
  });

  it('Yarn berry: in-project cache for Yarn 3, global for Yarn 4, cacheFolder wins', () => {
    const dir = project({
      'a/package.json': '{"packageManager":"yarn@3.8.1"}',
      'b/package.json': '{"packageManager":"yarn@4.3.0"}',
      'c/package.json': '{}',
      'c/.yarnrc.yml': 'cacheFolder: ./.yarn-cache\n',
    });
    const ctx = { env: {}, root: dir, os: 'Linux' as const };
    expect(cachePathsFor('yarn-berry', { ...ctx, projectDirs: ['a'] })).toEqual(['a/.yarn/cache']);
    expect(cachePathsFor('yarn-berry', { ...ctx, projectDirs: ['b'] })).toEqual(['~/.yarn/berry/cache']);
    expect(cachePathsFor('yarn-berry', { ...ctx, projectDirs: ['c'] })).toEqual(['c/.yarn-cache']);
  });
});
