import { describe, expect, it } from 'vitest';
import type { DynamicDependency } from '@ci-optimizer/core/languages';
import { dynamicDependents } from '../../packages/core/src/test-filter/dynamic-edges.ts';
import { DependencyGraph } from '../../packages/core/src/test-filter/graph.ts';

/** An unbounded computed import in `from` (it may load any file), counting how often it is asked. */
function unboundedCall(from: string, asked: Map<string, number>, text = 'import_module(name)'): DynamicDependency {
  return {
    from,
    line: 3,
    text,
    bounded: false,
    mayLoad: () => {
      asked.set(from, (asked.get(from) ?? 0) + 1);
      return true;
    },
  };
}

/** The reverse closure from `seed` over the computed imports alone, and what `onUnbounded` heard last per reason. */
function closureOf(calls: DynamicDependency[], seed: string) {
  const heard = new Map<string, DynamicDependency>();
  const everyHeard = new Set<DynamicDependency>();
  const edges = dynamicDependents(
    calls,
    () => false,
    (why, call) => {
      heard.set(why, call);
      everyHeard.add(call);
    },
  );
  const closure = new DependencyGraph().reverseClosure(new Map([[seed, 'changed']]), edges);
  return { closure, heard, everyHeard };
}

// The edges computed imports add to a closure: a call that can add nothing more (its file reached, and heard once) is
// not asked about the files reached after it. That must change nothing the selection reads.
describe('the edges of computed imports in a reverse closure', () => {
  it('hears every unbounded call and asks it no more once its file is reached', () => {
    const asked = new Map<string, number>();
    const files = Array.from({ length: 30 }, (_, i) => `pkg/m${i}.py`);
    const calls = files.map((file, i) => unboundedCall(file, asked, `import_module(name${i})`));
    const { closure, everyHeard } = closureOf(calls, 'pkg/changed.py');
    expect([...closure.files()].sort()).toEqual(['pkg/changed.py', ...files].sort());
    expect(everyHeard.size).toBe(30);
    for (const file of files) expect(closure.chain(file)[0].why).toContain('may load it at run time');
    // Asked about the changed file, then (all files reached) about the first file reached only: not about the other 29.
    const asks = [...asked.values()].reduce((a, b) => a + b, 0);
    expect(asks).toBe(30 + 29);
  });

  it('keeps asking calls that share a reason: the one heard last is the one a reason names', () => {
    const asked = new Map<string, number>();
    // Two calls with the same text on the same line of two files: one reason for both.
    const calls = [unboundedCall('pkg/a.py', asked), unboundedCall('pkg/b.py', asked)];
    const { closure, heard } = closureOf(calls, 'pkg/changed.py');
    expect([...closure.files()]).toEqual(['pkg/changed.py', 'pkg/a.py', 'pkg/b.py']);
    // changed.py hears a then b; a.py (reached) hears b; b.py hears a last.
    expect([...heard.values()].map((call) => call.from)).toEqual(['pkg/a.py']);
  });
});
