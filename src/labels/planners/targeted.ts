import { z } from 'zod';
import { definePlanner, type PlanOptions } from './types.js';
import { nameRanks } from './types.js';
import type { Rng } from '../rng.js';


/** The defaults of this planner's options, in one place. */
const DEFAULTS = { target: 'max', maxGrowth: 3 } as const;

/**
 * Targeted oversampling: repeatedly take the label with the largest remaining deficit (ties by
 * name), copy one image that carries it, and count the copy for every label of that image. Among
 * the label's images it prefers those with the fewest other labels already at their target — a
 * copy of such an image adds no collateral growth to labels that no longer need it — and picks one
 * of them with the seeded RNG. Stops when every label with images reaches its target, when the
 * set would exceed `maxGrowth` × its original size, or when no label that still needs copies has
 * an image to copy.
 *
 * Costs change only when a label reaches its target; they are refreshed lazily (see `pick`).
 */
export const targeted = definePlanner({
  name: 'targeted',
  summary: 'copy images of the label with the largest deficit until every label reaches its target',
  options: z.strictObject({ target: z.union([z.enum(['max', 'mean', 'median']), z.number().positive()], { error: 'expected "max", "mean", "median" or a positive number' }).optional(), maxGrowth: z.number().min(1).optional() }),
  defaults: DEFAULTS,
  plan: (matrix, options, rng) => {
  const N = matrix.rows;
  const L = matrix.numLabels;
  const maxGrowth = options.maxGrowth ?? DEFAULTS.maxGrowth;
  if (!(maxGrowth >= 1 && Number.isFinite(maxGrowth))) throw new RangeError(`maxGrowth must be a number ≥ 1, got ${maxGrowth}`);
  const counts = matrix.counts();
  const target = resolveTarget(counts, options.target ?? DEFAULTS.target);
  const copies = new Int32Array(N);
  const warnings: string[] = [];
  const maxAdded = Math.floor((maxGrowth - 1) * N);

  const ranks = nameRanks(matrix);
  const deficit = new Float64Array(L);
  for (let l = 0; l < L; l++) deficit[l] = counts[l] > 0 ? Math.max(0, target - counts[l]) : 0;
  const empty = matrix.labels.filter((_, l) => counts[l] === 0);
  if (empty.length > 0) warnings.push(`no image to copy for ${empty.join(', ')} (no images); left at 0`);

  // One number orders the labels: larger deficit first, then earlier name.
  const priority = new Float64Array(L);
  for (let l = 0; l < L; l++) priority[l] = deficit[l] * L + (L - 1 - ranks[l]);
  const heap = new LabelHeap(priority);
  for (let l = 0; l < L; l++) if (deficit[l] > 0) heap.push(l);

  const saturated = new Uint8Array(L);
  for (let l = 0; l < L; l++) saturated[l] = counts[l] >= target ? 1 : 0;
  const { offsets, labels } = matrix.positives();
  const bags = new CollateralBags(offsets, labels, L, saturated);

  // Picks are logged and counted at the end: one random write fewer per copy.
  const picks = new Int32Array(Math.min(maxAdded, totalDeficit(deficit)));
  let added = 0;
  while (added < maxAdded && heap.size > 0) {
    const l = heap.peek();
    const i = bags.pick(l, rng);
    picks[added++] = i;
    for (let k = bags.firstLabel; k < bags.endLabel; k++) {
      const m = labels[k];
      counts[m]++;
      if (deficit[m] > 0) {
        deficit[m] -= 1;
        priority[m] -= L;
        if (deficit[m] === 0) {
          heap.remove(m);
          saturated[m] = 1;
        } else {
          heap.sink(m);
        }
      }
    }
  }
  for (let r = 0; r < added; r++) copies[picks[r]]++;
  if (heap.size > 0) {
    warnings.push(`stopped at the growth cap (${maxGrowth}× the original ${N} images) with ${heap.size} label(s) below target`);
  }
  return { copies, warnings };
  },
});

/**
 * Each label's images ordered by collateral cost (how many of the image's other labels are already
 * at target), kept as contiguous cost buckets so that moving an image one bucket up is O(1) — the
 * bucket-boundary trick of k-core peeling. A bag entry packs what a pick needs (image, where its
 * labels start, how many) into one record, so a pick reads one record and one run of labels.
 */
class CollateralBags {
  /** Bag of label l: records bagStart[l] .. bagStart[l+1]), each [image, first label index, end label index, CSR entry]. */
  private readonly records: Int32Array;
  private readonly bagStart: Int32Array;
  /** Record position (inside its label's bag) of CSR entry k. */
  private readonly slot: Int32Array;
  private readonly cost: Int32Array;
  /** bound[l·(B+1) + c]: offset inside bag l where cost bucket c starts; bound[l·(B+1) + B] = bag size. */
  private readonly bound: Int32Array;
  private readonly B: number;
  /** The CSR range of the labels of the image returned by the last pick. */
  firstLabel = 0;
  endLabel = 0;

  constructor(
    offsets: Int32Array,
    private readonly labels: Int32Array,
    L: number,
    /** The caller's live record of which labels have reached their target. */
    private readonly saturated: Uint8Array,
  ) {
    const n = offsets.length - 1;
    const nnz = labels.length;
    let maxK = 1;
    for (let i = 0; i < n; i++) maxK = Math.max(maxK, offsets[i + 1] - offsets[i]);
    const B = (this.B = maxK);
    this.cost = new Int32Array(nnz);
    for (let i = 0; i < n; i++) {
      let sat = 0;
      for (let k = offsets[i]; k < offsets[i + 1]; k++) sat += saturated[labels[k]];
      for (let k = offsets[i]; k < offsets[i + 1]; k++) this.cost[k] = sat - saturated[labels[k]];
    }
    // Counting sort of the entries by (label, cost), stable in image order.
    this.bound = new Int32Array(L * (B + 1));
    for (let k = 0; k < nnz; k++) this.bound[labels[k] * (B + 1) + this.cost[k] + 1]++;
    this.bagStart = new Int32Array(L + 1);
    for (let l = 0; l < L; l++) {
      let acc = 0;
      for (let c = 0; c <= B; c++) {
        acc += this.bound[l * (B + 1) + c];
        this.bound[l * (B + 1) + c] = acc;
      }
      this.bagStart[l + 1] = this.bagStart[l] + acc;
    }
    this.records = new Int32Array(nnz * 4);
    this.slot = new Int32Array(nnz);
    const fill = new Int32Array(L * (B + 1));
    for (let i = 0; i < n; i++) {
      for (let k = offsets[i]; k < offsets[i + 1]; k++) {
        const l = labels[k];
        const b = l * (B + 1) + this.cost[k];
        const p = this.bound[b] + fill[b]++;
        const r = (this.bagStart[l] + p) * 4;
        this.records[r] = i;
        this.records[r + 1] = offsets[i];
        this.records[r + 2] = offsets[i + 1];
        this.records[r + 3] = k;
        this.slot[k] = p;
      }
    }
  }

  /**
   * A seeded choice among label l's images of least collateral cost. Stored costs are refreshed
   * lazily: a label reaching its target raises the true cost of every image carrying it, but an
   * entry is moved up only when a pick lands on it. Stored costs never exceed true ones, so an
   * entry whose stored cost is the lowest non-empty bucket and matches its true cost is a least-cost
   * image; redrawing after each stale entry keeps the choice uniform among them.
   */
  pick(l: number, rng: Rng): number {
    const base = l * (this.B + 1);
    const bag = this.bagStart[l];
    const { records, labels, saturated } = this;
    for (;;) {
      let c = 0;
      while (this.bound[base + c + 1] === this.bound[base + c]) c++;
      const from = this.bound[base + c];
      const r = (bag + from + rng.int(this.bound[base + c + 1] - from)) * 4;
      const first = records[r + 1];
      const end = records[r + 2];
      let cost = 0;
      for (let k = first; k < end; k++) cost += saturated[labels[k]];
      cost -= saturated[l];
      if (cost === c) {
        this.firstLabel = first;
        this.endLabel = end;
        return records[r];
      }
      const k = records[r + 3];
      while (this.cost[k] < cost) this.raise(k);
    }
  }

  private raise(k: number): void {
    const l = this.labels[k];
    const c = this.cost[k];
    const b = l * (this.B + 1) + c + 1;
    const last = this.bound[b] - 1;
    const bag = this.bagStart[l];
    const p = this.slot[k];
    const from = (bag + p) * 4;
    const to = (bag + last) * 4;
    const other = this.records[to + 3];
    for (let j = 0; j < 4; j++) {
      const t = this.records[from + j];
      this.records[from + j] = this.records[to + j];
      this.records[to + j] = t;
    }
    this.slot[other] = p;
    this.slot[k] = last;
    this.bound[b]--;
    this.cost[k] = c + 1;
  }
}

function totalDeficit(deficit: Float64Array): number {
  let sum = 0;
  for (const d of deficit) sum += d;
  return sum;
}

/** The per-label target count; every label with images is raised to it. */
export function resolveTarget(counts: Int32Array, target: NonNullable<PlanOptions['target']>): number {
  const present = Array.from(counts).filter((c) => c > 0).sort((a, b) => a - b);
  if (typeof target === 'number') {
    if (!(target >= 0 && Number.isFinite(target))) throw new RangeError(`target must be max, mean, median or a count ≥ 0, got ${target}`);
    return Math.ceil(target);
  }
  if (present.length === 0) return 0;
  switch (target) {
    case 'max':
      return present[present.length - 1];
    case 'mean':
      return Math.ceil(present.reduce((a, b) => a + b, 0) / present.length);
    case 'median': {
      const mid = present.length >> 1;
      return present.length % 2 ? present[mid] : Math.ceil((present[mid - 1] + present[mid]) / 2);
    }
    default:
      throw new RangeError(`target must be max, mean, median or a count ≥ 0, got ${String(target)}`);
  }
}

/** A binary max-heap of label indices by `priority`, with positions, for remove and re-ordering after a key drops. */
class LabelHeap {
  private readonly items: Int32Array;
  private readonly pos: Int32Array;
  size = 0;
  constructor(private readonly priority: Float64Array) {
    this.items = new Int32Array(priority.length);
    this.pos = new Int32Array(priority.length).fill(-1);
  }
  peek(): number {
    return this.items[0];
  }
  push(l: number): void {
    this.items[this.size] = l;
    this.pos[l] = this.size++;
    this.up(this.pos[l]);
  }
  remove(l: number): void {
    const p = this.pos[l];
    if (p < 0) return;
    const last = this.items[--this.size];
    this.pos[l] = -1;
    if (p === this.size) return;
    this.items[p] = last;
    this.pos[last] = p;
    this.up(p);
    this.down(this.pos[last]);
  }
  /** Restore order after l's priority dropped. */
  sink(l: number): void {
    if (this.pos[l] >= 0) this.down(this.pos[l]);
  }
  private up(p: number): void {
    const { items, pos, priority } = this;
    const l = items[p];
    while (p > 0) {
      const parent = (p - 1) >> 1;
      if (priority[items[parent]] >= priority[l]) break;
      items[p] = items[parent];
      pos[items[p]] = p;
      p = parent;
    }
    items[p] = l;
    pos[l] = p;
  }
  private down(p: number): void {
    const { items, pos, priority } = this;
    const l = items[p];
    const key = priority[l];
    for (;;) {
      let child = 2 * p + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && priority[items[child + 1]] > priority[items[child]]) child++;
      if (priority[items[child]] <= key) break;
      items[p] = items[child];
      pos[items[p]] = p;
      p = child;
    }
    items[p] = l;
    pos[l] = p;
  }
}
