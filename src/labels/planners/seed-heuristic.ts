import { z } from 'zod';
import { definePlanner } from './types.js';

/**
 * The seed pipeline's loop, reproduced as written: max_needed = max over labels of
 * max_count / (count + 1e-6); copies_i = floor(max_needed · mean(labels_i)). It duplicates an image
 * by how many labels it carries, not by how rare they are, and a label with no images makes
 * max_needed ~10⁶·max_count — such a plan is refused with an error rather than materialised.
 */
export const seedHeuristic = definePlanner({
  name: 'seed-heuristic',
  summary: "the seed pipeline's loop: copies by how many labels an image carries",
  options: z.strictObject({}),
  defaults: {},
  plan: (matrix) => {
  const counts = matrix.counts();
  const L = matrix.numLabels;
  let maxCount = 0;
  for (const c of counts) maxCount = Math.max(maxCount, c);
  let maxNeeded = 0;
  for (const c of counts) maxNeeded = Math.max(maxNeeded, maxCount / (c + 1e-6));
  const copies = new Int32Array(matrix.rows);
  const warnings: string[] = [];
  if (L === 0) return { copies, warnings };
  const { offsets } = matrix.positives();
  let total = 0;
  for (let i = 0; i < matrix.rows; i++) {
    copies[i] = Math.min(0x7fffffff, Math.floor((maxNeeded * (offsets[i + 1] - offsets[i])) / L));
    total += copies[i];
  }
  // Refuse rather than exhaust memory: a label with no images makes the loop ask for millions of copies.
  if (total > MAX_GROWTH * matrix.rows) {
    const empty = matrix.labels.filter((_, l) => counts[l] === 0);
    throw new RangeError(
      `seed-heuristic would add ${total} copies to ${matrix.rows} images (max_needed = ${maxNeeded.toPrecision(4)}` +
        (empty.length ? `, because ${empty.join(', ')} ${empty.length === 1 ? 'has' : 'have'} no images` : '') +
        `); refusing to grow the set more than ${MAX_GROWTH}×`,
    );
  }
  return { copies, warnings };
  },
});

const MAX_GROWTH = 100;
