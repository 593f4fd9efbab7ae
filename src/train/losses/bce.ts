import { z } from 'zod';
import { defineLoss, flip, focalForm, softplus } from './types.js';

/** Binary cross-entropy on logits: −y·log σ(z) − (1−y)·log(1−σ(z)). */
export const bce = defineLoss<{ kind: 'bce' }, undefined>({
  kind: 'bce',
  summary: '−y·log σ(z) − (1−y)·log(1−σ(z))',
  weights: 'none',
  options: z.strictObject({}),
  defaults: {},
  params: () => undefined,
  entry: () => (z, positive, _l, out) => {
    focalForm(positive ? z : -z, 0, out);
    flip(positive, out);
  },
  // softplus(z) − y·z
  elementwise: (tf, _p, z, y) => tf.sub(softplus(tf, z), tf.mul(y, z)) as typeof z,
});
