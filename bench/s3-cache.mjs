// s3-cache save and restore against their floor, measured in the same run on the same s3rver (127.0.0.1):
//   save floor    = `tar | zstd -T0` into a file, then a raw multipart upload of that file with @aws-sdk/lib-storage
//   restore floor = a raw GET of the object into a file, then `zstd -d | tar -x` of that file
// "sum" is what an archive-then-upload cache does; "max" is the slower half alone (perfect overlap, the lower bound).
// Ours streams both halves at once. Each of our operations runs in its own Node process so that its peak RSS is its
// own; compare the two datasets to see that memory does not grow with the archive.
// Usage: node bench/s3-cache.mjs [--quick]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const core = (domain) => import(pathToFileURL(join(ROOT, 'packages/core/src', domain, 'index.ts')).href);
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
const PART_SIZE = 16 * 1024 * 1024;
const QUEUE_SIZE = 4;

if (process.argv[2] === '--child') {
  await child(JSON.parse(process.argv[3]));
} else {
  await main(process.argv.includes('--quick'));
}

async function main(quick) {
  // Memory-backed when possible: the disk is shared with other work on CI machines and would dominate every figure.
  const base = canWrite('/dev/shm') ? '/dev/shm' : tmpdir();
  const root = mkdtempSync(join(base, 'ci-opt-bench-s3-'));
  Object.assign(process.env, CREDENTIALS);
  const { startS3Server } = await import(pathToFileURL(join(ROOT, 'test/support/s3-server.ts')).href);
  const server = await startS3Server({ buckets: ['bench'] });
  const datasets = quick
    ? [
        { name: '(a) small files', files: 3_000, bytes: 20e6 },
        { name: '(b) large files', files: 8, bytes: 80e6 },
      ]
    : [
        { name: '(a) small files', files: 30_000, bytes: 200e6 },
        { name: '(b) large files', files: 40, bytes: 400e6 },
      ];
  const rows = [];
  try {
    for (const [i, dataset] of datasets.entries()) {
      if (process.env.BENCH_DATASET && !dataset.name.startsWith(`(${process.env.BENCH_DATASET})`)) continue;
      const source = join(root, `source-${i}`, 'work', 'repo');
      generate(join(source, 'data'), dataset.files, dataset.bytes, i + 1);
      const inputBytes = du(join(source, 'data'));

      const archive = join(root, `floor-${i}.tar.zst`);
      const tarMs = time(() =>
        sh(
          `tar --create --file=- --format=gnu --sparse --directory=/ ${q(join(source, 'data').slice(1))} | zstd -T0 -3 -q -c > ${q(archive)}`,
        ),
      );
      const archiveBytes = statSync(archive).size;
      const raw = await rawTransfers(server, archive, join(root, `floor-${i}.download`));
      const extractDir = join(root, `floor-extract-${i}`);
      mkdirSync(extractDir, { recursive: true });
      const untarMs = time(() =>
        sh(
          `zstd -d -q -c ${q(join(root, `floor-${i}.download`))} | tar --extract --file=- --directory=${q(extractDir)} --no-same-owner --preserve-permissions`,
        ),
      );
      rmSync(extractDir, { recursive: true, force: true });
      rmSync(archive);
      rmSync(join(root, `floor-${i}.download`));

      const common = { endpoint: server.endpoint, bucket: 'bench', prefix: `bench-${i}`, key: `bench-${i}` };
      const save = await runChild({ ...common, op: 'save', workspace: source, temp: join(root, `temp-${i}`) });
      const target = join(root, `target-${i}`, 'work', 'repo');
      const restore = await runChild({ ...common, op: 'restore', workspace: target, temp: join(root, `temp-${i}`) });
      if (restore.kind !== 'exact')
        throw new Error(`restore of dataset ${dataset.name} missed: ${JSON.stringify(restore)}`);
      if (du(join(target, 'data')) !== inputBytes)
        throw new Error(`restore of dataset ${dataset.name} is not complete`);
      rmSync(join(root, `target-${i}`), { recursive: true, force: true });
      rmSync(join(root, `source-${i}`), { recursive: true, force: true });

      const label = `${dataset.name}: ${dataset.files.toLocaleString('en')} files, ${mb(inputBytes)} MB -> ${mb(archiveBytes)} MB`;
      rows.push(row(label, 'save', tarMs, raw.uploadMs, save));
      rows.push(row(label, 'restore', raw.downloadMs, untarMs, restore));
    }
  } finally {
    await server.dispose();
    rmSync(root, { recursive: true, force: true });
  }
  console.log(
    '| dataset | operation | floor: sum (ms) | floor: max (ms) | s3-cache (ms) | ratio to sum | ratio to max | s3-cache MB/s | s3-cache peak RSS (MB) |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log(
    `\nFloor parts in the same run: save = tar|zstd -T0 to a file + lib-storage multipart upload (${PART_SIZE / 2 ** 20} MiB x ${QUEUE_SIZE});` +
      ' restore = GetObject to a file + zstd -d|tar -x. Server: s3rver on 127.0.0.1; data in ' +
      `${base === '/dev/shm' ? 'memory (/dev/shm)' : 'the temp dir'}. Target: ratio to sum <= 1.25.`,
  );
}

function row(label, op, first, second, ours) {
  const sum = first + second;
  const max = Math.max(first, second);
  return [
    label,
    `${op} (${Math.round(first)} + ${Math.round(second)})`,
    Math.round(sum),
    Math.round(max),
    Math.round(ours.ms),
    (ours.ms / sum).toFixed(2),
    (ours.ms / max).toFixed(2),
    ours.mbPerS,
    Math.round(ours.maxRssKiB / 1024),
  ];
}

/** The raw floor transfers, each in a fresh process like ours, so that both pay the same cold start. */
async function rawTransfers(server, archive, downloadTo) {
  const common = { endpoint: server.endpoint, bucket: 'bench', key: `floor/${Date.now()}.tar.zst` };
  const upload = await runChild({ ...common, op: 'raw-upload', file: archive });
  const download = await runChild({ ...common, op: 'raw-download', file: downloadTo });
  return { uploadMs: upload.ms, downloadMs: download.ms };
}

async function rawChild(job) {
  const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
  const { Upload } = await import('@aws-sdk/lib-storage');
  const client = new S3Client({
    endpoint: job.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const started = performance.now();
  if (job.op === 'raw-upload') {
    await new Upload({
      client,
      params: { Bucket: job.bucket, Key: job.key, Body: createReadStream(job.file) },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
    }).done();
  } else {
    const response = await client.send(new GetObjectCommand({ Bucket: job.bucket, Key: job.key }));
    await pipeline(/** @type {NodeJS.ReadableStream} */ (response.Body), createWriteStream(job.file));
  }
  const ms = performance.now() - started;
  client.destroy();
  process.stdout.write(`${JSON.stringify({ ms, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
}

async function child(job) {
  if (job.op.startsWith('raw-')) return rawChild(job);
  const { restoreCache, saveCache } = await core('s3-cache');
  const { cacheVersion, resolveS3Settings } = await core('s3');
  const paths = ['data'];
  const settings = {
    s3: resolveS3Settings({ bucket: job.bucket, prefix: job.prefix, endpoint: job.endpoint }, process.env),
    paths,
    compression: 'zstd',
    version: cacheVersion({ paths, compression: 'zstd', cacheVersion: '', os: 'Linux', crossOs: false }),
    workspace: job.workspace,
    home: join(job.workspace, '..', 'home'),
    tempDir: job.temp,
    restoreTimeoutMs: 600_000,
    saveTimeoutMs: 600_000,
    // BENCH_PART_MIB / BENCH_CONCURRENCY try other transfer settings than the defaults.
    transfer: {
      partSize: process.env.BENCH_PART_MIB ? Number(process.env.BENCH_PART_MIB) * 2 ** 20 : undefined,
      concurrency: process.env.BENCH_CONCURRENCY ? Number(process.env.BENCH_CONCURRENCY) : undefined,
    },
  };
  const warnings = [];
  const log = { info() {}, debug() {}, notice() {}, warning: (m) => warnings.push(m), group: (_n, fn) => fn() };
  const phases = {};
  const metrics = {
    async phase(name, fn) {
      const t = performance.now();
      try {
        return await fn();
      } finally {
        phases[name] = Math.round((phases[name] ?? 0) + performance.now() - t);
      }
    },
    count() {},
    add() {},
  };
  mkdirSync(job.workspace, { recursive: true });
  const started = performance.now();
  const result =
    job.op === 'save'
      ? await saveCache(settings, job.key, { log, metrics })
      : await restoreCache(settings, { primaryKey: job.key, restoreKeys: [], lookupOnly: false }, { log, metrics });
  const ms = performance.now() - started;
  if (process.env.BENCH_PHASES)
    process.stderr.write(`${job.op} phases ${JSON.stringify(phases)} total ${Math.round(ms)}\n`);
  if (warnings.length > 0) throw new Error(warnings.join('\n'));
  process.stdout.write(`${JSON.stringify({ ...result, ms, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
}

function runChild(job) {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(process.execPath, [SELF, '--child', JSON.stringify(job)], {
      env: { ...process.env, ...CREDENTIALS },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (chunk) => (out += chunk));
    proc.on('error', reject);
    proc.on('close', (code) =>
      code === 0
        ? resolvePromise(JSON.parse(out.trim().split('\n').at(-1)))
        : reject(new Error(`child ${job.op} exited ${code}`)),
    );
  });
}

/** Seeded files, half text-like (compresses about 4x, like source and lockfiles) and half random (like binaries). */
function generate(dir, files, totalBytes, seed) {
  let state = seed >>> 0;
  const rand = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const words = Array.from({ length: 4096 }, (_, i) => `w${((i * 2654435761) >>> 0).toString(36)}`);
  const perFile = Math.round(totalBytes / files);
  const perDir = Math.max(1, Math.ceil(Math.sqrt(files)));
  const random = Buffer.alloc(perFile);
  for (let i = 0; i < files; i++) {
    const sub = join(dir, `d${Math.floor(i / perDir)}`);
    if (i % perDir === 0) mkdirSync(sub, { recursive: true });
    let content;
    if (i % 2 === 0) {
      const parts = [];
      let size = 0;
      while (size < perFile) {
        const word = words[Math.floor(rand() * rand() * words.length)];
        parts.push(word);
        size += word.length + 1;
      }
      content = Buffer.from(parts.join(' ')).subarray(0, perFile);
    } else {
      for (let b = 0; b < perFile; b += 4) random.writeUInt32LE((rand() * 2 ** 32) >>> 0, Math.min(b, perFile - 4));
      content = random;
    }
    writeFileSync(join(sub, `f${i}.bin`), content);
  }
}

function du(dir) {
  return Number(execFileSync('du', ['-sb', '--apparent-size', dir], { encoding: 'utf8' }).split('\t')[0]);
}

function time(fn) {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

function sh(command) {
  const result = spawnSync('bash', ['-o', 'pipefail', '-c', command], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`failed: ${command}`);
}

function q(text) {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function mb(bytes) {
  return (bytes / 1e6).toFixed(0);
}

function canWrite(dir) {
  try {
    rmSync(mkdtempSync(join(dir, 'probe-')), { recursive: true });
    return true;
  } catch {
    return false;
  }
}
