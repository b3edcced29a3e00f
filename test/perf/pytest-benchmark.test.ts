import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addBaseWorktree,
  buildPerfReport,
  perfOutputs,
  readBenchmarkFile,
  renderPerfComment,
  runSameJobAb,
  type PerfReport,
} from '@ci-optimizer/core/perf';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';

const PYTHON = '/usr/bin/python3';
const SAMPLER = fileURLToPath(new URL('./fixtures/fold_sampler.py', import.meta.url));

// Rounds are fixed (not time-boxed) so a slower function also takes a larger share of the profile.
// Three functions of similar cost; the PR makes `checksum` about three times slower and leaves the others alone.
const LIBRARY = (checksumBody: string) => `
def tokenize(text):
    return [word.strip(".,").lower() for word in text.split()]


def checksum(data):
${checksumBody}


def histogram(values):
    counts = {}
    for value in values:
        counts[value % 97] = counts.get(value % 97, 0) + 1
    return counts
`;
const FAST_CHECKSUM = `    total = 0
    for byte in data:
        total = (total * 31 + byte) % 1000003
    return total`;
const SLOW_CHECKSUM = `    total = 0
    for _ in range(3):
        for byte in data:
            total = (total * 31 + byte) % 1000003
    return total`;
const BENCHMARKS = `
from textlib import checksum, histogram, tokenize

TEXT = "The quick brown fox, jumps over the lazy dog. " * 300
DATA = bytes(range(256)) * 16
VALUES = list(range(4000))


def test_tokenize(benchmark):
    benchmark(tokenize, TEXT)


def test_checksum(benchmark):
    benchmark(checksum, DATA)


def test_histogram(benchmark):
    benchmark(histogram, VALUES)
`;
const PYTEST_ARGS = [
  '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--benchmark-only', '--benchmark-save-data',
  '--benchmark-min-rounds=200', '--benchmark-max-time=0.001', '--benchmark-warmup=off', 'tests',
];

describe('real pytest-benchmark runs, same-job A/B (a PR that slows one function)', () => {
  let repo: TempGitRepo;
  let work: string;
  let removeWorktree: () => Promise<void>;
  let baseDir: string;
  let report: PerfReport;
  let baseCommit: string;

  beforeAll(async () => {
    repo = new TempGitRepo();
    repo.write({ 'textlib.py': LIBRARY(FAST_CHECKSUM), 'tests/test_bench.py': BENCHMARKS, 'pytest.ini': '[pytest]\npythonpath = .\n' });
    baseCommit = repo.commit('base');
    repo.write({ 'textlib.py': LIBRARY(SLOW_CHECKSUM) });
    repo.commit('slow down checksum');
    work = tempDir('perf-ab-');
    baseDir = join(work, 'base');
    removeWorktree = await addBaseWorktree(repo.dir, baseCommit, baseDir);
    // Every run goes through the sampling profiler, so both sides carry the same overhead and the profiles
    // come from the very runs that are compared.
    const command = `${PYTHON} ${SAMPLER} {output}.folded ${PYTEST_ARGS.slice(1).join(' ')} --benchmark-json={output}`;
    const runs = await runSameJobAb({ command, headDir: repo.dir, baseDir, runsPerSide: 3, outDir: join(work, 'results') });
    expect(runs.order).toEqual(['base', 'head', 'head', 'base', 'base', 'head']);
    report = await buildPerfReport({
      resultFiles: runs.head,
      baselineFiles: runs.base,
      sameJob: true,
      profileFile: `${runs.head[2]}.folded`,
      baselineProfileFile: `${runs.base[2]}.folded`,
    });
  }, 60_000);

  afterAll(async () => {
    await removeWorktree?.();
    repo?.remove();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('reads per-round samples from the real --benchmark-json output', async () => {
    const set = await readBenchmarkFile(join(work, 'results', 'head-1.json'));
    expect(set.format).toBe('pytest-benchmark');
    expect(set.benchmarks.map((b) => b.label).sort()).toEqual(['test_checksum', 'test_histogram', 'test_tokenize']);
    for (const benchmark of set.benchmarks) expect(benchmark.samples!.length).toBeGreaterThanOrEqual(200);
  });

  it('flags exactly the slowed benchmark as a regression', () => {
    const outputs = perfOutputs(report);
    const explain = report.comparison.benchmarks.map((b) => `${b.label}: ${b.verdict}, ${b.reason}`).join('\n');
    expect(outputs.verdict, explain).toBe('regression');
    expect(outputs.regressions).toEqual(['tests/test_bench.py::test_checksum']);
    const checksum = report.comparison.benchmarks.find((b) => b.label === 'test_checksum')!;
    // Three times the loop, plus call overhead that did not change; load on a shared machine blurs the rest.
    expect(checksum.change!).toBeGreaterThan(0.5);
    expect(checksum.change!).toBeLessThan(4);
    expect(checksum.changeLow!).toBeGreaterThan(0.3);
    expect(checksum.pairChanges!.every((change) => change > 0)).toBe(true);
    expect(report.comparison.drift).toBeUndefined();
  });

  it('names the slowed function among the top 3 of the profile and among the 3 that grew most', () => {
    const top = report.profile!.topSelf.map((fn) => fn.name);
    expect(top).toContain('checksum');
    // pytest-benchmark's timer calibration is time-boxed, so its share moves with the machine's load; the slowed
    // function must still be among the three that grew most.
    const grown = report.profile!.grown!.find((fn) => fn.name === 'checksum');
    expect(grown?.file).toBe('textlib.py');
    expect(grown!.selfShare).toBeGreaterThan(grown!.baselineSelfShare * 1.5);
  });

  it('renders one comment with the marker, the regression, the profile and a mermaid chart', () => {
    const body = renderPerfComment({ comparison: report.comparison, baseline: report.baseline, profile: report.profile, runUrl: 'https://github.com/octo-org/octo-repo/actions/runs/1' });
    expect(body.startsWith('<!-- ci-optimizer:perf-comment id=default -->')).toBe(true);
    expect(body).toMatch(/🔴 Performance: 1 regression/);
    expect(body).toMatch(/\| test_checksum \|.*🔴 regression/);
    expect(body).toContain('xychart-beta');
    expect(body).toMatch(/checksum \(textlib\.py:\d+\)/);
    if (process.env.PERF_COMMENT_EXAMPLE) writeFileSync(process.env.PERF_COMMENT_EXAMPLE, body);
  });
});
