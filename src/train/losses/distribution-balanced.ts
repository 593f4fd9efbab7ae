import { z } from 'zod';
import { defineLoss, focalForm, softplus, type LabelPrior } from './types.js';

/**
 * The defaults of Wu et al. (ECCV 2020) for VOC-MLT, as in their reference configuration: the smoothing
 * map r̂ = α + σ(β·(r − μ)) with α = 0.1, β = 10, μ = 0.3; negative-tolerant regularisation with λ = 5
 * and a class bias scaled by κ = 0.05; the focal term γ = 2 with its balance factor 2.
 */
const DEFAULTS = { mapAlpha: 0.1, mapBeta: 10, mapMu: 0.3, lambda: 5, kappa: 0.05, gamma: 2, balance: 2 } as const;

export interface DistributionBalancedParams {
  /** 1 / n_k, with n_k at least 1. */
  freqInv: Float64Array;
  /** ν_k = −κ · log(N / n_k − 1) / λ, added to every logit of label k. */
  bias: Float64Array;
  mapAlpha: number;
  mapBeta: number;
  mapMu: number;
  lambda: number;
  gamma: number;
  balance: number;
}

export type DistributionBalancedSpec = { kind: 'distribution-balanced'; prior: LabelPrior; mapAlpha?: number; mapBeta?: number; mapMu?: number; lambda?: number; kappa?: number; gamma?: number; balance?: number };

const sigmoid = (u: number): number => (u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u)));

/**
 * Re-balanced weights of one image (Wu et al., eq. 3–5): with P^C_k = 1/(C·n_k) the chance that
 * class-aware sampling picks this image for label k and P^I = Σ over the image's labels of the same,
 * r_k = P^C_k / P^I = (1/n_k) / Σ_{j ∈ labels} 1/n_j, then r̂_k = α + σ(β·(r_k − μ)), for positive
 * and negative entries alike. An image without labels has r = ∞, so r̂ = α + 1.
 */
export function rebalancedWeights(freqInv: ArrayLike<number>, positives: ArrayLike<boolean>, map: { alpha: number; beta: number; mu: number }, out: Float64Array): void {
  let sum = 0;
  for (let k = 0; k < freqInv.length; k++) if (positives[k]) sum += freqInv[k];
  for (let k = 0; k < freqInv.length; k++) out[k] = map.alpha + (sum > 0 ? sigmoid(map.beta * (freqInv[k] / sum - map.mu)) : 1);
}

/**
 * Distribution-balanced loss (Wu et al., "Distribution-Balanced Loss for Multi-Label Classification in
 * Long-Tailed Datasets", ECCV 2020): re-balanced weighting r̂ (above) times a focal BCE with
 * negative-tolerant regularisation — every logit shifted by the class bias ν_k = −κ·log(N/n_k − 1)/λ
 * (the prior's log-odds, scaled), a negative's term taken at λ·(z + ν) and divided by λ, so that
 * negatives already scored low stop pulling the logit down:
 *   y = 1: r̂ · b · σ(−u)^γ · softplus(−u),            u = z + ν
 *   y = 0: r̂ · b · σ(λu)^γ · softplus(λu) / λ
 * Counts below 1 count as 1 and above N − 1 as N − 1, so every ν is finite.
 */
export const distributionBalanced = defineLoss<DistributionBalancedSpec, DistributionBalancedParams>({
  kind: 'distribution-balanced',
  summary: 'r̂·focal BCE with negative-tolerant regularisation (Wu et al. 2020): r̂ = α + σ(β(r − μ)), negatives at λ(z + ν)/λ',
  weights: 'none',
  prior: true,
  options: z.strictObject({
    mapAlpha: z.number().min(0).optional(),
    mapBeta: z.number().positive().optional(),
    mapMu: z.number().optional(),
    lambda: z.number().positive().optional(),
    kappa: z.number().min(0).optional(),
    gamma: z.number().min(0).optional(),
    balance: z.number().positive().optional(),
  }),
  defaults: DEFAULTS,
  params: (spec, labels) => {
    const prior = spec.prior;
    if (!prior || prior.counts.length !== labels) throw new Error(`distribution-balanced: needs the training label counts of ${labels} labels`);
    const N = prior.images;
    const lambda = spec.lambda ?? DEFAULTS.lambda;
    const kappa = spec.kappa ?? DEFAULTS.kappa;
    if (!(lambda > 0)) throw new Error(`distribution-balanced lambda must be > 0, got ${lambda}`);
    const freqInv = new Float64Array(labels);
    const bias = new Float64Array(labels);
    for (let k = 0; k < labels; k++) {
      const n = prior.counts[k];
      freqInv[k] = 1 / Math.max(1, n);
      bias[k] = N >= 2 ? (-kappa * Math.log(N / Math.min(N - 1, Math.max(1, n)) - 1)) / lambda : 0;
    }
    return {
      freqInv,
      bias,
      mapAlpha: spec.mapAlpha ?? DEFAULTS.mapAlpha,
      mapBeta: spec.mapBeta ?? DEFAULTS.mapBeta,
      mapMu: spec.mapMu ?? DEFAULTS.mapMu,
      lambda,
      gamma: spec.gamma ?? DEFAULTS.gamma,
      balance: spec.balance ?? DEFAULTS.balance,
    };
  },
  entry: ({ bias, lambda, gamma, balance }) => (z, positive, l, out) => {
    const u = z + bias[l];
    if (positive) {
      focalForm(u, gamma, out);
    } else {
      // ℓ(v) at v = −λu: dℓ/dz = −λ · dℓ/dv, and the term is divided by λ.
      focalForm(-lambda * u, gamma, out);
      out[0] /= lambda;
      out[1] = -out[1];
    }
    out[0] *= balance;
    out[1] *= balance;
  },
  rowWeights: (p, targets, row, out) => {
    const L = p.freqInv.length;
    const positives = Array.from({ length: L }, (_, k) => targets[row * L + k] >= 0.5);
    rebalancedWeights(p.freqInv, positives, { alpha: p.mapAlpha, beta: p.mapBeta, mu: p.mapMu }, out);
  },
  elementwise: (tf, p, z, y) => {
    const L = p.freqInv.length;
    const u = tf.add(z, tf.tensor2d(Float32Array.from(p.bias), [1, L]));
    const focal = (v: typeof u) => tf.mul(tf.exp(tf.mul(softplus(tf, tf.neg(v)), -p.gamma)), softplus(tf, v));
    // Positive: σ(−u)^γ·softplus(−u) = focal(−u); negative: σ(λu)^γ·softplus(λu)/λ = focal(λu)/λ.
    const pos = tf.mul(y, focal(tf.neg(u)));
    const neg = tf.mul(tf.sub(1, y), tf.div(focal(tf.mul(u, p.lambda)), p.lambda));
    const freqInv = tf.tensor2d(Float32Array.from(p.freqInv), [L, 1]);
    const sum = tf.matMul(y, freqInv);
    const r = tf.div(tf.reshape(freqInv, [1, L]), sum);
    const weight = tf.add(tf.sigmoid(tf.mul(tf.sub(r, p.mapMu), p.mapBeta)), p.mapAlpha);
    return tf.mul(tf.mul(tf.add(pos, neg), weight), p.balance) as typeof z;
  },
});
