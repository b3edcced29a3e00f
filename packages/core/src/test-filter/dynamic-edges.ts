import type { DependencyEdge, DynamicDependency } from '../languages/index.ts';

/** The reason on a computed import's edge (the run-all policy finds the call again by it). */
const dynamicEdgeWhy = (call: DynamicDependency) => `may load it at run time: ${call.text} (line ${call.line})`;

/** The ascending union of two ascending lists of indices without common members. */
function mergeAscending(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) out.push(a[i++]);
    else out.push(b[j++]);
  }
  return out;
}

/**
 * The edges computed imports add to a reverse closure (`DependencyGraph.reverseClosure`): for each file it reaches,
 * the calls that may load it (other than the file's own), in the calls' order, as edges from the calling file. A call
 * `skip` answers true for (the impact map's evidence bounds it) adds no edge; `onUnbounded` hears every unbounded call
 * that may load a reached file, with its edge's reason. Bounded calls that list their targets are looked up by file (a
 * call is asked about the files it may load, not about every file), and a bounded call from a file reached already is
 * not asked at all: its edge would not be followed. Edges from reached files are left out for the same reason. A call
 * that can add nothing more is not asked again: a bounded one from a reached file, and an unbounded one from a reached
 * file once heard (when no other call has its reason: hearing that reason again would name the other call last).
 */
export function dynamicDependents(
  calls: readonly DynamicDependency[],
  skip: (call: DynamicDependency) => boolean,
  onUnbounded: (why: string, call: DynamicDependency) => void,
): (path: string, isReached: (path: string) => boolean) => DependencyEdge[] {
  const whyOf = calls.map(dynamicEdgeWhy);
  const sameWhy = new Map<string, number>();
  for (const why of whyOf) sameWhy.set(why, (sameWhy.get(why) ?? 0) + 1);
  const heard = new Uint8Array(calls.length);
  let index: { everyFile: number[]; byTarget: Map<string, number[]> } | undefined;
  const indexCalls = () => {
    const everyFile: number[] = [];
    const byTarget = new Map<string, number[]>();
    calls.forEach((call, i) => {
      const targets = call.bounded ? call.targets?.() : undefined;
      if (!targets) {
        everyFile.push(i);
        return;
      }
      for (const path of targets) {
        const list = byTarget.get(path);
        if (list) list.push(i);
        else byTarget.set(path, [i]);
      }
    });
    return { everyFile, byTarget };
  };
  return (path, isReached) => {
    index ??= indexCalls();
    const listed = index.byTarget.get(path);
    const order = listed ? mergeAscending(index.everyFile, listed) : index.everyFile;
    const edges: DependencyEdge[] = [];
    let done = false;
    for (const i of order) {
      const call = calls[i];
      if (call.bounded && isReached(call.from)) {
        done = true;
        continue;
      }
      if (call.from === path || !call.mayLoad(path) || skip(call)) continue;
      if (!call.bounded) {
        onUnbounded(whyOf[i], call);
        heard[i] = 1;
      }
      if (!isReached(call.from)) edges.push({ from: call.from, to: path, why: whyOf[i], dynamic: true });
      else done = true;
    }
    if (done) {
      const finished = (i: number) =>
        isReached(calls[i].from) && (calls[i].bounded || (heard[i] === 1 && sameWhy.get(whyOf[i]) === 1));
      index.everyFile = index.everyFile.filter((i) => !finished(i));
    }
    return edges;
  };
}
