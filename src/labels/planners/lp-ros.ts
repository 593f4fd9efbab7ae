import { z } from 'zod';
import type { LabelMatrix } from '../matrix.js';
import { definePlanner } from './types.js';

/** The defaults of this planner's options, in one place. */
const DEFAULTS = { percent: 25 } as const;

/**
 * LP-ROS, label-powerset random oversampling (Charte et al. 2015, "Addressing imbalance in multilabel
 * classification: measures and random resampling algorithms", Neurocomputing 163): images are grouped
 * by their exact label set; a label set is a minority when it has fewer images than the mean group
 * size N / |label sets|. The budget ⌊N·P/100⌋ is shared among the minority sets, visited from the
 * largest to the smallest: each gets min(⌊mean⌋ − size, its share of what is left), its share being
 * what is left divided by the sets still to visit, so what a set that fills up does not need passes
 * to the smaller ones. Clones are drawn uniformly, with replacement, from the set's own images.
 */
export const lpRos = definePlanner({
  name: 'lp-ros',
  summary: 'LP-ROS (Charte et al. 2015): clone images of minority label sets towards the mean label-set size, within the budget',
  options: z.strictObject({ percent: z.number().positive().optional() }),
  defaults: DEFAULTS,
  plan: (matrix, options, rng) => {
    const percent = options.percent ?? DEFAULTS.percent;
    if (!(percent >= 0 && Number.isFinite(percent))) throw new RangeError(`lp-ros percent must be ≥ 0, got ${percent}`);
    const N = matrix.rows;
    const copies = new Int32Array(N);
    const { starts, members } = labelSetGroups(matrix);
    const groups = starts.length - 1;
    if (groups === 0) return { copies, warnings: [] };
    const bags = Array.from({ length: groups }, (_, g) => members.subarray(starts[g], starts[g + 1]));
    const mean = N / bags.length;
    // Largest minority set first; equal sizes in order of their first image.
    const minority = bags.filter((b) => b.length < mean).sort((a, b) => b.length - a.length || a[0] - b[0]);
    let budget = Math.floor((N * percent) / 100);
    minority.forEach((bag, k) => {
      const share = Math.floor(budget / (minority.length - k));
      const clones = Math.min(Math.floor(mean) - bag.length, share);
      for (let c = 0; c < clones; c++) copies[bag[rng.int(bag.length)]]++;
      budget -= Math.max(0, clones);
    });
    return { copies, warnings: [] };
  },
});

/**
 * The images of each distinct label set, groups in order of their first image and images in order:
 * `members[starts[g] .. starts[g + 1])` are group g's. One pass with a hash table over the label lists
 * (no string keys: a million images take tens of milliseconds).
 */
export function labelSetGroups(matrix: LabelMatrix): { starts: Int32Array; members: Int32Array } {
  const N = matrix.rows;
  const { offsets, labels } = matrix.positives();
  let size = 1;
  while (size < 2 * N) size <<= 1;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1);
  const group = new Int32Array(N);
  const sizes: number[] = [];
  const same = (a: number, b: number): boolean => {
    const n = offsets[a + 1] - offsets[a];
    if (offsets[b + 1] - offsets[b] !== n) return false;
    for (let k = 0; k < n; k++) if (labels[offsets[a] + k] !== labels[offsets[b] + k]) return false;
    return true;
  };
  for (let i = 0; i < N; i++) {
    let h = 2166136261;
    for (let k = offsets[i]; k < offsets[i + 1]; k++) h = Math.imul(h ^ labels[k], 16777619);
    h = Math.imul(h ^ (offsets[i + 1] - offsets[i]), 16777619);
    for (let slot = (h >>> 0) & mask; ; slot = (slot + 1) & mask) {
      const q = table[slot];
      if (q === -1) {
        table[slot] = i;
        group[i] = sizes.length;
        sizes.push(1);
        break;
      }
      if (same(q, i)) {
        group[i] = group[q];
        sizes[group[q]]++;
        break;
      }
    }
  }
  const starts = new Int32Array(sizes.length + 1);
  for (let g = 0; g < sizes.length; g++) starts[g + 1] = starts[g] + sizes[g];
  const fill = starts.slice(0, sizes.length);
  const members = new Int32Array(N);
  for (let i = 0; i < N; i++) members[fill[group[i]]++] = i;
  return { starts, members };
}
