import { FASHION_CLASSES, loadEmbedded, packageVersion } from '../embedded.js';
import { optionsFingerprint } from '../fingerprint.js';
import { storeSource } from '../pools.js';
import { buildMosaic, mosaicOptions } from './common.js';
import { defineSource } from './types.js';

export const fashionMosaic = defineSource({
  name: 'fashion-mosaic',
  description: 'Fashion-MNIST items on a 2×2 grid, 10 labels',
  options: mosaicOptions,
  fingerprint: (options) => optionsFingerprint('fashion-mosaic', options, { 'fashion-mnist': packageVersion('fashion-mnist') }),
  build: (options, skew, rng, name) =>
    buildMosaic(options, storeSource([{ store: loadEmbedded('fashion'), classNames: FASHION_CLASSES }]), 2000, ['flip', 'rotate', 'zoom', 'brightness'], skew, rng, name),
});
