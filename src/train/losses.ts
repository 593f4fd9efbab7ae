import * as tf from '@tensorflow/tfjs-core';
import { lossDefinition, type LossSpec } from './losses/registry.js';

export { LOSSES, LOSS_KINDS, lossDefinition, type LossKind, type LossSpec, type LabelLossWeights, type LossDefinition } from './losses/registry.js';

/**
 * The loss of `logits` [n, L] against 0/1 `targets` [n, L]: an elementwise loss over batch × labels,
 * then the mean. Value and gradient are computed in one float64 pass over the (small) batch × labels
 * matrix and handed to tfjs as a custom gradient: as tfjs ops the loss and its autodiff take some 40
 * kernel launches, a quarter of a reference-MLP step on wasm. Every log is taken of a quantity
 * bounded away from 0 (log σ(z) = −softplus(−z)), so large logits give large finite losses, never
 * NaN. `elementwiseLoss` is the same loss as tfjs ops, entry by entry.
 *
 * `entries` (default: the entries of `logits`) is what the sum is divided by: a micro-batch's loss
 * divides by its whole batch's entries, so the micro-batches' losses and gradients add up to the batch's.
 */
export function computeLoss(spec: LossSpec, logits: tf.Tensor2D, targets: tf.Tensor2D, entries?: number): tf.Scalar {
  const definition = lossDefinition(spec.kind);
  const params = definition.params(spec, logits.shape[1]);
  const entry = definition.entry(params);
  const loss = tf.customGrad((...args: unknown[]) => {
    const [z, y, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const zs = z.dataSync();
    const ys = y.dataSync();
    const L = z.shape[1];
    const count = zs.length;
    const denominator = entries ?? count;
    const slope = new Float32Array(count);
    let total = 0;
    const out: [number, number] = [0, 0];
    const rowWeights = definition.rowWeights;
    const w = new Float64Array(L).fill(1);
    for (let i = 0; i < count; i++) {
      const l = i % L;
      if (rowWeights && l === 0) rowWeights(params, ys, i / L, w);
      entry(zs[i], ys[i] >= 0.5, l, out);
      total += out[0] * w[l];
      slope[i] = (out[1] * w[l]) / denominator;
    }
    const gradient = tf.tensor2d(slope, z.shape);
    save([gradient]);
    return {
      value: tf.scalar(total / denominator),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, saved[0]), tf.zerosLike(y)],
    };
  });
  return loss(logits, targets) as tf.Scalar;
}

/** The per-entry loss [n, L] before the mean, as tfjs ops (differentiable by tfjs's autodiff). */
export function elementwiseLoss(spec: LossSpec, z: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  const definition = lossDefinition(spec.kind);
  return definition.elementwise(tf, definition.params(spec, z.shape[1]), z, y);
}
