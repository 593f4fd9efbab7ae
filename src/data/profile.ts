import { InputError } from '../errors.js';
import type { Rng } from '../labels/rng.js';
import { formatSkew, profileShares, profileTargets, type SkewProfile } from './skew.js';
import { subsampleToTargets } from './subsample.js';
import { selectImages, type ImageSet } from './types.js';

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
