import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rerunBenchmarks } from '@ci-optimizer/core/perf';

/** rerunBenchmarks with commands that are not pytest: the names reach the command quoted, and a hung run is stopped. */
describe('re-running flagged benchmarks (rerun-benchmarks.ts)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const temp = () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-rerun-'));
    dirs.push(dir);
    return dir;
  };

  it('gives the names in {benchmarks} (each shell-quoted) and $PERF_BENCHMARKS; writes one result file a re-run', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'results.json'), '[]');
    // Names come from the pull request's results: quotes, spaces and $(...) must reach the command as text.
    const names = ["pkg/test_a.py::test_x[it's]", 'pkg/test_b.py::test_y[$(touch pwned) a b]'];
    const files = await rerunBenchmarks({
      command: `printf '%s\\n' {benchmarks} >> args.txt; printf '%s\\n' "$PERF_BENCHMARKS" >> env.txt; cp results.json {output}`,
      dir,
      names,
      runs: 2,
      outDir: join(dir, 'out'),
    });
    expect(files).toEqual([join(dir, 'out', 'rerun-1.json'), join(dir, 'out', 'rerun-2.json')]);
    for (const file of files) expect(readFileSync(file, 'utf8')).toBe('[]');
    expect(readFileSync(join(dir, 'args.txt'), 'utf8')).toBe(`${names.join('\n')}\n${names.join('\n')}\n`);
    expect(readFileSync(join(dir, 'env.txt'), 'utf8')).toBe(`${names.join('\n')}\n${names.join('\n')}\n`);
    expect(() => readFileSync(join(dir, 'pwned'))).toThrow();
  });

  it('stops the re-runs after the timeout, naming the command', async () => {
    const dir = temp();
    const started = Date.now();
    await expect(
      rerunBenchmarks({ command: 'sleep 120', dir, names: ['x'], runs: 2, outDir: join(dir, 'out'), timeoutMs: 1000 }),
    ).rejects.toThrow(/The benchmark command ran longer than 1 s in '.*' and was stopped: sleep 120/);
    expect(Date.now() - started).toBeLessThan(100_000);
  });

  it('a command that fails names the input that holds it', async () => {
    const dir = temp();
    await expect(
      rerunBenchmarks({
        command: 'exit 4',
        dir,
        names: ['x'],
        runs: 1,
        outDir: join(dir, 'out'),
        inputName: 'confirm-command',
      }),
    ).rejects.toThrow(/failed with exit code 4[\s\S]*Fix the command in 'confirm-command' so it passes\./);
  });
});
