import { z } from 'zod';
import { defineSampler, labelThenImage } from './types.js';

/**
 * Square-root sampling (Mahajan et al. 2018; Kang et al. 2020): pick label k with probability
 * ∝ √n_k, then one of its images uniformly: P(i) = Σ over i's labels of √n_k / (Σ_j √n_j · n_k).
 * Between instance-balanced (∝ n_k) and class-balanced (uniform) sampling.
 */
export const squareRoot = defineSampler({
  name: 'square-root',
  summary: 'square-root sampling (Mahajan et al. 2018): a label with probability ∝ √n, then one of its images',
  options: z.strictObject({}),
  defaults: {},
  probabilities: (matrix) => labelThenImage(matrix, (n) => Math.sqrt(n), 'square-root'),
});
