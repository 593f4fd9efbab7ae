import { z } from 'zod';
import { InputError } from '../errors.js';
import { createRng, type Rng } from '../labels/rng.js';
import { DIGIT_CLASSES, FASHION_CLASSES, loadEmbedded } from './embedded.js';
import { loadFolder, splitOfId } from './folder.js';
import { composeMosaics, type ItemSource } from './mosaic.js';
import { storeSource } from './pools.js';
import { shapeSource } from './shapes.js';
import { formatSkew, profileShares, profileTargets, seededOrder, type SkewProfile } from './skew.js';
import { subsampleToTargets } from './subsample.js';
import { AUGMENTATIONS, selectImages, type AugmentationName, type ImageSet, type SplitName } from './types.js';

/** A dataset as an experiment spec names it. */
export interface DatasetSpec {
  name: string;
  options?: Record<string, unknown>;
}

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
  skew: SkewProfile;
  seed: number;
}

const commonOptions = {
  /** Training images of the most frequent label. */
  nMax: z.number().int().min(1).optional(),
  /** Validation target = round(train target · valFraction), at least 1: validation keeps the training skew. */
  valFraction: z.number().gt(0).max(1).default(0.25),
  /** Test images per label (balanced), so per-label F1 has support. */
  testPerLabel: z.number().int().min(1).default(100),
};

const mosaicOptions = z.strictObject({
  ...commonOptions,
  grid: z.number().int().min(1).max(6).default(2),
  tileSize: z.number().int().min(1).max(28).default(14),
});

const shapesOptions = z.strictObject({
  ...mosaicOptions.shape,
  noise: z.number().min(0).max(1).default(0.06),
});

const folderOptions = z.strictObject({
  ...commonOptions,
  dir: z.string().min(1),
  labels: z.string().min(1).optional(),
  sep: z.string().min(1).optional(),
  size: z.number().int().min(1).max(1024).default(28),
  channels: z.union([z.literal(1), z.literal(3)]).default(1),
  augmentations: z.array(z.enum(AUGMENTATIONS as [AugmentationName, ...AugmentationName[]])).default([...AUGMENTATIONS]),
});

function parseOptions<S extends z.ZodType>(schema: S, dataset: string, options: unknown): z.output<S> {
  const result = schema.safeParse(options ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = ['options', ...issue.path.map(String)].join('.');
  throw new InputError(`dataset "${dataset}": ${path}: ${issue.message}`);
}

export interface DatasetDefinition {
  description: string;
  build(options: unknown, skew: SkewProfile, rng: Rng, name: string): Promise<Omit<Dataset, 'name' | 'skew' | 'seed'>>;
}

/** Mosaic datasets: the skew is drawn by composing exactly the target number of images per label. */
function mosaicDataset(description: string, defaultNMax: number, augmentations: AugmentationName[], source: (options: z.output<typeof shapesOptions>) => ItemSource, schema: z.ZodType = mosaicOptions): DatasetDefinition {
  return {
    description,
    async build(raw, skew, rng, name) {
      const options = parseOptions(schema, name, raw) as z.output<typeof shapesOptions>;
      const items = source(options);
      const L = items.classNames.length;
      const targets = profileTargets(skew, options.nMax ?? defaultNMax, seededOrder(L, rng.fork('ranks')));
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
      };
    },
  };
}

const fashion = () => {
  const store = loadEmbedded('fashion');
  return { store, classNames: FASHION_CLASSES };
};
const digits = () => {
  const store = loadEmbedded('digits');
  return { store, classNames: DIGIT_CLASSES };
};

/** Every dataset `buildDataset` knows: one entry each. */
export const DATASETS: Record<string, DatasetDefinition> = {
  'fashion-mosaic': mosaicDataset('Fashion-MNIST items on a 2×2 grid, 10 labels', 2000, ['flip', 'rotate', 'zoom', 'brightness'], () => storeSource([fashion()])),
  // Flipping turns digits into other glyphs (or none), so digits are never flipped.
  'digits-mosaic': mosaicDataset('MNIST digits on a 2×2 grid, 10 labels', 500, ['rotate', 'zoom', 'brightness'], () => storeSource([digits()])),
  'mixed-mosaic': mosaicDataset('Fashion-MNIST items and MNIST digits on a 2×2 grid, 20 labels', 500, ['rotate', 'zoom', 'brightness'], () => storeSource([fashion(), digits()])),
  // Rotation would turn a square into a diamond and a cross into a plus: shapes are never rotated.
  shapes: mosaicDataset('procedurally drawn shapes on a 2×2 grid, 10 labels', 300, ['flip', 'zoom', 'brightness'], (o) => shapeSource(o.noise), shapesOptions),
  folder: {
    description: 'your images (PNG/JPEG/WebP) and a labels CSV, subsampled to the skew',
    async build(raw, skew, rng, name) {
      const options = parseOptions(folderOptions, name, raw);
      const all = await loadFolder(options);
      const ids = all.labels.ids!;
      const bySplit: Record<SplitName, number[]> = { train: [], val: [], test: [] };
      ids.forEach((id, i) => bySplit[splitOfId(id)].push(i));
      const pools = { train: selectImages(all, bySplit.train), val: selectImages(all, bySplit.val), test: selectImages(all, bySplit.test) };
      const { set: train, targets } = subsampleToProfile(pools.train, skew, rng.fork('train'), { nMax: options.nMax, what: `folder ${options.dir}, train split` });
      const valAvailable = pools.val.labels.counts();
      const valTargets = targets.map((t, l) => Math.min(valAvailable[l], Math.max(1, Math.round(t * options.valFraction))));
      // Test stays balanced, so every label's F1 is measured at the same prevalence: each label gets
      // as many test images as the scarcest label can supply, up to testPerLabel.
      const testAvailable = pools.test.labels.counts();
      const scarcest = Array.from(testAvailable.keys()).reduce((a, b) => (testAvailable[b] < testAvailable[a] ? b : a), 0);
      const perLabel = Math.min(options.testPerLabel, testAvailable[scarcest]);
      const testTargets = targets.map(() => perLabel);
      const warnings: string[] = [];
      if (perLabel < options.testPerLabel) {
        warnings.push(`folder ${options.dir}: label "${all.labels.labels[scarcest]}" has ${testAvailable[scarcest]} test images, so test is balanced at ${perLabel} per label (testPerLabel ${options.testPerLabel})`);
      }
      const pick = (pool: ImageSet, t: number[], r: Rng): ImageSet => selectImages(pool, subsampleToTargets(pool.labels, t, r).indices);
      return {
        labels: [...all.labels.labels],
        train,
        val: pick(pools.val, valTargets, rng.fork('val')),
        test: pick(pools.test, testTargets, rng.fork('test')),
        targets,
        valTargets,
        testTargets,
        augmentations: options.augmentations,
        warnings,
      };
    },
  },
};

export const DATASET_NAMES = Object.keys(DATASETS);

/**
 * Subsamples any image set to a skew profile (greedy, rarest label first). Labels keep their own
 * frequency order (the most frequent gets rank 0); n_max defaults to the largest value every label
 * can supply. A target a label cannot meet is an `InputError` naming the label and the numbers.
 */
export function subsampleToProfile(set: ImageSet, skew: SkewProfile, rng: Rng, options: { nMax?: number; what?: string } = {}): { set: ImageSet; targets: number[] } {
  const what = options.what ?? 'image set';
  const counts = set.labels.counts();
  const names = set.labels.labels;
  const order = Array.from(counts.keys()).sort((a, b) => counts[b] - counts[a] || a - b);
  const shares = profileShares(skew, order.length);
  const empty = order.find((l) => counts[l] === 0);
  if (empty !== undefined) throw new InputError(`${what}: label "${names[empty]}" has no images, so no skew can be drawn from it`);
  const nMax = options.nMax ?? Math.min(...order.map((l, r) => Math.floor(counts[l] / shares[r] + 1e-9)));
  const targets = profileTargets(skew, nMax, order);
  const sub = subsampleToTargets(set.labels, targets, rng);
  if (sub.short.length > 0) {
    const s = sub.short[0];
    throw new InputError(`${what}: skew ${formatSkew(skew)} with nMax ${nMax} needs ${s.target} images of label "${names[s.label]}" but only ${s.available} have it`);
  }
  return { set: selectImages(set, sub.indices), targets };
}

/**
 * Builds a dataset's seeded, skewed train / val / test sets. The same spec, skew and seed give
 * byte-identical sets; every random choice hangs off `seed` and the dataset name.
 */
export async function buildDataset(spec: DatasetSpec, skew: SkewProfile, seed: number): Promise<Dataset> {
  const definition = Object.hasOwn(DATASETS, spec.name) ? DATASETS[spec.name] : undefined;
  if (!definition) throw new InputError(`unknown dataset "${spec.name}" (expected one of ${DATASET_NAMES.join(', ')})`);
  if (!Number.isInteger(seed)) throw new InputError(`seed must be an integer, got ${seed}`);
  const rng = createRng(seed).fork(`dataset:${spec.name}`);
  const built = await definition.build(spec.options, skew, rng, spec.name);
  return { name: spec.name, skew, seed, ...built };
}
