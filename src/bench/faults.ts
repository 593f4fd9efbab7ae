import { applyAugmentations } from '../data/augment.js';
import { materialize } from '../data/materialize.js';
import { imageSize, type ImageSet } from '../data/types.js';
import type { Dataset } from '../data/build.js';
import { createRng } from '../labels/rng.js';

/*
 * Deliberate bugs for the calibration experiment: each one is a plausible mistake whose effect on
 * quality is real, so the gate should catch it. They live here, not in the pipeline, and reach a trial
 * only through its data source and materialize hook.
 */

export const FAULTS = ['drop-rare-positives', 'garbled-augmentation'] as const;
export type FaultName = (typeof FAULTS)[number];

/** Rarest labels whose positives the data bug halves. */
export const RARE_LABELS_HIT = 4;

/**
 * A data bug: every second positive of the 4 rarest training labels loses that label (the image stays,
 * as if a join dropped half the rare annotations). Validation and test are untouched.
 */
export function dropRarePositives(dataset: Dataset): Dataset {
  const labels = dataset.train.labels.select(Array.from({ length: dataset.train.labels.rows }, (_, i) => i));
  for (const label of dataset.ranks.slice(-RARE_LABELS_HIT)) {
    let k = 0;
    for (let i = 0; i < labels.rows; i++) {
      if (labels.has(i, label) && k++ % 2 === 1) labels.set(i, label, false);
    }
  }
  return { ...dataset, train: { ...dataset.train, labels } };
}

/** Copies per augmentation call, as in materialize. */
const BATCH = 2048;

/**
 * An augmentation bug: the duplicated images get transforms far outside the label-preserving range
 * (any rotation, zoom 0.5–1.5, brightness ±60 %) instead of the configured ones. Originals untouched.
 */
export const garbledMaterialize: typeof materialize = (train, plan, augmentations, seed) => {
  const set: ImageSet = materialize(train, plan, [], seed);
  if (augmentations.length === 0) return set;
  const sources = set.sources!;
  const seen = new Uint8Array(train.labels.rows);
  const copies: number[] = [];
  for (let r = 0; r < sources.length; r++) {
    if (seen[sources[r]]) copies.push(r);
    else seen[sources[r]] = 1;
  }
  const rng = (typeof seed === 'number' ? createRng(seed) : seed).fork('garbled-augmentation');
  const size = imageSize(set);
  for (let from = 0; from < copies.length; from += BATCH) {
    const rows = copies.slice(from, from + BATCH);
    const images = new Uint8Array(rows.length * size);
    rows.forEach((r, k) => images.set(set.images.subarray(r * size, (r + 1) * size), k * size));
    const params = rows.map(() => ({ flip: rng.float() < 0.5, angle: (rng.float() * 2 - 1) * Math.PI, scale: 1 + (rng.float() * 2 - 1) * 0.5, brightness: (rng.float() * 2 - 1) * 0.6 }));
    const out = applyAugmentations({ ...set, images }, params);
    rows.forEach((r, k) => set.images.set(out.subarray(k * size, (k + 1) * size), r * size));
  }
  return set;
};
