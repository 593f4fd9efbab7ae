import type { LabelMatrix } from '../labels/matrix.js';
import { labelStats } from '../labels/stats.js';
import type { DatasetDescription } from '../records/dataset.js';
import { num, table } from './format.js';

const SPLITS = ['train', 'val', 'test'] as const satisfies ReadonlyArray<keyof DatasetDescription['splits']>;

/** What the dataset tables read of a built dataset. */
export interface DatasetView {
  name: string;
  seed: number;
  labels: string[];
  targets: number[];
  augmentations: readonly string[];
  train: { height: number; width: number; channels: number; labels: LabelMatrix };
  val: { labels: LabelMatrix };
  test: { labels: LabelMatrix };
}

/** The `skewbench dataset` tables: realized counts per split with the train targets, then each split's label stats and hash. */
export function formatDataset(d: DatasetView, description: DatasetDescription): string {
  const { splits } = description;
  const perLabel = table(
    ['label', 'train', 'target', 'val', 'test'],
    d.labels.map((name, l) => [name, splits.train.labels[l].count, d.targets[l], splits.val.labels[l].count, splits.test.labels[l].count]),
  );
  const stats = table(
    ['split', 'images', 'cardinality', 'density', 'labelsets', 'MeanIR', 'MaxIR', 'CVIR', 'SCUMBLE', 'hash'],
    SPLITS.map((split) => {
      const s = labelStats(d[split].labels);
      return [split, s.images, num(s.cardinality), num(s.density), s.labelsets, num(s.meanIR, 2), num(s.maxIR, 2), num(s.cvIR), num(s.scumble), splits[split].hash.slice(0, 12)];
    }),
  );
  const { height, width, channels } = d.train;
  const header = `${d.name}, skew ${description.skew}, seed ${d.seed}: ${height}×${width}×${channels} images, label-preserving augmentations: ${d.augmentations.join(', ') || 'none'}`;
  const lines = [header];
  if (description.split) lines.push(`${description.split}`);
  if (description.skew === 'natural') lines.push('skew natural: every image of every split, test as it is (per-label F1 at each label\'s own prevalence)');
  return [...lines, perLabel, stats].join('\n');
}
