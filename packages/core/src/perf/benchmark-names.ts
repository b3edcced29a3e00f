import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors/index.ts';
import type { BenchmarkSet } from './benchmark-types.ts';

/**
 * Names benchmarks by what they are, not by where they ran. pytest-benchmark's `fullname` is
 * `<path relative to pytest's rootdir>::<test>`, and pytest picks the rootdir from config files and the
 * arguments' common ancestor: the base worktree and the PR checkout can resolve to different ancestors
 * (`base/pkg/test_x.py::t` against `pkg/test_x.py::t`). This rewrites the path part relative to the checkout
 * root (`root`): the path is looked up under the root, then under each ancestor of the root (a rootdir above the
 * checkout), and kept as it is when no such file exists (a rootdir below the root gives the same relative name
 * on both sides). Names without `::` (generic lists) are left alone.
 */
export function normalizeBenchmarkNames(set: BenchmarkSet, root: string): BenchmarkSet {
  const absoluteRoot = resolve(root);
  const benchmarks = set.benchmarks.map((benchmark) => {
    const name = nameRelativeToRoot(benchmark.name, absoluteRoot);
    return name === benchmark.name ? benchmark : { ...benchmark, name };
  });
  const seen = new Set<string>();
  for (const benchmark of benchmarks) {
    // Two files that normalise to one name would merge two benchmarks: keep the original names instead.
    if (seen.has(benchmark.name)) return set;
    seen.add(benchmark.name);
  }
  return { ...set, benchmarks };
}

function nameRelativeToRoot(name: string, root: string): string {
  const split = name.indexOf('::');
  if (split <= 0) return name;
  const path = name.slice(0, split);
  const rest = name.slice(split);
  if (isAbsolute(path)) return inside(root, path) ? `${toPosix(relative(root, path))}${rest}` : name;
  if (existsSync(join(root, path))) return name;
  for (let dir = dirname(root); ; dir = dirname(dir)) {
    const candidate = resolve(dir, path);
    if (inside(root, candidate) && existsSync(candidate)) return `${toPosix(relative(root, candidate))}${rest}`;
    if (dirname(dir) === dir) return name;
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/**
 * Base and PR must share benchmark names, or the comparison says "all new, all removed" and flags nothing. A
 * UserError that shows both sides' names and the usual causes.
 */
export function requireCommonBenchmarks(baseline: BenchmarkSet, current: BenchmarkSet, what: string): void {
  if (baseline.benchmarks.length === 0 || current.benchmarks.length === 0) {
    const empty = baseline.benchmarks.length === 0 ? 'base' : 'PR';
    throw new UserError(
      `${what}: the ${empty} side produced no benchmarks (${empty === 'base' ? baseline.source : current.source}). ` +
        'Check that the benchmark command collects benchmarks on both commits (pytest: --benchmark-only with the test path).',
    );
  }
  const names = new Set(current.benchmarks.map((b) => b.name));
  if (baseline.benchmarks.some((b) => names.has(b.name))) return;
  const sample = (set: BenchmarkSet) =>
    set.benchmarks
      .slice(0, 3)
      .map((b) => `'${b.name.slice(0, 200)}'`)
      .join(', ');
  throw new UserError(
    `${what}: no benchmark of the base has the same name in the PR, so nothing can be compared ` +
      `(base: ${sample(baseline)}${baseline.benchmarks.length > 3 ? ', …' : ''}; PR: ${sample(current)}${current.benchmarks.length > 3 ? ', …' : ''}). ` +
      "pytest-benchmark names are relative to pytest's rootdir: run the same command on both sides from the checkout root, " +
      "and pass test paths relative to it (the action pins --rootdir to each checkout through PYTEST_ADDOPTS; a '--rootdir' " +
      'in the command must be relative, not an absolute path of one checkout).',
  );
}

/**
 * A re-run's benchmarks named as the PR run named them. The PR run's results may come from pytest with its own
 * rootdir (`test_x.py::t`, rootdir the package folder) while the re-run pins it to the checkout
 * (`pkg/test_x.py::t`): a name that ends like exactly one wanted name at a path boundary (or the other way round)
 * takes that name. The select plugin (rerun-benchmarks.ts) matches node ids by the same rule.
 */
export function alignBenchmarkNames(set: BenchmarkSet, wanted: readonly string[]): BenchmarkSet {
  const present = new Set(set.benchmarks.map((b) => b.name));
  const endAlike = (a: string, b: string) => a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
  const renames = new Map<string, string>();
  for (const name of wanted) {
    if (present.has(name)) continue;
    const alike = set.benchmarks.filter((b) => endAlike(b.name, name));
    // One to one only: a re-run name that ends like two wanted names, or a wanted name two re-run names end like, stays.
    if (alike.length === 1 && wanted.filter((other) => endAlike(alike[0].name, other)).length === 1)
      renames.set(alike[0].name, name);
  }
  return {
    ...set,
    benchmarks: set.benchmarks.map((b) => (renames.has(b.name) ? { ...b, name: renames.get(b.name)! } : b)),
  };
}
