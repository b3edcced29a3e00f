import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ArchiveError,
  createArchiveStream,
  extractArchiveStream,
  moveIntoPlace,
  relocate,
  resolveCachePaths,
  type Compression,
} from '@ci-optimizer/core/archive';

let root: string;
let workspace: string;
let home: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ci-opt-archive-'));
  workspace = join(root, 'work space');
  home = join(root, 'home');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(home, { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, content = 'x') {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

async function roundTrip(paths: string[], compression: Compression = 'zstd'): Promise<string> {
  const plan = await resolveCachePaths(paths, { workspace, home });
  const writer = createArchiveStream(plan, compression);
  const chunks: Buffer[] = [];
  for await (const chunk of writer.stream) chunks.push(chunk as Buffer);
  await writer.done;
  const staging = join(root, 'staging');
  mkdirSync(staging);
  const reader = extractArchiveStream(staging, compression);
  for (const chunk of chunks) await reader.write(chunk);
  await reader.finish();
  return staging;
}

describe('resolveCachePaths', () => {
  it('resolves relative paths against the workspace, ~ against home, and drops missing and nested paths', async () => {
    write(join(workspace, 'node_modules/a/index.js'));
    write(join(home, '.npm/cache.bin'));
    const plan = await resolveCachePaths(['node_modules', 'node_modules/a', '~/.npm', 'missing', '# comment', ''], {
      workspace,
      home,
    });
    expect(plan).toEqual({ roots: [join(home, '.npm'), join(workspace, 'node_modules')] });
  });

  it('expands globs without following symlinks, and applies ! exclusions below matched folders', async () => {
    write(join(workspace, 'pkgs/a/dist/a.js'));
    write(join(workspace, 'pkgs/b/dist/b.js'));
    write(join(workspace, 'pkgs/b/dist/logs/debug.log'));
    write(join(workspace, 'pkgs/b/src/b.ts'));
    const globbed = await resolveCachePaths(['pkgs/*/dist'], { workspace, home });
    expect(globbed.roots).toEqual([join(workspace, 'pkgs/a/dist'), join(workspace, 'pkgs/b/dist')]);
    expect(globbed.entries).toBeUndefined();

    const excluded = await resolveCachePaths(['pkgs/*/dist', '!pkgs/b/dist/logs'], { workspace, home });
    expect(excluded.roots).toEqual(globbed.roots);
    expect(excluded.entries).toContain(join(workspace, 'pkgs/b/dist/b.js'));
    expect(excluded.entries?.some((p) => p.includes('logs'))).toBe(false);
  });

  it('rejects an empty path input naming the input', async () => {
    await expect(resolveCachePaths(['  ', '#only a comment'], { workspace, home })).rejects.toThrow(
      /Input 'path' is empty/,
    );
  });
});

describe('tar + zstd streaming', () => {
  it('round-trips paths with spaces, symlinks, modes and empty directories', async () => {
    const dir = join(workspace, 'my cache');
    write(join(dir, 'file with spaces.txt'), 'hello');
    write(join(dir, 'bin/tool'), '#!/bin/sh\necho hi\n');
    chmodSync(join(dir, 'bin/tool'), 0o751);
    write(join(dir, 'secret'), 's');
    chmodSync(join(dir, 'secret'), 0o600);
    mkdirSync(join(dir, 'empty/nested-empty'), { recursive: true });
    symlinkSync('file with spaces.txt', join(dir, 'link'));
    symlinkSync('/nonexistent/target', join(dir, 'dangling'));

    const staging = await roundTrip(['my cache']);
    const back = join(staging, dir);
    expect(readFileSync(join(back, 'file with spaces.txt'), 'utf8')).toBe('hello');
    expect(statSync(join(back, 'bin/tool')).mode & 0o777).toBe(0o751);
    expect(statSync(join(back, 'secret')).mode & 0o777).toBe(0o600);
    expect(statSync(join(back, 'empty/nested-empty')).isDirectory()).toBe(true);
    expect(lstatSync(join(back, 'link')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(back, 'link'))).toBe('file with spaces.txt');
    expect(readlinkSync(join(back, 'dangling'))).toBe('/nonexistent/target');
  });

  it('round-trips with gzip when zstd is not wanted', async () => {
    write(join(workspace, 'g/a.txt'), 'gzip me');
    const staging = await roundTrip(['g'], 'gzip');
    expect(readFileSync(join(staging, workspace, 'g/a.txt'), 'utf8')).toBe('gzip me');
  });

  it('archives only the exact file list when exclusions are given', async () => {
    write(join(workspace, 'c/keep.txt'));
    write(join(workspace, 'c/drop/big.bin'));
    const staging = await roundTrip(['c', '!c/drop']);
    expect(readFileSync(join(staging, workspace, 'c/keep.txt'), 'utf8')).toBe('x');
    expect(() => lstatSync(join(staging, workspace, 'c/drop'))).toThrow();
  });

  it('fails the archive stream when tar fails, so an upload cannot complete a short archive', async () => {
    const writer = createArchiveStream({ roots: [join(workspace, 'does-not-exist')] }, 'zstd');
    const consume = (async () => {
      for await (const _ of writer.stream) void _;
    })();
    await expect(writer.done).rejects.toBeInstanceOf(ArchiveError);
    await expect(consume).rejects.toThrow(/tar failed/);
  });

  it('reports damaged input as a decompressor failure', async () => {
    const staging = join(root, 'bad');
    mkdirSync(staging);
    const reader = extractArchiveStream(staging, 'zstd');
    const failure = (async () => {
      for await (const chunk of Readable.from([Buffer.from('this is not zstd at all'.repeat(1000))]))
        await reader.write(chunk as Buffer);
      await reader.finish();
    })();
    await expect(failure).rejects.toMatchObject({ name: 'ArchiveError', tool: 'decompressor' });
  });
});

describe('placement', () => {
  it('moves a new path with one rename and merges into an existing folder, cached files winning', async () => {
    write(join(root, 'staged/dir/new.txt'), 'cached');
    write(join(root, 'staged/dir/both.txt'), 'cached');
    write(join(root, 'target/dir/both.txt'), 'local');
    write(join(root, 'target/dir/local-only.txt'), 'local');
    await moveIntoPlace(join(root, 'staged/dir'), join(root, 'target/dir'));
    expect(readFileSync(join(root, 'target/dir/new.txt'), 'utf8')).toBe('cached');
    expect(readFileSync(join(root, 'target/dir/both.txt'), 'utf8')).toBe('cached');
    expect(readFileSync(join(root, 'target/dir/local-only.txt'), 'utf8')).toBe('local');

    write(join(root, 'staged2/fresh/a'), 'a');
    await moveIntoPlace(join(root, 'staged2/fresh'), join(root, 'deep/new/fresh'));
    expect(readFileSync(join(root, 'deep/new/fresh/a'), 'utf8')).toBe('a');
  });

  it('relocates workspace and home paths onto another runner’s folders', () => {
    const from = { workspace: '/home/a/src/r/r', home: '/home/a' };
    const to = { workspace: '/srv/w/r', home: '/root' };
    expect(relocate('/home/a/src/r/r/node_modules', from, to)).toBe('/srv/w/r/node_modules');
    expect(relocate('/home/a/.cache/pip', from, to)).toBe('/root/.cache/pip');
    expect(relocate('/opt/tool', from, to)).toBe('/opt/tool');
  });
});

describe('sparse files', () => {
  it('keeps a 1 GiB sparse file sparse through tar + zstd', async () => {
    const file = join(workspace, 'sparse/disk.img');
    mkdirSync(join(file, '..'), { recursive: true });
    execFileSync('truncate', ['-s', '1G', file]);
    writeFileSync(file, 'header', { flag: 'r+' });
    const staging = await roundTrip(['sparse']);
    const back = statSync(join(staging, file));
    expect(back.size).toBe(1024 ** 3);
    expect(back.blocks * 512).toBeLessThan(1024 * 1024);
    expect(readFileSync(join(staging, file)).subarray(0, 6).toString()).toBe('header');
  });
});

describe('glob patterns', () => {
  it('matches ** at any depth, dotfiles included, and excludes by pattern below the matches', async () => {
    write(join(workspace, 'a/node_modules/x/index.js'));
    write(join(workspace, 'a/b/node_modules/.bin/tool'));
    write(join(workspace, 'a/b/node_modules/y/debug.log'));
    write(join(workspace, 'c/other.js'));
    const plan = await resolveCachePaths(['**/node_modules', '!**/*.log'], { workspace, home });
    expect(plan.roots).toEqual([join(workspace, 'a/b/node_modules'), join(workspace, 'a/node_modules')]);
    expect(plan.entries).toContain(join(workspace, 'a/b/node_modules/.bin/tool'));
    expect(plan.entries?.filter((p) => p.endsWith('.log'))).toEqual([]);
    expect(plan.entries?.some((p) => p.includes('/c/'))).toBe(false);
  });
});

describe('logical member names (ws/, home/, abs/)', () => {
  it('stores workspace, home and other paths under their logical names, odd characters included, and maps them back', async () => {
    const { memberName, memberTarget, placementRules, planPlacement } = await import('@ci-optimizer/core/archive');
    // A workspace with regex and glob characters in its name, inside the home folder (self-hosted runners).
    const odd = join(home, 'a.b[1]*$^,|#', 'work space');
    mkdirSync(odd, { recursive: true });
    const names = { workspace: odd, home };
    write(join(odd, 'node_modules/pkg/index.js'), 'ws');
    write(join(home, '.npm/cache.bin'), 'home');
    write(join(root, 'elsewhere/tool.txt'), 'abs');
    const plan = await resolveCachePaths(['node_modules', '~/.npm', join(root, 'elsewhere')], names);
    const writer = createArchiveStream(plan, 'zstd', names);
    const chunks: Buffer[] = [];
    for await (const chunk of writer.stream) chunks.push(chunk as Buffer);
    await writer.done;
    const listing = execFileSync('sh', ['-c', 'zstd -d -q -c | tar -t'], { input: Buffer.concat(chunks) })
      .toString()
      .trim()
      .split('\n');
    expect(listing).toEqual(
      expect.arrayContaining([
        'ws/node_modules/',
        'ws/node_modules/pkg/index.js',
        'home/.npm/cache.bin',
        `abs${root}/elsewhere/tool.txt`,
      ]),
    );
    expect(listing.every((name) => /^(ws|home|abs)\//.test(name))).toBe(true);
    expect(plan.roots.map((path) => memberName(path, names)).sort()).toEqual([
      'abs' + join(root, 'elsewhere'),
      'home/.npm',
      'ws/node_modules',
    ]);

    // Onto another runner: the names follow its own workspace and home.
    const other = { workspace: join(root, 'other ws'), home: join(root, 'other home') };
    expect(memberTarget('ws/node_modules/pkg', other)).toBe(join(other.workspace, 'node_modules/pkg'));
    expect(memberTarget('home/.npm', other)).toBe(join(other.home, '.npm'));
    for (const bad of ['ws/../x', 'other/x', '/abs/x', 'abs', 'ws/./x', ''])
      expect(memberTarget(bad, other)).toBeUndefined();

    const staging = join(root, 'staging');
    mkdirSync(staging);
    const reader = extractArchiveStream(staging, 'zstd');
    for (const chunk of chunks) await reader.write(chunk);
    await reader.finish();
    mkdirSync(other.workspace, { recursive: true });
    const rules = placementRules(['node_modules', '~/.npm', join(root, 'elsewhere')], other);
    const placement = await planPlacement(staging, other, rules);
    expect(placement.moves.map((move) => move.target).sort()).toEqual(
      [join(root, 'elsewhere'), join(other.home, '.npm'), join(other.workspace, 'node_modules')].sort(),
    );
    // The same archive against a narrower request is refused, naming the member.
    await expect(planPlacement(staging, other, placementRules(['node_modules'], other))).rejects.toThrow(
      /archive member 'home\/\.npm'|archive member 'abs\//,
    );
  });
});
