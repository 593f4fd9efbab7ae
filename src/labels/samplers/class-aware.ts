import { z } from 'zod';
import { defineSampler, labelThenImage } from './types.js';

/**
 * Class-aware sampling (Shen et al. 2016, the sampler of Wu et al. 2020's multi-label experiments): pick
 * a label uniformly among those with images, then one of its images uniformly:
 * P(i) = Σ over i's labels of 1 / (C · n_k). Every label is drawn equally often; images without labels never.
 */
export const classAware = defineSampler({
  name: 'class-aware',
  summary: 'class-aware sampling (Shen et al. 2016): a label uniformly, then one of its images',
  options: z.strictObject({}),
  defaults: {},
  probabilities: (matrix) => labelThenImage(matrix, () => 1, 'class-aware'),
});
