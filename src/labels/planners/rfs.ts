import { z } from 'zod';
import { definePlanner } from './types.js';

/**
 * Repeat-factor sampling (Gupta et al., LVIS 2019): r(c) = max(1, √(t / f(c))) with f(c) the share of
 * images carrying c; an image repeats r = max over its labels times, i.e. r − 1 extra copies with
 * stochastic rounding. The default t = 1/L gives LVIS's own 0.001 for its 1,203 labels and scales
 * to datasets with few labels.
 */
export const rfs = definePlanner({
  name: 'rfs',
  summary: 'repeat-factor sampling (Gupta et al. 2019): an image repeats max over its labels of √(t / share)',
  options: z.strictObject({ threshold: z.number().positive().max(1).optional() }),
  defaults: {},
  plan: (matrix, options, rng) => {
  const L = matrix.numLabels;
  const N = matrix.rows;
  const t = options.threshold ?? (L > 0 ? 1 / L : 1);
  if (!(t > 0 && t <= 1)) throw new RangeError(`rfs threshold must be in (0, 1], got ${t}`);
  const counts = matrix.counts();
  const r = new Float64Array(L);
  for (let l = 0; l < L; l++) r[l] = counts[l] > 0 ? Math.max(1, Math.sqrt(t / (counts[l] / N))) : 1;
  const { offsets, labels } = matrix.positives();
  const copies = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    let ri = 1;
    for (let k = offsets[i]; k < offsets[i + 1]; k++) if (r[labels[k]] > ri) ri = r[labels[k]];
    const extra = ri - 1;
    const whole = Math.floor(extra);
    // One draw per image whatever its repeat factor, so the stream does not depend on label order.
    const u = rng.float();
    copies[i] = whole + (u < extra - whole ? 1 : 0);
  }
  return { copies, warnings: [] };
  },
});

