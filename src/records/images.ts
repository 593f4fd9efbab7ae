import type { LabelMatrix } from '../labels/matrix.js';

/** Images without labels: n·height·width·channels bytes, NHWC row-major, 0–255. */
export interface ImageBatch {
  images: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

/**
 * Images with one label row each: the dataset step's hand-off to training. Bytes, not floats, so a
 * 2–3 k image training set at 28 × 28 × 1 is a couple of megabytes and hashes, slices and transfers cheaply.
 */
export interface ImageSet extends ImageBatch {
  /**
   * One label row per image. `labels.ids` names the images (a folder's file names; absent for the
   * built-in data); it travels with every selection, so the ids need no field of their own here.
   */
  labels: LabelMatrix;
  /** Provenance: for each row, the index of the original training image it was made from. */
  sources?: Int32Array;
}
