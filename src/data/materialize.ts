import { InputError } from '../errors.js';
import { streamOf, type Rng } from '../labels/rng.js';
import { augment } from './augment.js';
import { imageSize, selectImages, type AugmentationName, type ImageSet } from './types.js';

/** Copies augmented per tfjs call: big enough to amortise op dispatch, small enough to keep a batch a few MB. */
const BATCH = 2048;

/**
 * The oversampled training set of a plan: the original images unchanged, plus `copies[i]` augmented
 * copies of image i carrying image i's labels, all rows in a seeded shuffle. Copy c of image i is
 * augmented with the parameters of (seed, i, c), so it does not depend on batching or on the other
 * copies. With no augmentations the copies are exact duplicates. `sources` maps each row to its
 * original.
 */
export function materialize(train: ImageSet, plan: { copies: ArrayLike<number> }, augmentations: readonly AugmentationName[], seed: number | Rng): ImageSet {
  const n = train.labels.rows;
  if (plan.copies.length !== n) throw new InputError(`materialize: the plan has ${plan.copies.length} copy counts for ${n} training images`);
  let extra = 0;
  for (let i = 0; i < n; i++) {
    const c = plan.copies[i];
    if (!Number.isInteger(c) || c < 0) throw new InputError(`materialize: copies[${i}] must be a non-negative integer, got ${c}`);
    extra += c;
  }
  const sources = new Int32Array(n + extra);
  const copyOf = new Int32Array(extra);
  for (let i = 0; i < n; i++) sources[i] = i;
  for (let i = 0, k = 0; i < n; i++) {
    for (let c = 0; c < plan.copies[i]; c++, k++) {
      sources[n + k] = i;
      copyOf[k] = c;
    }
  }
  const grown = selectImages({ ...train, sources: undefined }, sources);
  if (augmentations.length > 0) {
    const size = imageSize(train);
    for (let from = 0; from < extra; from += BATCH) {
      const to = Math.min(extra, from + BATCH);
      const bytes = grown.images.subarray((n + from) * size, (n + to) * size);
      bytes.set(augment({ ...train, images: bytes }, { sources: sources.subarray(n + from, n + to), copies: copyOf.subarray(from, to) }, augmentations, seed));
    }
  }
  const order = streamOf(seed).fork('materialize:shuffle').shuffle(Int32Array.from({ length: n + extra }, (_, i) => i));
  const shuffled = selectImages(grown, order);
  shuffled.sources = Int32Array.from(order, (r) => sources[r]);
  return shuffled;
}
