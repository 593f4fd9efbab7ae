import type { Planner } from './types.js';

/**
 * The seed plan's loop, reproduced as written: max_needed = max over labels of
 * max_count / (count + 1e-6); copies_i = floor(max_needed · mean(labels_i)). It duplicates an image
 * by how many labels it carries, not by how rare they are, and a label with no images makes
 * max_needed ~10⁶·max_count.
 */
export const seedHeuristic: Planner = (matrix) => {
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
    const c = Math.floor((maxNeeded * (offsets[i + 1] - offsets[i])) / L);
    total += c;
    if (c > 0x7fffffff || total > 1e9) {
      const empty = matrix.labels.filter((_, l) => counts[l] === 0);
      throw new RangeError(
        `seed-heuristic would add more than 10⁹ images (max_needed = ${maxNeeded.toExponential(3)}` +
          (empty.length ? `, because ${empty.join(', ')} ${empty.length === 1 ? 'has' : 'have'} no images` : '') +
          ')',
      );
    }
    copies[i] = c;
  }
  return { copies, warnings };
};
