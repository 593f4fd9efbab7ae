import { z } from 'zod';
import { checkNonNegative, defineLoss, flip, focalForm, softplus } from './types.js';

/** Focal loss (Lin et al. 2017): α_t·(1−p_t)^γ·(−log p_t); γ = 2, no α balancing unless given. */
const DEFAULTS = { gamma: 2 } as const;

export const focal = defineLoss<{ kind: 'focal'; gamma?: number; alpha?: number }, { gamma: number; alpha: number | undefined }>({
  kind: 'focal',
  summary: 'α_t·(1−p_t)^γ·(−log p_t)',
  weights: 'none',
  options: z.strictObject({ gamma: z.number().min(0).optional(), alpha: z.number().min(0).max(1).optional() }),
  defaults: DEFAULTS,
  params: (spec) => {
    const gamma = checkNonNegative('focal gamma', spec.gamma ?? DEFAULTS.gamma);
    const alpha = spec.alpha;
    if (alpha !== undefined && !(alpha >= 0 && alpha <= 1)) throw new Error(`focal alpha must be in [0, 1], got ${alpha}`);
    return { gamma, alpha };
  },
  entry: ({ gamma, alpha }) => (z, positive, _l, out) => {
    focalForm(positive ? z : -z, gamma, out);
    flip(positive, out);
    if (alpha !== undefined) {
      const a = positive ? alpha : 1 - alpha;
      out[0] *= a;
      out[1] *= a;
    }
  },
  elementwise: (tf, { gamma, alpha }, z, y) => {
    // s = ±1 turns the target into a sign: p_t = σ(s·z), −log p_t = softplus(−s·z),
    // (1 − p_t)^γ = σ(−s·z)^γ = exp(−γ·softplus(s·z)) (finite and differentiable everywhere).
    const sz = tf.mul(tf.sub(tf.mul(y, 2), 1), z);
    const ce = softplus(tf, tf.neg(sz));
    let loss = gamma === 0 ? ce : tf.mul(tf.exp(tf.mul(softplus(tf, sz), -gamma)), ce);
    // α for positives, 1 − α for negatives.
    if (alpha !== undefined) loss = tf.mul(loss, tf.add(tf.mul(y, 2 * alpha - 1), 1 - alpha));
    return loss as typeof z;
  },
});
