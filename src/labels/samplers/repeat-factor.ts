import { z } from 'zod';
import { defineSampler, normalized } from './types.js';

/**
 * Repeat-factor sampling drawn online (Gupta et al., LVIS 2019): an image's repeat factor
 * r_i = max over its labels of max(1, √(t / f_k)), f_k the share of images carrying k (an image without
 * labels has r = 1), and P(i) = r_i / Σ_j r_j: in expectation what the `rfs` plan's copies give, without
 * materialising them. The default t = 1/L, as for the plan.
 */
export const repeatFactor = defineSampler({
  name: 'repeat-factor',
  summary: 'repeat-factor sampling (Gupta et al. 2019) drawn online: P(image) ∝ max over its labels of max(1, √(t / share))',
  options: z.strictObject({ threshold: z.number().positive().max(1).optional() }),
  defaults: {},
  probabilities: (matrix, options) => {
    const L = matrix.numLabels;
    const N = matrix.rows;
    const t = options.threshold ?? (L > 0 ? 1 / L : 1);
    const counts = matrix.counts();
    const r = Float64Array.from(counts, (n) => (n > 0 ? Math.max(1, Math.sqrt(t / (n / N))) : 1));
    const { offsets, labels } = matrix.positives();
    const p = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      let ri = 1;
      for (let k = offsets[i]; k < offsets[i + 1]; k++) ri = Math.max(ri, r[labels[k]]);
      p[i] = ri;
    }
    return normalized(p, 'repeat-factor');
  },
});
