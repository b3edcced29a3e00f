import type { DependencyEdge } from '../languages/index.ts';

/** One step of an explanation: `path`, reached because it depends on the previous step for `why`. */
export interface ChainStep {
  path: string;
  why: string;
}

/** How the closure reached a file: the edge it came through (undefined for a seed) and the seed's reason. */
interface Reached {
  via?: DependencyEdge;
  seedReason?: string;
  /** Import edges between the file and its seed (0 for a seed). */
  depth: number;
}

/** File dependencies with reverse lookup: who depends on a file, directly. */
export class DependencyGraph {
  private readonly dependents = new Map<string, DependencyEdge[]>();
  edgeCount = 0;
  private readonly stored?: (path: string) => readonly DependencyEdge[];

  /** `stored` gives the dependents kept in a graph snapshot (decoded on demand); added edges come after them. */
  constructor(stored?: { dependentsOf(path: string): readonly DependencyEdge[]; edgeCount: number }) {
    if (stored) {
      this.stored = (path) => stored.dependentsOf(path);
      this.edgeCount = stored.edgeCount;
    }
  }

  add(edge: DependencyEdge): void {
    const list = this.dependents.get(edge.to);
    if (list) list.push(edge);
    else this.dependents.set(edge.to, [edge]);
    this.edgeCount += 1;
  }

  dependentsOf(path: string): readonly DependencyEdge[] {
    const added = this.dependents.get(path) ?? [];
    if (!this.stored) return added;
    const stored = this.stored(path);
    return added.length ? [...stored, ...added] : stored;
  }

  /**
   * Everything that depends, directly or not, on a seed (the seeds included), breadth first so each file keeps its
   * shortest explanation. `extraDependents` adds edges known only at selection time (computed imports), after the
   * graph's own; it is told which files are reached already (an edge from one of them is never followed, so it may
   * leave it out).
   */
  reverseClosure(
    seeds: ReadonlyMap<string, string>,
    extraDependents?: (path: string, isReached: (path: string) => boolean) => DependencyEdge[],
  ): Closure {
    const reached = new Map<string, Reached>();
    const queue: string[] = [];
    for (const [path, reason] of seeds) {
      reached.set(path, { seedReason: reason, depth: 0 });
      queue.push(path);
    }
    const isReached = (path: string) => reached.has(path);
    const follow = (edges: readonly DependencyEdge[], depth: number) => {
      for (const edge of edges) {
        if (reached.has(edge.from)) continue;
        reached.set(edge.from, { via: edge, depth });
        queue.push(edge.from);
      }
    };
    for (let i = 0; i < queue.length; i++) {
      const path = queue[i];
      const depth = reached.get(path)!.depth + 1;
      follow(this.dependentsOf(path), depth);
      if (extraDependents) follow(extraDependents(path, isReached), depth);
    }
    return new Closure(reached);
  }
}

/** The result of a reverse closure, with the chain that explains each member. */
export class Closure {
  private readonly reached: Map<string, Reached>;
  constructor(reached: Map<string, Reached>) {
    this.reached = reached;
  }

  has(path: string): boolean {
    return this.reached.has(path);
  }

  /** Import edges on the shortest chain from `path` back to its seed (0 for a seed); undefined when not reached. */
  depth(path: string): number | undefined {
    return this.reached.get(path)?.depth;
  }

  files(): IterableIterator<string> {
    return this.reached.keys();
  }

  /** From `path` back to the changed file: each step says why it depends on the next. */
  chain(path: string): ChainStep[] {
    const steps: ChainStep[] = [];
    let current: string | undefined = path;
    for (let guard = 0; current !== undefined && guard < 10_000; guard++) {
      const reached = this.reached.get(current);
      if (!reached) break;
      if (reached.via) {
        steps.push({ path: current, why: reached.via.why });
        current = reached.via.to;
      } else {
        steps.push({ path: current, why: reached.seedReason ?? 'changed' });
        current = undefined;
      }
    }
    return steps;
  }

  /** The edges of the chain of `path` (to check what kind of link a selection relied on). */
  edges(path: string): DependencyEdge[] {
    const edges: DependencyEdge[] = [];
    let current: string | undefined = path;
    for (let guard = 0; current !== undefined && guard < 10_000; guard++) {
      const via: DependencyEdge | undefined = this.reached.get(current)?.via;
      if (!via) break;
      edges.push(via);
      current = via.to;
    }
    return edges;
  }
}

/** A chain as one line: `tests/test_a.py —imports pkg.a (line 2)→ pkg/a.py (modified)`. */
export function formatChain(steps: readonly ChainStep[]): string {
  if (steps.length === 0) return '';
  const parts: string[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (i === steps.length - 1) parts.push(`${step.path} (${step.why})`);
    else parts.push(`${step.path} ${step.why} →`);
  }
  return parts.join(' ');
}
