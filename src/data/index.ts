/* `skewbench/data`: dataset sources, skew profiles, seeded skewed splits, augmentation (tfjs). */
export { AUGMENTATIONS, SPLITS, type AugmentationName, type ImageSet, type SplitName } from './types.js';
export { parseSkew, formatSkew, rankOrder, rankUnitName, LABEL_ORDERS, type SkewProfile, type LabelOrder } from './skew.js';
export { buildDataset, resolveDatasetOptions, subsampleToProfile, DATASET_SOURCES, DATASET_NAMES, type Dataset, type DatasetSpec, type DatasetSource } from './build.js';
export { augment, type ImageBatch } from './augment.js';
export { materialize } from './materialize.js';
export { datasetHash } from './hash.js';
export { describeDataset, type DatasetDescription } from './describe.js';
export { loadEmbedded, FASHION_CLASSES, DIGIT_CLASSES, type EmbeddedName } from './embedded.js';
export { loadFolder, type FolderOptions } from './folder.js';
