import { z } from 'zod';
import { definePlanner } from './types.js';
import { labelBags, nameRanks } from './types.js';


/** The defaults of this planner's options, in one place. */
const DEFAULTS = { percent: 25 } as const;

/**
 * ML-ROS (Charte et al. 2015): clone ⌊N·P/100⌋ images. Minority labels are those with
 * IRLbl > MeanIR of the original data; visit their bags round-robin (in label-name order), clone a
 * random image of the bag, update every count, and drop a bag once its label's IRLbl ≤ MeanIR
 * (checked before each clone, so no clone is spent on a label that has caught up through others).
 */
export const mlRos = definePlanner({
  name: 'ml-ros',
  summary: 'ML-ROS (Charte et al. 2015): clone random images of minority-label bags until the budget runs out',
  options: z.strictObject({ percent: z.number().positive().optional() }),
  defaults: DEFAULTS,
  plan: (matrix, options, rng) => {
  const percent = options.percent ?? DEFAULTS.percent;
  if (!(percent >= 0 && Number.isFinite(percent))) throw new RangeError(`ml-ros percent must be ≥ 0, got ${percent}`);
  const N = matrix.rows;
  const L = matrix.numLabels;
  const copies = new Int32Array(N);
  let budget = Math.floor((N * percent) / 100);
  const counts = matrix.counts();
  let maxCount = 0;
  for (const c of counts) maxCount = Math.max(maxCount, c);
  let meanIR = 0;
  let q = 0;
  for (const c of counts) {
    if (c > 0) {
      meanIR += maxCount / c;
      q++;
    }
  }
  if (q === 0) return { copies, warnings: [] };
  meanIR /= q;
  const ranks = nameRanks(matrix);
  const bags = labelBags(matrix);
  let active = Array.from({ length: L }, (_, l) => l)
    .filter((l) => counts[l] > 0 && maxCount / counts[l] > meanIR)
    .sort((a, b) => ranks[a] - ranks[b]);
  const { offsets, labels } = matrix.positives();
  while (budget > 0 && active.length > 0) {
    const still: number[] = [];
    for (const l of active) {
      if (budget === 0) {
        still.push(l);
        continue;
      }
      if (maxCount / counts[l] <= meanIR) continue;
      const bag = bags[l];
      const i = bag[rng.int(bag.length)];
      copies[i]++;
      budget--;
      for (let k = offsets[i]; k < offsets[i + 1]; k++) {
        const m = labels[k];
        counts[m]++;
        if (counts[m] > maxCount) maxCount = counts[m];
      }
      if (maxCount / counts[l] > meanIR) still.push(l);
    }
    active = still;
  }
  return { copies, warnings: [] };
  },
});
