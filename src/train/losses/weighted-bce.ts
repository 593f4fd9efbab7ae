import { z } from 'zod';
import { defineLoss, flip, focalForm, softplus, type LabelLossWeights } from './types.js';

/** BCE with each label's own weight on its positive and on its negative term (from a weight scheme). */
export const weightedBce = defineLoss<{ kind: 'weighted-bce'; weights: LabelLossWeights }, { pos: Float32Array; neg: Float32Array }>({
  kind: 'weighted-bce',
  summary: 'pos[l]·y·(−log σ(z)) + neg[l]·(1−y)·(−log(1−σ(z)))',
  weights: 'required',
  options: z.strictObject({}),
  defaults: {},
  params: (spec, labels) => {
    return { pos: checkedWeights(spec.weights, labels, 'pos'), neg: checkedWeights(spec.weights, labels, 'neg') };
  },
  entry: ({ pos, neg }) => (z, positive, l, out) => {
    focalForm(positive ? z : -z, 0, out);
    flip(positive, out);
    const w = positive ? pos[l] : neg[l];
    out[0] *= w;
    out[1] *= w;
  },
  elementwise: (tf, { pos, neg }, z, y) => {
    const positive = tf.mul(tf.mul(y, softplus(tf, tf.neg(z))), tf.tensor1d(pos));
    const negative = tf.mul(tf.mul(tf.sub(1, y), softplus(tf, z)), tf.tensor1d(neg));
    return tf.add(positive, negative) as typeof z;
  },
});

function checkedWeights(weights: LabelLossWeights, labels: number, side: 'pos' | 'neg'): Float32Array {
  const values = weights[side];
  if (values.length !== labels) throw new Error(`weighted-bce: ${side} weights have ${values.length} entries for ${labels} labels`);
  const out = new Float32Array(labels);
  for (let l = 0; l < labels; l++) {
    const w = values[l];
    if (!Number.isFinite(w) || w < 0) throw new Error(`weighted-bce: ${side} weight of label ${l} must be finite and ≥ 0, got ${w}`);
    out[l] = w;
  }
  return out;
}
