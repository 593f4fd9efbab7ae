import { z } from 'zod';
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
    // Group images by label set, in order of first appearance.
    const { offsets, labels } = matrix.positives();
    const groupOf = new Map<string, number[]>();
    for (let i = 0; i < N; i++) {
      const key = Array.from(labels.subarray(offsets[i], offsets[i + 1])).join(',');
      const bag = groupOf.get(key);
      if (bag) bag.push(i);
      else groupOf.set(key, [i]);
    }
    const bags = [...groupOf.values()];
    if (bags.length === 0) return { copies, warnings: [] };
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
