import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/action-runner.ts';
import { tempDir } from '../support/git-repo.ts';
import { pythonProject } from '../test-predictor/python-project.ts';

// What a bundle loads, as Node's module hooks see it (ES modules and require() alike): scripts/bundle.mjs keeps yaml,
// ajv (dist/chunks/*.cjs) and the AWS SDK (the chunk of packages/core/src/s3/sdk.ts) out of an action's start and
// loads them when a run needs them (docs/decisions.md, "Cold start").
const scratch = tempDir('ci-opt-lazy-');
const hook = join(scratch, 'record-loads.mjs');
writeFileSync(
  hook,
  [
    "import { registerHooks } from 'node:module';",
    'const loaded = [];',
    'registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });',
    "process.on('exit', () => process.stderr.write(`\\nLOADED ${JSON.stringify(loaded)}\\n`));",
  ].join('\n'),
);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const NODE = join(REPO_ROOT, 'node_modules', '.bin', 'node');

/** Runs a dist/ file with empty inputs in a fresh runner-like job; returns its exit code, log and the dist/ files it loaded. */
function run(
  file: string,
  args: string[] = [],
  setup: (workspace: string) => void = () => {},
  env: Record<string, string> = {},
) {
  const job = tempDir('ci-opt-lazy-job-');
  const workspace = join(job, 'workspace');
  mkdirSync(workspace);
  setup(workspace);
  const files = Object.fromEntries(
    ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV'].map((name) => [name, join(job, name)]),
  );
  for (const path of Object.values(files)) writeFileSync(path, '');
  try {
    const result = spawnSync(NODE, ['--import', pathToFileURL(hook).href, join(REPO_ROOT, 'dist', file), ...args], {
      cwd: workspace,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: job, RUNNER_TEMP: job, GITHUB_WORKSPACE: workspace, ...files, ...env },
    });
    const line = result.stderr.split('\n').find((text) => text.startsWith('LOADED '));
    expect(line, result.stderr).toBeDefined();
    const dist = pathToFileURL(join(REPO_ROOT, 'dist')).href;
    const loaded = (JSON.parse(line?.slice('LOADED '.length) ?? '[]') as string[])
      .filter((url) => url.startsWith(dist))
      .map((url) => url.slice(dist.length + 1));
    return { status: result.status, stdout: result.stdout, loaded };
  } finally {
    rmSync(job, { recursive: true, force: true });
  }
}

/** The loaded chunks that hold a piece of code, found by a text only that code has. */
const holding = (loaded: string[], text: string) =>
  loaded.filter((file) => file.endsWith('.js') && readFileSync(join(REPO_ROOT, 'dist', file), 'utf8').includes(text));
/** Texts of test-filter's selection engine: the Python pack and the impact map. */
const ENGINE = ['tree-sitter-python.wasm', '(map of '];
/** A text of test-predictor's command. */
const PREDICTOR = 'test-predictor did not train';
/** A text of the test-predictor domain (its budget parser). */
const PREDICTOR_DOMAIN = 'which is not a budget';
/** A text of the perf domain (its baseline reader). */
const PERF_DOMAIN = 'has no results. Delete it';

/** The parser's JavaScript (web-tree-sitter), loaded with the parser. */
const TREE_SITTER = 'chunks/web-tree-sitter.cjs';
const LAZY = [/^chunks\/yaml\.cjs$/, /^chunks\/ajv\.cjs$/, /^chunks\/sdk-[\w-]+\.js$/];
const lazyIn = (loaded: string[]) => loaded.filter((file) => LAZY.some((pattern) => pattern.test(file)));

describe('what a bundle loads', () => {
  it.each(['cache-key/index.js', 'perf-comment/index.js', 's3-cache/restore/index.js', 'test-predictor/index.js'])(
    '%s with empty inputs starts without yaml, ajv and the AWS SDK',
    (file) => {
      const { status, loaded } = run(file);
      expect(status).toBe(1); // each fails on its empty inputs, after its start
      expect(loaded).toContain(file);
      expect(lazyIn(loaded)).toEqual([]);
    },
  );

  it('the CLI prints its help without loading any action command, yaml or ajv', () => {
    const help = run('cli/index.js', ['--help']);
    const command = run('cli/index.js', ['cache-key']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('cache-key');
    expect(lazyIn(help.loaded)).toEqual([]);
    expect(command.status).toBe(1);
    // The command is loaded only when it runs.
    expect(command.loaded.length).toBeGreaterThan(help.loaded.length);
    for (const file of help.loaded) expect(command.loaded).toContain(file);
  });

  it('a config file loads yaml and ajv when the step reads it, with the same errors', () => {
    const { status, stdout, loaded } = run('report/index.js', [], (workspace) => {
      mkdirSync(join(workspace, '.github'));
      writeFileSync(join(workspace, '.github', 'ci-optimizer.yml'), 'report:\n  title: 3\n  bogus: 1\n');
    });
    expect(status).toBe(1);
    expect(stdout).toContain("::error::.github/ci-optimizer.yml:3: unknown key 'report.bogus'.");
    expect(lazyIn(loaded).sort()).toEqual(['chunks/ajv.cjs', 'chunks/yaml.cjs']);
  });

  it('an S3 store loads the AWS SDK on its first request', () => {
    const { status, stdout, loaded } = run('s3-cache/restore/index.js', [], () => {}, {
      INPUT_PATH: 'build',
      INPUT_KEY: 'k',
      INPUT_BUCKET: 'test-bucket',
      INPUT_ENDPOINT: 'http://127.0.0.1:9',
      'INPUT_MAX-ATTEMPTS': '1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
    });
    expect(status).toBe(0); // a store that is down is a miss, not a failure
    expect(stdout).toMatch(/::warning::Failed to restore cache 'k'/);
    expect(lazyIn(loaded).some((file) => file.startsWith('chunks/sdk-'))).toBe(true);
  });

  it('test-predictor reads its config, project-dir and mode before it loads its modes and the predictor domain', () => {
    const refused = run('test-predictor/index.js'); // no mode
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain("::error::Input 'mode' has value '', which is not one of");
    for (const text of [PREDICTOR, PREDICTOR_DOMAIN]) expect(holding(refused.loaded, text)).toEqual([]);
    // A mode that runs loads them (the texts above do find their chunks).
    const trained = run('test-predictor/index.js', [], () => {}, { INPUT_MODE: 'train' });
    expect(trained.status, trained.stdout).toBe(0);
    expect(trained.stdout).toContain('test-predictor did not train');
    for (const text of [PREDICTOR, PREDICTOR_DOMAIN]) expect(holding(trained.loaded, text)).not.toEqual([]);
  });

  it('perf-comment checks its empty results input before it loads the perf domain, with the same errors', () => {
    const refused = run('perf-comment/index.js');
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain(
      "::error::Input 'results' is empty. Point it at the benchmark results file(s) of this run.",
    );
    expect(holding(refused.loaded, PERF_DOMAIN)).toEqual([]);
    // The inputs a full run reads before that check still come first.
    const badStore = run('perf-comment/index.js', [], () => {}, { INPUT_STORE: 'dir:' });
    expect(badStore.stdout).toContain("::error::Input 'store' has value 'dir:'");
    const badHistory = run('perf-comment/index.js', [], () => {}, { 'INPUT_HISTORY-SIZE': '1' });
    expect(badHistory.stdout).toContain("::error::Input 'history-size' has value '1', below the minimum 2.");
    // A run with results loads it (the text above does find its chunk).
    const compared = run(
      'perf-comment/index.js',
      [],
      (workspace) => writeFileSync(join(workspace, 'results.json'), '{"benchmarks": []}'),
      { INPUT_RESULTS: 'results.json' },
    );
    expect(holding(compared.loaded, PERF_DOMAIN)).not.toEqual([]);
  });

  it('test-filter and test-plan check the checkout before they load the selection engine, git library or predictor', () => {
    for (const file of ['test-filter/index.js', 'test-plan/index.js']) {
      const refused = run(file); // the workspace is not a git checkout
      expect(refused.status).toBe(1);
      expect(refused.stdout).toContain('is not a git checkout');
      expect(refused.loaded).toContain(file);
      expect(refused.loaded).not.toContain('chunks/simple-git.cjs');
      for (const text of [...ENGINE, PREDICTOR]) expect(holding(refused.loaded, text)).toEqual([]);
    }
    // A run that selects loads them (the texts above do find the engine's chunks).
    const selected = run('test-filter/index.js', [], (workspace) => {
      writeFileSync(join(workspace, 'test_a.py'), 'def test_a():\n    assert True\n');
      for (const args of [
        ['init', '-q'],
        ['add', '-A'],
        ['-c', 'user.name=T', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'c'],
      ]) {
        execFileSync('git', args, { cwd: workspace, stdio: 'ignore' });
      }
    });
    expect(selected.status, selected.stdout).toBe(0);
    for (const text of ENGINE) expect(holding(selected.loaded, text)).not.toEqual([]);
  });

  it('a warm test-predictor predict of a new commit loads no parser: the graph is patched with the change scanned', () => {
    const repo = pythonProject();
    const store = tempDir('ci-opt-lazy-store-');
    try {
      const base = repo.head();
      const junit = join(store, 'junit.xml');
      writeFileSync(
        junit,
        '<testsuites><testsuite name="pytest"><testcase classname="tests.test_stock" name="test_available" file="tests/test_stock.py" time="0.2"/></testsuite></testsuites>',
      );
      repo.write({ 'src/shop/stock.py': 'def available(n):\n    return n >= 0\n' });
      const recorded = repo.commit('stock');
      const step = (mode: string, head: string, ...extra: string[]) => {
        const args = ['test-predictor', '--mode', mode, '--repo', repo.dir, '--base', base, '--head', head];
        const result = run('cli/index.js', [
          ...args,
          '--store',
          `dir:${store}`,
          '--min-history',
          '1',
          '--json',
          ...extra,
        ]);
        expect(result.status, result.stdout).toBe(0);
        return result;
      };
      // The record stores test-filter's graph of its commit's tree; a predict of a later commit patches it.
      step('record', recorded, '--junit', junit);
      repo.git('checkout', '-q', '--detach', base);
      repo.write({ 'src/shop/pricing.py': 'def total(items):\n    return sum(items) + 1\n' });
      const plain = step('predict', repo.commit('pricing'));
      expect(JSON.parse(plain.stdout).tests).toContain('tests/test_pricing.py');
      expect(plain.loaded).not.toContain(TREE_SITTER);
      // A change the scan cannot read (a computed import) is analysed in full: the parser is loaded then.
      repo.write({
        'src/shop/pricing.py':
          "import importlib\n\n\ndef total(items):\n    return importlib.import_module('shop.stock')\n",
      });
      const computed = step('predict', repo.commit('computed import'));
      expect(computed.loaded).toContain(TREE_SITTER);
    } finally {
      repo.remove();
      rmSync(store, { recursive: true, force: true });
    }
  });
});

// Node's own modules a step loads (process.moduleLoadList: built-ins taken with process.getBuiltinModule() too).
// scripts/bundle.mjs takes node:crypto, node:util and node:v8 on first call (docs/decisions.md, "test-predictor speed,
// eighth pass"): a warm prediction makes no digest and no random id, and starts no worker thread.
const builtinsHook = join(scratch, 'record-builtins.mjs');
writeFileSync(
  builtinsHook,
  [
    "const names = () => process.moduleLoadList.filter((n) => n.startsWith('NativeModule ')).map((n) => n.slice(13));",
    "process.on('exit', () => process.stderr.write(`\\nBUILTINS ${JSON.stringify(names())}\\n`));",
  ].join('\n'),
);

describe('what a warm prediction loads of Node', () => {
  it('a test-predictor predict through the CLI loads neither node:crypto nor node:worker_threads; its record does', () => {
    const repo = pythonProject();
    const job = tempDir('ci-opt-lazy-job-');
    try {
      const base = repo.head();
      repo.write({ 'src/shop/pricing.py': 'def total(items):\n    return sum(items) + 1\n' });
      const head = repo.commit('break pricing');
      const junit = join(job, 'junit.xml');
      writeFileSync(
        junit,
        '<testsuites><testsuite name="pytest">' +
          '<testcase classname="tests.test_pricing" name="test_total" file="tests/test_pricing.py" time="0.5"><failure message="assert 7 == 6"/></testcase>' +
          '<testcase classname="tests.test_stock" name="test_available" file="tests/test_stock.py" time="0.2"/>' +
          '</testsuite></testsuites>',
      );
      const step = (mode: string, ...extra: string[]) => {
        const args = ['test-predictor', '--mode', mode, '--repo', repo.dir, '--base', base, '--head', head];
        const settings = ['--store', `dir:${join(job, 'store')}`, '--min-history', '1', '--json', ...extra];
        const result = spawnSync(
          NODE,
          [
            '--import',
            pathToFileURL(builtinsHook).href,
            join(REPO_ROOT, 'dist', 'cli', 'index.js'),
            ...args,
            ...settings,
          ],
          // Each step a job of its own: predict writes its tests file and its view's hand-off under RUNNER_TEMP.
          {
            cwd: repo.dir,
            encoding: 'utf8',
            env: { PATH: process.env.PATH, HOME: job, RUNNER_TEMP: mkdtempSync(join(job, 'temp-')) },
          },
        );
        expect(result.status, result.stderr).toBe(0);
        const line = result.stderr.split('\n').find((text) => text.startsWith('BUILTINS '));
        expect(line, result.stderr).toBeDefined();
        return {
          outputs: JSON.parse(result.stdout),
          builtins: JSON.parse(line!.slice('BUILTINS '.length)) as string[],
        };
      };
      const recorded = step('record', '--junit', junit);
      const predicted = step('predict');
      // The prediction ran on what the record stored (its history, the summary of it and test-filter's graph).
      expect(predicted.outputs.tests).toContain('tests/test_pricing.py');
      expect(predicted.outputs['tests-file']).toMatch(/tests-files/);
      expect(recorded.builtins).toContain('crypto');
      for (const name of ['crypto', 'worker_threads']) expect(predicted.builtins).not.toContain(name);
    } finally {
      repo.remove();
      rmSync(job, { recursive: true, force: true });
    }
  });
});
