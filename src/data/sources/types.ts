import type { z } from 'zod';
import type { Rng } from '../../labels/rng.js';
import type { SkewProfile } from '../skew.js';
import type { AugmentationName, ImageSet } from '../types.js';

/** Seeded, skewed train / val / test sets, ready for training. */
export interface Dataset {
  name: string;
  labels: string[];
  train: ImageSet;
  val: ImageSet;
  test: ImageSet;
  /** The profile's training target per label. */
  targets: number[];
  valTargets: number[];
  testTargets: number[];
  /** The augmentations that keep this dataset's labels true. */
  augmentations: AugmentationName[];
  /** Where the data could not give what was asked (e.g. fewer test images than testPerLabel). */
  warnings: string[];
  /** rank → label index (rank 0 = most frequent in training). */
  ranks: number[];
  /** Where the split came from, when the data has one of its own (a folder): shown by `skewbench dataset`. */
  split?: string;
  /** True when the order was drawn per seed: a label's name then means nothing across seeds, its rank does. */
  rankUnits: boolean;
  skew: SkewProfile;
  seed: number;
}

/**
 * A dataset source is one file: its name, a line about it, its option schema (zod, with defaults:
 * the only place they are written) and how it builds seeded, skewed splits from resolved options.
 */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds sources whose option types differ
export interface DatasetSource<Options = any> {
  name: string;
  description: string;
  options: z.ZodType<Options>;
  build(options: Options, skew: SkewProfile, rng: Rng, name: string): Promise<Omit<Dataset, 'name' | 'skew' | 'seed'>>;
  /** The SHA-256 of what `build` reads (content and resolved options), without building anything. */
  fingerprint(options: Options): string;
  /** True when the data has label frequencies of its own, so skew `natural` (use them as they are) means something. */
  naturalFrequencies?: boolean;
  /** Per split, per label, the images the data holds before any skew is drawn (a folder's split), when that is known without decoding. */
  splitCounts?(options: Options): Record<'train' | 'val' | 'test', Record<string, number>>;
  /** The name tables and keys show for this data (default: the source's name). */
  displayName?(options: Options): string;
}

export function defineSource<Options>(source: DatasetSource<Options>): DatasetSource<Options> {
  return source;
}
