import { z } from 'zod';
import { checkNonNegative, defineLoss, focalForm, sigmoidOf, softplus, type Tensor, type Tf } from './types.js';

/**
 * Asymmetric loss (ASL, Ridnik et al. 2021): y·(1−p)^γ⁺·(−log p) + (1−y)·p_m^γ⁻·(−log(1−p_m)),
 * p_m = max(p − clip, 0); γ⁻ = 4, γ⁺ = 1, clip = 0.05.
 */
const DEFAULTS = { gammaNeg: 4, gammaPos: 1, clip: 0.05 } as const;

export const asymmetric = defineLoss<{ kind: 'asymmetric'; gammaNeg?: number; gammaPos?: number; clip?: number }, { gammaNeg: number; gammaPos: number; clip: number }>({
  kind: 'asymmetric',
  summary: 'y·(1−p)^γ⁺·(−log p) + (1−y)·p_m^γ⁻·(−log(1−p_m)), p_m = max(p − clip, 0)',
  weights: 'none',
  options: z.strictObject({ gammaNeg: z.number().min(0).optional(), gammaPos: z.number().min(0).optional(), clip: z.number().min(0).lt(1).optional() }),
  defaults: DEFAULTS,
  params: (spec) => {
    const gammaNeg = checkNonNegative('asymmetric gammaNeg', spec.gammaNeg ?? DEFAULTS.gammaNeg);
    const gammaPos = checkNonNegative('asymmetric gammaPos', spec.gammaPos ?? DEFAULTS.gammaPos);
    const clip = spec.clip ?? DEFAULTS.clip;
    if (!(clip >= 0 && clip < 1)) throw new Error(`asymmetric clip must be in [0, 1), got ${clip}`);
    return { gammaNeg, gammaPos, clip };
  },
  entry: ({ gammaNeg, gammaPos, clip }) => (z, positive, _l, out) => {
    if (positive) return focalForm(z, gammaPos, out);
    if (clip === 0) {
      focalForm(-z, gammaNeg, out);
      out[1] = -out[1];
      return;
    }
    // p_m = p − clip when p > clip, where 1 − p_m = σ(−z) + clip < 1; otherwise the entry is 0.
    const p = sigmoidOf(z);
    if (!(p > clip)) {
      out[0] = 0;
      out[1] = 0;
      return;
    }
    const shifted = p - clip;
    const q = sigmoidOf(-z) + clip;
    const ce = -Math.log(q);
    const dp = p * sigmoidOf(-z);
    const weight = gammaNeg === 0 ? 1 : Math.pow(shifted, gammaNeg);
    out[0] = weight * ce;
    out[1] = (gammaNeg === 0 ? 0 : gammaNeg * Math.pow(shifted, gammaNeg - 1) * dp * ce) + (weight * dp) / q;
  },
  elementwise: (tf, { gammaNeg, gammaPos, clip }, z, y) => {
    // Positives: (1 − p)^γ⁺ · −log p.
    const cePos = softplus(tf, tf.neg(z));
    const positive = gammaPos === 0 ? cePos : tf.mul(tf.exp(tf.mul(softplus(tf, z), -gammaPos)), cePos);
    // Negatives use the shifted probability p_m = max(p − clip, 0): p_m^γ⁻ · −log(1 − p_m), where
    // 1 − p_m = min(1, σ(−z) + clip), so log(1 − p_m) = min(0, logaddexp(−softplus(z), ln clip)):
    // finite for every z and every clip > 0, even one that underflows float32.
    const logOneMinusShifted = clip === 0 ? tf.neg(softplus(tf, z)) : tf.minimum(logAddExp(tf, tf.neg(softplus(tf, z)), Math.log(clip)), 0);
    const ceNeg = tf.neg(logOneMinusShifted);
    let negative: Tensor = ceNeg;
    if (gammaNeg !== 0) {
      const shifted = clip === 0 ? tf.sigmoid(z) : tf.relu(tf.sub(tf.sigmoid(z), clip));
      negative = tf.mul(powerOfNonNegative(tf, shifted, gammaNeg), ceNeg);
    }
    return tf.add(tf.mul(y, positive), tf.mul(tf.sub(1, y), negative)) as typeof z;
  },
});

/**
 * xᵞ for x ≥ 0 whose gradient is 0 (not 0·∞ = NaN) where x = 0: the power is taken of a value kept
 * away from 0 and masked by step(x), whose own gradient is 0.
 */
function powerOfNonNegative(tf: Tf, x: Tensor, gamma: number): Tensor {
  return tf.mul(tf.pow(tf.maximum(x, 1e-30), gamma), tf.step(x));
}

/** log(eᵃ + eᵇ) without overflow: max(a, b) + log1p(e^−|a−b|). */
function logAddExp(tf: Tf, a: Tensor, b: number): Tensor {
  return tf.add(tf.maximum(a, b), tf.log1p(tf.exp(tf.neg(tf.abs(tf.sub(a, b))))));
}
