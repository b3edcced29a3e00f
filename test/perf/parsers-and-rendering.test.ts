import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compareBenchmarks,
  GITHUB_COMMENT_LIMIT,
  parseBenchmarkText,
  parseForkPayload,
  parseProfileText,
  readProfileFile,
  renderPerfComment,
  summarizeProfile,
  forkPayload,
  type BenchmarkSet,
} from '@ci-optimizer/core/perf';
import { UserError } from '@ci-optimizer/core/errors';
import { tempDir } from '../support/git-repo.ts';
import { lognormalTimings, normalSource, seededRandom } from './seeded-random.ts';

const work = tempDir('perf-parse-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function userError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('benchmark and profile parsers', () => {
  it('names the file and the problem for malformed or unknown inputs', () => {
    expect(userError(() => parseBenchmarkText('{not json', 'r.json'))).toMatch(/'r\.json' are not valid JSON/);
    expect(userError(() => parseBenchmarkText('{"hello": 1}', 'r.json'))).toMatch(
      /'r\.json' is in an unknown format\. Expected pytest-benchmark/,
    );
    expect(userError(() => parseBenchmarkText('{"benchmarks": [{"fullname": "t::a"}]}', 'r.json'))).toMatch(
      /r\.json: benchmarks\[0\] \('t::a'\) has no 'stats'/,
    );
    expect(
      userError(() =>
        parseBenchmarkText(
          '[{"name": "a", "unit": "ms", "value": 1}, {"name": "a", "unit": "ms", "value": 2}]',
          'g.json',
        ),
      ),
    ).toMatch(/names benchmark 'a' twice/);
    expect(
      userError(() =>
        parseBenchmarkText('{"$schema": "https://www.speedscope.app/file-format-schema.json"}', 'p.json'),
      ),
    ).toMatch(/is a CPU profile, not benchmark results/);
    expect(userError(() => parseProfileText('main;work not-a-number\n', 'p.folded'))).toMatch(
      /'p\.folded' line 1 is not a collapsed stack/,
    );
    expect(userError(() => parseProfileText('{"foo": []}', 'x.json'))).toMatch(
      /'x\.json' is JSON in an unknown format/,
    );
  });

  it('reads the generic list with ranges, samples and bigger-is-better', () => {
    const set = parseBenchmarkText(
      JSON.stringify([
        { name: 'a', unit: 'ms', value: 10, range: '± 5%' },
        { name: 'b', unit: 'ops/s', value: 100, range: '+- 3', 'bigger-is-better': true },
        { name: 'c', unit: 'ms', samples: [3, 1, 2] },
      ]),
      'g.json',
    );
    expect(set.benchmarks.map((b) => [b.name, b.range, b.biggerIsBetter, b.value])).toEqual([
      ['a', 0.5, false, 10],
      ['b', 3, true, 100],
      ['c', undefined, false, 2],
    ]);
  });

  it('reads speedscope (sampled and evented) and collapsed stacks with file:line', () => {
    const speedscope = parseProfileText(
      JSON.stringify({
        $schema: 'https://www.speedscope.app/file-format-schema.json',
        shared: {
          frames: [
            { name: 'main', file: 'app.py', line: 1 },
            { name: 'slow', file: 'app.py', line: 10 },
            { name: 'fast', file: 'app.py', line: 20 },
          ],
        },
        profiles: [
          {
            type: 'sampled',
            name: 'py-spy',
            unit: 'seconds',
            startValue: 0,
            endValue: 4,
            samples: [
              [0, 1],
              [0, 1],
              [0, 2],
            ],
            weights: [1, 2, 1],
          },
          {
            type: 'evented',
            name: 'e',
            unit: 'seconds',
            startValue: 0,
            endValue: 3,
            events: [
              { type: 'O', frame: 0, at: 0 },
              { type: 'O', frame: 2, at: 1 },
              { type: 'C', frame: 2, at: 3 },
              { type: 'C', frame: 0, at: 3 },
            ],
          },
        ],
      }),
      's.json',
    );
    const report = summarizeProfile(speedscope);
    expect(report.topSelf.map((f) => [f.name, Math.round(f.selfShare * 100)])).toEqual([
      ['fast', 43],
      ['slow', 43],
      ['main', 14],
    ]);
    expect(report.topTotal.map((f) => f.name)).toEqual(['fast', 'slow']);
    const folded = parseProfileText(
      'main (app.py:3);work (lib/x.py:42) 5\nmain (app.py:3);work (lib/x.py:44);inner 3\n',
      'p.folded',
    );
    const times = summarizeProfile(folded, undefined, 2);
    expect(times.topSelf.map((f) => [f.name, f.file, f.line])).toEqual([
      ['work', 'lib/x.py', 42],
      ['inner', undefined, undefined],
    ]);
  });

  it('reads a real V8 .cpuprofile from node --cpu-prof and finds the hot function', () => {
    const script = join(work, 'hot.js');
    writeFileSync(
      script,
      `
function hotLoop(n) { let s = 0; for (let i = 0; i < n; i++) s = (s + Math.sqrt(i)) % 1e9; return s; }
function coldLoop(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }
const end = Date.now() + 400; let x = 0;
while (Date.now() < end) { x += hotLoop(2e5); x += coldLoop(1e4); }
console.log(x > 0);
`,
    );
    execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', join(work, 'prof'), script], { stdio: 'pipe' });
    const file = join(work, 'prof', readdirSync(join(work, 'prof'))[0]);
    return readProfileFile(file).then((profile) => {
      expect(profile.format).toBe('cpuprofile');
      expect(profile.unit).toBe('microseconds');
      const report = summarizeProfile(profile);
      expect(report.topSelf[0].name).toBe('hotLoop');
      expect(report.topSelf[0].file).toMatch(/hot\.js$/);
      expect(report.topSelf[0].line).toBe(2);
    });
  });
});

describe('the comment', () => {
  function bigSet(count: number, slow: boolean, seed: number): BenchmarkSet {
    const normal = normalSource(seededRandom(seed));
    return {
      format: 'generic',
      source: 'gen',
      benchmarks: Array.from({ length: count }, (_, i) => ({
        name: `module_${i}/test_a_rather_long_benchmark_name_${i}[param-${'x'.repeat(20)}]`,
        label: `test_a_rather_long_benchmark_name_${i}[param-${'x'.repeat(20)}]`,
        unit: 's',
        biggerIsBetter: false,
        value: 0,
        samples: lognormalTimings(normal, 12, 1e-3 * (slow && i % 3 === 0 ? 1.5 : 1), 0.02),
      })),
    };
  }

  it('stays under 65,536 characters with 3,000 benchmarks, folding the long tables into <details>', () => {
    const comparison = compareBenchmarks(bigSet(3000, false, 1), bigSet(3000, true, 2), { driftCorrection: false });
    expect(comparison.benchmarks.filter((b) => b.verdict === 'regression').length).toBeGreaterThan(900);
    const body = renderPerfComment({
      comparison,
      baseline: { kind: 'merge base', commit: 'abcdef1234567890', ageMs: 7_200_000 },
    });
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body).toContain('<!-- ci-optimizer:perf-comment id=default -->');
    expect(body).toContain('<details><summary>Changes (');
    expect(body).toMatch(/… \d+ more in the step summary/);
    expect(body).toContain('Baseline: merge base `abcdef123456`, 2 h old.');
  });

  it('escapes names so a benchmark cannot inject HTML, table cells or @mentions', () => {
    const base = parseBenchmarkText(JSON.stringify([{ name: 'x|<img src=x>@team', unit: 'ms', value: 1 }]), 'a');
    const body = renderPerfComment({ comparison: compareBenchmarks(base, base), baseline: { kind: 'file' } });
    expect(body).toContain('x\\|&lt;img src=x&gt;@&#8203;team');
    expect(body).not.toContain('<img');
  });

  it('the fork payload round-trips, and a tampered one is refused', () => {
    const comparison = compareBenchmarks(bigSet(3, false, 1), bigSet(3, true, 2));
    const text = forkPayload(
      { comparison, baseline: { kind: 'same-job A/B' } },
      'perf/bench',
      'https://github.com/o/r/actions/runs/1',
    );
    const parsed = parseForkPayload(text, 'perf-comment.json');
    expect(renderPerfComment({ ...parsed.report, markerId: parsed.markerId })).toContain('id=perf/bench');
    const tampered = JSON.parse(text);
    tampered.markerId = 'x --> <script>';
    expect(userError(() => parseForkPayload(JSON.stringify(tampered), 'perf-comment.json'))).toMatch(
      /not a valid perf-comment\.json artifact: \/markerId/,
    );
  });
});
