import type { RegressionTree } from './gbdt-model.ts';
import type { BinnedMatrix } from './quantile-bins.ts';

/** The per-tree settings of a grower. */
export interface TreeGrowthParams {
  readonly maxDepth: number;
  readonly minChildWeight: number;
  readonly lambda: number;
  readonly gamma: number;
  readonly eta: number;
}

/**
 * A grown tree plus, per internal node, the last slot that goes left (for scoring binned rows), and per node the
 * range [rangeStart, rangeEnd) of the grow() rows array that reached it (the rows of a leaf, without re-scoring).
 */
export interface GrownTree {
  readonly tree: RegressionTree;
  readonly splitSlot: Int32Array;
  readonly rangeStart: Uint32Array;
  readonly rangeEnd: Uint32Array;
}

/** XGBoost's kRtEps: a split must gain more than this to be made at all. */
const MIN_GAIN = 1e-6;

interface OpenNode {
  id: number;
  start: number;
  end: number;
  sumGrad: number;
  sumHess: number;
  hist: Float64Array;
  depth: number;
}

interface SplitChoice {
  gain: number;
  feature: number;
  cutIndex: number;
  defaultLeft: boolean;
  leftGrad: number;
  leftHess: number;
}

/**
 * Grows depthwise histogram trees on one binned matrix. Keeps its scratch buffers between trees, so one grower
 * serves the whole boosting run without re-allocating.
 */
export class TreeGrower {
  private readonly binned: BinnedMatrix;
  private readonly params: TreeGrowthParams;
  private readonly partitionScratch: Uint32Array;
  private readonly histPool: Float64Array[] = [];

  constructor(binned: BinnedMatrix, params: TreeGrowthParams) {
    this.binned = binned;
    this.params = params;
    this.partitionScratch = new Uint32Array(binned.rows);
  }

  /**
   * Grows one tree on the given rows (their order is changed: it is the working partition) over the given
   * features, from first and second derivatives of the loss.
   */
  grow(grad: Float64Array, hess: Float64Array, rows: Uint32Array, features: Int32Array): GrownTree {
    const { maxDepth, lambda, eta } = this.params;
    const nodes = new NodeList();
    let sumGrad = 0;
    let sumHess = 0;
    for (let i = 0; i < rows.length; i++) {
      sumGrad += grad[rows[i]];
      sumHess += hess[rows[i]];
    }
    const rootHist = this.takeHist();
    this.buildHist(rootHist, grad, hess, rows, 0, rows.length, features);
    nodes.add();
    let level: OpenNode[] = [{ id: 0, start: 0, end: rows.length, sumGrad, sumHess, hist: rootHist, depth: 0 }];
    while (level.length > 0) {
      const next: OpenNode[] = [];
      for (const node of level) {
        const weight = -node.sumGrad / (node.sumHess + lambda);
        nodes.sumHess[node.id] = node.sumHess;
        nodes.weight[node.id] = weight;
        nodes.rangeStart[node.id] = node.start;
        nodes.rangeEnd[node.id] = node.end;
        const split = node.depth < maxDepth ? this.findSplit(node, features) : null;
        if (!split) {
          nodes.makeLeaf(node.id, eta * weight);
          this.histPool.push(node.hist);
          continue;
        }
        const { binOffset, cuts } = this.binned;
        const slot = binOffset[split.feature] + split.cutIndex;
        const mid = this.partition(rows, node.start, node.end, split.feature, slot, split.defaultLeft);
        const leftId = nodes.add();
        const rightId = nodes.add();
        nodes.setSplit(node.id, {
          left: leftId,
          right: rightId,
          feature: split.feature,
          condition: cuts[split.feature][split.cutIndex],
          defaultLeft: split.defaultLeft,
          lossChange: split.gain,
          slot,
        });
        const left: OpenNode = {
          id: leftId,
          start: node.start,
          end: mid,
          sumGrad: split.leftGrad,
          sumHess: split.leftHess,
          hist: node.hist,
          depth: node.depth + 1,
        };
        const right: OpenNode = {
          id: rightId,
          start: mid,
          end: node.end,
          sumGrad: node.sumGrad - split.leftGrad,
          sumHess: node.sumHess - split.leftHess,
          hist: node.hist,
          depth: node.depth + 1,
        };
        // Histogram subtraction: scan only the smaller child; the larger one is parent minus smaller.
        const smaller = mid - node.start <= node.end - mid ? left : right;
        const larger = smaller === left ? right : left;
        smaller.hist = this.takeHist();
        this.buildHist(smaller.hist, grad, hess, rows, smaller.start, smaller.end, features);
        subtractInto(node.hist, smaller.hist);
        larger.hist = node.hist;
        next.push(left, right);
      }
      level = next;
    }
    if (this.params.gamma > 0) pruneBelowGamma(nodes, 0, this.params.gamma, eta);
    return nodes.compact();
  }

  private takeHist(): Float64Array {
    const hist = this.histPool.pop();
    if (hist) {
      hist.fill(0);
      return hist;
    }
    return new Float64Array(this.binned.totalSlots * 2);
  }

  private buildHist(
    hist: Float64Array,
    grad: Float64Array,
    hess: Float64Array,
    rows: Uint32Array,
    start: number,
    end: number,
    features: Int32Array,
  ): void {
    const { slots, cols } = this.binned;
    const nf = features.length;
    let i = start;
    if (nf === cols) {
      // Two rows at a time: their updates are independent, so the CPU overlaps them instead of waiting on each
      // read-modify-write of the histogram (about twice as fast in V8).
      for (; i + 1 < end; i += 2) {
        const r0 = rows[i];
        const r1 = rows[i + 1];
        const g0 = grad[r0];
        const h0 = hess[r0];
        const g1 = grad[r1];
        const h1 = hess[r1];
        let p0 = r0 * cols;
        let p1 = r1 * cols;
        const stop = p0 + cols;
        for (; p0 < stop; p0++, p1++) {
          let s = slots[p0] << 1;
          hist[s] += g0;
          hist[s + 1] += h0;
          s = slots[p1] << 1;
          hist[s] += g1;
          hist[s + 1] += h1;
        }
      }
    }
    for (; i < end; i++) {
      const r = rows[i];
      const g = grad[r];
      const h = hess[r];
      const base = r * cols;
      for (let k = 0; k < nf; k++) {
        const s = slots[base + features[k]] << 1;
        hist[s] += g;
        hist[s + 1] += h;
      }
    }
  }

  private findSplit(node: OpenNode, features: Int32Array): SplitChoice | null {
    const { lambda, minChildWeight } = this.params;
    const { binOffset } = this.binned;
    const { hist, sumGrad: G, sumHess: H } = node;
    if (H < 2 * minChildWeight) return null;
    const parentGain = (G * G) / (H + lambda);
    let best: SplitChoice | null = null;
    let bestGain = MIN_GAIN;
    for (let k = 0; k < features.length; k++) {
      const f = features[k];
      const off = binOffset[f];
      const valueBins = binOffset[f + 1] - off - 1;
      const missing = (off + valueBins) << 1;
      const gm = hist[missing];
      const hm = hist[missing + 1];
      let gl = 0;
      let hl = 0;
      for (let j = 0; j < valueBins - 1; j++) {
        const s = (off + j) << 1;
        gl += hist[s];
        hl += hist[s + 1];
        // Missing values go right.
        let hr = H - hl;
        if (hl >= minChildWeight && hr >= minChildWeight && hl > 0 && hr > 0) {
          const gr = G - gl;
          const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentGain;
          if (gain > bestGain) {
            bestGain = gain;
            best = { gain, feature: f, cutIndex: j, defaultLeft: false, leftGrad: gl, leftHess: hl };
          }
        }
        if (hm > 0) {
          // Missing values go left.
          const gl2 = gl + gm;
          const hl2 = hl + hm;
          hr = H - hl2;
          if (hl2 >= minChildWeight && hr >= minChildWeight && hr > 0) {
            const gr = G - gl2;
            const gain = (gl2 * gl2) / (hl2 + lambda) + (gr * gr) / (hr + lambda) - parentGain;
            if (gain > bestGain) {
              bestGain = gain;
              best = { gain, feature: f, cutIndex: j, defaultLeft: true, leftGrad: gl2, leftHess: hl2 };
            }
          }
        }
      }
    }
    return best;
  }

  /** Stable in-place partition of rows[start, end); returns the first index of the right part. */
  private partition(
    rows: Uint32Array,
    start: number,
    end: number,
    feature: number,
    slot: number,
    defaultLeft: boolean,
  ): number {
    const { slots, cols, binOffset } = this.binned;
    const missing = binOffset[feature + 1] - 1;
    const scratch = this.partitionScratch;
    let l = start;
    let n = 0;
    for (let i = start; i < end; i++) {
      const r = rows[i];
      const s = slots[r * cols + feature];
      if (s === missing ? defaultLeft : s <= slot) rows[l++] = r;
      else scratch[n++] = r;
    }
    rows.set(scratch.subarray(0, n), l);
    return l;
  }
}

function subtractInto(parent: Float64Array, child: Float64Array): void {
  for (let i = 0; i < parent.length; i++) parent[i] -= child[i];
}

/** XGBoost's pruner: a split whose children are both leaves and whose gain is below gamma becomes a leaf, bottom-up. */
function pruneBelowGamma(nodes: NodeList, id: number, gamma: number, eta: number): void {
  if (nodes.left[id] === -1) return;
  pruneBelowGamma(nodes, nodes.left[id], gamma, eta);
  pruneBelowGamma(nodes, nodes.right[id], gamma, eta);
  const leftIsLeaf = nodes.left[nodes.left[id]] === -1;
  const rightIsLeaf = nodes.left[nodes.right[id]] === -1;
  if (leftIsLeaf && rightIsLeaf && nodes.lossChange[id] < gamma) nodes.makeLeaf(id, eta * nodes.weight[id]);
}

/** Growable node arrays in creation (breadth-first) order, as XGBoost numbers them. */
class NodeList {
  left: number[] = [];
  right: number[] = [];
  feature: number[] = [];
  condition: number[] = [];
  defaultLeft: number[] = [];
  weight: number[] = [];
  leafValue: number[] = [];
  lossChange: number[] = [];
  sumHess: number[] = [];
  slot: number[] = [];
  rangeStart: number[] = [];
  rangeEnd: number[] = [];

  add(): number {
    const id = this.left.length;
    this.left.push(-1);
    this.right.push(-1);
    this.feature.push(0);
    this.condition.push(0);
    this.defaultLeft.push(0);
    this.weight.push(0);
    this.leafValue.push(0);
    this.lossChange.push(0);
    this.sumHess.push(0);
    this.slot.push(-1);
    this.rangeStart.push(0);
    this.rangeEnd.push(0);
    return id;
  }

  makeLeaf(id: number, value: number): void {
    this.left[id] = -1;
    this.right[id] = -1;
    this.feature[id] = 0;
    this.defaultLeft[id] = 0;
    this.lossChange[id] = 0;
    this.slot[id] = -1;
    this.leafValue[id] = value;
  }

  setSplit(
    id: number,
    s: {
      left: number;
      right: number;
      feature: number;
      condition: number;
      defaultLeft: boolean;
      lossChange: number;
      slot: number;
    },
  ): void {
    this.left[id] = s.left;
    this.right[id] = s.right;
    this.feature[id] = s.feature;
    this.condition[id] = s.condition;
    this.defaultLeft[id] = s.defaultLeft ? 1 : 0;
    this.lossChange[id] = s.lossChange;
    this.slot[id] = s.slot;
  }

  /** Typed arrays of the nodes still reachable from the root (pruning can orphan some), renumbered in order. */
  compact(): GrownTree {
    const keep: number[] = [];
    const visit = (id: number): void => {
      keep.push(id);
      if (this.left[id] !== -1) {
        visit(this.left[id]);
        visit(this.right[id]);
      }
    };
    visit(0);
    keep.sort((a, b) => a - b);
    const newId = new Map<number, number>(keep.map((id, i) => [id, i]));
    const n = keep.length;
    const tree = {
      left: new Int32Array(n),
      right: new Int32Array(n),
      splitFeature: new Int32Array(n),
      splitCondition: new Float32Array(n),
      defaultLeft: new Uint8Array(n),
      baseWeight: new Float32Array(n),
      lossChange: new Float32Array(n),
      sumHessian: new Float32Array(n),
    };
    const splitSlot = new Int32Array(n).fill(-1);
    const rangeStart = new Uint32Array(n);
    const rangeEnd = new Uint32Array(n);
    keep.forEach((id, i) => {
      rangeStart[i] = this.rangeStart[id];
      rangeEnd[i] = this.rangeEnd[id];
      const isLeaf = this.left[id] === -1;
      tree.left[i] = isLeaf ? -1 : newId.get(this.left[id])!;
      tree.right[i] = isLeaf ? -1 : newId.get(this.right[id])!;
      tree.splitFeature[i] = this.feature[id];
      tree.splitCondition[i] = isLeaf ? this.leafValue[id] : this.condition[id];
      tree.defaultLeft[i] = this.defaultLeft[id];
      tree.baseWeight[i] = isLeaf ? this.leafValue[id] : this.weight[id];
      tree.lossChange[i] = this.lossChange[id];
      tree.sumHessian[i] = this.sumHess[id];
      splitSlot[i] = this.slot[id];
    });
    return { tree, splitSlot, rangeStart, rangeEnd };
  }
}
