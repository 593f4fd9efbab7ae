import { DIGIT_CLASSES, FASHION_CLASSES, loadEmbedded, packageVersion } from '../embedded.js';
import { optionsFingerprint } from '../fingerprint.js';
import { storeSource } from '../pools.js';
import { buildMosaic, mosaicOptions } from './common.js';
import { defineSource } from './types.js';

export const mixedMosaic = defineSource({
  name: 'mixed-mosaic',
  description: 'Fashion-MNIST items and MNIST digits on a 2×2 grid, 20 labels',
  options: mosaicOptions,
  fingerprint: (options) => optionsFingerprint('mixed-mosaic', options, { 'fashion-mnist': packageVersion('fashion-mnist'), mnist: packageVersion('mnist') }),
  build: (options, skew, rng, name) =>
    buildMosaic(
      options,
      storeSource([
        { store: loadEmbedded('fashion'), classNames: FASHION_CLASSES },
        { store: loadEmbedded('digits'), classNames: DIGIT_CLASSES },
      ]),
      500,
      ['rotate', 'zoom', 'brightness'],
      skew,
      rng,
      name,
    ),
});
