import type { Dataset } from './build.js';
import { datasetHash } from './hash.js';
import { formatSkew } from './skew.js';
import { SPLITS, type SplitName } from './types.js';
import type { DatasetDescription, SplitDescription } from '../records/dataset.js';

export type { DatasetDescription, SplitDescription } from '../records/dataset.js';


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
  return { dataset: d.name, skew: formatSkew(d.skew), seed: d.seed, ...(d.split ? { split: d.split } : {}), splits };
}
