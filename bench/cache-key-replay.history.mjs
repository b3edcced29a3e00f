// Generates a real git history shaped like a Python service's: pull requests of 1-4 commits merged into main,
// Renovate-style pin bumps, dev-dependency bumps, comment-only edits of requirements files, tool-config edits of
// pyproject.toml, one Python minor bump of the CI matrix, CACHE_VERSION bumps, and a holiday gap long enough for
// GitHub's 7-day eviction. Every commit is a real commit; the replay checks each one out.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
// Seeded PRNG (mulberry32, the core's) so every run replays the same history.
import { seededRandom as random } from '../packages/core/src/model/seeded-random.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const PINS = [
  ['fastapi', '0.110.0'],
  ['uvicorn', '0.29.0'],
  ['pydantic', '2.6.4'],
  ['sqlalchemy', '2.0.29'],
  ['alembic', '1.13.1'],
  ['httpx', '0.27.0'],
  ['redis', '5.0.3'],
  ['celery', '5.3.6'],
  ['orjson', '3.10.0'],
  ['structlog', '24.1.0'],
  ['tenacity', '8.2.3'],
  ['boto3', '1.34.80'],
  ['psycopg', '3.1.18'],
  ['jinja2', '3.1.3'],
];
const DEV_PINS = [
  ['pytest', '8.1.1'],
  ['pytest-cov', '5.0.0'],
  ['mypy', '1.9.0'],
  ['ruff', '0.3.5'],
  ['hypothesis', '6.100.0'],
];

function bump(version, rand) {
  const parts = version.split('.').map(Number);
  if (rand() < 0.2 && parts.length > 1) {
    parts[1] += 1;
    parts[parts.length - 1] = 0;
  } else {
    parts[parts.length - 1] += 1;
  }
  return parts.join('.');
}

function requirementsText(pins, comments) {
  const lines = [
    '# Runtime dependencies, pinned.',
    ...comments,
    ...pins.map(([name, version]) => `${name}==${version}`),
  ];
  return `${lines.join('\n')}\n`;
}

function workflowText(state) {
  return [
    'name: ci',
    'on: [push, pull_request]',
    'env:',
    `  CACHE_VERSION: "${state.cacheVersion}"`,
    'jobs:',
    '  test:',
    '    strategy:',
    '      matrix:',
    '        os: [ubuntu-24.04, macos-15]',
    `        python: [${state.pythons.map((p) => `"${p}"`).join(', ')}]`,
    '',
  ].join('\n');
}

function pyprojectText(state) {
  return [
    '[project]',
    'name = "orders"',
    `version = "1.${state.release}.0"`,
    'requires-python = ">=3.11"',
    '',
    '[tool.ruff]',
    `line-length = ${state.lineLength}`,
    '',
    '[tool.pytest.ini_options]',
    `addopts = "-q${state.pytestFlags}"`,
    '',
  ].join('\n');
}

/**
 * Builds the history in `dir` and returns the CI runs it triggers, in order:
 * { sha, ref, scopes, time, kind } for each PR commit (scope refs/pull/N/merge, falling back to main) and each
 * merge into main (scope refs/heads/main).
 */
export function generateHistory(dir, { commits = 300, seed = 20261126 } = {}) {
  const rand = random(seed);
  const git = (args, env = {}) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  git(['init', '-q', '-b', 'main']);
  git(['config', 'user.name', 'Replay']);
  git(['config', 'user.email', 'replay@example.invalid']);
  git(['config', 'commit.gpgsign', 'false']);

  const state = {
    pins: PINS.map((pin) => [...pin]),
    devPins: DEV_PINS.map((pin) => [...pin]),
    comments: [],
    devComments: [],
    cacheVersion: 1,
    pythons: ['3.11', '3.12'],
    release: 0,
    lineLength: 100,
    pytestFlags: '',
    modules: 0,
  };
  const write = (path, text) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const writeAll = () => {
    write('requirements.txt', requirementsText(state.pins, state.comments));
    write(
      'requirements-dev.txt',
      `-r requirements.txt\n${state.devComments.join('\n')}${state.devComments.length ? '\n' : ''}${state.devPins.map(([n, v]) => `${n}==${v}`).join('\n')}\n`,
    );
    write('pyproject.toml', pyprojectText(state));
    write('.python-version', `${state.pythons[0]}\n`);
    write('.github/workflows/ci.yml', workflowText(state));
  };

  let time = Date.UTC(2026, 5, 1, 8);
  let count = 0;
  // Each commit's message carries a tag; one `git log` at the end maps tags to shas (one process per commit).
  const commit = (message) => {
    const date = new Date(time).toISOString();
    const tag = `[r${count}]`;
    git(['commit', '-q', '-a', '-m', `${message} ${tag}`], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
    count += 1;
    return tag;
  };
  const advance = () => {
    time += Math.round((1 + rand() * 8) * HOUR_MS);
  };

  writeAll();
  write('src/orders/__init__.py', '');
  for (let i = 0; i < 12; i += 1) write(`src/orders/module_${i}.py`, 'VALUE = 0\n');
  write('README.md', '# orders\n');
  git(['add', '-A']);
  const runs = [];
  runs.push({ sha: commit('initial'), ref: 'refs/heads/main', scopes: ['refs/heads/main'], time, kind: 'initial' });

  // One-off events at fixed fractions of the history, so --quick keeps them.
  const oneOffs = new Map([
    [Math.round(commits * 0.33), 'cache-version'],
    [Math.round(commits * 0.5), 'python-minor'],
    [Math.round(commits * 0.75), 'cache-version'],
  ]);
  const holidayAt = Math.round(commits * 0.62);
  let holidayTaken = false;
  let pr = 0;

  // Each pull request adds at least two commits (one on its branch, the merge).
  while (count < commits - 1) {
    pr += 1;
    const due = [...oneOffs.keys()].find((at) => count >= at);
    let kind;
    if (due !== undefined) {
      kind = oneOffs.get(due);
      oneOffs.delete(due);
    } else {
      const roll = rand();
      kind = roll < 0.14 ? 'renovate' : roll < 0.2 ? 'dev-deps' : 'feature';
    }
    if (!holidayTaken && count >= holidayAt) {
      time += 12 * DAY_MS;
      holidayTaken = true;
    }
    const branch = `pr/${pr}`;
    git(['checkout', '-q', '-b', branch, 'main']);
    const prCommits = kind === 'feature' ? 1 + Math.floor(rand() * 4) : 1;
    for (let i = 0; i < prCommits && count < commits - 1; i += 1) {
      advance();
      const message = applyChange(kind, state, rand);
      writeAll();
      if (kind === 'feature') {
        state.modules += 1;
        write(`src/orders/module_${state.modules % 12}.py`, `VALUE = ${state.modules}\n`);
      }
      const sha = commit(message);
      runs.push({
        sha,
        ref: `refs/pull/${pr}/merge`,
        scopes: [`refs/pull/${pr}/merge`, 'refs/heads/main'],
        time,
        kind,
      });
    }
    git(['checkout', '-q', 'main']);
    advance();
    const date = new Date(time).toISOString();
    const tag = `[r${count}]`;
    git(['merge', '-q', '--no-ff', branch, '-m', `Merge pull request #${pr} ${tag}`], {
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    });
    count += 1;
    runs.push({ sha: tag, ref: 'refs/heads/main', scopes: ['refs/heads/main'], time, kind: 'merge' });
  }
  const shaOf = new Map();
  for (const line of git(['log', '--all', '--format=%H %s']).split('\n')) {
    const match = /^(\S+) .* (\[r\d+\])$/.exec(line);
    if (match) shaOf.set(match[2], match[1]);
  }
  return runs.map((run) => ({ ...run, sha: shaOf.get(run.sha) }));
}

/** What one PR commit changes, by kind; feature commits sometimes touch requirements or pyproject cosmetically. */
function applyChange(kind, state, rand) {
  switch (kind) {
    case 'renovate': {
      const howMany = rand() < 0.25 ? 2 : 1;
      for (let i = 0; i < howMany; i += 1) {
        const pin = state.pins[Math.floor(rand() * state.pins.length)];
        pin[1] = bump(pin[1], rand);
      }
      return 'chore(deps): update runtime dependencies';
    }
    case 'dev-deps': {
      const pin = state.devPins[Math.floor(rand() * state.devPins.length)];
      pin[1] = bump(pin[1], rand);
      return 'chore(deps): update dev dependencies';
    }
    case 'cache-version':
      state.cacheVersion += 1;
      return 'ci: bump CACHE_VERSION after a corrupted cache';
    case 'python-minor':
      state.pythons = state.pythons.map((p) => `3.${Number(p.split('.')[1]) + 1}`);
      return `ci: test on Python ${state.pythons.join(' and ')}`;
    default: {
      const roll = rand();
      if (roll < 0.04) state.comments.push(`# note ${state.modules}: keep pins in sync with the lock service`);
      else if (roll < 0.06) state.devComments.push('');
      else if (roll < 0.12) state.lineLength = state.lineLength === 100 ? 110 : 100;
      else if (roll < 0.15) state.pytestFlags = state.pytestFlags ? '' : ' --strict-markers';
      else if (roll < 0.18) state.release += 1;
      return 'feat: work';
    }
  }
}

/** CACHE_VERSION and the Python matrix as the checked-out workflow file says. */
export function readWorkflow(dir) {
  const text = readFileSync(join(dir, '.github/workflows/ci.yml'), 'utf8');
  const cacheVersion = /CACHE_VERSION:\s*"([^"]+)"/.exec(text)[1];
  const pythons = JSON.parse(/python:\s*(\[[^\]]*\])/.exec(text)[1]);
  return { cacheVersion, pythons };
}

/**
 * The patch release of a Python minor that a runner image carries on a day: patch releases land on a fixed
 * schedule and each OS image picks them up some days later (images update weekly, not in step).
 */
export function imagePython(minor, os, time) {
  const RELEASES = {
    3.11: { base: 9, days: [25, 85] },
    3.12: { base: 4, days: [40, 100] },
    3.13: { base: 0, days: [20, 80] },
    3.14: { base: 0, days: [60] },
  };
  const pickupDays = os === 'Linux' ? 4 : 9;
  const day = (time - Date.UTC(2026, 5, 1)) / DAY_MS;
  const info = RELEASES[minor] ?? { base: 0, days: [] };
  const patch = info.base + info.days.filter((release) => day >= release + pickupDays).length;
  return `${minor}.${patch}`;
}
