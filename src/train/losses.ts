import * as tf from '@tensorflow/tfjs-core';

/** Per-label weights on the positive and the negative BCE term (the label math's `classWeights`). */
export interface LabelLossWeights {
  pos: ArrayLike<number>;
  neg: ArrayLike<number>;
}

export type LossSpec =
  | { kind: 'bce' }
  | { kind: 'weighted-bce'; weights: LabelLossWeights }
  | { kind: 'focal'; gamma?: number; alpha?: number }
  | { kind: 'asymmetric'; gammaNeg?: number; gammaPos?: number; clip?: number };

export const LOSS_KINDS = ['bce', 'weighted-bce', 'focal', 'asymmetric'] as const;

/** Focal loss defaults (Lin et al. 2017): γ = 2, no α balancing unless given. */
export const FOCAL_DEFAULTS = { gamma: 2 } as const;
/** Asymmetric loss defaults (Ridnik et al. 2021). */
export const ASYMMETRIC_DEFAULTS = { gammaNeg: 4, gammaPos: 1, clip: 0.05 } as const;

/** softplus(u) = log(1 + eʸ) without overflow: max(u, 0) + log1p(e^−|u|). */
function softplus(u: tf.Tensor): tf.Tensor {
  return tf.add(tf.relu(u), tf.log1p(tf.exp(tf.neg(tf.abs(u)))));
}

/**
 * The loss of `logits` [n, L] against 0/1 `targets` [n, L]: an elementwise loss over batch × labels,
 * then the mean. Value and gradient are computed in one float64 pass over the (small) batch × labels
 * matrix and handed to tfjs as a custom gradient: as tfjs ops the loss and its autodiff take some 40
 * kernel launches, a quarter of a reference-MLP step on wasm. Every log is taken of a quantity
 * bounded away from 0 (log σ(z) = −softplus(−z)), so large logits give large finite losses, never
 * NaN. `elementwiseLoss` is the same loss as tfjs ops, entry by entry.
 */
export function computeLoss(spec: LossSpec, logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  const entry = entryLoss(spec, logits.shape[1]);
  const loss = tf.customGrad((...args: unknown[]) => {
    const [z, y, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const zs = z.dataSync();
    const ys = y.dataSync();
    const L = z.shape[1];
    const count = zs.length;
    const slope = new Float32Array(count);
    let total = 0;
    const out: [number, number] = [0, 0];
    for (let i = 0; i < count; i++) {
      entry(zs[i], ys[i] >= 0.5, i % L, out);
      total += out[0];
      slope[i] = out[1] / count;
    }
    const gradient = tf.tensor2d(slope, z.shape);
    save([gradient]);
    return {
      value: tf.scalar(total / count),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, saved[0]), tf.zerosLike(y)],
    };
  });
  return loss(logits, targets) as tf.Scalar;
}

const softplusOf = (u: number) => Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)));
const sigmoidOf = (u: number) => (u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u)));

/**
 * ℓ(u) = exp(−γ·softplus(u)) · softplus(−u) = σ(−u)^γ · (−log σ(u)), the focal form every loss here
 * reduces to, and dℓ/du = exp(−γ·softplus(u)) · (−γ·σ(u)·softplus(−u) − σ(−u)).
 */
function focalForm(u: number, gamma: number, out: [number, number]): void {
  const ce = softplusOf(-u);
  const w = gamma === 0 ? 1 : Math.exp(-gamma * softplusOf(u));
  out[0] = w * ce;
  out[1] = w * (-gamma * sigmoidOf(u) * ce - sigmoidOf(-u));
}

/** Writes [ℓ, dℓ/dz] of one entry (logit z, target positive?, label l) to `out`, in float64. */
type EntryLoss = (z: number, positive: boolean, label: number, out: [number, number]) => void;

function entryLoss(spec: LossSpec, labels: number): EntryLoss {
  switch (spec.kind) {
    case 'bce':
      return (z, positive, _l, out) => {
        focalForm(positive ? z : -z, 0, out);
        flip(positive, out);
      };
    case 'weighted-bce': {
      const pos = checkedWeights(spec.weights.pos, labels, 'pos');
      const neg = checkedWeights(spec.weights.neg, labels, 'neg');
      return (z, positive, l, out) => {
        focalForm(positive ? z : -z, 0, out);
        flip(positive, out);
        const w = positive ? pos[l] : neg[l];
        out[0] *= w;
        out[1] *= w;
      };
    }
    case 'focal': {
      const { gamma, alpha } = focalParams(spec);
      return (z, positive, _l, out) => {
        focalForm(positive ? z : -z, gamma, out);
        flip(positive, out);
        if (alpha !== undefined) {
          const a = positive ? alpha : 1 - alpha;
          out[0] *= a;
          out[1] *= a;
        }
      };
    }
    case 'asymmetric': {
      const { gammaNeg, gammaPos, clip } = asymmetricParams(spec);
      return (z, positive, _l, out) => {
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
      };
    }
    default:
      throw new Error(`unknown loss '${(spec as { kind: string }).kind}' (expected one of ${LOSS_KINDS.join(', ')})`);
  }
}

/** Turns dℓ/du into dℓ/dz for the negatives' u = −z. */
function flip(positive: boolean, out: [number, number]): void {
  if (!positive) out[1] = -out[1];
}

/** The per-entry loss [n, L] before the mean, as tfjs ops (differentiable by tfjs's autodiff). */
export function elementwiseLoss(spec: LossSpec, z: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  const labels = z.shape[1];
  switch (spec.kind) {
    case 'bce':
      // −y·log σ(z) − (1−y)·log(1−σ(z)) = softplus(z) − y·z
      return tf.sub(softplus(z), tf.mul(y, z)) as tf.Tensor2D;
    case 'weighted-bce': {
      const pos = tf.tensor1d(checkedWeights(spec.weights.pos, labels, 'pos'));
      const neg = tf.tensor1d(checkedWeights(spec.weights.neg, labels, 'neg'));
      const positive = tf.mul(tf.mul(y, softplus(tf.neg(z))), pos);
      const negative = tf.mul(tf.mul(tf.sub(1, y), softplus(z)), neg);
      return tf.add(positive, negative) as tf.Tensor2D;
    }
    case 'focal': {
      const { gamma, alpha } = focalParams(spec);
      // s = ±1 turns the target into a sign: p_t = σ(s·z), −log p_t = softplus(−s·z),
      // (1 − p_t)^γ = σ(−s·z)^γ = exp(−γ·softplus(s·z)) (finite and differentiable everywhere).
      const sz = tf.mul(tf.sub(tf.mul(y, 2), 1), z);
      const ce = softplus(tf.neg(sz));
      let loss = gamma === 0 ? ce : tf.mul(tf.exp(tf.mul(softplus(sz), -gamma)), ce);
      if (alpha !== undefined) {
        // α for positives, 1 − α for negatives.
        loss = tf.mul(loss, tf.add(tf.mul(y, 2 * alpha - 1), 1 - alpha));
      }
      return loss as tf.Tensor2D;
    }
    case 'asymmetric': {
      const { gammaNeg, gammaPos, clip } = asymmetricParams(spec);
      // Positives: (1 − p)^γ⁺ · −log p.
      const cePos = softplus(tf.neg(z));
      const positive = gammaPos === 0 ? cePos : tf.mul(tf.exp(tf.mul(softplus(z), -gammaPos)), cePos);
      // Negatives use the shifted probability p_m = max(p − clip, 0): p_m^γ⁻ · −log(1 − p_m), where
      // 1 − p_m = min(1, σ(−z) + clip), so log(1 − p_m) = min(0, logaddexp(−softplus(z), ln clip)):
      // finite for every z and every clip > 0, even one that underflows float32.
      const logOneMinusShifted =
        clip === 0 ? tf.neg(softplus(z)) : tf.minimum(logAddExp(tf.neg(softplus(z)), Math.log(clip)), 0);
      const ceNeg = tf.neg(logOneMinusShifted);
      let negative: tf.Tensor = ceNeg;
      if (gammaNeg !== 0) {
        const shifted = clip === 0 ? tf.sigmoid(z) : tf.relu(tf.sub(tf.sigmoid(z), clip));
        negative = tf.mul(powerOfNonNegative(shifted, gammaNeg), ceNeg);
      }
      return tf.add(tf.mul(y, positive), tf.mul(tf.sub(1, y), negative)) as tf.Tensor2D;
    }
    default:
      throw new Error(`unknown loss '${(spec as { kind: string }).kind}' (expected one of ${LOSS_KINDS.join(', ')})`);
  }
}

/**
 * xᵞ for x ≥ 0 whose gradient is 0 (not 0·∞ = NaN) where x = 0: the power is taken of a value kept
 * away from 0 and masked by step(x), whose own gradient is 0.
 */
function powerOfNonNegative(x: tf.Tensor, gamma: number): tf.Tensor {
  return tf.mul(tf.pow(tf.maximum(x, 1e-30), gamma), tf.step(x));
}

/** log(eᵃ + eᵇ) without overflow: max(a, b) + log1p(e^−|a−b|). */
function logAddExp(a: tf.Tensor, b: number): tf.Tensor {
  return tf.add(tf.maximum(a, b), tf.log1p(tf.exp(tf.neg(tf.abs(tf.sub(a, b))))));
}

function checkedWeights(values: ArrayLike<number>, labels: number, side: 'pos' | 'neg'): Float32Array {
  if (values.length !== labels) throw new Error(`weighted-bce: ${side} weights have ${values.length} entries for ${labels} labels`);
  const out = new Float32Array(labels);
  for (let l = 0; l < labels; l++) {
    const w = values[l];
    if (!Number.isFinite(w) || w < 0) throw new Error(`weighted-bce: ${side} weight of label ${l} must be finite and ≥ 0, got ${w}`);
    out[l] = w;
  }
  return out;
}

/** The focal loss's γ (default 2) and optional α, checked: both forms of the loss read them here. */
function focalParams(spec: Extract<LossSpec, { kind: 'focal' }>): { gamma: number; alpha: number | undefined } {
  const gamma = spec.gamma ?? FOCAL_DEFAULTS.gamma;
  checkNonNegative('focal gamma', gamma);
  const alpha = spec.alpha;
  if (alpha !== undefined && !(alpha >= 0 && alpha <= 1)) throw new Error(`focal alpha must be in [0, 1], got ${alpha}`);
  return { gamma, alpha };
}

/** ASL's γ⁻, γ⁺ and clip with their defaults, checked: both forms of the loss read them here. */
function asymmetricParams(spec: Extract<LossSpec, { kind: 'asymmetric' }>): { gammaNeg: number; gammaPos: number; clip: number } {
  const gammaNeg = spec.gammaNeg ?? ASYMMETRIC_DEFAULTS.gammaNeg;
  const gammaPos = spec.gammaPos ?? ASYMMETRIC_DEFAULTS.gammaPos;
  const clip = spec.clip ?? ASYMMETRIC_DEFAULTS.clip;
  checkNonNegative('asymmetric gammaNeg', gammaNeg);
  checkNonNegative('asymmetric gammaPos', gammaPos);
  if (!(clip >= 0 && clip < 1)) throw new Error(`asymmetric clip must be in [0, 1), got ${clip}`);
  return { gammaNeg, gammaPos, clip };
}

function checkNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be finite and ≥ 0, got ${value}`);
}
