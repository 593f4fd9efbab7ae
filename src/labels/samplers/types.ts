import type { z } from 'zod';
import type { LabelMatrix } from '../matrix.js';
import type { Rng } from '../rng.js';

/** Options a sampler may read. */
export interface SamplerOptions {
  /** repeat-factor: the share threshold t (default 1 / number of labels). */
  threshold?: number;
}

/**
 * An online sampler is one file: its name, a line about it, the options it reads (a strict zod object
 * whose fields are optional) and their defaults, and the probability of drawing each training image.
 * The training loop then draws each epoch's images with these probabilities instead of a permutation.
 */
export interface SamplerDefinition<Name extends string = string> {
  name: Name;
  summary: string;
  options: z.ZodType<SamplerOptions>;
  defaults: Readonly<SamplerOptions>;
  /** Probability of each image (non-negative, summing to 1). */
  probabilities(matrix: LabelMatrix, options: SamplerOptions): Float64Array;
}

export function defineSampler<const Name extends string>(definition: SamplerDefinition<Name>): SamplerDefinition<Name> {
  return definition;
}

/** `weights` scaled to sum to 1; all zero (nothing to draw) is an error naming the sampler. */
export function normalized(weights: Float64Array, sampler: string): Float64Array {
  let sum = 0;
  for (const w of weights) sum += w;
  if (!(sum > 0)) throw new RangeError(`${sampler} sampler: no image can be drawn (no image has a label)`);
  for (let i = 0; i < weights.length; i++) weights[i] /= sum;
  return weights;
}

/**
 * Class-based sampling as a per-image probability: pick a label with probability q_k, then one of its
 * n_k images uniformly, so P(i) = Σ over i's labels of q_k / n_k. Labels without images get no mass.
 */
export function labelThenImage(matrix: LabelMatrix, labelWeight: (count: number) => number, sampler: string): Float64Array {
  const counts = matrix.counts();
  const q = Float64Array.from(counts, (n) => (n > 0 ? labelWeight(n) : 0));
  let total = 0;
  for (const v of q) total += v;
  const { offsets, labels } = matrix.positives();
  const p = new Float64Array(matrix.rows);
  if (!(total > 0)) return normalized(p, sampler);
  for (let i = 0; i < matrix.rows; i++) {
    for (let k = offsets[i]; k < offsets[i + 1]; k++) p[i] += q[labels[k]] / total / counts[labels[k]];
  }
  return normalized(p, sampler);
}

/** Cumulative sums of `probabilities`, for `drawImages`. */
export function cumulative(probabilities: ArrayLike<number>): Float64Array {
  const c = new Float64Array(probabilities.length);
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) c[i] = sum += probabilities[i];
  return c;
}

/**
 * Fills `out` with images drawn independently, with replacement, with the probabilities whose
 * cumulative sums are `cdf` (one uniform draw from `rng` per image, found by binary search).
 */
export function drawImages(cdf: Float64Array, rng: Rng, out: Uint32Array): void {
  const n = cdf.length;
  const total = cdf[n - 1];
  // The last image with a positive probability: where u·total rounds up to total, the search ends there,
  // never on a trailing image that cannot be drawn.
  let last = n - 1;
  while (last > 0 && cdf[last - 1] === total) last--;
  for (let d = 0; d < out.length; d++) {
    const u = rng.float() * total;
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    out[d] = lo;
  }
}
