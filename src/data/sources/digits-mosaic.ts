import { DIGIT_CLASSES, loadEmbedded, packageVersion } from '../embedded.js';
import { optionsFingerprint } from '../fingerprint.js';
import { storeSource } from '../pools.js';
import { buildMosaic, mosaicOptions } from './common.js';
import { defineSource } from './types.js';

// Flipping turns digits into other glyphs (or none), so digits are never flipped.
export const digitsMosaic = defineSource({
  name: 'digits-mosaic',
  description: 'MNIST digits on a 2×2 grid, 10 labels',
  options: mosaicOptions,
  fingerprint: (options) => optionsFingerprint('digits-mosaic', options, { mnist: packageVersion('mnist') }),
  build: (options, skew, rng, name) =>
    buildMosaic(options, storeSource([{ store: loadEmbedded('digits'), classNames: DIGIT_CLASSES }]), 500, ['rotate', 'zoom', 'brightness'], skew, rng, name),
});
