import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirStore } from '@ci-optimizer/core/store';
import {
  anyViewHandoff,
  readHistory,
  readViewHandoff,
  saveViewHandoff,
  viewHandoffSlot,
  type ChangeView,
  type RunRecord,
} from '@ci-optimizer/core/test-predictor';
import { REPO_ROOT, RunnerJob, runActionStep } from '../support/action-runner.ts';
import type { TempGitRepo } from '../support/git-repo.ts';
import { pythonProject, runPytest } from './python-project.ts';

// predict hands the change view it worked out to the record step of the same job (view-handoff.ts): record then
// neither discovers the tests nor loads the graph and parses the change again. The run it stores must be the one it
// would have worked out itself; a hand-off of other settings, a broken or an old one is not used.
describe('record takes the view predict handed over in the same job (dist bundle)', () => {
  let repo: TempGitRepo;
  let base: string;
  let head: string;
  const jobs: RunnerJob[] = [];

  beforeAll(() => {
    repo = pythonProject();
    repo.write({ '.gitignore': 'stores/\nreports/\n' });
    base = repo.commit('ignore');
    repo.write({ 'src/shop/pricing.py': 'def total(items):\n    return sum(items) + 1\n' });
    head = repo.commit('break pricing');
    runPytest(repo, 'run');
  });
  afterAll(() => {
    repo.remove();
    for (const job of jobs) job.remove();
  });

  /** One job on its own store: the steps given (`predict` and/or `record`, with extra inputs), then the stored runs. */
  async function job(
    name: string,
    steps: { mode: 'predict' | 'record'; inputs?: Record<string, string> }[],
    between?: (job: RunnerJob) => void,
  ) {
    const runner = new RunnerJob();
    jobs.push(runner);
    const store = `dir:stores/${name}`;
    const outcomes = [];
    for (const [i, step] of steps.entries()) {
      if (i > 0) between?.(runner);
      const inputs = { mode: step.mode, store, base, head, junit: 'reports/*.xml', ...step.inputs };
      const { main } = await runActionStep({
        action: 'test-predictor',
        job: runner,
        workspace: repo.dir,
        inputs,
        event: { name: 'pull_request', payload: {} },
      });
      expect(main.exitCode, main.stderr + main.stdout).toBe(0);
      outcomes.push(main);
    }
    const runs = await readHistory(new DirStore(join(repo.dir, 'stores', name)), (m) => expect.fail(m));
    return { runner, outcomes, runs };
  }

  const handoffs = (runner: RunnerJob) => {
    const folder = join(runner.runnerTemp, 'ci-optimizer', 'test-predictor-views');
    return readdirSync(folder).map((file) => join(folder, file));
  };
  /** The hand-off with test_stock.py reached at distance 7 (no computation gives that here). */
  const tamper = (runner: RunnerJob) => {
    for (const file of handoffs(runner)) {
      const document = JSON.parse(readFileSync(file, 'utf8'));
      document.view.reach = { ...document.view.reach, 'tests/test_stock.py': 7 };
      writeFileSync(file, JSON.stringify(document));
    }
  };
  const withoutTime = ({ time: _, ...run }: RunRecord) => run;

  it('records the same run as a record step that works the view out itself', async () => {
    const alone = await job('alone', [{ mode: 'record' }]);
    const after = await job('after-predict', [{ mode: 'predict' }, { mode: 'record' }]);
    expect(handoffs(after.runner)).toHaveLength(1);
    expect(after.runs).toHaveLength(1);
    expect(withoutTime(after.runs[0])).toEqual(withoutTime(alone.runs[0]));
    expect(after.runs[0].reach).toEqual({ 'tests/test_pricing.py': 1 });
    const outputs = ({ 'duration-ms': _, metrics: __, ...rest }: Record<string, string>) => rest;
    expect(outputs(after.outcomes[1].outputs)).toEqual(outputs(alone.outcomes[0].outputs));
  });

  it("repeats the warnings of working the view out, saying they are predict's", async () => {
    const store = join(repo.dir, 'stores', 'broken-graph', 'test-filter');
    mkdirSync(store, { recursive: true });
    writeFileSync(join(store, 'graph-python.json'), '{ broken');
    const { outcomes, runs } = await job('broken-graph', [{ mode: 'predict' }, { mode: 'record' }]);
    const warnings = (i: number) => outcomes[i].annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    const cacheWarning = warnings(0).find((w) => /graph cache .*graph-python\.json is not valid JSON/.test(w));
    expect(cacheWarning, warnings(0).join('\n')).toBeDefined();
    expect(warnings(1)).toContain(`The change view of this job's predict step: ${cacheWarning}`);
    expect(runs[0].reach).toEqual({ 'tests/test_pricing.py': 1 });
  });

  it('takes the hand-off: what it says is what is recorded', async () => {
    const { runs } = await job('tampered', [{ mode: 'predict' }, { mode: 'record' }], tamper);
    expect(runs[0].reach).toEqual({ 'tests/test_pricing.py': 1, 'tests/test_stock.py': 7 });
  });

  it('does not take a hand-off of other settings, a broken one or one older than a job', async () => {
    const other = await job('other-settings', [{ mode: 'predict', inputs: { graph: 'false' } }, { mode: 'record' }]);
    expect(other.runs[0].reach).toEqual({ 'tests/test_pricing.py': 1 });

    const broken = await job('broken', [{ mode: 'predict' }, { mode: 'record' }], (runner) => {
      tamper(runner);
      for (const file of handoffs(runner)) {
        const document = JSON.parse(readFileSync(file, 'utf8'));
        document.view.testFiles = 'tests/test_stock.py';
        writeFileSync(file, JSON.stringify(document));
      }
    });
    expect(broken.runs[0].reach).toEqual({ 'tests/test_pricing.py': 1 });

    const old = await job('old', [{ mode: 'predict' }, { mode: 'record' }], (runner) => {
      tamper(runner);
      const sevenHoursAgo = new Date(Date.now() - 7 * 3600_000);
      for (const file of handoffs(runner)) utimesSync(file, sevenHoursAgo, sevenHoursAgo);
    });
    expect(old.runs[0].reach).toEqual({ 'tests/test_pricing.py': 1 });
  });

  it('hands nothing over outside a runner: the fallback temp folder is shared with the whole machine', () => {
    // Without RUNNER_TEMP (the command line, a local run) the temp folder is the system's; a view read from there
    // could have been put there by anyone, and it decides what is recorded. predict writes none, record reads none.
    const temp = mkdtempSync(join(tmpdir(), 'ci-opt-handoff-cli-'));
    try {
      const cli = join(REPO_ROOT, 'dist', 'cli', 'index.js');
      const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TMPDIR: temp };
      for (const mode of ['predict', 'record']) {
        const args = ['test-predictor', '--mode', mode, '--repo', repo.dir, '--base', base, '--head', head];
        const store = ['--store', `dir:${join(temp, 'store')}`, '--junit', 'reports/*.xml'];
        const result = spawnSync(process.execPath, [cli, ...args, ...store], { cwd: repo.dir, env, encoding: 'utf8' });
        expect(result.status, result.stderr + result.stdout).toBe(0);
      }
      expect(existsSync(join(temp, 'ci-optimizer-run', 'ci-optimizer', 'test-predictor-views'))).toBe(false);
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });

  // A later commit than the one whose graph the store keeps: predict patches that graph with the change scanned, not
  // parsed (a ranking needs the reach, not the syntax), and lists the files whose syntax it did not judge. Record parses
  // them before it stores the handed view: a file that does not parse makes test-filter run every test.
  describe('on a store whose graph is of an earlier commit', () => {
    let later: string;
    let broken: string;
    beforeAll(() => {
      repo.write({
        'reports/seed/seed.xml': readFileSync(join(repo.dir, 'reports', 'run.xml'), 'utf8').replace(
          'time="',
          'time="1',
        ),
      });
      // The command-line test above leaves its metrics file in the checkout: not part of these commits.
      rmSync(join(repo.dir, '.ci-optimizer'), { recursive: true, force: true });
      repo.git('checkout', '-q', '--detach', head);
      repo.write({ 'src/shop/pricing.py': 'def total(items):\n    return sum(items) + 2\n' });
      later = repo.commit('pricing again');
      repo.write({ 'src/shop/pricing.py': 'def total(items):\n    return sum(items) +\n' });
      broken = repo.commit('pricing does not parse');
    });

    /** A job that records `head` (the store's graph is of its tree), then runs `steps` on `at`; the run stored last. */
    async function warmJob(name: string, at: string, steps: ('predict' | 'record')[], between = tamperWhenHanded) {
      const seed = { mode: 'record' as const, inputs: { junit: 'reports/seed/*.xml' } };
      const { runner, runs } = await job(
        name,
        [seed, ...steps.map((mode) => ({ mode, inputs: { head: at } }))],
        between,
      );
      expect(runs).toHaveLength(2);
      const folder = join(runner.runnerTemp, 'ci-optimizer', 'test-predictor-views');
      const handed = existsSync(folder) ? handoffs(runner).map((file) => JSON.parse(readFileSync(file, 'utf8'))) : [];
      return { run: withoutTime(runs[1]), handed };
    }
    /** `tamper` once predict has handed its view over (not before: a hand-off's folder is made by predict). */
    function tamperWhenHanded(runner: RunnerJob) {
      if (existsSync(join(runner.runnerTemp, 'ci-optimizer', 'test-predictor-views'))) tamper(runner);
    }

    it('hands over the view with the changed file unjudged; record parses it and stores the view', async () => {
      const alone = await warmJob('warm-alone', later, ['record']);
      const after = await warmJob('warm-after', later, ['predict', 'record'], () => {});
      expect(after.handed.map((document) => document.view.syntaxUnjudged)).toEqual([['src/shop/pricing.py']]);
      expect(after.run).toEqual(alone.run);
      expect(alone.run.reach).toEqual({ 'tests/test_pricing.py': 1 });
      // What is stored is the hand-off's.
      const tampered = await warmJob('warm-tampered', later, ['predict', 'record']);
      expect(tampered.run.reach).toEqual({ 'tests/test_pricing.py': 1, 'tests/test_stock.py': 7 });
    });

    it('works the view out in record when a changed file predict did not judge does not parse', async () => {
      const alone = await warmJob('broken-alone', broken, ['record']);
      expect(alone.run.reachAll).toBe(true);
      const after = await warmJob('broken-after', broken, ['predict', 'record']);
      // predict ranked with the file's reach (the scan reads its imports); record stored test-filter's run-all.
      expect(after.handed.map((document) => [document.view.reachAll, document.view.syntaxUnjudged])).toEqual([
        [false, ['src/shop/pricing.py']],
      ]);
      expect(after.run).toEqual(alone.run);
    });
  });
});

describe('view hand-off file', () => {
  const view: ChangeView = {
    changes: [{ path: 'src/a.py', status: 'renamed', oldPath: 'src/b.py', added: 1, removed: 2 }],
    reach: { 'tests/test_a.py': 1, ['__proto__']: 2 },
    reachAll: false,
    reachAllReasons: [],
    testFiles: ['tests/test_a.py', '__proto__'],
    mapRemoved: null,
    mapNote: 'the store has no impact map yet',
  };
  const key = {
    repoDir: 'repo',
    head: 'h',
    base: 'b',
    fallbackReason: null,
    graph: true,
    impactMap: true,
    filterOptions: { projectDir: '' },
    store: 'dir:x',
  };

  it('gives back the view and the warnings it was saved with, within its age', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-opt-handoff-'));
    try {
      const slot = viewHandoffSlot(dir, key);
      // A record step looks for any hand-off before it loads what working a view out takes.
      expect(anyViewHandoff(dir)).toBe(false);
      await saveViewHandoff(slot, view, ['graph cache unreadable']);
      expect(anyViewHandoff(dir)).toBe(true);
      const read = await readViewHandoff(slot);
      expect(read).toEqual({ view, warnings: ['graph cache unreadable'] });
      expect(Object.keys(read!.view.reach!)).toEqual(['tests/test_a.py', '__proto__']);
      expect(await readViewHandoff(slot, 60_000, Date.now() + 61_000)).toBeUndefined();
      expect(await readViewHandoff({ ...slot, path: `${slot.path}.missing` })).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names one file per key', () => {
    const { path } = viewHandoffSlot('temp', key);
    expect(viewHandoffSlot('temp', { ...key }).path).toBe(path);
    for (const change of [
      { head: 'h2' },
      { base: null },
      { fallbackReason: 'no merge base' },
      { graph: false },
      { impactMap: false },
      { filterOptions: { projectDir: 'sub' } },
      { store: 'dir:y' },
      { repoDir: 'other' },
    ])
      expect(viewHandoffSlot('temp', { ...key, ...change }).path, JSON.stringify(change)).not.toBe(path);
  });

  it("is not taken by another key whose file name collides with the saving key's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-opt-handoff-'));
    try {
      const slot = viewHandoffSlot(dir, key);
      const other = viewHandoffSlot(dir, { ...key, head: 'h2' });
      expect(other.key).not.toBe(slot.key);
      // A 64-bit hash collision, as if the other key's name were the same file.
      const colliding = { ...other, path: slot.path };
      await saveViewHandoff(slot, view, []);
      expect(await readViewHandoff(colliding)).toBeUndefined();
      expect(await readViewHandoff(slot)).toEqual({ view, warnings: [] });
      await saveViewHandoff(colliding, { ...view, testFiles: [] }, []);
      expect(await readViewHandoff(slot)).toBeUndefined();
      expect((await readViewHandoff(colliding))?.view.testFiles).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is not used when a field has the wrong type', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-opt-handoff-'));
    try {
      const slot = viewHandoffSlot(dir, key);
      const { path } = slot;
      mkdirSync(join(path, '..'), { recursive: true });
      const good = { format: 2, key: slot.key, view, warnings: [] as unknown };
      const cases: [string, unknown][] = [
        ['not json', '{'],
        ['another format', { ...good, format: 1 }],
        ['reach distance', { ...good, view: { ...view, reach: { 'tests/test_a.py': '1' } } }],
        ['change', { ...good, view: { ...view, changes: [{ path: 'a' }] } }],
        ['test files', { ...good, view: { ...view, testFiles: [1] } }],
        ['reachAll', { ...good, view: { ...view, reachAll: 'no' } }],
        ['mapRemoved', { ...good, view: { ...view, mapRemoved: 'x' } }],
        ['mapNote', { ...good, view: { ...view, mapNote: 3 } }],
        ['warnings', { ...good, warnings: 'x' }],
        ['no key', { ...good, key: undefined }],
        ['another key', { ...good, key: `${slot.key} ` }],
      ];
      for (const [name, document] of cases) {
        writeFileSync(path, typeof document === 'string' ? document : JSON.stringify(document));
        expect(await readViewHandoff(slot), name).toBeUndefined();
      }
      writeFileSync(path, JSON.stringify(good));
      expect(await readViewHandoff(slot)).toEqual({ view, warnings: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
