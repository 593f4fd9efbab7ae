import type { ImageSet } from '../records/images.js';

export type { ImageSet } from '../records/images.js';

/** The label-preserving augmentations a dataset may allow (the seed pipeline's four). */
export type AugmentationName = 'flip' | 'rotate' | 'zoom' | 'brightness';

export const AUGMENTATIONS: readonly AugmentationName[] = ['flip', 'rotate', 'zoom', 'brightness'];

/** The three splits every dataset is built into. */
export type SplitName = 'train' | 'val' | 'test';

export const SPLITS: readonly SplitName[] = ['train', 'val', 'test'];

/** Bytes of one image of the set. */
export function imageSize(set: Pick<ImageSet, 'height' | 'width' | 'channels'>): number {
  return set.height * set.width * set.channels;
}

/** The images at `indices` (repeats allowed), in that order. */
export function selectImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const size = imageSize(set);
  const images = new Uint8Array(indices.length * size);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    images.set(set.images.subarray(i * size, (i + 1) * size), k * size);
  }
  const out: ImageSet = { images, height: set.height, width: set.width, channels: set.channels, labels: set.labels.select(indices) };
  if (set.sources) out.sources = Int32Array.from(indices, (i) => set.sources![i]);
  return out;
}
