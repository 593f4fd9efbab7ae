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
  /** Where the split came from, for data with a split of its own (a folder). */
  split?: string;
  splits: Record<'train' | 'val' | 'test', SplitDescription>;
}
