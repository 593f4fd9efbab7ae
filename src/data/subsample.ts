import type { LabelMatrix } from '../labels/matrix.js';
import type { Rng } from '../labels/rng.js';

export interface Subsample {
  /** Chosen rows, ascending. */
  indices: Int32Array;
  /** Realized count per label among the chosen rows. */
  counts: Int32Array;
  /** Labels whose target could not be met: the target and the positives the pool holds. */
  short: Array<{ label: number; target: number; available: number }>;
}

/**
 * Chooses rows so that each label's count approaches its target, rarest label first: a rare label's
 * images are taken before any common label's, because every image taken for it also counts towards
 * the common labels it carries. Among a label's images, those adding least to labels that already
 * reached their target are preferred (seeded order among equals). Common labels overshoot only when
 * co-occurrence forces it.
 */
export function subsampleToTargets(labels: LabelMatrix, targets: ArrayLike<number>, rng: Rng): Subsample {
  const L = labels.numLabels;
  if (targets.length !== L) throw new Error(`subsampleToTargets: ${targets.length} targets for ${L} labels`);
  const n = labels.rows;
  const { offsets, labels: flat } = labels.positives();
  const available = labels.counts();
  const chosen = new Uint8Array(n);
  const counts = new Int32Array(L);
  const short: Subsample['short'] = [];
  const byLabel: number[][] = Array.from({ length: L }, () => []);
  for (let i = 0; i < n; i++) for (let k = offsets[i]; k < offsets[i + 1]; k++) byLabel[flat[k]].push(i);
  const order = Array.from({ length: L }, (_, l) => l).sort((a, b) => targets[a] - targets[b] || a - b);
  for (const label of order) {
    const target = targets[label];
    if (counts[label] >= target) continue;
    const candidates = rng.shuffle(byLabel[label].filter((i) => !chosen[i]));
    const overshoot = (i: number): number => {
      let s = 0;
      for (let k = offsets[i]; k < offsets[i + 1]; k++) if (flat[k] !== label && counts[flat[k]] >= targets[flat[k]]) s++;
      return s;
    };
    const cost = new Map(candidates.map((i) => [i, overshoot(i)]));
    candidates.sort((a, b) => cost.get(a)! - cost.get(b)!);
    for (const i of candidates) {
      if (counts[label] >= target) break;
      chosen[i] = 1;
      for (let k = offsets[i]; k < offsets[i + 1]; k++) counts[flat[k]]++;
    }
    if (counts[label] < target) short.push({ label, target, available: available[label] });
  }
  const indices: number[] = [];
  for (let i = 0; i < n; i++) if (chosen[i]) indices.push(i);
  return { indices: Int32Array.from(indices), counts, short };
}
