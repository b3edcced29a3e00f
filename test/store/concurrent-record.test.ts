import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubCacheStore, openStore, type Store } from '@ci-optimizer/core/store';
import { readHistory, type RunRecord } from '@ci-optimizer/core/test-predictor';
import { readRestoreHistory } from '@ci-optimizer/core/cache-key';
import { REPO_ROOT } from '../support/action-runner.ts';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';
import { startGitHubCacheServer, type GitHubCacheServer } from '../support/github-cache-server.ts';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';

// Twenty `test-predictor --mode record` processes (the shipped CLI bundle) append to one store at the same time, on
// each backend. Every one of them must end up in the history, once, and the history must read without a skipped line.
// The same for twenty `cache-key` steps recording their restore outcome in the hit history.
const RECORDERS = 20;
const CLI = join(REPO_ROOT, 'dist/cli/index.js');

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A pytest-style report whose content is unique to recorder `i` (so each is a run of its own). */
function junitReport(i: number): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n<testsuites><testsuite name="pytest" tests="3">' +
    `<testcase classname="tests.test_a" name="test_one" time="0.${String(i).padStart(3, '0')}"/>` +
    `<testcase classname="tests.test_a" name="test_two[${i}]" time="0.25"/>` +
    `<testcase classname="tests.test_b" name="test_three" time="1.5">${i % 5 === 0 ? '<failure message="boom">x</failure>' : ''}</testcase>` +
    '</testsuite></testsuites>\n'
  );
}

describe(`${RECORDERS} concurrent recorders on one store (dist/cli/index.js)`, () => {
  let repo: TempGitRepo;
  let reports: string;
  let s3: S3TestServer;
  let cache: GitHubCacheServer;

  beforeAll(async () => {
    repo = new TempGitRepo();
    repo.write({
      'tests/test_a.py': 'def test_one():\n    pass\n',
      'tests/test_b.py': 'def test_three():\n    pass\n',
      'requirements.txt': 'requests==2.32.3\n',
    });
    repo.commit('tests');
    reports = tempDir('ci-opt-junit-');
    for (let i = 0; i < RECORDERS; i++) writeFileSync(join(reports, `report-${i}.xml`), junitReport(i));
    s3 = await startS3Server();
    cache = await startGitHubCacheServer();
  });
  afterAll(async () => {
    repo.remove();
    await s3.dispose();
    await cache.close();
  });

  const baseEnv = (): NodeJS.ProcessEnv => {
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (/^(GITHUB_|RUNNER_|ACTIONS_|AWS_|INPUT_)/.test(name)) delete env[name];
    return env;
  };

  async function recordAll(
    store: string,
    envFor: (i: number) => NodeJS.ProcessEnv,
    kind: 'history' | 'hits' = 'history',
  ): Promise<void> {
    if (kind === 'hits') return recordHits(store, envFor);
    const runs = await Promise.all(
      Array.from({ length: RECORDERS }, (_, i) =>
        runCli(
          [
            'test-predictor',
            '--repo',
            repo.dir,
            '--mode',
            'record',
            '--store',
            store,
            '--junit',
            join(reports, `report-${i}.xml`),
            '--graph',
            'false',
            '--impact-map',
            'false',
            '--json',
          ],
          envFor(i),
        ),
      ),
    );
    for (const [i, run] of runs.entries()) {
      expect(run.code, `recorder ${i}: ${run.stderr}`).toBe(0);
      expect(JSON.parse(run.stdout)['recorded-cases'], `recorder ${i}: ${run.stderr}`).toBe(3);
      // Other documents (the safety state) are last-writer-wins and may warn under this contention; the history may not.
      expect(run.stderr, `recorder ${i}`).not.toMatch(/not recorded|unusable line/i);
    }
  }

  /** Twenty cache-key steps, each recording its restore (recorder i: exact when i is even, else partial). */
  async function recordHits(store: string, envFor: (i: number) => NodeJS.ProcessEnv): Promise<void> {
    const runs = await Promise.all(
      Array.from({ length: RECORDERS }, (_, i) =>
        runCli(
          [
            'cache-key',
            '--repo',
            repo.dir,
            '--store',
            store,
            '--probe-runtimes',
            'false',
            '--python-version',
            '3.12',
            '--cache-hit',
            i % 2 === 0 ? 'true' : 'false',
            '--restored-key',
            `deps-pip-linux-x64-cpython3.12-v0-recorder${i}`,
            '--json',
          ],
          { ...envFor(i), GITHUB_RUN_ID: String(7000 + i) },
        ),
      ),
    );
    for (const [i, run] of runs.entries()) {
      expect(run.code, `recorder ${i}: ${run.stderr}`).toBe(0);
      expect(JSON.parse(run.stdout)['hit-outcome'], `recorder ${i}: ${run.stderr}`).toBe(
        i % 2 === 0 ? 'exact' : 'partial',
      );
      expect(run.stderr, `recorder ${i}`).not.toMatch(/Could not update the cache hit history|unusable line/i);
    }
  }

  async function expectAllHits(store: Store): Promise<void> {
    const { records, skipped } = await readRestoreHistory(store);
    expect(skipped).toBe(0);
    expect(records).toHaveLength(RECORDERS);
    expect(records.map((record) => record.runId).sort()).toEqual(
      Array.from({ length: RECORDERS }, (_, i) => String(7000 + i)).sort(),
    );
    for (const record of records) {
      const i = Number(record.runId) - 7000;
      expect(record.key).toBe(`deps-pip-linux-x64-cpython3.12-v0-recorder${i}`);
      expect(record.outcome).toBe(i % 2 === 0 ? 'exact' : 'partial');
    }
  }

  async function expectAllRecorded(store: Store, kind: 'history' | 'hits' = 'history'): Promise<void> {
    if (kind === 'hits') return expectAllHits(store);
    const warnings: string[] = [];
    const history = await readHistory(store, (m) => warnings.push(m));
    expect(warnings).toEqual([]);
    expect(history).toHaveLength(RECORDERS);
    expect(new Set(history.map((run: RunRecord) => run.id)).size).toBe(RECORDERS);
    // Every recorder's own case is there, whole.
    const twos = history
      .flatMap((run) => run.cases.filter((c) => c.id.startsWith('tests/test_a.py::test_two[')).map((c) => c.id))
      .sort();
    expect(twos).toEqual(Array.from({ length: RECORDERS }, (_, i) => `tests/test_a.py::test_two[${i}]`).sort());
    expect(history.every((run) => run.cases.length === 3)).toBe(true);
  }

  for (const kind of ['history', 'hits'] as const) {
    const what = kind === 'history' ? 'test-predictor --mode record' : 'cache-key hit history';
    describe(what, () => {
      it('dir: every record is kept', async () => {
        const folder = tempDir('ci-opt-dirstore-');
        await recordAll(`dir:${folder}`, () => baseEnv(), kind);
        await expectAllRecorded(openStore(`dir:${folder}`, repo.dir), kind);
      }, 600_000);

      it('s3:// (real s3rver): every record is kept', async () => {
        const env = { ...baseEnv(), ...s3.env, AWS_ENDPOINT_URL: s3.endpoint };
        const spec = `s3://${s3.bucket}/concurrent-${kind}`;
        await recordAll(spec, () => env, kind);
        const saved = { ...process.env };
        Object.assign(process.env, s3.env, { AWS_ENDPOINT_URL: s3.endpoint });
        try {
          await expectAllRecorded(openStore(spec, repo.dir), kind);
        } finally {
          for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
          Object.assign(process.env, saved);
        }
      }, 600_000);

      it('github-cache (strict local cache service): every record is kept, each recorder a job of its own', async () => {
        const temps = tempDir('ci-opt-runners-');
        const envFor = (i: number): NodeJS.ProcessEnv => {
          const runnerTemp = join(temps, `job-${i}`);
          mkdirSync(runnerTemp, { recursive: true });
          return {
            ...baseEnv(),
            ...cache.env,
            RUNNER_TEMP: runnerTemp,
            GITHUB_RUN_ID: String(5000 + i),
            GITHUB_RUN_ATTEMPT: '1',
          };
        };
        await recordAll(`github-cache:concurrent-${kind}`, envFor, kind);
        expect(cache.violations).toEqual([]);

        // A later job restores the newest entry: it holds all twenty runs.
        const saved = { ...process.env };
        Object.assign(process.env, envFor(RECORDERS));
        try {
          const store = new GitHubCacheStore(`github-cache:concurrent-${kind}`, {
            log: { info: () => undefined, warning: (m) => expect.fail(m) },
            libraryOutput: 'stderr',
          });
          await expectAllRecorded(store, kind);
        } finally {
          for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
          Object.assign(process.env, saved);
        }
        expect(cache.violations).toEqual([]);
      }, 900_000);
    });
  }
});
