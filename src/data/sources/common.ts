import { z } from 'zod';
import type { Rng } from '../../labels/rng.js';
import { composeMosaics, type ItemSource } from '../mosaic.js';
import { InputError } from '../../errors.js';
import { LABEL_ORDERS, NATURAL_NEEDS_OWN_FREQUENCIES, profileTargets, rankOrder, type SkewProfile } from '../skew.js';
import type { AugmentationName, ImageSet, SplitName } from '../types.js';
import type { Dataset } from './types.js';

/** Options every source takes. */
export const commonOptions = {
  /** Training images of the most frequent label. */
  nMax: z.number().int().min(1).optional(),
  /** Validation target = round(train target · valFraction), at least 1: validation keeps the training skew. */
  valFraction: z.number().gt(0).max(1).default(0.25),
  /** Test images per label (balanced), so per-label F1 has support. */
  testPerLabel: z.number().int().min(1).default(100),
};

export const mosaicOptions = z.strictObject({
  ...commonOptions,
  /**
   * Which label gets which rarity rank: `fixed` (the class order, the same in every seed), `per-seed`
   * (a seeded permutation; reports then use the rank as the unit) or every label name, most frequent first.
   */
  order: z.union([z.enum(LABEL_ORDERS), z.array(z.string().min(1)).min(1)]).default('fixed'),
  grid: z.number().int().min(1).max(6).default(2),
  tileSize: z.number().int().min(1).max(28).default(14),
});
export type MosaicSourceOptions = z.output<typeof mosaicOptions>;

/**
 * Mosaic datasets: the skew is drawn by composing exactly the target number of images per label.
 * Their pools are balanced, so they have no frequencies of their own: skew `natural` is refused.
 */
export async function buildMosaic(
  options: MosaicSourceOptions,
  items: ItemSource,
  defaultNMax: number,
  augmentations: AugmentationName[],
  skew: SkewProfile,
  rng: Rng,
  name: string,
): Promise<Omit<Dataset, 'name' | 'skew' | 'seed'>> {
  if (skew.kind === 'natural') throw new InputError(`dataset ${name}: ${NATURAL_NEEDS_OWN_FREQUENCIES}`);
  const ranks = rankOrder(options.order, items.classNames, rng.fork('ranks'), name);
  const targets = profileTargets(skew, options.nMax ?? defaultNMax, ranks);
  const valTargets = targets.map((t) => Math.max(1, Math.round(t * options.valFraction)));
  const testTargets = targets.map(() => options.testPerLabel);
  const mosaic = { grid: options.grid, tileSize: options.tileSize };
  const split = (s: SplitName, t: number[]): ImageSet => composeMosaics(items, s, t, mosaic, rng.fork(s), name);
  return {
    labels: [...items.classNames],
    train: split('train', targets),
    val: split('val', valTargets),
    test: split('test', testTargets),
    targets,
    valTargets,
    testTargets,
    augmentations,
    warnings: [],
    ranks,
    rankUnits: options.order === 'per-seed',
  };
}
