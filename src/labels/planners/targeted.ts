import type { Planner, PlanOptions } from './types.js';
import { labelBags, nameRanks } from './types.js';

/**
 * Targeted oversampling: repeatedly take the label with the largest remaining deficit (ties by
 * name), copy one image that carries it, and count the copy for every label of that image. Among
 * the label's images it prefers those with the fewest other labels already at their target — a
 * copy of such an image adds no collateral growth to labels that no longer need it — and picks one
 * of them with the seeded RNG. Stops when every label with images reaches its target, when the
 * set would exceed `maxGrowth` × its original size, or when no label that still needs copies has
 * an image to copy.
 *
 * Costs change only when a label reaches its target (at most L times), so each label's preferred
 * images are recomputed lazily, only when it is picked after such an event.
 */
export const targeted: Planner = (matrix, options, rng) => {
  const N = matrix.rows;
  const L = matrix.numLabels;
  const maxGrowth = options.maxGrowth ?? 3;
  if (!(maxGrowth >= 1 && Number.isFinite(maxGrowth))) throw new RangeError(`maxGrowth must be a number ≥ 1, got ${maxGrowth}`);
  const counts = matrix.counts();
  const target = resolveTarget(counts, options.target ?? 'max');
  const copies = new Int32Array(N);
  const warnings: string[] = [];
  const maxAdded = Math.floor((maxGrowth - 1) * N);

  const ranks = nameRanks(matrix);
  const deficit = new Float64Array(L);
  for (let l = 0; l < L; l++) deficit[l] = counts[l] > 0 ? Math.max(0, target - counts[l]) : 0;
  const empty = matrix.labels.filter((_, l) => counts[l] === 0);
  if (empty.length > 0) warnings.push(`no image to copy for ${empty.join(', ')} (no images); left at 0`);

  const heap = new LabelHeap(L, (a, b) => deficit[a] > deficit[b] || (deficit[a] === deficit[b] && ranks[a] < ranks[b]));
  for (let l = 0; l < L; l++) if (deficit[l] > 0) heap.push(l);

  const saturated = new Uint8Array(L);
  for (let l = 0; l < L; l++) saturated[l] = counts[l] >= target ? 1 : 0;
  let events = 0;
  const bags = labelBags(matrix);
  const preferred: Array<Int32Array | undefined> = new Array(L);
  const preferredAt = new Int32Array(L).fill(-1);
  const { offsets, labels } = matrix.positives();

  let added = 0;
  while (added < maxAdded && heap.size > 0) {
    const l = heap.peek();
    if (preferredAt[l] !== events) {
      preferred[l] = leastCollateral(bags[l], l, offsets, labels, saturated);
      preferredAt[l] = events;
    }
    const candidates = preferred[l]!;
    const i = candidates[rng.int(candidates.length)];
    copies[i]++;
    added++;
    for (let k = offsets[i]; k < offsets[i + 1]; k++) {
      const m = labels[k];
      counts[m]++;
      if (deficit[m] > 0) {
        deficit[m] = Math.max(0, deficit[m] - 1);
        if (deficit[m] === 0) {
          heap.remove(m);
          saturated[m] = 1;
          events++;
        } else {
          heap.sink(m);
        }
      }
    }
  }
  if (heap.size > 0) {
    warnings.push(`stopped at the growth cap (${maxGrowth}× the original ${N} images) with ${heap.size} label(s) below target`);
  }
  return { copies, warnings };
};

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

function leastCollateral(bag: Int32Array, l: number, offsets: Int32Array, labels: Int32Array, saturated: Uint8Array): Int32Array {
  let best = Infinity;
  const cost = new Int32Array(bag.length);
  for (let j = 0; j < bag.length; j++) {
    const i = bag[j];
    let c = 0;
    for (let k = offsets[i]; k < offsets[i + 1]; k++) if (labels[k] !== l && saturated[labels[k]]) c++;
    cost[j] = c;
    if (c < best) best = c;
  }
  let n = 0;
  for (let j = 0; j < bag.length; j++) if (cost[j] === best) n++;
  const out = new Int32Array(n);
  n = 0;
  for (let j = 0; j < bag.length; j++) if (cost[j] === best) out[n++] = bag[j];
  return out;
}

/** A binary heap of label indices with position tracking, for remove and re-ordering after a key drops. */
class LabelHeap {
  private readonly items: Int32Array;
  private readonly pos: Int32Array;
  size = 0;
  constructor(
    capacity: number,
    private readonly before: (a: number, b: number) => boolean,
  ) {
    this.items = new Int32Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
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
  /** Restore order after l's key moved later (its deficit dropped). */
  sink(l: number): void {
    if (this.pos[l] >= 0) this.down(this.pos[l]);
  }
  private swap(a: number, b: number): void {
    const x = this.items[a];
    const y = this.items[b];
    this.items[a] = y;
    this.items[b] = x;
    this.pos[y] = a;
    this.pos[x] = b;
  }
  private up(p: number): void {
    while (p > 0) {
      const parent = (p - 1) >> 1;
      if (!this.before(this.items[p], this.items[parent])) break;
      this.swap(p, parent);
      p = parent;
    }
  }
  private down(p: number): void {
    for (;;) {
      const a = 2 * p + 1;
      const b = a + 1;
      let best = p;
      if (a < this.size && this.before(this.items[a], this.items[best])) best = a;
      if (b < this.size && this.before(this.items[b], this.items[best])) best = b;
      if (best === p) return;
      this.swap(p, best);
      p = best;
    }
  }
}
