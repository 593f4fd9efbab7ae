import { z } from 'zod';
import { optionsFingerprint } from '../fingerprint.js';
import { shapeSource } from '../shapes.js';
import { buildMosaic, mosaicOptions } from './common.js';
import { defineSource } from './types.js';

// Rotation would turn a square into a diamond and a cross into a plus: shapes are never rotated.
export const shapes = defineSource({
  name: 'shapes',
  description: 'procedurally drawn shapes on a 2×2 grid, 10 labels',
  options: z.strictObject({ ...mosaicOptions.shape, noise: z.number().min(0).max(1).default(0.06) }),
  fingerprint: (options) => optionsFingerprint('shapes', options),
  build: (options, skew, rng, name) => buildMosaic(options, shapeSource(options.noise), 300, ['flip', 'zoom', 'brightness'], skew, rng, name),
});
