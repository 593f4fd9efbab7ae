export { LabelMatrix } from './labels/matrix.js';
export { createRng, type Rng } from './labels/rng.js';
export { InputError } from './errors.js';
export { labelStats, groupOf, DEFAULT_GROUPS, type LabelStats, type LabelStat, type LabelGroup, type GroupThresholds } from './labels/stats.js';
export { classWeights, WEIGHT_SCHEMES, type WeightScheme, type WeightOptions, type LabelWeights } from './labels/weights.js';
export { planOversampling, PLAN_METHODS, type PlanMethod, type PlanOptions, type OversamplingPlan } from './labels/oversample.js';
export { readLabelsCsv, parseLabelsCsv, type LabelsCsvOptions } from './data/labels-csv.js';
