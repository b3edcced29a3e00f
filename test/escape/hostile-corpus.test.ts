// One hostile corpus through every action's bundle, as the runner runs it: what a pull request controls (file and
// test names, JUnit, benchmark JSON, a fork's artifact, other jobs' metrics) must reach logs, outputs, step
// summaries, PR comments and the HTML report as inert text. Markdown is rendered with micromark (CommonMark + GFM),
// the HTML page in Debian's chromium.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerJob, runActionStep, type StepOutcome } from '../support/action-runner.ts';
import { TempGitRepo } from '../support/git-repo.ts';
import { GitHubApiServer, installIssueComments, type IssueCommentsFake } from '../support/github-api-server.ts';
import { renderedDom } from '../support/headless-browser.ts';
import { startS3Server } from '../support/s3-server.ts';
import { readRestoreHistory } from '@ci-optimizer/core/cache-key';
import { DirStore } from '@ci-optimizer/core/store';

const FORGED = 'Forged';
/** A step's time limit: a busy shared machine (load 50+) slows a bundle down tenfold; the step is not a benchmark. */
const STEP_TIMEOUT_MS = 600_000;
/** Hostile names: each must show as text wherever it appears. None holds `/` or NUL, so each is a file name too. */
const CORPUS = [
  `evil\n::warning title=${FORGED}::All 9999 tests passed\n::add-mask::tests\nz`,
  `  ::error::${FORGED} error`,
  '%0A::notice::percent-encoded%0D',
  `##[warning]${FORGED} old-style command`,
  'tick`` ` ```x',
  "<script>document.title='PWNED'</script>",
  '<img src=x onerror="document.title=\'PWNED\'">',
  'hey @octo-org and @admin team',
  '[click me](javascript:alert(1))',
  '![tracker](https://tracker.invalid/p.png)',
  'a|b|c',
  `x\n\`\`\`\n<script>document.title='PWNED'</script>\n### All checks passed`,
  '%%{init: {"securityLevel":"loose"}}%% " ] end',
  'bare https://phish.invalid/login link',
  '\u001b[31mred\u001b[0m\r\u202etxt.exe',
];
const HUGE = `huge-${'A'.repeat(5 * 1024 * 1024)}`;
/** Inputs reach an action through the environment, where Linux caps one variable at 128 KB: the largest input. */
const BIG_INPUT = `big-${'B'.repeat(100 * 1024)}`;
const safeFileName = (text: string, index: number) => `test_${index}_${text.replace(/\//g, '_')}`.slice(0, 200);

/** Workflow commands the runner would execute: only ours, without parameters, may appear at a line start. */
function expectInertLog(outcome: StepOutcome): void {
  for (const stream of [outcome.stdout, outcome.stderr]) {
    for (const line of stream.split('\n')) {
      const command = /^\s*::([^:]*)::/.exec(line);
      if (command)
        expect(['warning', 'notice', 'error', 'debug', 'group', 'endgroup'], line.slice(0, 200)).toContain(command[1]);
      expect(line).not.toMatch(/##\[/);
      expect(line).not.toContain('\u001b');
    }
  }
  for (const annotation of outcome.annotations)
    expect(annotation.message.split('\n'), annotation.message.slice(0, 500)).toHaveLength(1);
}

const ALLOWED_TAGS = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'ul',
  'ol',
  'li',
  'code',
  'pre',
  'strong',
  'em',
  'details',
  'summary',
  'br',
  'sub',
  'blockquote',
  'hr',
  'span',
]);

/** Renders Markdown as GitHub does (GFM, HTML allowed through) and finds anything live a name could have made. */
function expectInertMarkdown(markdown: string, allowedLinks: RegExp[] = []): string {
  const html = micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
  for (const tag of html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)) {
    const [whole, name, attributes] = tag;
    if (name === 'a') {
      const href = /href="([^"]*)"/.exec(attributes)?.[1] ?? '';
      expect(
        allowedLinks.some((allowed) => allowed.test(href)),
        whole,
      ).toBe(true);
      continue;
    }
    expect(ALLOWED_TAGS.has(name.toLowerCase()), whole.slice(0, 200)).toBe(true);
    // Attributes only where GFM itself writes them (code language, table alignment, details open).
    expect(
      attributes.replace(/ (class="language-[a-z]+"|align="(left|right|center)"|open)/g, '').trim(),
      whole.slice(0, 200),
    ).toBe('');
  }
  const text = html.replace(/<(pre|code)[^>]*>[\s\S]*?<\/\1>/g, '').replace(/<[^>]+>/g, ' ');
  // A mention is `@name` in text (not in code); ours are broken by a zero-width space.
  expect(text).not.toMatch(/(^|[^\w`])@[A-Za-z0-9]/);
  expect(html).not.toMatch(/<h[1-6]>[^<]*All checks passed/);
  for (const block of html.matchAll(/<code class="language-mermaid">([\s\S]*?)<\/code>/g)) {
    expect(block[1]).not.toMatch(/%%|&lt;script|```/);
  }
  return html;
}

describe('hostile corpus through every action bundle', () => {
  let repo: TempGitRepo;
  let job: RunnerJob;
  let api: GitHubApiServer;
  let comments: IssueCommentsFake;
  let base: string;
  const hostileTests = CORPUS.map((text, index) => `tests/${safeFileName(text, index)}.py`);

  beforeAll(async () => {
    repo = new TempGitRepo();
    repo.write({
      'pytest.ini': '[pytest]\ntestpaths = tests\n',
      'src/app.py': 'def f():\n    return 1\n',
      'tests/test_ok.py': 'from src.app import f\n\n\ndef test_f():\n    assert f() == 1\n',
      '.gitignore': '.ci-optimizer/\n',
    });
    base = repo.commit('base');
    const files: Record<string, string> = {};
    for (const test of hostileTests) files[test] = 'def test_x():\n    assert True\n';
    repo.write(files);
    repo.commit('hostile test files');
    job = new RunnerJob();
    api = await GitHubApiServer.start();
    comments = installIssueComments(api);
  }, 120_000);
  afterAll(async () => {
    await api.close();
    repo.remove();
    job.remove();
  });

  it('test-filter: selected hostile test files and run-all reasons naming hostile files', async () => {
    const run = await runActionStep({
      timeoutMs: STEP_TIMEOUT_MS,
      action: 'test-filter',
      job,
      workspace: repo.dir,
      inputs: { base, head: 'HEAD', store: 'none' },
    });
    expect(run.main.exitCode, run.main.stdout.slice(-3000)).toBe(0);
    expectInertLog(run.main);
    expectInertMarkdown(run.main.summary);
    // The shell-safe list holds each name exactly, one entry per name.
    const listed = readFileSync(run.main.outputs['tests-file'], 'utf8').split('\0').filter(Boolean);
    expect(listed.sort()).toEqual([...hostileTests].sort());
    expect(JSON.parse(run.main.outputs['tests-json']).sort()).toEqual([...hostileTests].sort());

    // An unknown file with a hostile name makes test-filter run everything, naming the file in its reasons.
    const unknown: Record<string, string> = {};
    CORPUS.forEach((text, index) => (unknown[`data/${safeFileName(text, index)}.bin`] = 'x'));
    repo.write(unknown);
    const head = repo.commit('unknown files');
    const runAll = await runActionStep({
      timeoutMs: STEP_TIMEOUT_MS,
      action: 'test-filter',
      job,
      workspace: repo.dir,
      inputs: { base, head, store: 'none' },
    });
    expect(runAll.main.exitCode).toBe(0);
    expect(runAll.main.outputs['run-all']).toBe('true');
    expect(runAll.main.stdout).toContain('run-all: ');
    expectInertLog(runAll.main);
    expectInertMarkdown(runAll.main.summary);
    repo.git('reset', '-q', '--hard', 'HEAD~1');
  }, 1_200_000);

  it('test-predictor (record and predict) and the root test-plan action: hostile JUnit names, a 5 MB name, flaky lists', async () => {
    const cases = [...CORPUS, HUGE].map((name, index) => ({ file: hostileTests[index % hostileTests.length], name }));
    const xmlText = (text: string) =>
      text
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/"/g, '&quot;')
        .replace(/\n/g, '&#10;')
        .replace(/\r/g, '&#13;')
        .replace(/\u001b/g, '');
    const testcases = cases.flatMap(({ file, name }, index) => {
      const attrs = `classname="${xmlText(name)}" name="${xmlText(name)}" file="${xmlText(file)}" time="0.01"`;
      // Every other case fails and then passes on a rerun: a flaky failure, listed by name in the summary.
      return index % 2 === 0
        ? [
            `<testcase ${attrs}><failure message="${xmlText(name)}">${xmlText(name)}</failure></testcase>`,
            `<testcase ${attrs}/>`,
          ]
        : [`<testcase ${attrs}><failure message="boom">${xmlText(name)}</failure></testcase>`];
    });
    mkdirSync(join(repo.dir, 'reports'), { recursive: true });
    writeFileSync(
      join(repo.dir, 'reports', 'junit.xml'),
      `<?xml version="1.0"?><testsuites><testsuite name="pytest">${testcases.join('')}</testsuite></testsuites>`,
    );
    const record = await runActionStep({
      timeoutMs: STEP_TIMEOUT_MS,
      action: 'test-predictor',
      job,
      workspace: repo.dir,
      inputs: { mode: 'record', junit: 'reports/junit.xml', store: 'dir:.ci-optimizer', base, head: 'HEAD' },
    });
    expect(record.main.exitCode, record.main.stdout.slice(-3000)).toBe(0);
    expectInertLog(record.main);
    expectInertMarkdown(record.main.summary);
    expect(record.main.summary.length).toBeLessThan(1024 * 1024);
    expect(record.main.stdout.length).toBeLessThan(2 * 1024 * 1024);

    const predict = await runActionStep({
      timeoutMs: STEP_TIMEOUT_MS,
      action: 'test-predictor',
      job,
      workspace: repo.dir,
      inputs: { mode: 'predict', store: 'dir:.ci-optimizer', base, head: 'HEAD' },
    });
    expect(predict.main.exitCode, predict.main.stdout.slice(-3000)).toBe(0);
    expectInertLog(predict.main);
    expectInertMarkdown(predict.main.summary);
    const predicted = readFileSync(predict.main.outputs['tests-file'], 'utf8').split('\0').filter(Boolean);
    expect(predicted.sort()).toEqual(JSON.parse(predict.main.outputs['tests-json']).sort());

    const plan = await runActionStep({
      timeoutMs: STEP_TIMEOUT_MS,
      action: 'test-plan',
      job,
      workspace: repo.dir,
      inputs: { base, head: 'HEAD', store: 'dir:.ci-optimizer' },
    });
    expect(plan.main.exitCode, plan.main.stdout.slice(-3000)).toBe(0);
    expectInertLog(plan.main);
    expectInertMarkdown(plan.main.summary);
    const planned = readFileSync(plan.main.outputs['tests-file'], 'utf8').split('\0').filter(Boolean);
    expect(planned.sort()).toEqual(JSON.parse(plan.main.outputs['tests-json']).sort());
    expect(planned.length).toBeGreaterThan(0);
  }, 1_200_000);

  const githubEnv = () => ({
    GITHUB_API_URL: api.url,
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_RUN_ID: '42',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_WORKFLOW: 'perf',
    GITHUB_JOB: 'bench',
  });
  const ourRunLink = /^https:\/\/github\.com\/octo-org\/octo-repo\/actions\/runs\/\d+$/;

  it('perf-comment compare: hostile benchmark names and units in the comment; a drive-by comment with the marker is left alone', async () => {
    const benchmarks = (slow: number) =>
      [...CORPUS, HUGE].map((name, index) => ({
        name,
        unit: index === 3 ? 'ms' : CORPUS[(index + 5) % CORPUS.length].slice(0, 30),
        samples: Array.from({ length: 12 }, (_, i) => 10 + (i % 3) * 0.1 + (index % 2 === 0 ? slow : 0)),
      }));
    writeFileSync(join(job.workspace, 'base.json'), JSON.stringify(benchmarks(0)));
    writeFileSync(join(job.workspace, 'pr.json'), JSON.stringify(benchmarks(5)));
    const marker = '<!-- ci-optimizer:perf-comment id=perf/bench -->';
    comments.seed(7, 1, () => `${marker}\n@octo-org/admins look here`, 'drive-by-user');
    const run = await runActionStep({
      timeoutMs: STEP_TIMEOUT_MS,
      action: 'perf-comment',
      job,
      workspace: job.workspace,
      inputs: { results: 'pr.json', baseline: 'base.json', token: 'ghs_test', comment: 'always' },
      event: {
        name: 'pull_request',
        payload: { pull_request: { number: 7, base: { sha: 'a'.repeat(40) }, head: { sha: 'b'.repeat(40) } } },
      },
      env: githubEnv(),
    });
    expect(run.main.exitCode, run.main.stdout.slice(-3000)).toBe(0);
    expectInertLog(run.main);
    expectInertMarkdown(run.main.summary, [ourRunLink]);
    const onPr = comments.onIssue(7);
    expect(onPr).toHaveLength(2);
    expect(onPr[0].body).toBe(`${marker}\n@octo-org/admins look here`);
    expect(onPr[1].body.startsWith(marker)).toBe(true);
    expect(onPr[1].body.length).toBeLessThanOrEqual(65_536);
    expectInertMarkdown(onPr[1].body, [ourRunLink]);
    api.assertNoViolations();
  }, 1_200_000);

  it('perf-comment mode post: a forged fork artifact becomes a comment of validated numbers and names only', async () => {
    const benchmark = (name: string, index: number) => ({
      name,
      label: name.slice(0, 400),
      unit: 's',
      verdict: index % 2 === 0 ? 'regression' : 'unchanged',
      reason: `### ${FORGED} heading\n@octo-org/admins ![x](https://tracker.invalid/p.png)`,
      baseline: 1,
      current: 1.5,
      change: 0.5,
      adjustedP: 0.001,
    });
    const artifact = {
      schema: 1,
      kind: 'ci-optimizer/perf-comment',
      markerId: 'perf/bench',
      runUrl: 'https://phish.invalid/login',
      report: {
        baseline: {
          kind: `merge base\n\n### All checks passed\n<img src=https://tracker.invalid/p.png> @octo-org/admins [run](https://phish.invalid)`,
        },
        comparison: {
          verdict: 'regression',
          alpha: 0.05,
          minChange: 0.05,
          confidence: 0.95,
          benchmarks: CORPUS.map((name, index) => benchmark(name.replace(/[\u0000-\u001f\u007f\u202e]/g, ' '), index)),
        },
        profile: {
          samples: 10,
          unit: 'samples',
          topSelf: [{ name: CORPUS[5], file: CORPUS[9], selfShare: 0.5, totalShare: 0.5 }],
          topTotal: [],
        },
      },
    };
    writeFileSync(join(job.workspace, 'perf-comment.json'), JSON.stringify(artifact));
    const post = await runActionStep({
      timeoutMs: STEP_TIMEOUT_MS,
      action: 'perf-comment',
      job,
      workspace: job.workspace,
      inputs: { mode: 'post', token: 'ghs_trusted' },
      event: {
        name: 'workflow_run',
        payload: { workflow_run: { id: 4242, pull_requests: [{ number: 9 }], html_url: 'https://phish.invalid/run' } },
      },
      env: githubEnv(),
    });
    expect(post.main.exitCode, post.main.stdout.slice(-3000)).toBe(0);
    expectInertLog(post.main);
    const [comment] = comments.onIssue(9);
    const html = expectInertMarkdown(comment.body, [ourRunLink]);
    expect(html).toContain('href="https://github.com/octo-org/octo-repo/actions/runs/4242"');
    // The artifact's run URL, baseline words and reasons are not used; its names are escaped text.
    expect(html).not.toMatch(/href="https:\/\/phish/);
    expect(comment.body).toContain("Baseline: as reported by the pull request's run.");
    expect(comment.body).not.toContain('### Forged heading');

    // A unit with markup, or a control character in a name, is refused: nothing is posted from such an artifact.
    artifact.report.profile.unit = '<img src=x>';
    writeFileSync(join(job.workspace, 'perf-comment.json'), JSON.stringify(artifact));
    const refused = await runActionStep({
      timeoutMs: STEP_TIMEOUT_MS,
      action: 'perf-comment',
      job,
      workspace: job.workspace,
      inputs: { mode: 'post', token: 'ghs_trusted' },
      event: { name: 'workflow_run', payload: { workflow_run: { id: 4243, pull_requests: [{ number: 10 }] } } },
      env: githubEnv(),
    });
    expect(refused.main.exitCode).toBe(1);
    expect(refused.main.annotations.find((a) => a.level === 'error')?.message).toMatch(/profile\/unit/);
    expect(comments.onIssue(10)).toHaveLength(0);
    expectInertLog(refused.main);
    api.assertNoViolations();
  }, 1_200_000);

  it('report: hostile job, action and counter names in metrics-dir; the summary and the HTML page in chromium', async () => {
    const metricsDir = join(job.root, 'metrics');
    const started = Date.now() - 60_000;
    CORPUS.slice(0, 8).forEach((name, index) => {
      const dir = join(metricsDir, safeFileName(name, index));
      mkdirSync(dir, { recursive: true });
      const record = {
        action: index === 0 ? HUGE.slice(0, 100_000) : name,
        version: '1',
        step: 'main',
        outcome: 'success',
        job: name,
        started: new Date(started + index * 1000).toISOString(),
        'duration-ms': 1000 + index * 100,
        phases: { [name]: 10 },
        counters: { [name]: 1, 'tests-selected': 2, 'tests-total': 4 },
      };
      writeFileSync(join(dir, 'metrics.jsonl'), `${JSON.stringify(record)}\n`);
    });
    const htmlFile = join(job.root, 'report.html');
    const run = await runActionStep({
      timeoutMs: STEP_TIMEOUT_MS,
      action: 'report',
      job,
      workspace: job.workspace,
      inputs: { 'metrics-dir': metricsDir, 'html-file': htmlFile, title: CORPUS[0], trend: 'true', record: 'false' },
    });
    expect(run.main.exitCode, run.main.stdout.slice(-3000)).toBe(0);
    expectInertLog(run.main);
    expectInertMarkdown(run.main.summary);

    const page = readFileSync(htmlFile, 'utf8');
    expect(page).not.toMatch(/<(script|img|iframe|object|embed|a)\b/i);
    for (const tag of page.matchAll(/<[a-z][^>]*>/gi)) expect(tag[0]).not.toMatch(/\son[a-z]+=|javascript:/i);
    const dom = await renderedDom(htmlFile);
    expect(/<title>([\s\S]*?)<\/title>/.exec(dom)?.[1]).not.toContain('PWNED');
    expect(dom).not.toMatch(/<script|<img/i);
    expect(dom).toMatch(/<svg class="chart"[\s\S]*<rect class="bar"/);
    // The names are there, as visible text.
    expect(dom).toContain('&lt;script&gt;');
  }, 1_200_000);

  it('cache-key: hostile dependency file names, restored and matched keys (from caches other runs made) in logs, outputs, summary and the hit history', async () => {
    const keyJob = new RunnerJob();
    try {
      const files: Record<string, string> = {};
      CORPUS.forEach((text, index) => (files[`requirements-${safeFileName(text, index)}.txt`] = `pkg${index}==1.0\n`));
      for (const [name, content] of Object.entries(files)) writeFileSync(join(keyJob.workspace, name), content);
      const hostileKey = `deps-${CORPUS.join('-')}`;
      const common = { 'probe-runtimes': 'false', 'python-version': '3.12', ecosystems: 'pip' };
      const matched = await runActionStep({
        timeoutMs: STEP_TIMEOUT_MS,
        action: 'cache-key',
        job: keyJob,
        workspace: keyJob.workspace,
        inputs: {
          ...common,
          'cache-hit': 'false',
          'cache-matched-key': hostileKey,
          'restored-key': `${CORPUS.join(' ')}-restored`,
        },
      });
      expect(matched.main.exitCode, matched.main.stdout.slice(-3000)).toBe(0);
      expectInertLog(matched.main);
      expectInertMarkdown(matched.main.summary);
      expect(matched.main.outputs['hit-outcome']).toBe('partial');
      // Every hostile file is keyed and listed exactly in the JSON output.
      const listed = JSON.parse(matched.main.outputs['ecosystems-json'])[0].files as string[];
      expect(listed.sort()).toEqual(Object.keys(files).sort());
      // The hit history keeps the keys as data, exactly.
      const { records, skipped } = await readRestoreHistory(new DirStore(join(keyJob.workspace, '.ci-optimizer')));
      expect(skipped).toBe(0);
      expect(records.map((record) => [record.key, record.matchedKey])).toEqual([
        [`${CORPUS.join(' ')}-restored`, hostileKey],
      ]);

      // A key far longer than any cache key: a warning, the step goes on, nothing half-written is kept.
      const big = await runActionStep({
        timeoutMs: STEP_TIMEOUT_MS,
        action: 'cache-key',
        job: keyJob,
        workspace: keyJob.workspace,
        inputs: { ...common, 'cache-hit': 'true', 'restored-key': BIG_INPUT },
      });
      expect(big.main.exitCode, big.main.stdout.slice(-3000)).toBe(0);
      expectInertLog(big.main);
      expectInertMarkdown(big.main.summary);
      expect(big.main.stdout.length).toBeLessThan(BIG_INPUT.length);
      expect((await readRestoreHistory(new DirStore(join(keyJob.workspace, '.ci-optimizer')))).records).toHaveLength(1);
    } finally {
      keyJob.remove();
    }
  }, 1_200_000);

  it('s3-cache: hostile file names in the cached path, hostile key and restore-keys, a key the store refuses', async () => {
    const s3 = await startS3Server();
    const jobs = [new RunnerJob(), new RunnerJob(), new RunnerJob()];
    try {
      const names = CORPUS.map((text, index) => safeFileName(text, index));
      for (const name of names) {
        mkdirSync(join(jobs[0].workspace, 'deps'), { recursive: true });
        writeFileSync(join(jobs[0].workspace, 'deps', name), name);
      }
      // No '//' in the key: s3rver cannot route an object key holding one (S3 can).
      const key = `hostile-<script>alert(1)</script>-@admin-\`tick\`-a|b-[x](javascript:alert(1))-![t](tracker.invalid/p.png)`;
      const restoreKeys = [
        `::warning title=${FORGED}::restore`,
        '<img src=x onerror=alert(1)>',
        '@octo-org/admins',
        'hostile-<script>',
      ].join('\n');
      const inputs = {
        bucket: s3.bucket,
        endpoint: s3.endpoint,
        prefix: 'hostile',
        path: 'deps',
        key,
        'restore-keys': restoreKeys,
      };
      const save = await runActionStep({
        timeoutMs: STEP_TIMEOUT_MS,
        action: 's3-cache',
        job: jobs[0],
        inputs,
        env: s3.env,
      });
      expect(save.main.exitCode, save.main.stdout.slice(-3000)).toBe(0);
      expect(save.post?.exitCode, save.post?.stdout.slice(-3000)).toBe(0);
      for (const step of [save.main, save.post!]) {
        expectInertLog(step);
        expectInertMarkdown(step.summary);
      }

      // Another job restores by a hostile restore key: every hostile file name comes back exactly.
      const restore = await runActionStep({
        timeoutMs: STEP_TIMEOUT_MS,
        action: 's3-cache',
        job: jobs[1],
        inputs: { ...inputs, key: 'hostile-other', 'restore-keys': restoreKeys },
        env: s3.env,
      });
      expect(restore.main.exitCode, restore.main.stdout.slice(-3000)).toBe(0);
      expectInertLog(restore.main);
      expectInertMarkdown(restore.main.summary);
      expect(restore.main.outputs['cache-matched-key']).toBe(key);
      for (const name of names) expect(readFileSync(join(jobs[1].workspace, 'deps', name), 'utf8')).toBe(name);

      // A key with a newline and workflow commands: refused as a usage error (a failed step, as actions fail on bad
      // input), the message inert.
      const refused = await runActionStep({
        timeoutMs: STEP_TIMEOUT_MS,
        action: 's3-cache',
        job: jobs[2],
        inputs: { ...inputs, key: CORPUS[0] },
        env: s3.env,
      });
      expect(refused.main.exitCode).toBe(1);
      expectInertLog(refused.main);
      expect(
        refused.main.annotations.some(
          (annotation) => annotation.level === 'error' && annotation.message.includes("Input 'key'"),
        ),
      ).toBe(true);
    } finally {
      for (const job of jobs) job.remove();
      await s3.dispose();
    }
  }, 1_200_000);
});
