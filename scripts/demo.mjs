// The main job, locally: runs the example service's optimised pipeline through the ci-optimizer CLI on a scratch
// copy of examples/python-service with a scripted history of commits, using a local directory store (and, with
// --s3, a local S3-compatible server for the cache). Prints what each action decided and writes the report as
// Markdown and HTML. Usage: npm run demo [-- --out DIR] [-- --keep] [-- --s3]
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
// The report action's own HTML renderer (escapes by default, charts as inline SVG); Node runs the TypeScript source.
import { renderReportHtml } from '../packages/core/src/report/html.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const outDir = resolve(flag('--out') ?? join(root, 'out', 'demo'));
const keep = args.includes('--keep');
const python = '/usr/bin/python3';
const cliPath = join(root, 'dist', 'cli', 'index.js');

const scratch = mkdtempSync(join(tmpdir(), 'ci-opt-demo-'));
const repo = join(scratch, 'python-service');
let runnerTemp = join(scratch, 'runner-temp-0');
let store = `dir:${join(scratch, 'store')}`;
mkdirSync(runnerTemp, { recursive: true });
mkdirSync(outDir, { recursive: true });

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, {
    cwd: repo,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
  if (result.error) throw result.error;
  return result;
}
function git(...gitArgs) {
  const result = run('git', gitArgs);
  if (result.status !== 0) throw new Error(`git ${gitArgs.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}
const available = new Set(
  run(process.execPath, [cliPath, '--help'], { cwd: root })
    .stdout.split('\n')
    .map((line) => /^ {2}(\S+)/.exec(line)?.[1])
    .filter(Boolean),
);
/** Runs an action through the CLI with --json; returns its outputs, or undefined when the CLI lacks the action. */
function action(name, flags, env = {}) {
  if (!available.has(name)) return undefined;
  const result = run(process.execPath, [cliPath, name, ...flags, '--json'], {
    env: { ...process.env, RUNNER_TEMP: runnerTemp, ...env },
  });
  if (result.status !== 0) {
    console.log(`  ${name} failed (exit ${result.status}): ${result.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    return undefined;
  }
  return JSON.parse(result.stdout);
}
/** Runs pytest for real on the given test files (all when undefined); returns wall time and outcome. */
function pytest(tests, junit, extra = []) {
  const start = process.hrtime.bigint();
  const result = run(python, [
    '-m',
    'pytest',
    '-q',
    '-p',
    'no:cacheprovider',
    `--junitxml=${junit}`,
    ...extra,
    ...(tests ?? []),
  ]);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const summary = result.stdout.trim().split('\n').pop();
  return { ms, ok: result.status === 0 || result.status === 5, summary };
}

/** Starts s3rver (through the tests' helper) in a child process; resolves with its endpoint and credentials. */
async function startS3Process() {
  const helper = pathToFileURL(join(root, 'test', 'support', 's3-server.ts')).href;
  const code = [
    `import { startS3Server } from ${JSON.stringify(helper)};`,
    "const server = await startS3Server({ buckets: ['ci-optimizer-demo'] });",
    "process.stdout.write(JSON.stringify({ endpoint: server.endpoint, env: server.env }) + '\\n');",
    "process.on('SIGTERM', async () => { await server.dispose(); process.exit(0); });",
  ].join('\n');
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise((resolveLine, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      if (buffer.includes('\n')) resolveLine(buffer.split('\n')[0]);
    });
    child.on('exit', (code) => reject(new Error(`the local S3 server exited (${code})`)));
  });
  const { endpoint, env } = JSON.parse(first);
  return {
    endpoint,
    env,
    stop: () =>
      new Promise((done) => {
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}

const SCRIPT = [
  {
    title: 'a change inside one function (payments.fees.compute_fee)',
    change: () => {
      const file = join(repo, 'src/service/payments/fees.py');
      const text = readFileSync(file, 'utf8');
      const line = '    return schedule.fee(amount, method, international)\n';
      if (!text.includes(line))
        throw new Error('the demo expects compute_fee in src/service/payments/fees.py to end with: ' + line);
      writeFileSync(
        file,
        text.replace(line, '    fee = schedule.fee(amount, method, international)\n    return fee\n'),
      );
    },
  },
  {
    title: 'a conftest change',
    change: () => {
      const file = join(repo, 'tests/inventory/conftest.py');
      writeFileSync(file, `${readFileSync(file, 'utf8')}\n# demo: a fixture tweak\n`);
    },
  },
  {
    title: 'a docs-only change',
    change: () =>
      writeFileSync(join(repo, 'README.md'), `${readFileSync(join(repo, 'README.md'), 'utf8')}\nA line of docs.\n`),
  },
  {
    title: 'a dependency bump',
    change: () => {
      // Bump the patch version of the last pinned requirement (a real lockfile change: the cache key moves).
      const file = join(repo, 'requirements.txt');
      const lines = readFileSync(file, 'utf8').split('\n');
      const index = lines.map((line) => /==\d/.test(line)).lastIndexOf(true);
      lines[index] = lines[index].replace(/(\d+)$/, (patch) => String(Number(patch) + 1));
      writeFileSync(file, lines.join('\n'));
    },
  },
];

let s3;
try {
  if (args.includes('--s3')) {
    // The stores go to a local S3-compatible server (s3rver on 127.0.0.1), as a team on MinIO/Ceph/R2 would run.
    // It runs in its own process: this script waits on its children synchronously.
    s3 = await startS3Process();
    Object.assign(process.env, s3.env, { AWS_ENDPOINT_URL: s3.endpoint });
    store = 's3://ci-optimizer-demo/demo';
  }
  console.log(`ci-optimizer demo: scratch copy of examples/python-service in ${scratch}; store ${store}`);
  cpSync(join(root, 'examples', 'python-service'), repo, {
    recursive: true,
    filter: (src) => !/__pycache__|\.pytest_cache/.test(src),
  });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'demo');
  git('config', 'user.email', 'demo@example.invalid');
  git('add', '-A');
  git('commit', '-q', '-m', 'baseline');

  console.log('\nBaseline: the full test suite, recorded as history');
  const full = pytest(undefined, join(scratch, 'junit-full.xml'));
  console.log(`  full suite: ${(full.ms / 1000).toFixed(1)} s (${full.summary})`);
  action('test-predictor', [
    '--mode',
    'record',
    '--repo',
    repo,
    '--junit',
    join(scratch, 'junit-full.xml'),
    '--store',
    store,
  ]);
  // A full run with per-test coverage contexts teaches test-filter which test executes which function.
  if (run(python, ['-c', 'import pytest_cov']).status === 0) {
    const covered = pytest(undefined, join(scratch, 'junit-coverage.xml'), [
      '--cov=service',
      '--cov-context=test',
      '--cov-report=',
    ]);
    const learned = covered.ok
      ? action('test-filter', [
          '--mode',
          'learn',
          '--repo',
          repo,
          '--coverage',
          join(repo, '.coverage'),
          '--store',
          store,
        ])
      : undefined;
    if (learned)
      console.log(
        `  impact map learned: ${learned['map-test-files']} test files, ${learned['map-functions']} functions (${(covered.ms / 1000).toFixed(1)} s with coverage)`,
      );
  }

  const rows = [];
  const reports = [];
  for (const [index, step] of SCRIPT.entries()) {
    // Each commit is one pipeline run: its own job metrics file, as RUNNER_TEMP is per job on a runner.
    runnerTemp = join(scratch, `runner-temp-${index + 1}`);
    mkdirSync(runnerTemp, { recursive: true });
    step.change();
    git('add', '-A');
    git('commit', '-q', '-m', step.title);
    console.log(`\nCommit: ${step.title}`);
    const key = action('cache-key', ['--repo', repo]);
    if (key) console.log(`  cache-key: ${key.key}`);
    const filter = action('test-filter', ['--repo', repo, '--base', 'HEAD~1', '--head', 'HEAD', '--store', store]);
    let tests;
    if (filter) {
      const nothing = filter['selected-count'] === 0 ? ': no test depends on the change, pytest is not run' : '';
      console.log(
        `  test-filter: ${filter['run-all'] ? `run all (${(filter.reasons ?? []).join('; ')})` : `${filter['selected-count']} of ${filter['total-count']} test files${nothing}`}`,
      );
      if (filter['impact-map-used']) console.log(`  impact map: ${filter['impact-map-reason']}`);
      tests = filter['run-all'] ? undefined : (filter['tests-json'] ?? filter.tests);
    }
    let ran = { ms: 0, ok: true, summary: 'no tests selected' };
    if (tests === undefined || tests.length > 0) {
      const candidates = tests === undefined ? [] : ['--candidates', JSON.stringify(tests)];
      const predicted = action('test-predictor', [
        '--mode',
        'predict',
        '--repo',
        repo,
        '--base',
        'HEAD~1',
        '--head',
        'HEAD',
        '--store',
        store,
        '--shards',
        '2',
        ...candidates,
      ]);
      if (predicted?.tests) {
        console.log(
          `  test-predictor: ${predicted['cold-start'] ? 'cold start (little history), ' : ''}${predicted['shard-count']} shard(s); first ${predicted.tests.slice(0, 3).join(', ')}`,
        );
        if (tests !== undefined) tests = predicted.tests;
      }
      const junit = join(scratch, `junit-${index + 1}.xml`);
      ran = pytest(tests, junit);
      action('test-predictor', [
        '--mode',
        'record',
        '--repo',
        repo,
        '--base',
        'HEAD~1',
        '--head',
        'HEAD',
        '--junit',
        junit,
        '--store',
        store,
      ]);
    }
    console.log(`  pytest: ${(ran.ms / 1000).toFixed(1)} s (${ran.summary})`);
    const reportFile = join(scratch, `report-${index + 1}.md`);
    const report = action(
      'report',
      [
        '--repo',
        repo,
        '--store',
        store,
        '--summary',
        reportFile,
        '--title',
        `Commit ${index + 1}: ${step.title}`,
        '--trend',
        'true',
      ],
      { GITHUB_EVENT_NAME: 'pull_request' },
    );
    if (report) {
      console.log(
        `  report: pipeline ${(report['pipeline-ms'] / 1000).toFixed(1)} s, ${(report['minutes-saved'] * 60).toFixed(1)} s of recorded test time not run, SLOs ${report['slo-passed'] ? 'met' : 'not met'}`,
      );
      reports.push(readFileSync(reportFile, 'utf8'));
    }
    rows.push([
      step.title,
      filter ? (filter['run-all'] ? 'run all' : `${filter['selected-count']}/${filter['total-count']} files`) : 'all',
      `${(ran.ms / 1000).toFixed(1)} s`,
      `${(full.ms / 1000).toFixed(1)} s`,
      `${Math.max(0, 100 * (1 - ran.ms / full.ms)).toFixed(0)}%`,
    ]);
  }

  const table = [
    '| commit | selection | test time | full suite | reduction |',
    '|---|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  const markdown = `# ci-optimizer demo\n\nThe example service's pipeline over ${rows.length} scripted commits (full suite: ${(full.ms / 1000).toFixed(1)} s).\n\n${table}\n\n${reports.join('\n\n')}\n`;
  writeFileSync(join(outDir, 'report.md'), markdown);
  writeFileSync(join(outDir, 'report.html'), renderReportHtml(markdown, 'ci-optimizer demo report'));
  console.log(`\n${table}\n`);
  console.log(`The report: ${join(outDir, 'report.md')} and ${join(outDir, 'report.html')}`);
} finally {
  await s3?.stop();
  if (!keep) rmSync(scratch, { recursive: true, force: true });
}
