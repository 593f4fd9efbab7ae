import { basename, resolve } from 'node:path';
import { z } from 'zod';
import type { Rng } from '../../labels/rng.js';
import { folderFingerprint } from '../fingerprint.js';
import { loadFolder, splitOfId } from '../folder.js';
import { subsampleToProfile } from '../profile.js';
import { subsampleToTargets } from '../subsample.js';
import { AUGMENTATIONS, selectImages, type AugmentationName, type ImageSet, type SplitName } from '../types.js';
import { commonOptions } from './common.js';
import { defineSource } from './types.js';

export const folder = defineSource({
  name: 'folder',
  description: 'your images (PNG/JPEG/WebP) and a labels CSV, subsampled to the skew',
  options: z.strictObject({
    ...commonOptions,
    dir: z.string().min(1),
    /** How tables and keys name this image set; default the folder's base name. */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, { error: 'expected a name of letters, digits, ".", "_", "+" or "-"' }).optional(),
    labels: z.string().min(1).optional(),
    sep: z.string().min(1).optional(),
    size: z.number().int().min(1).max(1024).default(28),
    channels: z.union([z.literal(1), z.literal(3)]).default(1),
    augmentations: z.array(z.enum(AUGMENTATIONS as [AugmentationName, ...AugmentationName[]])).default([...AUGMENTATIONS]),
  }),
  fingerprint: (options) => folderFingerprint(options),
  displayName: (options) => options.name ?? (basename(resolve(options.dir)).replace(/[^A-Za-z0-9._+-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'folder'),
  async build(options, skew, rng) {
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
      ranks: Array.from(targets.keys()).sort((a, b) => targets[b] - targets[a] || a - b),
      rankUnits: false,
    };
  },
});
