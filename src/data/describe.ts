import type { Dataset } from './build.js';
import { datasetHash } from './hash.js';
import { formatSkew } from './skew.js';
import { SPLITS, type SplitName } from './types.js';

export interface SplitDescription {
  images: number;
  /** SHA-256 of the split's shape, label names, pixels and label bits. */
  hash: string;
  labels: Array<{ name: string; count: number; target?: number }>;
}

/** What `skewbench dataset --json` prints: per split its size, hash and per-label counts (with the profile's target in train). */
export interface DatasetDescription {
  dataset: string;
  skew: string;
  seed: number;
  splits: Record<SplitName, SplitDescription>;
}

export function describeDataset(d: Dataset): DatasetDescription {
  const splits = Object.fromEntries(
    SPLITS.map((split) => {
      const counts = d[split].labels.counts();
      return [
        split,
        {
          images: d[split].labels.rows,
          hash: datasetHash(d[split]),
          labels: d.labels.map((name, l) => (split === 'train' ? { name, count: counts[l], target: d.targets[l] } : { name, count: counts[l] })),
        },
      ];
    }),
  ) as Record<SplitName, SplitDescription>;
  return { dataset: d.name, skew: formatSkew(d.skew), seed: d.seed, splits };
}
