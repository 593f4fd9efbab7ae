import { basename, resolve } from 'node:path';
import { z } from 'zod';
import type { Rng } from '../../labels/rng.js';
import { folderFingerprint } from '../fingerprint.js';
import { decodeShape, FITS, FOLDER_SHARES, folderSplitCounts, loadFolder } from '../folder.js';
import { subsampleToProfile } from '../profile.js';
import { subsampleToTargets } from '../subsample.js';
import { AUGMENTATIONS, selectImages, SPLITS, type AugmentationName, type ImageSet, type SplitName } from '../types.js';
import { commonOptions } from './common.js';
import { defineSource } from './types.js';

/** rank → label, most frequent first, ties by label index. */
const byFrequency = (counts: readonly number[]): number[] => Array.from(counts.keys()).sort((a, b) => counts[b] - counts[a] || a - b);

/*
 * A folder is split once, by its labels file (a `split` column as given, else an iterative
 * stratification of the ids): the same image is in the same split whatever the seed or skew.
 * Skew `natural` uses every image of every split as it is: targets are the realised train counts,
 * and test is the test split as it is, so a label's F1 is measured at its natural prevalence.
 * A profile (exponential, pareto, step, uniform) subsamples the train split to it; val keeps the
 * training skew and test is balanced across labels.
 */
export const folder = defineSource({
  name: 'folder',
  description: 'your images (PNG/JPEG/WebP) and a labels CSV (optional split column), as they are (skew natural) or subsampled to a skew',
  options: z.strictObject({
    ...commonOptions,
    dir: z.string().min(1),
    /** How tables and keys name this image set; default the folder's base name. */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, { error: 'expected a name of letters, digits, ".", "_", "+" or "-"' }).optional(),
    labels: z.string().min(1).optional(),
    sep: z.string().min(1).optional(),
    /** Square shorthand for height = width (neither given: the size the images share). */
    size: z.number().int().min(1).max(1024).optional(),
    height: z.number().int().min(1).max(1024).optional(),
    width: z.number().int().min(1).max(1024).optional(),
    fit: z.enum(FITS).default('fill'),
    /** Absent: detected (3 when any image has colour, else 1). */
    channels: z.union([z.literal(1), z.literal(3)]).optional(),
    augmentations: z.array(z.enum(AUGMENTATIONS as [AugmentationName, ...AugmentationName[]])).default([...AUGMENTATIONS]),
  }).superRefine((options, ctx) => {
    // The shape is checked where the spec is read, not when the first trial loads the folder.
    try {
      decodeShape(options);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: [options.size !== undefined ? 'size' : 'height'], message: (err as Error).message.replace(/^folder options: /, '') });
    }
  }),
  naturalFrequencies: true,
  // The resolved shape is part of the fingerprint; detected channels follow from the images' bytes, which it hashes.
  fingerprint: (options) => folderFingerprint({ ...options, shape: decodeShape(options) }),
  splitCounts: (options) => folderSplitCounts(options),
  displayName: (options) => options.name ?? (basename(resolve(options.dir)).replace(/[^A-Za-z0-9._+-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'folder'),
  async build(options, skew, rng) {
    const all = await loadFolder(options);
    const bySplit: Record<SplitName, number[]> = { train: [], val: [], test: [] };
    all.split.forEach((s, i) => bySplit[s].push(i));
    const pools = Object.fromEntries(SPLITS.map((s) => [s, selectImages(all, bySplit[s])])) as Record<SplitName, ImageSet>;
    const labels = [...all.labels.labels];
    const shares = SPLITS.map((s) => FOLDER_SHARES[s]).join(' / ');
    const split = all.splitGiven ? 'split: as the labels file\'s split column gives it' : `split: stratified by label, ${shares} (train / val / test; the labels file has no split column)`;
    const common = { labels, augmentations: options.augmentations, rankUnits: false, split };
    if (skew.kind === 'natural') {
      const targets = Array.from(pools.train.labels.counts());
      return {
        ...common,
        ...pools,
        targets,
        valTargets: Array.from(pools.val.labels.counts()),
        testTargets: Array.from(pools.test.labels.counts()),
        warnings: [...all.warnings],
        ranks: byFrequency(targets),
      };
    }
    const { set: train, targets } = subsampleToProfile(pools.train, skew, rng.fork('train'), { nMax: options.nMax, what: `folder ${options.dir}, train split` });
    const valAvailable = pools.val.labels.counts();
    const valTargets = targets.map((t, l) => Math.min(valAvailable[l], Math.max(1, Math.round(t * options.valFraction))));
    // Test stays balanced, so every label's F1 is measured at the same prevalence: each label gets
    // as many test images as the scarcest label can supply, up to testPerLabel.
    const testAvailable = pools.test.labels.counts();
    const scarcest = Array.from(testAvailable.keys()).reduce((a, b) => (testAvailable[b] < testAvailable[a] ? b : a), 0);
    const perLabel = Math.min(options.testPerLabel, testAvailable[scarcest]);
    const testTargets = targets.map(() => perLabel);
    const warnings = [...all.warnings];
    if (perLabel < options.testPerLabel) {
      warnings.push(`folder ${options.dir}: label "${labels[scarcest]}" has ${testAvailable[scarcest]} test images, so test is balanced at ${perLabel} per label (testPerLabel ${options.testPerLabel})`);
    }
    const pick = (pool: ImageSet, t: number[], r: Rng): ImageSet => selectImages(pool, subsampleToTargets(pool.labels, t, r).indices);
    return {
      ...common,
      train,
      val: pick(pools.val, valTargets, rng.fork('val')),
      test: pick(pools.test, testTargets, rng.fork('test')),
      targets,
      valTargets,
      testTargets,
      warnings,
      ranks: byFrequency(targets),
    };
  },
});
